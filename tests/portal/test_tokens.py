"""My API tokens: create (secret shown once), bad input, revoke with confirmation."""

from __future__ import annotations

import pytest

from smartgov.accounts import services
from smartgov.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_token_page_lists_and_creates_with_secret_shown_once(as_user, citizen):
    client = as_user(citizen)
    page = client.get("/account/tokens/").content.decode()
    assert "还没有令牌" in page
    response = client.post("/account/tokens/", {"name": "报税脚本", "lifetime_days": "30"})
    page = response.content.decode()
    token = ApiToken.objects.get(user=citizen)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert 'data-testid="token-secret"' in page and f"sgp_{token.prefix}_" in page
    assert "仅显示这一次" in page
    again = client.get("/account/tokens/").content.decode()
    assert 'data-testid="token-secret"' not in again and "报税脚本" in again


def test_token_bad_input_shows_inline_errors_and_creates_nothing(as_user, citizen):
    client = as_user(citizen)
    response = client.post("/account/tokens/", {"name": "", "lifetime_days": "9999"})
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_own_token_has_confirmation(as_user, citizen):
    token, _ = services.create_token(actor=citizen, name="t1", expires_at=None)
    client = as_user(citizen)
    assert "data-sg-confirm" in client.get("/account/tokens/").content.decode()
    response = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "已吊销" in response.content.decode()


def test_cannot_revoke_someone_elses_token(as_user, citizen, xihu_staff):
    token, _ = services.create_token(actor=xihu_staff, name="staff", expires_at=None)
    response = as_user(citizen).post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert 'role="alert"' in response.content.decode()


def test_tokens_page_needs_login(client):
    assert client.get("/account/tokens/").status_code == 302
