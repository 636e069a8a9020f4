"""Admin console: single sign-on clients."""

from __future__ import annotations

import pytest
from oauth2_provider.models import get_application_model

pytest.importorskip("smartgov.accounts.services.oidc")
pytestmark = pytest.mark.django_db
Application = get_application_model()

FORM = {
    "name": "不动产登记系统",
    "redirect_uris": "https://bdc.example.gov.cn/cb\nhttps://bdc2.example.gov.cn/cb",
    "confidential": "1",
}


def test_register_shows_client_id_and_secret_once(as_user, sysadmin):
    client = as_user(sysadmin)
    assert "尚未登记应用" in client.get("/console/sso/").content.decode()
    response = client.post("/console/sso/new/", FORM)
    page = response.content.decode()
    app = Application.objects.get(name="不动产登记系统")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert app.client_id in page and 'data-testid="client-secret"' in page
    assert app.redirect_uris.split() == FORM["redirect_uris"].split()
    listing = client.get("/console/sso/").content.decode()
    assert app.client_id in listing and 'data-testid="client-secret"' not in listing


def test_register_bad_input_inline(as_user, sysadmin):
    response = as_user(sysadmin).post(
        "/console/sso/new/", {**FORM, "redirect_uris": "http://evil.example.com/cb"}
    )
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    assert not Application.objects.exists()


def test_public_client_has_no_secret(as_user, sysadmin):
    page = as_user(sysadmin).post("/console/sso/new/", {**FORM, "confidential": "0"})
    assert 'data-testid="client-secret"' not in page.content.decode()


def test_rotate_and_delete(as_user, sysadmin):
    client = as_user(sysadmin)
    client.post("/console/sso/new/", FORM)
    app = Application.objects.get()
    old_hash = app.client_secret
    page = client.post(f"/console/sso/{app.pk}/rotate/").content.decode()
    app.refresh_from_db()
    assert app.client_secret != old_hash and 'data-testid="client-secret"' in page
    listing = client.get("/console/sso/").content.decode()
    assert "data-sg-confirm" in listing
    client.post(f"/console/sso/{app.pk}/delete/")
    assert not Application.objects.exists()
    assert client.post(f"/console/sso/{app.pk}/delete/").status_code == 404


def test_sso_refused_without_permission(as_user, secadmin, sysadmin):
    as_user(sysadmin).post("/console/sso/new/", FORM)
    app = Application.objects.get()
    client = as_user(secadmin)
    assert client.get("/console/sso/").status_code == 403
    assert client.post("/console/sso/new/", {**FORM, "name": "x"}).status_code == 403
    assert client.post(f"/console/sso/{app.pk}/delete/").status_code == 403
    assert Application.objects.count() == 1
