"""Browser test of the KPI page: charts render, the table and totals show, group-by changes
the table, the phone layout stacks; screenshots in test-artifacts/."""

from __future__ import annotations

import os
import random

import pytest

from smartgov.governance.models import CaseStatus
from tests.governance.kpi_factories import categories, local, make_case
from tests.governance.test_kpi import staff  # noqa: F401  (fixture)
from tests.portal.test_browser import PHONE, log_in, shot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
from tests.portal.test_browser import browser, new_page  # noqa: E402, F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


@pytest.fixture
def month_of_cases(org, staff):  # noqa: F811
    minor, other = categories()
    rng = random.Random(5)
    departments = [org["xihu_bureau"], org["shangcheng_bureau"], org["xihu"]]
    count = 0
    for day in range(1, 29):
        for _ in range(rng.randint(1, 4)):
            due = local(2026, 2, day, rng.randint(9, 17))
            late = rng.random() < 0.25
            make_case(
                department=rng.choice(departments),
                category=rng.choice([minor, other]),
                due=due,
                closed=due.replace(hour=8) if not late else due.replace(day=min(day + 1, 28)),
                on_time=not late,
                status=CaseStatus.CLOSED,
                handling_hours=rng.randint(2, 40),
                satisfied=rng.random() < 0.85,
                repeat=rng.random() < 0.1,
                rework=1 if rng.random() < 0.1 else 0,
                recorded_by=staff["agent"],
            )
            count += 1
    return count


def test_kpi_page_charts_and_table(live_server, new_page, staff, month_of_cases):  # noqa: F811
    expect = sync_api.expect
    page = new_page()
    log_in(page, live_server, staff["admin"].username)
    page.goto(f"{live_server.url}/governance/kpi/?start=2026-02-01&end=2026-02-28")
    expect(page.locator("[data-testid=page-title]")).to_have_text("考核统计")
    expect(page.locator("[data-testid=total-due]")).to_have_text(str(month_of_cases))
    expect(page.locator("[data-testid=kpi-chart-series] svg")).to_be_visible()
    expect(page.locator("[data-testid=kpi-chart-groups] svg")).to_be_visible()
    expect(page.locator("[data-testid=kpi-row]")).to_have_count(4)  # 3 departments + total
    expect(page.locator("[data-testid=kpi-table] thead")).to_contain_text("应结案数")
    shot(page, "governance-kpi-desktop")
    page.select_option("#sg-group-by", "category")
    page.select_option("#sg-interval", "week")
    page.click("[data-testid=kpi-show]")
    expect(page.locator("[data-testid=kpi-table]")).to_contain_text("0101 暴露垃圾")
    with page.expect_download() as download:
        page.click("[data-testid=kpi-download-xlsx]")
    assert download.value.suggested_filename.endswith(".xlsx")

    phone = new_page(PHONE)
    log_in(phone, live_server, staff["admin"].username)
    phone.goto(f"{live_server.url}/governance/kpi/?start=2026-02-01&end=2026-02-28")
    expect(phone.locator("[data-testid=kpi-chart-series] svg")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1  # nothing wider than the phone
    shot(phone, "governance-kpi-phone")
