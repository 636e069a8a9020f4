"""Browser test of service items: a publisher publishes a draft after confirming; a citizen on
a phone finds it in the service hall by everyday words and reads its guide in large text."""

from __future__ import annotations

import os

import pytest

from smartgov.services.forms import set_form
from smartgov.services.models import FormDefinition, ItemStatus, ServiceItem
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


def test_item_editor_edits_materials_and_steps_row_by_row(
    live_server,
    new_page,  # noqa: F811
    make_item,
    officer,
):
    """The row editor writes the JSON list the server validates; keys it does not show stay."""
    expect = sync_api.expect
    item = make_item(materials=[{"name": "申请书", "standard": "原件一份"}])
    set_form(
        actor=officer,
        item_id=item.pk,
        fields=[
            {
                "name": "kind",
                "label": "类别",
                "type": "choice",
                "choices": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}],
            }
        ],
    )
    page = new_page()
    log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/services/manage/{item.pk}/")
    editors = page.locator(".sg-list-editor")
    expect(editors).to_have_count(4)  # fees, materials, steps, form
    expect(page.locator("#id_materials")).to_be_hidden()
    materials = editors.nth(1)
    materials.get_by_role("button", name="添加一行").click()
    row = materials.locator("tbody tr").nth(1)
    row.locator("[data-sg-column=name]").fill("营业执照")
    row.locator("[data-sg-column=proof_source]").select_option("e_license")
    row.locator("[data-sg-column=license_type_code]").fill("YYZZ")
    steps = editors.nth(2)
    steps.get_by_role("button", name="添加一行").click()
    step = steps.locator("tbody tr").last
    step.locator("[data-sg-column=name]").fill("审查")
    step.locator("[data-sg-column=limit_days]").fill("3")
    shot(page, "services-item-row-editor")
    page.click("[data-testid=item-save]")
    expect(page.locator("[data-testid=messages]")).to_be_visible()
    item.refresh_from_db()
    saved = list(item.materials.order_by("position").values_list("name", "license_type_code"))
    assert saved == [("申请书", ""), ("营业执照", "YYZZ")]
    assert item.materials.get(name="申请书").standard == "原件一份"
    assert list(item.steps.values_list("name", "limit_days"))[-1] == ("审查", 3)
    choices = FormDefinition.objects.get(item=item).fields[0]["choices"]
    assert [c["value"] for c in choices] == ["a", "b"]  # not a column, kept as it was
