"""Demo data store: generated records delivered into the demo catalog's resources.

Each resource gets its rows the way a department would send them — most as UTF-8 CSV files,
the civil-affairs bureau's as GB18030 CSV from its older system, the education bureau's as
XLSX, the air-quality readings pushed through the API — through the same validating delivery
service as real data. The household register arrives in two deliveries: a full load with
about 1 % bad rows (so the rejection report has something to show) and a later increment
(moves and births), so versions and their differences can be browsed. Idempotent: a resource
that already holds data is left alone.
"""

from __future__ import annotations

import csv
import io

from django.utils import timezone

from smartgov.accounts.models import User
from smartgov.catalog.demo import DEMO_ACCOUNTS
from smartgov.catalog.models import Resource, ResourceStatus
from smartgov.core.models import Region, RegionLevel
from smartgov.datastore import services
from smartgov.datastore.demo.records import DemoRecords
from smartgov.datastore.demo.world import Place, World
from smartgov.datastore.models import DeliveryMode, StoreTable

POPULATION = "101001001/000001"
GB18030_PROVIDERS = {"市民政局"}
XLSX_PROVIDERS = {"市教育局"}
PUSHED = {"308001002/000001"}
MOVES, NEW_BIRTHS = 60, 15


def demo_places() -> list[Place]:
    streets = Region.objects.filter(
        level=RegionLevel.STREET, parent__parent__code="330100"
    ).select_related("parent")
    return [
        Place(
            district_code=s.parent.code,
            district=s.parent.name,
            street_code=s.code,
            street=s.name,
        )
        for s in streets.order_by("code")
    ]


def _csv(rows: list[dict], columns: list[str], encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(c, "") for c in columns] for row in rows)
    return text.getvalue().encode(encoding)


def _xlsx(rows: list[dict], columns: list[str]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) or None for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_bad_rows(rows: list[dict], every: int = 100) -> list[dict]:
    """A copy of population rows with one row in ``every`` broken the ways real files are."""
    damaged = []
    faults = (
        ("citizen_id", lambda v: v[:17] + ("0" if v[17] != "0" else "1")),  # check digit
        ("birth_date", lambda v: v[:5] + "02-30"),  # no such day
        ("name", lambda v: ""),  # required value missing
        ("gender", lambda v: "未知"),  # not an allowed value
        ("household_region", lambda v: v[:5]),  # not a GB/T 2260 code
    )
    for index, row in enumerate(rows):
        if index % every == every - 1:
            name, fault = faults[(index // every) % len(faults)]
            row = {**row, name: fault(row[name])}
        damaged.append(row)
    return damaged


def _deliverer(resource: Resource, officers: dict[int, User], admin: User) -> User:
    return officers.get(resource.provider_id, admin)


def _deliver(actor, resource: Resource, rows: list[dict], *, filename: str, mode=None):
    columns = [f.name for f in resource.fields.order_by("position", "id")]
    provider = resource.provider.short_name
    mode = mode or DeliveryMode.REPLACE
    if resource.code in PUSHED:
        return services.push_records(actor=actor, resource_id=resource.pk, mode=mode, records=rows)
    if provider in XLSX_PROVIDERS:
        payload, filename = _xlsx(rows, columns), filename + ".xlsx"
    elif provider in GB18030_PROVIDERS:
        payload, filename = _csv(rows, columns, "gb18030"), filename + ".csv"
    else:
        payload, filename = _csv(rows, columns), filename + ".csv"
    return services.deliver_file(
        actor=actor,
        resource_id=resource.pk,
        stream=io.BytesIO(payload),
        filename=filename,
        mode=mode,
    )


def _population_increment(records: DemoRecords) -> list[dict]:
    """Moves within the city and newborns since the full load: the second delivery."""
    world = records.w
    rows = []
    for person in records.rng.sample(records.residents, MOVES):
        place = world.place()
        row = next(r for r in records.rows(POPULATION) if r["citizen_id"] == person.citizen_id)
        rows.append(
            {
                **row,
                "household_address": world.home_address(place),
                "household_region": place.street_code,
                "registered_on": records.today.isoformat(),
            }
        )
    for baby in world.people(NEW_BIRTHS, born_after=records.today.replace(day=1)):
        rows.append(
            {
                "citizen_id": baby.citizen_id,
                "name": baby.name,
                "gender": baby.gender,
                "ethnicity": baby.ethnicity,
                "birth_date": baby.birth_date.isoformat(),
                "household_address": baby.address,
                "household_region": baby.place.street_code,
                "registered_on": records.today.isoformat(),
            }
        )
    return rows


def load_demo_records(stdout=None) -> str:
    """Fill every demo resource that holds no data yet with its generated records."""
    records = DemoRecords(World(demo_places(), today=timezone.localdate()))
    officers: dict[int, User] = {}
    for username, _name, _dept, _role, scope, _title in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is not None and scope == "department":
            for membership in user.memberships.all():
                officers.setdefault(membership.department_id, user)
    admin = User.objects.get(username="data_admin")
    filled = set(StoreTable.objects.filter(version__gt=0).values_list("resource__code", flat=True))
    resources = Resource.objects.filter(
        code__in=records.codes, status=ResourceStatus.PUBLISHED
    ).select_related("provider")
    stamp = timezone.localdate().strftime("%Y%m%d")
    deliveries = rows = 0
    for resource in sorted(resources, key=lambda r: records.codes.index(r.code)):
        if resource.code in filled:
            continue
        actor = _deliverer(resource, officers, admin)
        data = records.rows(resource.code)
        name = f"{resource.name}_{stamp}"
        if resource.code == POPULATION:
            first = _deliver(actor, resource, with_bad_rows(data), filename=name)
            second = _deliver(
                actor,
                resource,
                _population_increment(records),
                filename=f"{resource.name}_变更_{stamp}",
                mode=DeliveryMode.UPSERT,
            )
            deliveries += 2
            rows += first.inserted + second.inserted
        else:
            delivery = _deliver(actor, resource, data, filename=name)
            deliveries += 1
            rows += delivery.inserted
    return f"{deliveries} deliveries, {rows} rows stored"
