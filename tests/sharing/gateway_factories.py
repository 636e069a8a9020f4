"""Factories for gateway tests: consumer apps and grants made directly (the workflow's
services are built elsewhere), a published population resource with data, signed calls."""

from __future__ import annotations

import io
import itertools
import secrets
from datetime import date, timedelta

import pytest

from smartgov.core.crypto import encrypt_field
from smartgov.datastore import services as datastore
from smartgov.sharing import signing
from smartgov.sharing.gateway_cache import cache
from smartgov.sharing.models import ConsumerApp, Grant
from tests.datastore import conftest as datastore_fixtures

_sequence = itertools.count(1)

officer = datastore_fixtures.officer
data_admin = datastore_fixtures.data_admin
other_officer = datastore_fixtures.other_officer
make_resource = datastore_fixtures.make_resource
publish = datastore_fixtures.publish
citizen_id = datastore_fixtures.citizen_id
person = datastore_fixtures.person
csv_bytes = datastore_fixtures.csv_bytes

# The data store's population fields, the phone masked as a consumer sees it.
POPULATION_FIELDS = [
    {**f, "masking": "phone"} if f["name"] == "phone" else f
    for f in datastore_fixtures.POPULATION_FIELDS
]

GRANTED = ["citizen_id", "name", "phone", "birth_date", "household_size", "region"]


def make_app(department, *, ip_allowlist=None, status="active", name=None):
    """A consumer app with a fresh key and secret; returns (app, secret)."""
    secret = secrets.token_urlsafe(32)
    app = ConsumerApp.objects.create(
        name=name or f"应用{next(_sequence)}",
        department=department,
        contact_name="王五",
        contact_phone="13900139000",
        ip_allowlist=ip_allowlist or [],
        app_key="sg" + secrets.token_hex(15),
        secret_encrypted=encrypt_field(secret),
        status=status,
    )
    return app, secret


def make_grant(app, resource, *, fields=None, clear_fields=(), rate_per_minute=600, **extra):
    today = date.today()
    values = {
        "app": app,
        "consumer": app.department,
        "resource": resource,
        "fields": list(fields or GRANTED),
        "clear_fields": list(clear_fields),
        "purpose": "社会救助资格核验",
        "valid_from": today - timedelta(days=1),
        "valid_until": today + timedelta(days=30),
        "rate_per_minute": rate_per_minute,
        **extra,
    }
    return Grant.objects.create(**values)


@pytest.fixture(autouse=True)
def _fresh_gateway_cache(settings):
    settings.SMARTGOV_GATEWAY_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def population(officer, data_admin, make_resource, publish):
    resource = make_resource(
        officer,
        name="户籍人口",
        fields=POPULATION_FIELDS,
        code="101001001/000001",
        classification="base",
        base_resource="population",
    )
    return publish(resource, officer, data_admin)


@pytest.fixture
def people(population, officer):
    """The population resource with 30 people (citizen_id(0..29)) delivered."""
    rows = [person(n, phone=f"1380013{n:04d}", household_size=str(n % 5 + 1)) for n in range(30)]
    datastore.deliver_file(
        actor=officer,
        resource_id=population.pk,
        stream=io.BytesIO(csv_bytes(rows)),
        filename="people.csv",
        mode="replace",
    )
    return population


@pytest.fixture
def consumer(org):
    """The consuming department: 上城区's market bureau."""
    return org["shangcheng_bureau"]


@pytest.fixture
def app_and_secret(consumer):
    return make_app(consumer)


@pytest.fixture
def grant(app_and_secret, people):
    return make_grant(app_and_secret[0], people)


class SignedClient:
    """Django's test client, signing each gateway call like a consumer's system would."""

    def __init__(self, client, app, secret):
        self.client = client
        self.app = app
        self.secret = secret

    def headers(self, path, query="", **overrides):
        signed = signing.sign_request(
            app_key=overrides.pop("app_key", self.app.app_key),
            secret=overrides.pop("secret", self.secret),
            method="GET",
            path=path,
            query=query,
            **overrides,
        )
        return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in signed.items()}

    def get(self, path, query="", *, headers=None, **overrides):
        meta = headers if headers is not None else self.headers(path, query, **overrides)
        url = path + ("?" + query if query else "")
        return self.client.get(url, **meta)

    def lookup(self, resource, key, query="", **overrides):
        return self.get(f"/gateway/v1/resources/{resource.pk}/records/{key}", query, **overrides)

    def query(self, resource, query="", **overrides):
        return self.get(f"/gateway/v1/resources/{resource.pk}/records", query, **overrides)


@pytest.fixture
def signed(client, app_and_secret):
    app, secret = app_and_secret
    return SignedClient(client, app, secret)
