"""Browser test of the governance loop: a case walks from the hotline form through dispatch,
handling, report back with a photo, verification on a phone and closing, to the caller's
rating by case number and phone — each step in the pages a user of that role sees."""

from __future__ import annotations

import os

import pytest

from smartgov.governance.models import Case, CaseStatus
from tests.governance.conftest import CALLER_PHONE, INSIDE
from tests.governance.test_pages import png_bytes
from tests.portal.test_browser import log_in, shot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


def fits(page, viewport) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_hotline_to_rating(live_server, new_page, gov, tmp_path):  # noqa: F811
    expect = sync_api.expect
    photo = tmp_path / "after.png"
    photo.write_bytes(png_bytes())
    gov.suggest.set("0101", 0.46)  # below the threshold: the case waits for the dispatcher

    # 1. The hotline agent records the call, with a map point; the case page follows.
    agent = new_page()
    log_in(agent, live_server, gov.agent.username)
    agent.click("#sg-nav >> text=基层治理")
    expect(agent.locator("[data-testid=page-title]")).to_have_text("热线来电登记")
    agent.fill("#id_reporter_name", "王先生")
    agent.fill("#id_reporter_phone", CALLER_PHONE)
    agent.fill("#id_description", "文三路与学院路口的井盖缺失，晚上很危险")
    agent.fill("#id_address", "西湖区文三路学院路口")
    agent.click("[data-testid=pick-on-map]")
    agent.wait_for_function("window.sgSetPoint !== undefined")
    agent.evaluate(f"window.sgSetPoint({INSIDE[0]}, {INSIDE[1]})")
    expect(agent.locator("[data-testid=point-label]")).to_contain_text(f"{INSIDE[0]:.5f}")
    shot(agent, "governance-intake-desktop")
    agent.click("[data-testid=intake-submit]")
    expect(agent.locator("[data-testid=messages]")).to_contain_text("已登记")
    case = Case.objects.get()
    expect(agent.locator("[data-testid=case-number]")).to_have_text(case.number)
    expect(agent.locator("[data-testid=timeline-event]").first).to_be_visible()
    assert case.grid == gov.grid and case.status != CaseStatus.DISPATCHED
    shot(agent, "governance-case-after-intake-desktop")

    # 2. The dispatcher finds it in the queue with the suggestion and dispatches it.
    dispatcher = new_page()
    log_in(dispatcher, live_server, gov.dispatcher.username)
    dispatcher.goto(f"{live_server.url}/governance/dispatch/")
    row = dispatcher.locator("[data-testid=case-row]")
    expect(row).to_have_count(1)
    expect(row.locator("[data-testid=suggestions]")).to_contain_text("46%")
    shot(dispatcher, "governance-queue-desktop")
    row.locator("[data-testid=case-link]").click()
    expect(dispatcher.locator("#id_dispatch-category")).to_have_value("0101")
    dispatcher.fill("#id_dispatch-comment", "请今天内处置")
    dispatcher.click("[data-testid=submit-dispatch]")
    expect(dispatcher.locator("[data-testid=case-status]")).to_have_text("处置中")
    expect(dispatcher.locator("[data-testid=case-department]")).to_have_text(
        gov.city_management.name
    )

    # 3. The department's handler sees the remaining time, accepts, reports back with a photo.
    handler = new_page()
    log_in(handler, live_server, gov.handler.username)
    handler.goto(f"{live_server.url}/governance/department/")
    expect(handler.locator("[data-testid=case-clock]")).to_contain_text("剩余")
    shot(handler, "governance-department-desktop")
    handler.click("[data-testid=case-link]")
    handler.click("[data-testid=submit-accept]")
    expect(handler.locator("[data-testid=messages]")).to_contain_text("签收")
    handler.wait_for_load_state()
    handler.click("[data-testid=open-report_back]")
    expect(handler.locator("#id_report_back-comment")).to_be_visible()
    handler.fill("#id_report_back-comment", "已补装井盖并设置警示，现场恢复通行")
    handler.set_input_files("#id_report_back-photos", str(photo))
    handler.click("[data-testid=submit-report_back]")
    handler.wait_for_load_state()
    expect(handler.locator("[data-testid=case-status]")).to_have_text("待核查")
    expect(handler.locator("[data-testid=attachment]")).to_have_count(1)
    shot(handler, "governance-case-handled-desktop")

    # 4. The inspector, on a phone, verifies on the spot and closes the case.
    inspector = new_page(MOBILE)
    log_in(inspector, live_server, gov.inspector.username)
    inspector.goto(f"{live_server.url}/governance/verify/")
    expect(inspector.locator("[data-testid=case-row]")).to_have_count(1)
    assert fits(inspector, MOBILE)
    shot(inspector, "governance-verify-phone")
    inspector.click("[data-testid=case-row]")
    inspector.check("input[name=verify-passed][value='1']")
    inspector.fill("#id_verify-comment", "现场核实井盖已恢复")
    assert fits(inspector, MOBILE)
    shot(inspector, "governance-case-verify-phone")
    inspector.click("[data-testid=submit-verify]")
    expect(inspector.locator("[data-testid=case-status]")).to_have_text("已结案")

    # 5. The caller follows the case by number and phone, without logging in, and rates it.
    caller = new_page(MOBILE)
    caller.goto(f"{live_server.url}/governance/follow/")
    caller.click("[data-testid=large-text-toggle]")
    caller.fill("#id_number", case.number)
    caller.fill("#id_phone", "13700000000")
    caller.click("[data-testid=lookup-submit]")
    expect(caller.locator("[data-testid=form-error]")).to_be_visible()
    caller.fill("#id_phone", CALLER_PHONE)
    caller.click("[data-testid=lookup-submit]")
    expect(caller.locator("[data-testid=case-reply]")).to_contain_text("已补装井盖")
    caller.check("input[name=rate-level][value='5']")
    assert fits(caller, MOBILE)
    shot(caller, "governance-reporter-phone-large")
    caller.click("[data-testid=rate-submit]")
    expect(caller.locator("[data-testid=case-rating]")).to_contain_text("非常满意")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.rating == 5

    # The case map shows the point over the grid.
    dispatcher.goto(f"{live_server.url}/governance/map/")
    expect(dispatcher.locator("[data-testid=case-map][data-ready='1']")).to_have_attribute(
        "data-points", "1"
    )
    dispatcher.wait_for_timeout(1000)  # the points' entrance animation
    shot(dispatcher, "governance-map-desktop")
    dispatcher.goto(f"{live_server.url}/governance/cases/{case.pk}/")
    expect(dispatcher.locator("[data-testid=timeline-event][data-kind=rated]")).to_have_count(1)
    shot(dispatcher, "governance-case-closed-desktop")


