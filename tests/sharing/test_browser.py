"""Browser test of data sharing: a consumer registers an app (the secret is shown once),
requests a conditional resource, the provider approves with fewer fields, the grant shows."""

from __future__ import annotations

import os

import pytest

from smartgov.sharing.models import ConsumerApp, Grant
from tests.portal.test_browser import PHONE, log_in, shot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


def test_register_request_approve_narrowed_and_see_the_grant(
    live_server,
    new_page,  # noqa: F811
    consumer,
    officer,
    elevators,
):
    expect = sync_api.expect
    page = new_page()
    log_in(page, live_server, consumer.username)
    page.click("#sg-nav >> text=数据共享")
    expect(page.locator("[data-testid=sharing-tabs]")).to_be_visible()

    # Register an app: the secret is shown once, then only the key.
    page.click("[data-testid=tab-apps]")
    expect(page.locator("[data-testid=empty-state]")).to_contain_text("尚未注册应用")
    page.fill("#id_name", "上城区电梯监管系统")
    page.fill("#id_contact_name", "王工")
    page.fill("#id_contact_phone", "0571-87001234")
    page.fill("#id_ip_allowlist", "10.20.0.0/16")
    page.click("[data-testid=app-submit]")
    secret = page.locator("[data-testid=app-secret]").input_value()
    assert len(secret) >= 40
    shot(page, "sharing-app-secret-desktop")
    page.click("[data-testid=app-secret-done]")
    expect(page.locator("[data-testid=app-row]")).to_have_count(1)
    assert secret not in page.content()
    app = ConsumerApp.objects.get()

    # Request the conditional resource: pick it, tick three fields.
    page.click("[data-testid=tab-requests]")
    page.click("[data-testid=request-create]")
    page.select_option("#id_resource", str(elevators.pk))
    page.click("[data-testid=resource-pick]")
    expect(page.locator("[data-testid=request-form]")).to_be_visible()
    for name in ("device_code", "location", "user_unit"):
        page.check(f"input[name=fields_wanted][value={name}]")
    page.fill("#id_purpose", "电梯安全监管执法核查")
    page.fill("#id_legal_basis", "《特种设备安全法》第五十七条")
    shot(page, "sharing-request-form-desktop")
    page.click("[data-testid=request-submit]")
    expect(page.locator("[data-testid=messages]")).to_contain_text("已提交")
    expect(page.locator("[data-testid=request-status]").first).to_have_text("待提供部门审批")
    shot(page, "sharing-request-detail-desktop")

    # The provider approves without the user unit.
    provider = new_page()
    log_in(provider, live_server, officer.username)
    provider.click("#sg-nav >> text=数据共享")
    provider.click("[data-testid=tab-approvals]")
    expect(provider.locator("[data-testid=approval-row]")).to_have_count(1)
    provider.click("[data-testid=approval-open]")
    provider.uncheck("input[name=approved_fields][value=user_unit]")
    provider.fill("#id_comment", "使用单位信息不在监管所需范围内")
    shot(provider, "sharing-step-desktop")
    provider.once("dialog", lambda dialog: dialog.accept())
    provider.click("[data-testid=step-submit]")
    expect(provider.locator("[data-testid=messages]")).to_contain_text("已同意")
    expect(provider.locator("[data-testid=empty-state]")).to_be_visible()

    # The consumer sees the grant with the narrowed fields.
    page.click("#sg-nav >> text=数据共享")
    page.click("[data-testid=tab-grants]")
    row = page.locator("[data-testid=grant-row]")
    expect(row).to_have_count(1)
    expect(row.locator("[data-testid=grant-fields]")).to_have_text("设备代码、位置")
    expect(row.locator("[data-testid=grant-status]")).to_have_text("有效")
    shot(page, "sharing-grants-desktop")
    grant = Grant.objects.get(app=app)
    assert grant.fields == ["device_code", "location"]

    # On a phone, in large-text mode, the request page fits the width.
    phone = new_page(PHONE)
    log_in(phone, live_server, consumer.username)
    phone.goto(f"{live_server.url}/sharing/requests/{grant.request_id}/")
    phone.click("[data-testid=large-text-toggle]")
    expect(phone.locator("[data-testid=request-status]").first).to_have_text("已通过")
    expect(phone.locator("[data-testid=grant-fields]")).to_have_text("设备代码、位置")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "sharing-request-phone")
