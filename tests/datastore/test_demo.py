"""The demo data store: every demo resource holds generated records with valid identifiers,
delivered through the validating service; the household register has two versions and a
rejection report; a second run changes nothing."""

from datetime import date

from django.db import connection

from smartgov.accounts.demo import load_demo
from smartgov.catalog.demo import load_demo_catalog
from smartgov.catalog.models import Resource
from smartgov.core.validators import check_citizen_id, check_credit_code
from smartgov.datastore import db
from smartgov.datastore.demo import demo_places, load_demo_records
from smartgov.datastore.demo.records import DemoRecords
from smartgov.datastore.demo.world import World
from smartgov.datastore.models import Delivery, DeliveryStatus, Rejection, StoreTable

POPULATION = "101001001/000001"
SOCIAL_INSURANCE = "303001001/000001"


def _column(resource: Resource, name: str) -> list:
    table = StoreTable.objects.get(resource=resource).table_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {db.q(name)} FROM {db.q(table)} WHERE _version_to IS NULL")
        return [row[0] for row in cursor.fetchall()]


def test_demo_records(regions):
    load_demo()
    load_demo_catalog()
    summary = load_demo_records()

    tables = StoreTable.objects.filter(version__gt=0)
    assert tables.count() == Resource.objects.count() >= 30
    assert summary.startswith(f"{Delivery.objects.count()} deliveries")
    assert not Delivery.objects.filter(status=DeliveryStatus.FAILED).exists()

    population = Resource.objects.get(code=POPULATION)
    first, second = Delivery.objects.filter(resource=population).order_by("id")
    assert first.status == DeliveryStatus.PARTIALLY_REJECTED
    assert 0.005 < first.rejected / first.received < 0.02
    assert {r.code for r in Rejection.objects.filter(delivery=first)} >= {
        "citizen_id_checksum",
        "date_format",
        "required",
        "not_in_enum",
        "region_code_format",
    }
    assert (second.mode, second.version, second.rejected) == ("upsert", 2, 0)
    assert second.updated > 0 and second.inserted > 0

    # Identifiers carry valid check digits; shared subjects link the resources.
    people = _column(population, "citizen_id")
    assert all(check_citizen_id(value) == value for value in people)
    insured = _column(Resource.objects.get(code=SOCIAL_INSURANCE), "citizen_id")
    linked = sum(value in set(people) for value in set(insured))
    assert 0.8 < linked / len(set(insured)) < 1
    entities = _column(Resource.objects.get(code="101002001/000001"), "credit_code")
    assert all(check_credit_code(value) == value for value in entities)
    licensed = set(_column(Resource.objects.get(code="104001001/000001"), "credit_code"))
    assert licensed <= set(entities)

    deliveries = Delivery.objects.count()
    assert load_demo_records() == "0 deliveries, 0 rows stored"
    assert Delivery.objects.count() == deliveries


def test_demo_world_is_reproducible(regions):
    today = date(2026, 12, 1)
    one = DemoRecords(World(demo_places(), today=today)).rows(POPULATION)
    two = DemoRecords(World(demo_places(), today=today)).rows(POPULATION)
    assert one == two
    assert len({row["citizen_id"] for row in one}) == len(one)
