"""Browser test of service items: a publisher publishes a draft after confirming; a citizen on
a phone finds it in the service hall by everyday words and reads its guide in large text."""

from __future__ import annotations

import os

import pytest

from smartgov.services.models import ItemStatus, ServiceItem
from tests.portal.test_browser import PHONE, log_in, shot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


def test_publish_then_find_and_read_the_guide(
    live_server,
    new_page,  # noqa: F811
    make_item,
    publisher,
):
    expect = sync_api.expect
    item = make_item(
        materials=[
            {"name": "公司登记（备案）申请书"},
            {"name": "营业执照", "proof_source": "e_license", "license_type_code": "yyzz"},
        ]
    )
    staff = new_page()
    log_in(staff, live_server, publisher.username)
    staff.click("#sg-nav >> text=事项管理")
    expect(staff.locator("[data-testid=item-row]")).to_have_count(1)
    staff.click("[data-testid=item-row] a")
    expect(staff.locator("[data-testid=item-problems]")).to_contain_text("办事指南要素已齐全")
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.click("[data-testid=item-publish]")
    expect(staff.locator("[data-testid=messages]")).to_contain_text("事项已发布")
    shot(staff, "services-staff-published-desktop")
    assert ServiceItem.objects.get(pk=item.pk).status == ItemStatus.PUBLISHED

    page = new_page(PHONE)
    page.goto(f"{live_server.url}/services/")
    page.click("[data-testid=large-text-toggle]")
    expect(page.locator("html")).to_have_class("sg-large-text")
    page.fill("#id_q", "开公司")
    page.click("[data-testid=hall-search]")
    expect(page.locator("[data-testid=hall-item]")).to_have_count(1)
    page.click("[data-testid=hall-item]")
    expect(page.locator("[data-testid=guide-compression]")).to_contain_text("93%")
    expect(page.locator("[data-testid=material-fetched]")).to_have_count(1)
    expect(page.locator("[data-testid=guide-online]")).to_have_text("全程网办")
    shot(page, "services-guide-phone")
