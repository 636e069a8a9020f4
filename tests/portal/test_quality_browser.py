"""Browser test of the quality flow: the data bureau finds a weak resource on the quality page,
adds a rule (a refused pattern first), checks the resource, reads the failing samples, and
deletes the rule after confirming."""

from __future__ import annotations

import os

import pytest

from smartgov.catalog import services
from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
from smartgov.datastore import quality
from smartgov.datastore.models import QualityRule
from tests.catalog.conftest import resource_values
from tests.conftest import make_staff
from tests.datastore.conftest import POPULATION_FIELDS, person
from tests.datastore.quality_helpers import people, push
from tests.portal.test_browser import PHONE, log_in, shot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


def test_admin_adds_a_rule_checks_and_deletes_it(live_server, new_page, org):  # noqa: F811
    officer = make_staff("data_officer", org["xihu_bureau"], DATA_OFFICER, "department")
    admin = make_staff("data_admin", org["data_bureau"], DATA_ADMIN, "city", name="郑华")
    values = resource_values(
        org["xihu_bureau"],
        code="101001001/000001",
        name="户籍人口基本信息",
        classification="base",
        base_resource="population",
        fields=POPULATION_FIELDS,
    )
    resource = services.create_resource(actor=officer, **values)
    services.submit_resource(actor=officer, resource_id=resource.pk)
    services.approve_resource(actor=admin, resource_id=resource.pk)
    push(resource, [*people(range(1, 5)), person(5, name="X1"), person(6, name="Y")], officer)
    quality.run_all_checks()
    expect = sync_api.expect

    page = new_page()
    log_in(page, live_server, "data_admin")
    page.click("#sg-nav >> text=数据质量")
    expect(page.locator("[data-testid=page-title]")).to_have_text("数据质量")
    expect(page.locator("[data-testid=ranking-row]")).to_have_count(1)
    expect(page.locator(".sg-chart svg")).to_have_count(1)  # ECharts drew the trend
    shot(page, "quality-overview-desktop")
    page.click("[data-testid=lowest-item]")
    expect(page.locator("[data-testid=rule-row]")).to_have_count(4)

    # Add a pattern rule: a broken pattern is refused on its field, then corrected.
    page.click("[data-testid=rule-add]")
    expect(page.locator("#id_pattern")).to_be_hidden()  # only for validity rules
    page.select_option("#id_kind", "validity")
    expect(page.locator("#id_pattern")).to_be_visible()
    page.check("input[name=fields][value=name]")
    page.fill("#id_pattern", "张(")
    page.click("[data-testid=rule-save]")
    expect(page.locator("[data-testid=field-error]")).to_contain_text("正则表达式")
    expect(page.locator("#id_pattern")).to_have_value("张(")
    page.fill("#id_pattern", r"张\d+")
    page.fill("#id_note", "姓名应为“张”加编号")
    page.click("[data-testid=rule-save]")
    expect(page.locator("[data-testid=messages]")).to_contain_text("规则已添加")

    # Check now: the new rule fails on two rows, shown as samples.
    page.click("[data-testid=run-check]")
    expect(page.locator("[data-testid=messages]")).to_contain_text("检查完成")
    row = page.locator("[data-testid=rule-row][data-rule-kind=validity]")
    expect(row).to_contain_text("6 / 2")
    row.locator("[data-testid=rule-samples] summary").click()
    expect(row.locator("[data-testid=rule-samples]")).to_contain_text("X1")
    shot(page, "quality-resource-desktop")

    phone = new_page(viewport=PHONE)
    log_in(phone, live_server, "data_admin")
    phone.goto(page.url)
    expect(phone.locator("[data-testid=rule-row]")).to_have_count(5)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page is {width}px wide on a phone"
    shot(phone, "quality-resource-phone")

    # Delete it after confirming.
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("[data-testid=rule-delete]").click()
    expect(page.locator("[data-testid=messages]")).to_contain_text("规则已删除")
    expect(page.locator("[data-testid=rule-row]")).to_have_count(4)
    assert not QualityRule.objects.filter(origin="explicit").exists()
