"""In headless Chromium: a citizen finds who read their data, the data bureau sees the usage
chart drawn by ECharts."""

from __future__ import annotations

import os

import pytest

from smartgov.accounts import services as accounts
from tests.conftest import PASSWORD
from tests.portal.test_browser import log_in
from tests.sharing import gateway_factories as gf
from tests.sharing.gateway_factories import citizen_id

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_fresh_gateway_cache = gf._fresh_gateway_cache
officer, data_admin, other_officer = gf.officer, gf.data_admin, gf.other_officer
make_resource, publish = gf.make_resource, gf.publish
population, people, consumer = gf.population, gf.people, gf.consumer
app_and_secret, grant, signed = gf.app_and_secret, gf.grant, gf.signed


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


@pytest.fixture
def traffic(signed, grant, people):
    for n in (1, 1, 2):
        assert signed.lookup(people, citizen_id(n)).status_code == 200
    return people


def test_citizen_opens_who_read_my_data(live_server, new_page, consumer, traffic):  # noqa: F811
    accounts.create_citizen(
        actor=None, username="li01", real_name="李一", citizen_id=citizen_id(1), password=PASSWORD
    )
    expect = sync_api.expect
    page = new_page()
    log_in(page, live_server, "li01")
    page.click("#sg-nav >> text=谁查看了我的数据")
    expect(page.locator("[data-testid=read-row]")).to_have_count(2)
    expect(page.locator("[data-testid=my-reads]")).to_contain_text(consumer.name)
    expect(page.locator("[data-testid=my-reads]")).to_contain_text("社会救助资格核验")


def test_data_admin_sees_the_usage_chart(live_server, new_page, data_admin, traffic):  # noqa: F811
    expect = sync_api.expect
    page = new_page()
    log_in(page, live_server, data_admin.username)
    page.click("#sg-nav >> text=共享调用统计")
    expect(page.locator("[data-testid=usage-row]")).to_have_count(1)
    expect(page.locator("[data-sg-usage-chart] svg")).to_have_count(1)