PAGES = [
    # (user attribute of the gov fixture, path, screenshot name)
    ("agent", "/governance/intake/", "intake"),
    ("dispatcher", "/governance/dispatch/", "queue"),
    ("dispatcher", "/governance/requests/", "requests"),
    ("dispatcher", "/governance/overdue/", "overdue"),
    ("dispatcher", "/governance/hotspots/", "hotspots"),
    ("dispatcher", "/governance/map/", "map"),
    ("handler", "/governance/department/", "department"),
    ("inspector", "/governance/field/", "field-report"),
    ("admin", "/governance/config/categories/", "config-categories"),
    ("admin", "/governance/config/rules/", "config-rules"),
]


def test_main_pages_fit_a_phone_in_large_text(live_server, new_page, gov, make_case):  # noqa: F811
    """Every main page on a 390 px phone with large text: nothing wider than the screen."""
    expect = sync_api.expect
    for text in ("文三路井盖缺失", "文三路井盖没了很危险", "文三路井盖丢失"):
        make_case(description=text)
    running = make_case(until="dispatched", description="文三路路面塌陷")
    Case.objects.filter(pk=running.pk).update(warning="red")
    pages = {}
    for role, path, name in PAGES:
        for label, viewport in (("desktop", None), ("phone", MOBILE)):
            key = (role, label)
            if key not in pages:
                page = new_page(viewport) if viewport else new_page()
                log_in(page, live_server, getattr(gov, role).username)
                if viewport:
                    page.click("[data-testid=large-text-toggle]")
                pages[key] = page
            page = pages[key]
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("[data-testid=page-title]")).to_be_visible()
            if viewport:
                assert fits(page, viewport), path
            shot(page, f"governance-{name}-{label}")
    # While the agent types, the open cases nearby with similar text are suggested.
    intake = pages[("agent", "desktop")]
    intake.goto(f"{live_server.url}/governance/intake/")
    intake.click("[data-testid=pick-on-map]")
    intake.wait_for_function("window.sgSetPoint !== undefined")
    intake.evaluate(f"window.sgSetPoint({INSIDE[0]}, {INSIDE[1]})")
    intake.locator("#id_description").press_sequentially("文三路井盖缺失很危险")
    expect(intake.locator("[data-testid=similar-case]").first).to_contain_text("疑似与案卷")
    shot(intake, "governance-intake-similar-desktop")
    case_page = pages[("dispatcher", "phone")]
    case_page.goto(f"{live_server.url}/governance/cases/{running.pk}/")
    expect(case_page.locator("[data-testid=case-clock]")).to_have_attribute("data-warning", "red")
    assert fits(case_page, MOBILE)
    shot(case_page, "governance-case-red-phone")
