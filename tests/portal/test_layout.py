"""Layout, login, password change, home and workbench."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from smartgov.accounts.models import User
from smartgov.core.workbench import InboxItem, register_inbox_source, unregister_inbox_source
from smartgov.portal.home_cards import HomeCard, register_home_card, unregister_home_card
from tests.conftest import PASSWORD
from tests.portal.conftest import english

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default_and_english_after_switching(client):
    page = client.get("/login/").content.decode()
    assert "智慧政务" in page and "登录" in page and "大字版" in page
    english(client)
    page = client.get("/login/").content.decode()
    assert "Log in" in page and "Large text" in page and "登录名" not in page


def test_login_with_wrong_password_shows_inline_error(client, citizen):
    response = client.post("/login/", {"username": "zhangsan", "password": "wrong"})
    assert response.status_code == 200
    assert "登录名或密码错误" in response.content.decode()


def test_lockout_message_is_shown_inline(client, citizen, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post("/login/", {"username": "zhangsan", "password": "wrong"})
    response = client.post("/login/", {"username": "zhangsan", "password": PASSWORD})
    page = response.content.decode()
    assert 'data-testid="form-error"' in page and "锁定" in page
    assert "_auth_user_id" not in client.session


def test_login_then_home(client, citizen):
    response = client.post("/login/", {"username": "zhangsan", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_large_text_cookie_sets_class_on_every_page(client, citizen):
    client.cookies["sg_large_text"] = "1"
    assert 'class="sg-large-text"' in client.get("/login/").content.decode()
    client.force_login(citizen)
    assert 'class="sg-large-text"' in client.get("/").content.decode()


def test_password_change_flow_and_errors(as_user, citizen):
    client = as_user(citizen)
    assert client.get("/account/password/").status_code == 200
    bad = client.post(
        "/account/password/",
        {"old_password": "nope", "new_password": "An0ther-Pass!", "new_password_again": "x"},
    )
    assert "两次输入的新密码不一致" in bad.content.decode()
    wrong_old = client.post(
        "/account/password/",
        {
            "old_password": "nope",
            "new_password": "An0ther-Pass!",
            "new_password_again": "An0ther-Pass!",
        },
    )
    assert wrong_old.status_code == 200
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)
    ok = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password": "An0ther-Pass!",
            "new_password_again": "An0ther-Pass!",
        },
    )
    assert ok.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("An0ther-Pass!")


def test_citizen_home_shows_masked_identity_and_empty_state(as_user, citizen, monkeypatch):
    from smartgov.portal import home_cards

    monkeypatch.setattr(home_cards, "_CARDS", {})  # the empty state: no module's card
    page = as_user(citizen).get("/").content.decode()
    assert "110105********002X" in page
    assert "138****8000" in page
    assert "11010519491231002X" not in page and "13800138000" not in page
    assert 'data-testid="empty-state"' in page
    assert "我的API令牌" in page


def test_home_cards_registered_by_a_module_are_shown(as_user, citizen):
    register_home_card(
        HomeCard(
            code="test.tokens",
            title="我的测试卡片",
            url_name="portal:tokens",
            summary=lambda user: "3 件办理中",
        )
    )

    def broken(user):
        raise RuntimeError("module down")

    register_home_card(
        HomeCard(code="test.broken", title="坏卡片", url_name="portal:tokens", summary=broken)
    )
    try:
        page = as_user(citizen).get("/").content.decode()
    finally:
        unregister_home_card("test.tokens")
        unregister_home_card("test.broken")
    assert "我的测试卡片" in page and "3 件办理中" in page
    assert "该数据暂时无法获取" in page  # the broken card's summary failed, the page did not
    assert 'data-testid="empty-state"' not in page


def test_staff_home_redirects_to_workbench(as_user, xihu_staff):
    response = as_user(xihu_staff).get("/")
    assert response.status_code == 302 and response["Location"] == "/workbench/"


def test_workbench_is_for_staff_only(as_user, citizen, xihu_staff):
    assert as_user(citizen).get("/workbench/").status_code == 403
    page = as_user(xihu_staff).get("/workbench/").content.decode()
    assert "暂无待办事项" in page
    assert "西湖区市场监督管理局" in page  # the staff member's department


@pytest.fixture
def inbox_source():
    now = timezone.now()

    def source(user):
        return [
            InboxItem("超期的办件", "testsrc", "/x/1", deadline=now - timedelta(hours=2)),
            InboxItem("快到期的办件", "testsrc", "/x/2", deadline=now + timedelta(hours=3)),
            InboxItem("不急的办件", "testsrc", "/x/3", deadline=now + timedelta(days=5)),
            InboxItem("没有期限的事", "testsrc", "/x/4"),
        ]

    def broken(user):
        raise RuntimeError("down")

    register_inbox_source("testsrc", source, label="测试模块")
    register_inbox_source("brokensrc", broken, label="故障模块")
    yield
    unregister_inbox_source("testsrc")
    unregister_inbox_source("brokensrc")


def test_workbench_shows_inbox_counts_filter_and_unavailable_sources(
    as_user, xihu_staff, inbox_source
):
    client = as_user(xihu_staff)
    page = client.get("/workbench/").content.decode()
    assert page.count('data-testid="inbox-item"') == 4
    assert page.index("超期的办件") < page.index("快到期的办件") < page.index("没有期限的事")
    assert 'data-testid="count-overdue">1<' in page
    assert 'data-testid="count-due-soon">1<' in page
    assert "故障模块" in page and 'data-testid="inbox-unavailable"' in page
    assert "sg-overdue" in page and "sg-due_soon" in page
    filtered = client.get("/workbench/?source=brokensrc").content.decode()
    assert 'data-testid="inbox-item"' not in filtered and "该模块暂无待办" in filtered


def test_workbench_paginates(as_user, xihu_staff):
    register_inbox_source(
        "many", lambda user: [InboxItem(f"事项{i:02d}", "many", "/") for i in range(25)]
    )
    try:
        client = as_user(xihu_staff)
        first = client.get("/workbench/").content.decode()
        second = client.get("/workbench/?page=2").content.decode()
    finally:
        unregister_inbox_source("many")
    assert first.count('data-testid="inbox-item"') == 20
    assert second.count('data-testid="inbox-item"') == 5
    assert "共 25 条" in first


def test_admin_menu_groups_console_pages_by_permission(as_user, sysadmin, xihu_staff, auditor):
    page = as_user(sysadmin).get("/workbench/").content.decode()
    assert "系统管理" in page and "部门管理" in page and "工作日历" in page
    assert "审计日志" not in page
    page = as_user(auditor).get("/workbench/").content.decode()
    assert "审计日志" in page and "部门管理" not in page
    assert "系统管理" not in as_user(xihu_staff).get("/workbench/").content.decode()


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/console/users/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_english_workbench(as_user, xihu_staff):
    client = english(as_user(xihu_staff))
    page = client.get("/workbench/").content.decode()
    assert "Workbench" in page and "Nothing waiting for you" in page and "工作台" not in page


def test_unknown_user_kind_cannot_see_console(as_user, db):
    app = User.objects.create(username="robot", kind="app", display_name="Robot")
    assert as_user(app).get("/console/users/").status_code == 403


def test_only_the_most_specific_nav_entry_is_active():
    from types import SimpleNamespace
    from unittest import mock

    from smartgov.portal import context

    entries = [
        {"url": "/catalog/", "group": "", "label": "a"},
        {"url": "/catalog/review/", "group": "", "label": "b"},
    ]
    request = SimpleNamespace(user=object(), path="/catalog/review/", COOKIES={})
    with mock.patch.object(context, "navigation_for", return_value=entries):
        result = context.portal_context(request)
    assert [e["active"] for e in result["nav"]] == [False, True]
