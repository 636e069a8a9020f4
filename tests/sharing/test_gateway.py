"""The gateway: signed lookups and queries, masking, clear fields, every refusal code."""

from __future__ import annotations

import pytest

from smartgov.sharing.models import CallLog
from tests.sharing import gateway_factories as gf
from tests.sharing.gateway_factories import citizen_id

_fresh_gateway_cache = gf._fresh_gateway_cache
officer, data_admin = gf.officer, gf.data_admin
make_resource, publish = gf.make_resource, gf.publish
population, people, consumer = gf.population, gf.people, gf.consumer
app_and_secret, grant, signed = gf.app_and_secret, gf.grant, gf.signed

pytestmark = pytest.mark.django_db


def test_key_lookup_returns_granted_fields_masked(signed, grant, people):
    response = signed.lookup(people, citizen_id(3))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["request_id"] == response["X-Request-ID"]
    assert body["fields"] == grant.fields
    record = body["record"]
    assert record["citizen_id"] == citizen_id(3)[:6] + "********" + citizen_id(3)[-4:]
    assert record["name"] == "张*"
    assert record["phone"] == "138****0003"
    assert record["household_size"] == 4
    assert "income" not in record
    log = CallLog.objects.get()
    assert (log.status, log.kind, log.result_count) == (200, "key", 1)
