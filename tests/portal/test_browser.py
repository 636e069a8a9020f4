"""Browser tests: headless Chromium (Debian's) driven by Playwright against the live server."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from smartgov.accounts.models import Membership
from smartgov.accounts.permissions import STAFF
from smartgov.core.workbench import InboxItem, register_inbox_source, unregister_inbox_source
from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to work.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Every test here runs against committed data (see live_db in tests/conftest.py)."""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(viewport=DESKTOP):
        # Chinese users' browsers ask for Chinese; the page must answer in Chinese.
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()


@pytest.fixture
def inbox_items():
    now = timezone.now()

    def items(user):
        return [
            InboxItem(
                "张三的营业执照申请待审查", "browsertest", "/workbench/", now - timedelta(hours=1)
            ),
            InboxItem(
                "李四的补正材料待核验", "browsertest", "/workbench/", now + timedelta(hours=5)
            ),
            InboxItem("年度数据共享申请", "browsertest", "/workbench/", now + timedelta(days=4)),
        ]

    register_inbox_source("browsertest", items, label="测试模块")
    yield
    unregister_inbox_source("browsertest")


def test_staff_logs_in_and_sees_the_inbox(live_server, new_page, xihu_staff, inbox_items):
    page = new_page()
    log_in(page, live_server, "xihu_staff")
    assert page.url.endswith("/workbench/")
    inbox = page.locator("[data-testid=inbox]")
    sync_api.expect(inbox).to_contain_text("张三的营业执照申请待审查")
    sync_api.expect(page.locator("[data-testid=inbox-item]")).to_have_count(3)
    sync_api.expect(page.locator("[data-testid=count-overdue]")).to_have_text("1")
    sync_api.expect(page.locator("[data-testid=page-title]")).to_have_text("工作台")
    shot(page, "browser-workbench-desktop")
    phone = new_page(PHONE)
    log_in(phone, live_server, "xihu_staff")
    sync_api.expect(phone.locator("[data-testid=inbox-item]").first).to_be_visible()
    shot(phone, "browser-workbench-phone")


def test_citizen_on_a_phone_toggles_large_text(live_server, new_page, citizen):
    page = new_page(PHONE)
    page.goto(f"{live_server.url}/login/")
    page.click("[data-testid=large-text-toggle]")  # also on the login page
    sync_api.expect(page.locator("html")).to_have_class("sg-large-text")
    shot(page, "browser-login-phone-large")
    log_in(page, live_server, "zhangsan")
    html = page.locator("html")
    sync_api.expect(html).to_have_class("sg-large-text")  # persisted in the cookie
    sync_api.expect(page.locator("[data-testid=account-card]")).to_contain_text(
        "110105********002X"
    )
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= 20  # 125 % of 16 px
    # Nothing may stick out sideways on a 375 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "browser-home-phone-large")
    page.click("[data-testid=large-text-toggle]")
    sync_api.expect(html).not_to_have_class("sg-large-text")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["sg_large_text"] == "0"
    page.click(".navbar-toggler")
    sync_api.expect(page.locator("#sg-nav")).to_have_class(re.compile(r"\bcollapse show\b"))
    shot(page, "browser-home-phone-menu")


def test_security_admin_assigns_a_role(live_server, new_page, secadmin, org, shangcheng_staff):
    page = new_page()
    log_in(page, live_server, "secadmin")
    page.click("[data-testid=nav-admin]")
    page.click("#sg-nav-admin >> text=账号管理")
    page.fill("#id_q", "shangcheng")
    # Search as you type: HTMX swaps the table in place.
    sync_api.expect(page.locator("[data-testid=user-table] tbody tr")).to_have_count(1)
    page.click("[data-testid=user-table] a")
    page.select_option("#id_department", str(org["xihu_bureau"].pk))
    page.select_option("#id_role", STAFF)
    page.fill("#id_title", "一窗受理")
    shot(page, "browser-assign-role-form")
    page.click("[data-testid=assign-role-submit]")
    sync_api.expect(page.locator("[data-testid=messages]")).to_contain_text("角色已分配")
    sync_api.expect(page.locator("[data-testid=memberships]")).to_contain_text("一窗受理")
    assert Membership.objects.filter(
        user=shangcheng_staff, department=org["xihu_bureau"], title="一窗受理"
    ).exists()
    # A destructive action asks first; dismissing the question changes nothing.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("[data-testid=remove-membership]").first.click()
    assert Membership.objects.filter(user=shangcheng_staff).count() == 2
    shot(page, "browser-user-detail")
