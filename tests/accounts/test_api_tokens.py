"""API tokens over HTTP: shown once, hashed at rest, revocation, expiry, scope of revokers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from smartgov.accounts import services
from smartgov.accounts.models import ApiToken
from smartgov.accounts.permissions import SECURITY_ADMIN
from tests.conftest import make_staff


def auth(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def new_token(user) -> tuple[ApiToken, str]:
    return services.create_token(actor=user, name="script", expires_at=None)


def test_create_token_shows_the_secret_once_and_stores_only_its_hash(client, citizen, bearer):
    headers = bearer(citizen)
    response = client.post(
        "/api/v1/me/tokens", {"name": "nightly sync"}, content_type="application/json", **headers
    )
    assert response.status_code == 201
    body = response.json()
    secret = body["token"]
    assert secret.startswith("sgp_")

    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.token_hash != secret and secret not in stored.token_hash
    assert stored.prefix in secret and len(stored.prefix) < len(secret)

    listing = client.get("/api/v1/me/tokens", **headers)
    assert listing.status_code == 200
    assert secret not in listing.content.decode()
    assert all("token" not in item for item in listing.json())
    assert "nightly sync" in [item["name"] for item in listing.json()]

    me = client.get("/api/v1/me", **auth(secret))
    assert me.status_code == 200 and me.json()["username"] == "zhangsan"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"name": "  "}, 400, "name_required"),
        ({"name": "x" * 65}, 400, "name_required"),
        ({"name": "old", "expires_at": "2001-01-01T00:00:00Z"}, 400, "expiry_in_past"),
        ({"name": "forever", "expires_at": "2999-01-01T00:00:00Z"}, 400, "expiry_too_far"),
        ({}, 422, "invalid_input"),
        ({"name": "bad date", "expires_at": "tomorrow"}, 422, "invalid_input"),
    ],
)
def test_create_token_bad_input(client, citizen, bearer, payload, status, code):
    headers = bearer(citizen)
    before = ApiToken.objects.count()
    response = client.post("/api/v1/me/tokens", payload, content_type="application/json", **headers)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert ApiToken.objects.count() == before


def test_revoked_token_is_refused(client, citizen, bearer):
    token, secret = new_token(citizen)
    response = client.delete(f"/api/v1/me/tokens/{token.pk}", **bearer(citizen))
    assert response.status_code == 204
    response = client.get("/api/v1/me", **auth(secret))
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_expired_token_is_refused(client, citizen):
    token, secret = new_token(citizen)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/me", **auth(secret))
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nonsense",
        "Bearer sgp_00000000_" + "A" * 43,
        "Bearer sgp_" + "x" * 500,
        "Bearer ",
    ],
)
def test_garbage_token_is_refused(client, citizen, header):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] in {"token_invalid", "not_authenticated"}
    if header != "Bearer ":
        assert response.json()["code"] == "token_invalid"


def test_no_credentials_is_refused(client, db):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_token_of_a_deactivated_user_is_refused(client, sysadmin, xihu_staff):
    _, secret = new_token(xihu_staff)
    assert client.get("/api/v1/me", **auth(secret)).status_code == 200
    services.deactivate_user(actor=sysadmin, user_id=xihu_staff.pk)
    response = client.get("/api/v1/me", **auth(secret))
    assert response.status_code == 401
    assert response.json()["code"] == "account_inactive"


def test_security_admin_revokes_another_users_token(client, secadmin, xihu_staff, bearer):
    token, secret = new_token(xihu_staff)
    response = client.delete(f"/api/v1/me/tokens/{token.pk}", **bearer(secadmin))
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me", **auth(secret)).json()["code"] == "token_revoked"


@pytest.mark.parametrize("actor_fixture", ["sysadmin", "auditor", "shangcheng_staff", "citizen"])
def test_others_cannot_revoke_someone_elses_token(
    request, client, xihu_staff, bearer, actor_fixture
):
    actor = request.getfixturevalue(actor_fixture)
    token, secret = new_token(xihu_staff)
    response = client.delete(f"/api/v1/me/tokens/{token.pk}", **bearer(actor))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get("/api/v1/me", **auth(secret)).status_code == 200


def test_security_admin_revokes_only_within_their_scope(
    client, org, xihu_staff, shangcheng_staff, bearer
):
    xihu_security = make_staff("xihu_security", org["xihu"], SECURITY_ADMIN, "region_tree")
    inside, _ = new_token(xihu_staff)
    outside, _ = new_token(shangcheng_staff)
    headers = bearer(xihu_security)
    assert client.delete(f"/api/v1/me/tokens/{outside.pk}", **headers).status_code == 404
    outside.refresh_from_db()
    assert outside.revoked_at is None
    assert client.delete(f"/api/v1/me/tokens/{inside.pk}", **headers).status_code == 204
    inside.refresh_from_db()
    assert inside.revoked_at is not None


def test_revoking_an_unknown_token_is_not_found(client, citizen, bearer):
    response = client.delete("/api/v1/me/tokens/999999", **bearer(citizen))
    assert response.status_code == 404


# --- the session cookie on the API needs the CSRF token for unsafe methods --------------


def test_session_post_without_csrf_token_is_forbidden(citizen):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(citizen)
    assert browser.get("/api/v1/me").status_code == 200  # safe method: the cookie suffices

    before = ApiToken.objects.count()
    response = browser.post("/api/v1/me/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"]
    assert ApiToken.objects.count() == before


def test_session_post_with_csrf_token_works(citizen):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/login/")  # a page with a form sets the CSRF cookie
    browser.force_login(citizen)
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/me/tokens",
        {"name": "from the browser"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 201
