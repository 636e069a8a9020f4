"""Browser test of 一数一源: the data bureau registers an element (the field lists follow the
chosen resource), confirms a suggested holder, compares, and decides a conflict from the list."""

from __future__ import annotations

import os

import pytest

from smartgov.datastore.models import ConflictStatus, SourceConflict
from tests.catalog import conftest as catalog_fixtures
from tests.datastore import conftest as datastore_fixtures
from tests.datastore import sources_fixtures
from tests.datastore.conftest import citizen_id, person
from tests.datastore.sources_fixtures import insured, push
from tests.portal.test_browser import PHONE, log_in, shot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

officer = catalog_fixtures.officer
other_officer = catalog_fixtures.other_officer
data_admin = catalog_fixtures.data_admin
make_resource = catalog_fixtures.make_resource
publish = catalog_fixtures.publish
population = datastore_fixtures.population
insurance = sources_fixtures.insurance


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


def test_register_compare_and_dismiss(
    live_server,
    new_page,  # noqa: F811
    population,
    insurance,
    officer,
    other_officer,
    data_admin,
):
    push(population, officer, [person(n) for n in range(1, 4)])
    push(insurance, other_officer, [insured(1), insured(2, name="李二")])
    expect = sync_api.expect

    page = new_page()
    log_in(page, live_server, "data_admin")
    page.click("#sg-nav >> text=一数一源")
    expect(page.locator("[data-testid=empty-state]")).to_contain_text("尚未登记数据元")
    page.click("[data-testid=element-create]")
    page.fill("#id_code", "citizen_name")
    page.fill("#id_name", "公民姓名")
    page.select_option("#id_source_resource_id", str(population.pk))
    # The field lists follow the chosen resource.
    expect(page.locator("#id_source_field option[value=name]")).to_have_count(1)
    page.select_option("#id_source_field", "name")
    page.select_option("#id_source_key_field", "citizen_id")
    page.click("[data-testid=element-form-submit]")
    expect(page.locator("[data-testid=page-title]")).to_have_text("公民姓名")

    # The insurance resource is suggested; the administrator confirms it and compares.
    expect(page.locator("[data-testid=suggestion]")).to_contain_text("社会保险参保信息")
    page.click("[data-testid=suggestion-confirm]")
    expect(page.locator("[data-testid=holder-row]")).to_have_count(1)
    page.click("[data-testid=element-scan]")
    expect(page.locator("[data-testid=messages]")).to_contain_text("发现 1 条冲突")
    shot(page, "sources-element-desktop")

    # The conflict list shows both values; the administrator dismisses it with a reason.
    page.click("[data-testid=element-conflicts]")
    row = page.locator("[data-testid=conflict-row]")
    expect(row).to_have_count(1)
    expect(row.locator("[data-testid=holder-value]")).to_have_text("李二")
    expect(row.locator("[data-testid=authoritative-value]")).to_have_text("张2")
    row.locator("[data-testid=conflict-decide-open]").click()
    row.locator("input[value=dismiss]").check()
    row.locator("textarea").fill("参保登记的是曾用名")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("[data-testid=conflict-decide-submit]").click()
    expect(page.locator("[data-testid=messages]")).to_contain_text("已忽略该冲突")
    expect(page.locator("[data-testid=empty-state]")).to_be_visible()
    conflict = SourceConflict.objects.get(key_value=citizen_id(2))
    assert conflict.status == ConflictStatus.DISMISSED
    shot(page, "sources-conflicts-desktop")

    # On a phone, in large-text mode, the detail fits the width.
    phone = new_page(PHONE)
    log_in(phone, live_server, "data_admin")
    phone.goto(f"{live_server.url}/sources/conflicts/{conflict.pk}/")
    phone.click("[data-testid=large-text-toggle]")
    expect(phone.locator("[data-testid=conflict-status]")).to_have_text("已忽略")
    expect(phone.locator("[data-testid=timeline-event]")).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "sources-conflict-phone")
    phone.goto(f"{live_server.url}/sources/conflicts/?status=all")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "sources-conflicts-phone")
