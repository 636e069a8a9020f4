"""Generated records for the demo catalog's resources, one generator per resource code.

The resources share their subjects the way a city's data does: the social-security,
provident-fund and low-income records are about people in the household register (a few are
not, and a few spell a name differently — the quality checks and the one-source register have
something real to find); the licences, permits and penalties are about the registered legal
entities. ``DemoRecords(world).rows(code)`` returns a resource's rows as dicts of text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from smartgov.datastore.demo.city import CityRecords
from smartgov.datastore.demo.people import PeopleRecords
from smartgov.datastore.demo.world import Organisation, Person, World

RESIDENTS = 2400
NON_RESIDENTS = 300
ORGANISATIONS = 420


class DemoRecords(PeopleRecords, CityRecords):
    """Rows of every demo resource, built on one shared world."""

    def __init__(self, world: World) -> None:
        self.w = world
        self.rng = world.rng
        self.today = world.today
        self.residents: list[Person] = world.people(RESIDENTS)
        # People living in the city without household registration here (流动人口).
        self.non_residents: list[Person] = world.people(
            NON_RESIDENTS, born_after=date(1960, 1, 1), born_before=date(2004, 12, 31)
        )
        self.adults = [p for p in self.residents if self._age(p) >= 18]
        # Working age; a tenth of the non-residents pay into the city's schemes too (and so
        # are missing from the household register the consistency rule compares with).
        self.workers = [p for p in self.adults if self._age(p) < 60] + self.non_residents[::10]
        self.retirees = [p for p in self.residents if self._age(p) >= 60]
        self.organisations: list[Organisation] = world.organisations(ORGANISATIONS)
        self.companies = [o for o in self.organisations if o.entity_type != "个体工商户"]
        self._generators: dict[str, Callable[[], list[dict]]] = {
            "101001001/000001": self.household_register,
            "101001002/000001": self.floating_population,
            "101001003/000001": self.births,
            "101001004/000001": self.deaths,
            "301010001/000001": self.vehicles,
            "301010002/000001": self.driving_licences,
            "101002001/000001": self.legal_entities,
            "104001001/000001": self.business_licences,
            "106001001/000001": self.abnormal_operations,
            "302001001/000001": self.food_permits,
            "302001002/000001": self.food_samples,
            "302001003/000001": self.special_equipment,
            "302001004/000001": self.pharmacies,
            "303001001/000001": self.social_insurance,
            "303001002/000001": self.pensions,
            "303001003/000001": self.employment,
            "303001004/000001": self.skill_certificates,
            "304001001/000001": self.hospitals,
            "304001002/000001": self.birth_certificates,
            "304001003/000001": self.vaccinations,
            "305001001/000001": self.provident_fund,
            "305001002/000001": self.provident_loans,
            "306001001/000001": self.schools,
            "306001002/000001": self.kindergartens,
            "307001001/000001": self.parking_lots,
            "307001002/000001": self.street_lights,
            "308001001/000001": self.air_stations,
            "308001002/000001": self.air_quality,
            "308001003/000001": self.polluters,
            "309001001/000001": self.minimum_living,
            "309001002/000001": self.elderly_care,
            "310001001/000001": self.presale_permits,
            "103001001/000001": self.shelters,
            "103001002/000001": self.addresses,
            "105001001/000001": self.economic_indicators,
            "106001002/000001": self.penalties,
        }
        self._cache: dict[str, list[dict]] = {}

    @property
    def codes(self) -> list[str]:
        return list(self._generators)

    def rows(self, code: str) -> list[dict]:
        if code not in self._cache:
            self._cache[code] = self._generators[code]()
        return self._cache[code]
