"""Metering from the call log (scopes: data bureau, provider, consumer, others) and "who read
my data" for citizens and enterprises, through the selectors and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from smartgov.accounts import services as accounts
from smartgov.catalog.permissions import DATA_OFFICER
from smartgov.core.crypto import blind_index
from smartgov.core.errors import InvalidInput, PermissionDeniedError
from smartgov.sharing import metering
from smartgov.sharing.models import CallLog
from tests.conftest import make_staff
from tests.sharing import gateway_factories as gf
from tests.sharing.gateway_factories import citizen_id

pytestmark = pytest.mark.django_db

_fresh_gateway_cache = gf._fresh_gateway_cache
officer, data_admin, other_officer = gf.officer, gf.data_admin, gf.other_officer
make_resource, publish = gf.make_resource, gf.publish
population, people, consumer = gf.population, gf.people, gf.consumer
app_and_secret, grant, signed = gf.app_and_secret, gf.grant, gf.signed


@pytest.fixture
def traffic(signed, grant, people):
    """Five answered lookups (two about citizen 1), one unknown key, one refused call."""
    for n in (1, 1, 2, 3, 4):
        assert signed.lookup(people, citizen_id(n)).status_code == 200
    assert signed.lookup(people, citizen_id(900)).status_code == 404
    assert signed.lookup(people, citizen_id(1), secret="bad").status_code == 401
    return people


def test_data_bureau_sees_every_call_per_resource(data_admin, traffic):
    result = metering.usage(data_admin, group_by="resource")
    (row,) = result["rows"]
    assert row["key"] == traffic.pk and "户籍人口" in row["label"]
    assert (row["calls"], row["errors"], row["records"]) == (7, 2, 5)
    assert row["p50_latency_ms"] > 0 and row["avg_latency_ms"] > 0
    assert result["totals"]["calls"] == 7


def test_provider_sees_who_uses_its_data(officer, consumer, traffic):
    result = metering.usage(officer, group_by="consumer")
    (row,) = result["rows"]
    assert row["label"] == consumer.name and row["calls"] == 7


def test_consumer_department_sees_its_apps_calls(org, consumer, traffic):
    consumer_officer = make_staff("sc_officer", consumer, DATA_OFFICER, "department")
    assert metering.usage(consumer_officer, group_by="provider")["totals"]["calls"] == 7


def test_other_departments_see_nothing(org, traffic):
    outsider = make_staff("xh_gov_officer", org["xihu"], DATA_OFFICER, "department")
    assert metering.usage(outsider)["rows"] == []


def test_staff_without_the_permission_is_refused(xihu_staff, traffic):
    with pytest.raises(PermissionDeniedError):
        metering.usage(xihu_staff)


def test_per_day_and_period(data_admin, traffic):
    old = CallLog.objects.order_by("id").first()
    old.created_at = timezone.now() - timedelta(days=3)
    old.save()
    result = metering.usage(data_admin, group_by="day")
    assert [r["calls"] for r in result["rows"]] == [1, 6]
    series = metering.daily_series(data_admin)
    assert len(series["days"]) == 30 and sum(series["calls"]) == 7
    today = timezone.localdate()
    narrow = metering.usage(
        data_admin, filters=metering.UsageFilter(date_from=today, date_to=today)
    )
    assert narrow["totals"]["calls"] == 6


def test_bad_usage_input(data_admin):
    with pytest.raises(InvalidInput):
        metering.usage(data_admin, group_by="app; DROP")
    today = timezone.localdate()
    with pytest.raises(InvalidInput):
        metering.usage(
            data_admin,
            filters=metering.UsageFilter(date_from=today, date_to=today - timedelta(days=1)),
        )
    with pytest.raises(InvalidInput):
        metering.usage(
            data_admin,
            filters=metering.UsageFilter(date_from=today - timedelta(days=400), date_to=today),
        )


def test_usage_api(api_client, bearer, data_admin, traffic):
    response = api_client.get("/api/v1/sharing/usage?group_by=provider", **bearer(data_admin))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rows"][0]["calls"] == 7 and body["totals"]["errors"] == 2
    response = api_client.get("/api/v1/sharing/usage?group_by=nope", **bearer(data_admin))
    assert response.status_code == 400 and response.json()["code"] == "unknown_group"
    response = api_client.get("/api/v1/sharing/usage?date_from=yesterday", **bearer(data_admin))
    assert response.status_code == 422


# --- who read my data --------------------------------------------------------------------------


def test_citizen_sees_who_read_their_records(api_client, bearer, consumer, traffic):
    li = accounts.create_citizen(
        actor=None, username="li01", real_name="李一", citizen_id=citizen_id(1), password=None
    )
    response = api_client.get("/api/v1/sharing/me/reads", **bearer(li))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    item = body["items"][0]
    assert item["department"] == consumer.name
    assert item["purpose"] == "社会救助资格核验"
    assert item["resource"] == "户籍人口"
    assert "姓名" in item["fields"] and "手机号码" in item["fields"]


def test_a_citizen_nobody_read_has_an_empty_list(api_client, bearer, traffic):
    nobody = accounts.create_citizen(
        actor=None, username="wang9", real_name="王九", citizen_id=citizen_id(29), password=None
    )
    body = api_client.get("/api/v1/sharing/me/reads", **bearer(nobody)).json()
    assert body == {"items": [], "count": 0}


def test_staff_are_not_data_subjects(api_client, bearer, xihu_staff):
    response = api_client.get("/api/v1/sharing/me/reads", **bearer(xihu_staff))
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_data_subject"


def test_enterprise_sees_reads_of_its_credit_code(org, officer, data_admin, make_resource, publish):
    from tests.datastore.conftest import credit_code

    code = credit_code()
    enterprise = accounts.create_enterprise(
        actor=None,
        username="acme",
        name="杭州示例科技有限公司",
        credit_code=code,
        legal_representative="赵六",
        password=None,
    )
    CallLog.objects.create(
        created_at=timezone.now(),
        method="GET",
        path="/gateway/v1/resources/1/records/*",
        kind="key",
        subject_hash=blind_index(code, purpose="credit_code"),
        result_count=1,
        status=200,
        consumer_id_ref=org["xihu_bureau"].pk,
        fields="credit_code",
    )
    (read,) = metering.describe_reads(metering.reads_of(enterprise))
    assert read["department"] == org["xihu_bureau"].name
