"""The data-sharing pages, rendered through the Django test client (Chinese by default)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from smartgov.sharing import objections, services
from smartgov.sharing.models import AccessRequest, ConsumerApp, Grant, RequestStatus
from tests.datastore.conftest import citizen_id


@pytest.fixture
def as_user(db):
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def test_register_app_shows_the_secret_once(as_user, consumer):
    client = as_user(consumer)
    page = client.get("/sharing/apps/")
    assert page.status_code == 200 and "注册应用" in page.content.decode()
    response = client.post(
        "/sharing/apps/",
        {
            "name": "上城区审批系统",
            "contact_name": "王工",
            "contact_phone": "13800138000",
            "ip_allowlist": "10.0.0.0/8\n192.168.1.10",
        },
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    secret = re.search(r'data-testid="app-secret"', html) and re.search(
        r'id="sg-app-secret" value="([^"]+)"', html
    ).group(1)
    app = ConsumerApp.objects.get()
    assert app.ip_allowlist == ["10.0.0.0/8", "192.168.1.10"]
    listing = client.get("/sharing/apps/").content.decode()
    assert app.app_key in listing and secret not in listing
    rotated = client.post(f"/sharing/apps/{app.pk}/rotate/").content.decode()
    assert "先前的密钥已失效" in rotated or "新密钥" in rotated


def test_bad_ip_is_shown_on_the_form(as_user, consumer):
    response = as_user(consumer).post(
        "/sharing/apps/",
        {
            "name": "系统",
            "contact_name": "王工",
            "contact_phone": "13800138000",
            "ip_allowlist": "10.0.0.999",
        },
    )
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert not ConsumerApp.objects.exists()


def test_request_form_and_decision_pages(as_user, consumer, officer, app, people):
    client = as_user(consumer)
    picker = client.get("/sharing/requests/new/").content.decode()
    assert "户籍人口" in picker
    form = client.get(f"/sharing/requests/new/?resource={people.pk}&app={app.pk}").content.decode()
    assert 'name="fields_wanted"' in form and "姓名（name）" in form
    assert f'<option value="{app.pk}" selected>' in form
    response = client.post(
        "/sharing/requests/new/",
        {
            "resource": people.pk,
            "app": app.pk,
            "fields_wanted": ["citizen_id", "name", "gender"],
            "clear_fields": ["name"],
            "purpose": "核验户籍",
            "legal_basis": "条例",
            "valid_from": "2099-01-01",
            "valid_until": "2099-02-01",
            "expected_daily_calls": 10,
            "rate_per_minute": 10,
        },
    )
    assert response.status_code == 400  # starts more than a year ahead
    assert not AccessRequest.objects.exists()
    response = client.post(
        "/sharing/requests/new/",
        {
            "resource": people.pk,
            "app": app.pk,
            "fields_wanted": ["citizen_id", "name", "gender"],
            "clear_fields": ["name"],
            "purpose": "核验户籍",
            "legal_basis": "条例",
            "valid_from": AccessRequest._meta.get_field("valid_from").to_python(
                __import__("django.utils.timezone").utils.timezone.localdate().isoformat()
            ),
            "valid_until": "2027-06-30",
            "expected_daily_calls": 10,
            "rate_per_minute": 10,
        },
    )
    access = AccessRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sharing/requests/{access.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert (access.number in detail and "待提供部门审批" in detail) or "提供部门" in detail

    provider = as_user(officer)
    queue = provider.get("/sharing/approvals/").content.decode()
    assert access.number in queue
    step = access.steps.get(position=1)
    page = provider.get(f"/sharing/steps/{step.pk}/").content.decode()
    assert 'name="approved_fields"' in page
    # Widening is refused inline (a forged checkbox).
    response = provider.post(
        f"/sharing/steps/{step.pk}/",
        {"decision": "approve", "approved_fields": ["citizen_id", "phone"]},
    )
    assert response.status_code == 400
    response = provider.post(
        f"/sharing/steps/{step.pk}/",
        {"decision": "approve", "approved_fields": ["citizen_id", "name"], "comment": "同意"},
    )
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.status == RequestStatus.PENDING_BUREAU
    # A decided step's page sends the user to the request.
    assert provider.get(f"/sharing/steps/{step.pk}/")["Location"].endswith(f"/{access.pk}/")


def test_grants_page_and_revoke(as_user, consumer, officer, app, companies):
    request = services.submit_request(
        actor=consumer,
        app_id=app.pk,
        resource_id=companies.pk,
        fields=["org_name"],
        purpose="核验",
        legal_basis="条例",
        valid_from=__import__("django.utils.timezone").utils.timezone.localdate(),
        valid_until=__import__("django.utils.timezone").utils.timezone.localdate(),
    )
    grant = Grant.objects.get(request=request)
    page = as_user(officer).get("/sharing/grants/").content.decode()
    assert "企业名称" in page and app.name in page
    response = as_user(officer).post(f"/sharing/grants/{grant.pk}/revoke/", {"reason": "停用"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == "revoked"


def test_citizen_objection_pages(as_user, people, officer, db):
    from smartgov.accounts import services as account_services
    from tests.conftest import PASSWORD

    citizen = account_services.create_citizen(
        actor=None,
        username="zhang1",
        real_name="张1",
        citizen_id=citizen_id(1),
        password=PASSWORD,
        phone="13900139000",
    )
    client = as_user(citizen)
    home = client.get("/sharing/objections/").content.decode()
    assert "数据异议" in home
    form = client.get(f"/sharing/objections/new/?resource={people.pk}").content.decode()
    assert 'name="field"' in form
    response = client.post(
        "/sharing/objections/new/",
        {"resource": people.pk, "field": "name", "proposed_value": "章1", "reason": "错字"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    objection_url = response["Location"]
    provider = as_user(officer)
    page = provider.get(objection_url).content.decode()
    assert 'name="decision"' in page
    response = provider.post(
        objection_url, {"decision": "correct", "value": "章1", "response": "已更正"}
    )
    assert response.status_code == 302
    assert "1 条答复未读" in client.get("/").content.decode()  # the home card tells
    answered = client.get(objection_url).content.decode()
    assert "已更正" in answered
    assert "条答复未读" not in client.get("/").content.decode()
    # Another citizen cannot open it.
    other = account_services.create_citizen(
        actor=None,
        username="zhang2",
        real_name="张2",
        citizen_id=citizen_id(2),
        password=PASSWORD,
        phone="13900139001",
    )
    assert as_user(other).get(objection_url).status_code == 404
    assert objections  # module used


def test_staff_without_sharing_permissions_are_refused(as_user, xihu_staff):
    assert as_user(xihu_staff).get("/sharing/").status_code == 403
    assert as_user(xihu_staff).get("/sharing/apps/").status_code == 403


def test_pages_speak_english_on_request(as_user, consumer, app):
    from tests.portal.conftest import english

    client = english(as_user(consumer))
    page = client.get("/sharing/apps/").content.decode()
    assert "Register an app" in page and "注册应用" not in page
    assert "Active" in page
