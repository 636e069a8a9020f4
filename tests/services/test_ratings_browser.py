# ruff: noqa: F811 (the fixtures imported from the sibling test modules)
"""Browser test of 好差评 and the statistics: a citizen on a phone gives a bad rating with
the big level buttons; the department answers; the supervisor revisits after confirming; the
citizen sees the answer; the statistics page draws its charts. Screenshots at desktop and
390 px go to the artifacts directory."""

from __future__ import annotations

import os

import pytest

from smartgov.services.rating_models import Rating, RectificationStatus
from tests.portal.test_browser import log_in, shot
from tests.services.test_ratings import approver, ended, supervisor  # noqa: F401 (fixtures)
from tests.services.test_stats import city_stats, history, items  # noqa: F401 (fixtures)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_390 = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


def test_rate_answer_revisit_and_see_the_answer(
    live_server, new_page, citizen, ended, approver, supervisor
):
    expect = sync_api.expect
    phone = new_page(PHONE_390)
    log_in(phone, live_server, citizen.username)
    phone.goto(f"{live_server.url}/services/applications/{ended.number}/rate/")
    expect(phone.locator("[data-testid=rating-form]")).to_be_visible()
    shot(phone, "services-rate-form-390")
    phone.click("label[for=sg-level-1]")
    phone.click("[data-testid=rating-submit]")
    expect(phone.locator("[data-testid=rating-error]")).to_contain_text("差评须至少选择一项指标")
    phone.check("[data-testid=indicator-handling_time]")
    phone.fill("[data-testid=rating-comment]", "等了很久才办好")
    phone.click("[data-testid=rating-submit]")
    expect(phone.locator("[data-testid=rating-given]")).to_contain_text("非常不满意")
    rectification = Rating.objects.get().rectification

    staff = new_page(DESKTOP)
    log_in(staff, live_server, approver.username)
    staff.goto(f"{live_server.url}/services/rectifications/")
    expect(staff.locator("[data-testid=rectification-row]")).to_have_count(1)
    shot(staff, "services-rectifications-desktop")
    staff.click("[data-testid=rectification-row] a")
    staff.fill("[data-testid=answer-text]", "已核实：系统故障导致延误，已修复并向申请人致歉。")
    staff.click("[data-testid=answer-submit]")
    expect(staff.locator("[data-testid=rectification-answer]")).to_contain_text("已修复")

    visit = new_page(PHONE_390)
    log_in(visit, live_server, supervisor.username)
    visit.goto(f"{live_server.url}/services/rectifications/{rectification.pk}/")
    visit.check("[data-testid=revisit-yes]")
    visit.fill("[data-testid=revisit-comment]", "电话回访，申请人表示满意")
    shot(visit, "services-rectification-revisit-390")
    visit.once("dialog", lambda dialog: dialog.accept())
    visit.click("[data-testid=revisit-submit]")
    expect(visit.locator("[data-testid=rectification-status]")).to_have_text("回访后办结")
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.CLOSED

    phone.reload()
    expect(phone.locator("[data-testid=rectification-answer]")).to_contain_text("已修复")
    shot(phone, "services-rate-answered-390")


def test_statistics_page_charts(live_server, new_page, history, city_stats):
    expect = sync_api.expect
    for name, viewport in (("desktop", DESKTOP), ("390", PHONE_390)):
        page = new_page(viewport)
        log_in(page, live_server, city_stats.username)
        page.goto(f"{live_server.url}/services/stats/?group_by=item")
        expect(page.locator("[data-testid=total-applications]")).to_have_text("5")
        expect(page.locator("[data-testid=stats-chart-months] svg")).to_have_count(1)
        expect(page.locator("[data-testid=stats-chart-groups] svg")).to_have_count(1)
        shot(page, f"services-stats-{name}")
