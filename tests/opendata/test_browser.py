"""Browser test of the open-data portal: a visitor searches, opens a resource, downloads CSV."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.portal.test_browser import PHONE, shot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


def test_visitor_searches_opens_and_downloads(live_server, new_page, resources):  # noqa: F811
    expect = sync_api.expect
    page = new_page()
    page.goto(f"{live_server.url}/open/")
    expect(page.locator("[data-testid=page-title]")).to_have_text("数据开放")
    expect(page.locator("[data-testid=open-result]")).to_have_count(2)
    page.fill("#id_q", "空气质量")
    page.click("[data-testid=open-search-submit]")
    expect(page.locator("[data-testid=open-result]")).to_have_count(1)
    shot(page, "opendata-search-desktop")
    page.click("[data-testid=open-result-link]")
    expect(page.locator("[data-testid=page-title]")).to_have_text("环境空气质量监测站点信息")
    expect(page.locator("[data-testid=open-preview]")).to_contain_text("西溪湿地站")
    expect(page.locator("[data-testid=open-withheld]")).to_contain_text("联系人手机")
    shot(page, "opendata-resource-desktop")
    with page.expect_download() as info:
        page.click("[data-testid=download-csv]")
    download = info.value
    path = download.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    assert text.startswith("station_code,station_name") and "13800138000" not in text
    assert download.suggested_filename.endswith(".csv")

    phone = new_page(PHONE)
    phone.goto(f"{live_server.url}/open/302001003-000001/")
    expect(phone.locator("[data-testid=open-apply]")).to_contain_text("登录后申请")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "opendata-conditional-phone")
