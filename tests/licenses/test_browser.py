"""Browser test of e-licenses: an officer issues a license through the form, the holder finds
it in the wallet (phone-sized), opens it, sees the QR code and who used it, and verifies it."""

from __future__ import annotations

import os

import pytest

from smartgov.licenses import services
from smartgov.licenses.models import License
from tests.portal.test_browser import PHONE, log_in, shot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


def test_issue_wallet_qr_and_verify(live_server, new_page, officer, marriage, citizen, org):  # noqa: F811
    expect = sync_api.expect
    page = new_page()
    log_in(page, live_server, officer.username)
    page.click("#sg-nav >> text=电子证照")
    page.select_option("#id_type", "MARRIAGE")
    page.click("[data-testid=type-pick]")
    page.fill("#id_holder_id", "11010519491231002X")
    page.fill("#id_holder_name", "张三")
    page.fill("#id_data_spouse", "李四")
    page.click("[data-testid=issue-submit]")
    expect(page.locator("[data-testid=license-status]")).to_contain_text("有效")
    shot(page, "licenses-issued-desktop")
    license = License.objects.get()
    services.record_use(
        license=license, by=org["xihu_bureau"], purpose="核验婚姻状况", reference="SQ1"
    )

    phone = new_page(PHONE)
    log_in(phone, live_server, citizen.username)
    phone.goto(f"{live_server.url}/licenses/")
    expect(phone.locator("[data-testid=license-card]")).to_have_count(1)
    shot(phone, "licenses-wallet-phone")
    phone.click("[data-testid=license-card]")
    expect(phone.locator("[data-testid=license-qr] svg")).to_be_visible()
    expect(phone.locator("[data-testid=license-use]")).to_contain_text("核验婚姻状况")
    shot(phone, "licenses-detail-phone")
    phone.click("[data-testid=verify-self]")
    expect(phone.locator("[data-testid=verify-verdict]")).to_have_text("有效")
    shot(phone, "licenses-verify-phone")
