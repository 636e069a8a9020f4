"""Fixtures for one data element, one source (一数一源): a population register (the source of
公民姓名), an insurance resource of another department holding a copy, the element itself."""

from __future__ import annotations

import pytest

from smartgov.catalog import elements
from smartgov.datastore import services
from tests.catalog.conftest import field
from tests.datastore.conftest import citizen_id, person

INSURANCE_FIELDS = [
    field("account_no", "参保账号", is_key=True),
    field("citizen_id", "公民身份号码", "citizen_id", masking="citizen_id"),
    field("name", "姓名", masking="name"),
    field("insured_on", "参保日期", "date"),
]


def insured(n: int, account: str | None = None, **overrides) -> dict:
    row = {
        "account_no": account or f"A{n:05d}",
        "citizen_id": citizen_id(n),
        "name": f"张{n}",
        "insured_on": "2020-01-01",
    }
    row.update(overrides)
    return row


def push(resource, actor, records, mode="replace"):
    return services.push_records(actor=actor, resource_id=resource.pk, mode=mode, records=records)


@pytest.fixture
def insurance(other_officer, data_admin, make_resource, publish, org):
    resource = make_resource(
        other_officer,
        org["shangcheng_bureau"],
        name="社会保险参保信息",
        code="303001001/000001",
        fields=INSURANCE_FIELDS,
    )
    return publish(resource, other_officer, data_admin)


@pytest.fixture
def element(data_admin, population, insurance):
    return elements.create_element(
        actor=data_admin,
        code="citizen_name",
        name="公民姓名",
        key_type="citizen_id",
        source_resource_id=population.pk,
        source_field="name",
        source_key_field="citizen_id",
        holders=[{"resource_id": insurance.pk, "field": "name", "key_field": "citizen_id"}],
    )


@pytest.fixture
def holder(element):
    return element.holders.get()


@pytest.fixture
def loaded(
    population, insurance, officer, other_officer, element, django_capture_on_commit_callbacks
):
    """Population 1–5; insurance: 1 agrees, 2 differs (李二), 3 differs only by spaces, 9 is
    not in the population register."""
    with django_capture_on_commit_callbacks(execute=True):
        push(population, officer, [person(n) for n in range(1, 6)])
    with django_capture_on_commit_callbacks(execute=True):
        push(
            insurance,
            other_officer,
            [insured(1), insured(2, name="李二"), insured(3, name=" 张3　"), insured(9)],
        )
    return element
