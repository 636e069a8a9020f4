"""Quality test helpers: a second resource referring to the population, pushes, time travel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smartgov.catalog.models import ResourceRevision
from smartgov.datastore import services
from smartgov.datastore.models import Delivery
from tests.catalog.conftest import field
from tests.datastore.conftest import person

INSURANCE_FIELDS = [
    field("citizen_id", "公民身份号码", "citizen_id", is_key=True, masking="citizen_id"),
    field("name", "姓名", required=True, masking="name"),
    field("started_on", "参保日期", "date"),
    field("employer", "参保单位", "string"),
]


def push(resource, records, actor, mode="upsert"):
    return services.push_records(actor=actor, resource_id=resource.pk, mode=mode, records=records)


def people(numbers, **overrides) -> list[dict]:
    return [person(n, **overrides) for n in numbers]


def insured(n: int, **overrides) -> dict:
    row = {"citizen_id": person(n)["citizen_id"], "name": f"张{n}", "started_on": "2020-01-01"}
    row.update(overrides)
    return row


def age(resource, *, days: float) -> None:
    """Pretend the resource was published, and last delivered, ``days`` ago."""
    shift = timedelta(days=days)
    for model in (Delivery, ResourceRevision):
        for row in model.objects.filter(resource=resource):
            moment = row.finished_at if model is Delivery else row.created_at
            values = {"finished_at" if model is Delivery else "created_at": moment - shift}
            model.objects.filter(pk=row.pk).update(**values)


@pytest.fixture
def insurance(officer, data_admin, make_resource, publish):
    resource = make_resource(
        officer,
        name="社会保险参保信息",
        fields=INSURANCE_FIELDS,
        code="303001001/000001",
        update_cycle="monthly",
    )
    return publish(resource, officer, data_admin)
