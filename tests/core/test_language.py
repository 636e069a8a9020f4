from smartgov.core.permissions import all_permissions


def test_pages_default_to_chinese_even_for_english_browsers(client, db):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert 'lang="zh-hans"' in page.content.decode()


def test_language_switch_wins_over_the_default(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    page = client.get("/login/")
    assert 'lang="en"' in page.content.decode()


def test_api_keeps_accept_language(client, db):
    body = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["message"] == "Authentication is required."
    body = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["message"] == "需要登录认证。"


def test_permission_labels_follow_the_active_language():
    from django.utils import translation

    with translation.override("en"):
        assert all_permissions()["core.view_audit"] == "Read the audit log"
    with translation.override("zh-hans"):
        assert all_permissions()["core.view_audit"] == "查阅审计日志"
