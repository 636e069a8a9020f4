"""Browser test of the sandbox pay page: on a phone, in large text, the citizen sees the
sandbox label and the fees, lets one attempt fail (after confirming), then pays."""

from __future__ import annotations

import os

import pytest

from smartgov.services import fees
from smartgov.services.application_models import Application, PaymentStatus
from tests.portal.test_browser import log_in, shot
from tests.services import fee_helpers as helpers

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
paid_item = helpers.paid_item
accepted = helpers.accepted
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


def test_fail_then_pay_in_the_sandbox(live_server, new_page, accepted, citizen):  # noqa: F811
    expect = sync_api.expect
    _payment, url = fees.start_payment(actor=citizen, number=accepted.number)
    page = new_page(PHONE)
    log_in(page, live_server, citizen.username)
    page.goto(live_server.url + url)
    page.click("[data-testid=large-text-toggle]")
    expect(page.locator("[data-testid=sandbox-banner]")).to_contain_text(
        "沙箱支付（测试环境，不产生真实扣款）"
    )
    expect(page.locator("[data-testid=pay-amount]")).to_have_text("¥28.50")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=pay-fail]")
    expect(page.locator("[data-testid=messages]")).to_contain_text("支付失败")
    expect(page.locator("[data-testid=pay-closed]")).to_be_visible()

    _retry, url = fees.start_payment(actor=citizen, number=accepted.number)
    page.goto(live_server.url + url)
    shot(page, "services-pay-sandbox-phone")
    page.click("[data-testid=pay-succeed]")
    expect(page.locator("[data-testid=messages]")).to_contain_text("支付成功")
    expect(page.locator("[data-testid=pay-status]")).to_have_text("已缴费")
    assert Application.objects.get(pk=accepted.pk).payment_status == PaymentStatus.PAID
