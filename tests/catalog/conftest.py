"""Catalog fixtures: data officers of two districts, a data-bureau administrator, factories."""

from __future__ import annotations

import itertools

import pytest

from smartgov.catalog import services
from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
from tests.conftest import make_staff

_sequence = itertools.count(1)


@pytest.fixture
def officer(org):
    return make_staff("xihu_officer", org["xihu_bureau"], DATA_OFFICER, "department")


@pytest.fixture
def other_officer(org):
    return make_staff("shangcheng_officer", org["shangcheng_bureau"], DATA_OFFICER, "department")


@pytest.fixture
def data_admin(org):
    return make_staff("data_admin", org["data_bureau"], DATA_ADMIN, "city")


def field(name, label, data_type="string", **extra):
    return {"name": name, "label": label, "data_type": data_type, **extra}


POPULATION_FIELDS = [
    field(
        "citizen_id",
        "公民身份号码",
        "citizen_id",
        is_key=True,
        personal_kind="citizen_id",
        grade="important",
        masking="citizen_id",
    ),
    field("name", "姓名", personal_kind="name", grade="important", masking="name"),
    field(
        "household_address", "户籍地址", personal_kind="address", grade="general", masking="address"
    ),
]


def resource_values(provider, **overrides):
    values = {
        "provider_id": provider.pk,
        "code": f"3{next(_sequence) % 100:02d}001001/{next(_sequence):06d}",
        "name": "企业登记信息",
        "summary": "辖区内企业的登记注册信息。",
        "classification": "department",
        "share_type": "unconditional",
        "open_type": "closed",
        "update_cycle": "daily",
        "fields": [field("credit_code", "统一社会信用代码", "credit_code", is_key=True)],
    }
    values.update(overrides)
    return values


@pytest.fixture
def make_resource(org):
    def make(actor, provider=None, **overrides):
        return services.create_resource(
            actor=actor, **resource_values(provider or org["xihu_bureau"], **overrides)
        )

    return make


@pytest.fixture
def publish():
    def run(resource, officer, admin):
        services.submit_resource(actor=officer, resource_id=resource.pk)
        return services.approve_resource(actor=admin, resource_id=resource.pk)

    return run
