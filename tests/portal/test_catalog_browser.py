"""Browser test of the catalog's main flow: register with fields, submit, approve, search."""

from __future__ import annotations

import os
import re

import pytest

from smartgov.catalog import services
from smartgov.catalog.models import Resource, ResourceStatus
from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
from tests.catalog.conftest import resource_values
from tests.conftest import make_staff
from tests.portal.test_browser import PHONE, log_in, shot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


def _fill_row(page, index: int, **values) -> None:
    for name, value in values.items():
        selector = f"#id_fields-{index}-{name}"
        if name in ("data_type", "personal_kind", "grade", "masking"):
            page.select_option(selector, value)
        elif name in ("required", "is_key"):
            page.check(selector)
        else:
            page.fill(selector, value)


def test_officer_registers_admin_approves_and_search_finds_it(live_server, new_page, org):  # noqa: F811
    make_staff("data_officer", org["xihu_bureau"], DATA_OFFICER, "department", name="周敏")
    admin_user = make_staff("data_admin", org["data_bureau"], DATA_ADMIN, "city", name="郑华")
    services.create_resource(actor=admin_user, **resource_values(org["xihu_bureau"]))
    expect = sync_api.expect

    # The data officer registers a resource ...
    page = new_page()
    log_in(page, live_server, "data_officer")
    page.click("#sg-nav >> text=数据目录")
    expect(page.locator("[data-testid=page-title]")).to_have_text("数据资源目录")
    page.click("[data-testid=catalog-create]")
    page.fill("#id_code", "101005001/000001")  # class digit 1 is for base resources
    page.fill("#id_name", "养犬登记信息")
    page.fill("#id_summary", "西湖区养犬登记、年检与注销信息，含犬主联系方式。")
    page.select_option("#id_share_type", "conditional")
    page.fill("#id_share_conditions", "仅用于执法与疫苗接种管理")
    page.select_option("#id_update_cycle", "weekly")
    page.click("[data-testid=resource-form-submit]")
    # A refused input is shown on its field, with everything typed kept.
    expect(page.locator(".invalid-feedback")).to_contain_text("资源代码")
    expect(page.locator("#id_name")).to_have_value("养犬登记信息")
    shot(page, "catalog-register-error-desktop")
    page.fill("#id_code", "301005001/000001")
    page.click("[data-testid=resource-form-submit]")
    expect(page.locator("[data-testid=page-title]")).to_have_text("编辑信息项")
    expect(page.locator("[data-testid=messages]")).to_contain_text("已登记为草稿")

    # ... describes its fields, with one row added by mistake and removed again ...
    page.wait_for_load_state("load")  # the row editor's (deferred) script is bound
    for index in range(3):
        page.click("[data-testid=field-add]")
        expect(page.locator(f"#id_fields-{index}-name")).to_be_attached()
    _fill_row(page, 0, name="licence_no", label="养犬登记证号", required=True, is_key=True)
    _fill_row(
        page,
        1,
        name="owner_phone",
        label="犬主手机号码",
        data_type="phone",
        personal_kind="phone",
        grade="important",
        masking="phone",
    )
    page.locator("[data-testid=field-remove]").nth(2).click()
    expect(page.locator("[data-testid=field-editor-row]")).to_have_count(2)
    _fill_row(page, 1, name="Owner Phone")  # a bad name: shown on its row
    page.click("[data-testid=fields-save]")
    expect(page.locator("[data-testid=field-row-error]")).to_have_count(1)
    shot(page, "catalog-fields-error-desktop")
    _fill_row(page, 1, name="owner_phone")
    page.click("[data-testid=fields-save]")
    expect(page.locator("[data-testid=field-row]")).to_have_count(2)
    expect(page.locator("[data-testid=grade-important]")).to_have_text("重要数据")

    # ... and submits it for review.
    page.fill("#id_submit-comment", "请审核")
    page.click("[data-testid=resource-submit]")
    expect(page.locator("[data-testid=resource-status]")).to_have_text("审核中")
    resource = Resource.objects.get(code="301005001/000001")
    assert resource.status == ResourceStatus.SUBMITTED

    # The data administrator finds it in the workbench and the review queue, and approves it.
    admin = new_page()
    log_in(admin, live_server, "data_admin")
    expect(admin.locator("[data-testid=inbox]")).to_contain_text("审核数据资源：养犬登记信息")
    admin.click("#sg-nav >> text=目录审核")
    expect(admin.locator("[data-testid=review-item]")).to_have_count(1)
    shot(admin, "catalog-review-desktop")
    admin.click("[data-testid=review-item] a")
    shot(admin, "catalog-detail-submitted-desktop")
    admin.click("[data-testid=resource-approve]")
    expect(admin.locator("[data-testid=resource-status]")).to_have_text("已发布")
    expect(admin.locator("[data-testid=timeline-event]")).to_have_count(4)
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED

    # Any staff member searches in Chinese, live as they type, and finds it.
    page.goto(f"{live_server.url}/catalog/")
    expect(page.locator("[data-testid=catalog-result]")).to_have_count(2)  # with a draft
    page.fill("#id_q", "养犬")
    expect(page.locator("[data-testid=catalog-result]")).to_have_count(1)
    expect(page.locator("[data-testid=catalog-results]")).to_contain_text("养犬登记信息")
    expect(page).to_have_url(re.compile(r"q=%E5%85%BB%E7%8A%AC|q=养犬"))  # shareable address
    shot(page, "catalog-search-desktop")
    page.click("[data-testid=catalog-result] a")
    shot(page, "catalog-detail-desktop")

    # The same pages on a phone: nothing sticks out sideways.
    phone = new_page(PHONE)
    log_in(phone, live_server, "data_officer")
    phone.goto(f"{live_server.url}/catalog/?q=犬主")
    expect(phone.locator("[data-testid=catalog-result]")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "catalog-search-phone")
    phone.goto(f"{live_server.url}/catalog/{resource.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "catalog-detail-phone")
    phone.goto(f"{live_server.url}/catalog/{resource.pk}/fields/")
    expect(phone.locator("[data-testid=field-editor-row]")).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "catalog-fields-phone")
    phone.goto(f"{live_server.url}/catalog/new/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "catalog-register-phone")
