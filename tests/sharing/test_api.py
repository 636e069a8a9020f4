"""Sharing API round trips, scopes and the 4xx codes of bad input."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from smartgov.core.crypto import decrypt_field
from smartgov.sharing.models import ConsumerApp, Grant
from tests.datastore.conftest import citizen_id

BASE = "/api/v1/sharing"


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def request_body(app_id, resource_id, **overrides):
    today = timezone.localdate()
    body = {
        "app_id": app_id,
        "resource_id": resource_id,
        "fields": ["citizen_id", "name", "gender"],
        "clear_fields": ["name"],
        "purpose": "核验户籍",
        "legal_basis": "《浙江省公共数据条例》",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=180)).isoformat(),
        "expected_daily_calls": 100,
        "rate_per_minute": 30,
    }
    body.update(overrides)
    return body


@pytest.fixture
def as_consumer(bearer, consumer):
    return bearer(consumer)


def register(client, headers, **overrides):
    body = {
        "name": "上城区业务系统",
        "contact_name": "王工",
        "contact_phone": "13800138000",
        "ip_allowlist": ["10.0.0.0/8"],
        **overrides,
    }
    return post(client, f"{BASE}/apps", body, headers)


def test_app_lifecycle(api_client, as_consumer, bearer, stranger):
    response = register(api_client, as_consumer)
    assert response.status_code == 201, response.json()
    body = response.json()
    secret, app = body["secret"], body["app"]
    assert app["app_key"].startswith("sg") and "secret" not in app
    assert decrypt_field(ConsumerApp.objects.get(pk=app["id"]).secret_encrypted) == secret
    # The secret is never shown again.
    listed = api_client.get(f"{BASE}/apps", **as_consumer).json()
    assert listed["count"] == 1 and secret not in json.dumps(listed)
    assert secret not in json.dumps(
        api_client.get(f"{BASE}/apps/{app['id']}", **as_consumer).json()
    )
    # Other departments see nothing of it.
    other = bearer(stranger)
    assert api_client.get(f"{BASE}/apps", **other).json()["count"] == 0
    assert api_client.get(f"{BASE}/apps/{app['id']}", **other).status_code == 404
    assert post(api_client, f"{BASE}/apps/{app['id']}/rotate-secret", {}, other).status_code == 404
    # Rotation gives a new secret; revocation ends the app.
    rotated = post(api_client, f"{BASE}/apps/{app['id']}/rotate-secret", {}, as_consumer).json()
    assert rotated["secret"] != secret and rotated["app"]["secret_version"] == 2
    revoked = post(api_client, f"{BASE}/apps/{app['id']}/revoke", {"reason": "下线"}, as_consumer)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = post(api_client, f"{BASE}/apps/{app['id']}/rotate-secret", {}, as_consumer)
    assert again.status_code == 409 and again.json()["code"] == "app_revoked"


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"ip_allowlist": ["300.1.1.1"]}, 400, "invalid_ip"),
        ({"ip_allowlist": ["10.0.0.0/99"]}, 400, "invalid_ip"),
        ({"contact_phone": "abc"}, 400, "phone_format"),
        ({"name": ""}, 400, "name_required"),
        ({"ip_allowlist": "10.0.0.1"}, 422, "invalid_input"),
        ({"department_id": 999_999}, 404, "department_not_found"),
    ],
)
def test_bad_app_input(api_client, as_consumer, overrides, status, code):
    response = register(api_client, as_consumer, **overrides)
    assert response.status_code == status and response.json()["code"] == code
    assert not ConsumerApp.objects.exists()


def test_citizen_and_plain_staff_cannot_register(api_client, bearer, citizen, xihu_staff):
    for user in (citizen, xihu_staff):
        response = register(api_client, bearer(user))
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_request_approval_round_trip(
    api_client, as_consumer, bearer, app, people, officer, data_admin, stranger
):
    as_officer, as_bureau = bearer(officer), bearer(data_admin)
    response = post(api_client, f"{BASE}/requests", request_body(app.pk, people.pk), as_consumer)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "pending_provider" and created["grant_id"] is None
    assert [s["stage"] for s in created["steps"]] == ["provider", "bureau"]
    provider_step, bureau_step = (s["id"] for s in created["steps"])

    # The provider's queue holds the step (the bureau, city-wide, may act for a provider
    # too), the bureau's own step is not open yet; other departments see nothing.
    assert [s["id"] for s in api_client.get(f"{BASE}/steps", **as_officer).json()["items"]] == [
        provider_step
    ]
    assert [s["stage"] for s in api_client.get(f"{BASE}/steps", **as_bureau).json()["items"]] == [
        "provider"
    ]
    assert api_client.get(f"{BASE}/requests/{created['id']}", **bearer(stranger)).status_code == 404
    assert api_client.get(f"{BASE}/requests", **as_officer).json()["count"] == 1

    decide = f"{BASE}/steps/{provider_step}/decision"
    bad = [
        ({"decision": "maybe"}, 400, "unknown_decision"),
        ({"decision": "approve", "fields": ["citizen_id", "phone"]}, 400, "fields_widened"),
        ({"decision": "approve", "fields": []}, 400, "fields_required"),
        ({"decision": "approve", "clear_fields": ["gender"]}, 400, "clear_fields_widened"),
        ({"decision": "reject", "comment": ""}, 400, "reason_required"),
    ]
    for body, status, code in bad:
        response = post(api_client, decide, body, as_officer)
        assert (response.status_code, response.json()["code"]) == (status, code), body
    mine = post(api_client, decide, {"decision": "approve"}, as_consumer)
    assert mine.status_code == 403 and mine.json()["code"] == "not_your_step"
    early = post(
        api_client, f"{BASE}/steps/{bureau_step}/decision", {"decision": "approve"}, as_bureau
    )
    assert early.status_code == 409 and early.json()["code"] == "step_not_pending"

    narrowed = {"decision": "approve", "fields": ["citizen_id", "name"], "comment": "仅核验姓名"}
    response = post(api_client, decide, narrowed, as_officer)
    assert response.status_code == 200 and response.json()["status"] == "pending_bureau"
    twice = post(api_client, decide, narrowed, as_officer)
    assert twice.status_code == 409 and twice.json()["code"] == "step_not_pending"

    response = post(
        api_client, f"{BASE}/steps/{bureau_step}/decision", {"decision": "approve"}, as_bureau
    )
    assert response.status_code == 200, response.json()
    done = response.json()
    assert done["status"] == "approved" and done["grant_id"]
    grant = api_client.get(f"{BASE}/grants/{done['grant_id']}", **as_consumer).json()
    assert grant["fields"] == ["citizen_id", "name"] and grant["clear_fields"] == ["name"]
    assert grant["usable"] is True and grant["app_key"] == app.app_key
    # Consumer, provider and bureau see the grant; another department does not.
    for headers in (as_consumer, as_officer, as_bureau):
        assert api_client.get(f"{BASE}/grants", **headers).json()["count"] == 1
    assert api_client.get(f"{BASE}/grants", **bearer(stranger)).json()["count"] == 0

    revoke = f"{BASE}/grants/{grant['id']}/revoke"
    assert post(api_client, revoke, {"reason": ""}, as_officer).json()["code"] == "reason_required"
    response = post(api_client, revoke, {"reason": "超范围"}, as_officer)
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert response.json()["usable"] is False
    assert post(api_client, revoke, {"reason": "x"}, as_officer).status_code == 409


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"fields": ["nope"]}, 400, "unknown_fields"),
        ({"fields": []}, 400, "fields_required"),
        ({"clear_fields": ["phone"]}, 400, "clear_fields_not_requested"),
        ({"rate_per_minute": 0}, 400, "rate_out_of_range"),
        ({"valid_from": "2020-01-01"}, 400, "period_in_past"),
        ({"valid_until": "not a date"}, 422, "invalid_input"),
        ({"resource_id": 999_999}, 404, "resource_not_found"),
        ({"app_id": 999_999}, 404, "app_not_found"),
        ({"purpose": ""}, 400, "purpose_required"),
    ],
)
def test_bad_request_input(api_client, as_consumer, app, people, overrides, status, code):
    body = {**request_body(app.pk, people.pk), **overrides}
    response = post(api_client, f"{BASE}/requests", body, as_consumer)
    assert response.status_code == status and response.json()["code"] == code, response.json()


def test_not_shared_resource_and_revoked_app(
    api_client, as_consumer, app, secret_resource, companies, consumer
):
    body = request_body(app.pk, secret_resource.pk, fields=["credit_code"], clear_fields=[])
    response = post(api_client, f"{BASE}/requests", body, as_consumer)
    assert response.status_code == 409 and response.json()["code"] == "resource_not_shared"
    post(api_client, f"{BASE}/apps/{app.pk}/revoke", {}, as_consumer)
    body = request_body(app.pk, companies.pk, fields=["org_name"], clear_fields=[])
    response = post(api_client, f"{BASE}/requests", body, as_consumer)
    assert response.status_code == 409 and response.json()["code"] == "app_revoked"


def test_unconditional_request_is_a_grant_at_once(api_client, as_consumer, app, companies):
    body = request_body(app.pk, companies.pk, fields=["org_name"], clear_fields=[])
    response = post(api_client, f"{BASE}/requests", body, as_consumer)
    assert response.status_code == 201 and response.json()["status"] == "approved"
    assert Grant.objects.filter(pk=response.json()["grant_id"], status="active").exists()


def test_withdraw(api_client, as_consumer, app, people):
    created = post(api_client, f"{BASE}/requests", request_body(app.pk, people.pk), as_consumer)
    url = f"{BASE}/requests/{created.json()['id']}/withdraw"
    assert post(api_client, url, {}, as_consumer).json()["status"] == "withdrawn"
    again = post(api_client, url, {}, as_consumer)
    assert again.status_code == 409 and again.json()["code"] == "request_not_pending"


def test_objection_round_trip(api_client, as_consumer, bearer, app, people, officer, data_admin):
    created = post(api_client, f"{BASE}/requests", request_body(app.pk, people.pk), as_consumer)
    steps = [s["id"] for s in created.json()["steps"]]
    post(api_client, f"{BASE}/steps/{steps[0]}/decision", {"decision": "approve"}, bearer(officer))
    post(
        api_client, f"{BASE}/steps/{steps[1]}/decision", {"decision": "approve"}, bearer(data_admin)
    )
    body = {
        "resource_id": people.pk,
        "record_key": citizen_id(3),
        "field": "gender",
        "proposed_value": "女",
        "reason": "性别登记错误",
    }
    bad = post(api_client, f"{BASE}/objections", {**body, "field": "phone"}, as_consumer)
    assert bad.status_code == 403 and bad.json()["code"] == "field_not_granted"
    response = post(api_client, f"{BASE}/objections", body, as_consumer)
    assert response.status_code == 201, response.json()
    objection = response.json()
    url = f"{BASE}/objections/{objection['id']}/answer"
    denied = post(api_client, url, {"decision": "correct"}, as_consumer)
    assert denied.status_code == 403 and denied.json()["code"] == "not_provider"
    assert post(api_client, url, {"decision": "x"}, bearer(officer)).status_code == 400
    answered = post(api_client, url, {"decision": "correct", "response": "已更正"}, bearer(officer))
    assert answered.status_code == 200, answered.json()
    assert answered.json()["status"] == "corrected" and answered.json()["corrected_version"]
    seen = api_client.get(f"{BASE}/objections/{objection['id']}", **as_consumer).json()
    assert seen["status"] == "corrected" and seen["response"] == "已更正"


def test_unauthenticated_is_401(api_client):
    assert api_client.get(f"{BASE}/apps").status_code == 401


def test_edit_app_and_scopes_of_request_lists(
    api_client, as_consumer, bearer, app, people, officer, stranger
):
    url = f"{BASE}/apps/{app.pk}"
    response = api_client.patch(
        url,
        json.dumps({"ip_allowlist": ["2001:db8::1"]}),
        content_type="application/json",
        **as_consumer,
    )
    assert response.status_code == 200 and response.json()["ip_allowlist"] == ["2001:db8::1"]
    response = api_client.patch(
        url, json.dumps({"contact_phone": "x"}), content_type="application/json", **as_consumer
    )
    assert response.status_code == 400 and response.json()["code"] == "phone_format"
    post(api_client, f"{BASE}/requests", request_body(app.pk, people.pk), as_consumer)
    assert api_client.get(f"{BASE}/requests", **bearer(officer)).json()["count"] == 1
    mine = api_client.get(f"{BASE}/requests?role=consumer", **bearer(officer)).json()
    assert mine["count"] == 0  # the provider's own department asked for nothing
    assert api_client.get(f"{BASE}/requests", **bearer(stranger)).json()["count"] == 0
    assert (
        api_client.get(f"{BASE}/requests?status=pending_provider", **as_consumer).json()["count"]
        == 1
    )


def test_openapi_lists_the_sharing_api(api_client):
    response = api_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/sharing/steps/{step_id}/decision" in paths
    assert "/api/v1/sharing/objections/{objection_id}/answer" in paths
