"""Single sign-on: a real OIDC client (Authlib) runs the code flow against the live server."""

from __future__ import annotations

import base64
import hashlib
import json
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from oauth2_provider.models import AccessToken, get_application_model

from smartgov.accounts import services
from smartgov.core.errors import InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from tests.conftest import PASSWORD

Application = get_application_model()
CITIZEN_ID = "11010519491231002X"
SCOPE = "openid profile email phone"


# --- helpers ------------------------------------------------------------------------------


class _FormInputs(HTMLParser):
    """Collects the named <input> fields of the page's form(s)."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") != "submit":
            self.fields[attrs["name"]] = attrs.get("value") or ""


def form_inputs(html: str) -> dict[str, str]:
    parser = _FormInputs()
    parser.feed(html)
    return parser.fields


def browser_login(base_url: str, username: str, password: str = PASSWORD) -> requests.Session:
    """A browser session logged in through the real /login/ form (CSRF included)."""
    browser = requests.Session()
    page = browser.get(f"{base_url}/login/", timeout=10)
    assert page.status_code == 200
    token = browser.cookies["csrftoken"]
    assert form_inputs(page.text)["csrfmiddlewaretoken"]
    response = browser.post(
        f"{base_url}/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    assert "sessionid" in browser.cookies
    return browser


def discovery(base_url: str) -> dict:
    response = requests.get(f"{base_url}/o/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200
    return response.json()


def relying_party(application, secret, redirect_uri, **kwargs) -> OAuth2Session:
    return OAuth2Session(
        application.client_id,
        secret,
        scope=kwargs.pop("scope", SCOPE),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        **kwargs,
    )


def callback_params(response) -> dict[str, str]:
    assert response.status_code == 302, response.text[:500]
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return {key: values[0] for key, values in query.items()}


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


@pytest.fixture
def base_url(live_db, live_server):
    return live_server.url


@pytest.fixture
def redirect_uri(base_url):
    # Nothing needs to answer here: the client reads the code from the Location header.
    return f"{base_url}/rp/callback"


@pytest.fixture
def trusted_client(sysadmin, redirect_uri):
    return services.register_client(
        actor=sysadmin, name="办事大厅", redirect_uris=[redirect_uri], skip_authorization=True
    )


@pytest.fixture
def consent_client(sysadmin, redirect_uri):
    return services.register_client(
        actor=sysadmin, name="Partner portal", redirect_uris=[redirect_uri]
    )


def start_flow(base_url, application, secret, redirect_uri, **extra):
    rp = relying_party(application, secret, redirect_uri)
    verifier = generate_token(48)
    nonce = generate_token(20)
    meta = discovery(base_url)
    url, state = rp.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **extra
    )
    return rp, meta, url, state, verifier, nonce


# --- the discovery document and keys ------------------------------------------------------


def test_discovery_document_describes_the_provider(client, db):
    response = client.get("/o/.well-known/openid-configuration")
    assert response.status_code == 200
    meta = response.json()
    issuer = "http://testserver/o"
    assert meta["issuer"] == issuer
    assert meta["authorization_endpoint"] == f"{issuer}/authorize/"
    assert meta["token_endpoint"] == f"{issuer}/token/"
    assert meta["userinfo_endpoint"] == f"{issuer}/userinfo/"
    assert meta["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert "RS256" in meta["id_token_signing_alg_values_supported"]
    assert "S256" in meta["code_challenge_methods_supported"]
    assert "code" in meta["response_types_supported"]
    assert set(meta["scopes_supported"]) == {"openid", "profile", "email", "phone"}
    claims = set(meta["claims_supported"])
    assert {"sub", "name", "preferred_username", "email", "phone_number"} <= claims
    assert not {c for c in claims if "citizen" in c}


def test_discovery_advertises_only_what_is_accepted(client, db):
    meta = client.get("/o/.well-known/openid-configuration").json()
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["response_types_supported"] == ["code"]


def test_jwks_publishes_the_configured_rsa_key(client, db):
    response = client.get("/o/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    configured = RSAKey.import_key(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"])
    assert [k["kid"] for k in keys] == [configured.thumbprint()]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]  # the public half only


# --- the authorization code flow with a real client -------------------------------------


def test_code_flow_with_pkce_for_a_trusted_client(base_url, redirect_uri, trusted_client, citizen):
    application, secret = trusted_client
    browser = browser_login(base_url, "zhangsan")
    rp, meta, url, state, verifier, nonce = start_flow(base_url, application, secret, redirect_uri)
    assert "code_challenge_method=S256" in url

    params = callback_params(browser.get(url, allow_redirects=False, timeout=10))
    assert params["state"] == state and "code" in params
    assert params["iss"] == meta["issuer"]  # RFC 9207: lets the client detect mix-up attacks

    token = rp.fetch_token(
        meta["token_endpoint"],
        authorization_response=f"{redirect_uri}?code={params['code']}&state={state}",
        state=state,
        code_verifier=verifier,
    )
    assert token["token_type"].lower() == "bearer"

    # The id_token: RS256, signed by the configured key, published in the JWKS.
    jwks = requests.get(meta["jwks_uri"], timeout=10).json()
    decoded = jwt.decode(token["id_token"], KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    configured = RSAKey.import_key(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"])
    assert decoded.header["kid"] == configured.thumbprint()
    jwt.decode(token["id_token"], configured, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": meta["issuer"]},
        aud={"essential": True, "value": application.client_id},
        sub={"essential": True, "value": str(citizen.pk)},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
        iat={"essential": True},
    ).validate(decoded.claims)
    assert decoded.claims["at_hash"] == at_hash(token["access_token"])
    assert decoded.claims["name"] == "张三"
    assert decoded.claims["preferred_username"] == "zhangsan"
    assert decoded.claims["account_kind"] == "citizen"

    # userinfo with the access token.
    userinfo = rp.get(meta["userinfo_endpoint"], timeout=10)
    assert userinfo.status_code == 200
    info = userinfo.json()
    assert info["sub"] == str(citizen.pk)
    assert info["phone_number"] == "+8613800138000"
    assert "email" not in info  # the citizen has none: omitted, not ""

    # The citizen ID never leaves the platform through single sign-on.
    for text in (json.dumps(decoded.claims, ensure_ascii=False), userinfo.text):
        assert CITIZEN_ID not in text and "citizen_id" not in text
        assert citizen.citizen_id_masked not in text


def test_scopes_limit_the_claims(base_url, redirect_uri, trusted_client, citizen):
    application, secret = trusted_client
    browser = browser_login(base_url, "zhangsan")
    rp = relying_party(application, secret, redirect_uri, scope="openid")
    verifier = generate_token(48)
    meta = discovery(base_url)
    url, state = rp.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier)
    params = callback_params(browser.get(url, allow_redirects=False, timeout=10))
    token = rp.fetch_token(
        meta["token_endpoint"],
        authorization_response=f"{redirect_uri}?code={params['code']}&state={state}",
        state=state,
        code_verifier=verifier,
    )
    info = rp.get(meta["userinfo_endpoint"], timeout=10).json()
    assert info == {"sub": str(citizen.pk)}
    claims = jwt.decode(
        token["id_token"], KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    ).claims
    assert "name" not in claims and "phone_number" not in claims


def test_consent_page_then_allow(base_url, redirect_uri, consent_client, sysadmin):
    application, secret = consent_client
    browser = browser_login(base_url, "sysadmin")
    rp, meta, url, state, verifier, nonce = start_flow(base_url, application, secret, redirect_uri)

    page = browser.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 200
    assert 'id="authorizationForm"' in page.text
    assert "Partner portal" in page.text
    fields = form_inputs(page.text)
    assert fields["client_id"] == application.client_id
    assert fields["code_challenge_method"] == "S256"
    assert fields["nonce"] == nonce
    assert AccessToken.objects.count() == 0  # nothing granted by merely looking

    fields["allow"] = "Allow"
    fields["csrfmiddlewaretoken"] = browser.cookies["csrftoken"]
    response = browser.post(url, data=fields, allow_redirects=False, headers={"Referer": url})
    params = callback_params(response)
    assert params["state"] == state
    token = rp.fetch_token(
        meta["token_endpoint"],
        authorization_response=f"{redirect_uri}?code={params['code']}&state={state}",
        state=state,
        code_verifier=verifier,
    )
    claims = jwt.decode(
        token["id_token"], KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    ).claims
    assert claims["sub"] == str(sysadmin.pk) and claims["nonce"] == nonce


def test_consent_page_deny(base_url, redirect_uri, consent_client, citizen):
    application, secret = consent_client
    browser = browser_login(base_url, "zhangsan")
    _, _, url, state, _, _ = start_flow(base_url, application, secret, redirect_uri)
    fields = form_inputs(browser.get(url, timeout=10).text)
    fields["csrfmiddlewaretoken"] = browser.cookies["csrftoken"]
    params = callback_params(browser.post(url, data=fields, allow_redirects=False))
    assert params["error"] == "access_denied" and "code" not in params
    assert params["state"] == state
    assert AccessToken.objects.count() == 0


def test_consent_page_uses_the_portal_layout(base_url, redirect_uri, consent_client, citizen):
    application, secret = consent_client
    browser = browser_login(base_url, "zhangsan")
    _, _, url, _, _, _ = start_flow(base_url, application, secret, redirect_uri)
    page = browser.get(url, timeout=10).text
    assert 'data-testid="oidc-consent"' in page and 'data-testid="oidc-allow"' in page


def test_anonymous_authorize_goes_to_our_login_page(base_url, redirect_uri, trusted_client):
    application, secret = trusted_client
    _, _, url, _, _, _ = start_flow(base_url, application, secret, redirect_uri)
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login/"
    assert parse_qs(location.query)["next"][0].startswith("/o/authorize/")


# --- refusals -------------------------------------------------------------------------------


def test_authorize_without_pkce_is_refused(base_url, redirect_uri, trusted_client, citizen):
    application, secret = trusted_client
    browser = browser_login(base_url, "zhangsan")
    rp = OAuth2Session(application.client_id, secret, scope=SCOPE, redirect_uri=redirect_uri)
    url, _ = rp.create_authorization_url(discovery(base_url)["authorization_endpoint"])
    assert "code_challenge" not in url
    params = callback_params(browser.get(url, allow_redirects=False, timeout=10))
    assert params["error"] == "invalid_request" and "code" not in params


def test_plain_pkce_is_refused(base_url, redirect_uri, trusted_client, citizen):
    application, secret = trusted_client
    browser = browser_login(base_url, "zhangsan")
    rp = OAuth2Session(application.client_id, secret, scope=SCOPE, redirect_uri=redirect_uri)
    verifier = generate_token(48)
    # Authlib only builds S256 challenges; "plain" sends the verifier itself.
    url, _ = rp.create_authorization_url(
        discovery(base_url)["authorization_endpoint"],
        code_challenge=verifier,
        code_challenge_method="plain",
    )
    params = callback_params(browser.get(url, allow_redirects=False, timeout=10))
    assert params["error"] == "invalid_request" and "code" not in params
    assert "S256" in params["error_description"]


def test_wrong_redirect_uri_is_refused(base_url, redirect_uri, trusted_client, citizen):
    application, secret = trusted_client
    browser = browser_login(base_url, "zhangsan")
    _, _, url, _, _, _ = start_flow(
        base_url, application, secret, "https://evil.example.com/callback"
    )
    response = browser.get(url, allow_redirects=False, timeout=10)
    # A fatal client error: an error page, never a redirect to the unregistered URI.
    assert response.status_code == 400
    assert "evil.example.com" not in response.headers.get("Location", "")
    assert "Traceback" not in response.text


def test_wrong_code_verifier_gives_invalid_grant(base_url, redirect_uri, trusted_client, citizen):
    application, secret = trusted_client
    browser = browser_login(base_url, "zhangsan")
    rp, meta, url, state, _verifier, _ = start_flow(base_url, application, secret, redirect_uri)
    params = callback_params(browser.get(url, allow_redirects=False, timeout=10))
    with pytest.raises(OAuthError) as caught:
        rp.fetch_token(
            meta["token_endpoint"],
            authorization_response=f"{redirect_uri}?code={params['code']}&state={state}",
            state=state,
            code_verifier=generate_token(48),
        )
    assert caught.value.error == "invalid_grant"
    assert AccessToken.objects.count() == 0


def test_wrong_client_secret_is_refused(base_url, redirect_uri, trusted_client, citizen):
    application, _secret = trusted_client
    browser = browser_login(base_url, "zhangsan")
    rp, meta, url, state, verifier, _ = start_flow(
        base_url, application, "not-the-secret", redirect_uri
    )
    params = callback_params(browser.get(url, allow_redirects=False, timeout=10))
    with pytest.raises(OAuthError) as caught:
        rp.fetch_token(
            meta["token_endpoint"],
            authorization_response=f"{redirect_uri}?code={params['code']}&state={state}",
            state=state,
            code_verifier=verifier,
        )
    assert caught.value.error == "invalid_client"


# --- the client registration service ------------------------------------------------------


def test_register_client_stores_only_the_secret_hash(sysadmin):
    application, secret = services.register_client(
        actor=sysadmin, name="Hall", redirect_uris=["https://hall.example.gov.cn/cb"]
    )
    application.refresh_from_db()
    assert secret and application.client_secret != secret
    assert check_password(secret, application.client_secret)
    assert application.client_type == Application.CLIENT_CONFIDENTIAL
    assert application.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert application.algorithm == Application.RS256_ALGORITHM
    assert application.skip_authorization is False
    entry = AuditRecord.objects.get(action="accounts.oidc_client.create")
    assert entry.actor_id == sysadmin.pk
    assert entry.after["client_id"] == application.client_id
    assert secret not in json.dumps(entry.after) and "client_secret" not in entry.after


def test_register_public_client_has_no_secret(sysadmin):
    application, secret = services.register_client(
        actor=sysadmin,
        name="Mobile app",
        redirect_uris=["http://localhost:3000/cb", "http://127.0.0.1:3000/cb"],
        confidential=False,
    )
    assert secret is None
    application.refresh_from_db()
    assert application.client_type == Application.CLIENT_PUBLIC
    assert application.client_secret == ""
    assert application.redirect_uris.split() == [
        "http://localhost:3000/cb",
        "http://127.0.0.1:3000/cb",
    ]


@pytest.mark.parametrize("actor_fixture", ["secadmin", "auditor", "xihu_staff", "citizen"])
def test_register_client_needs_the_permission(request, actor_fixture):
    actor = request.getfixturevalue(actor_fixture)
    with pytest.raises(PermissionDeniedError):
        services.register_client(
            actor=actor, name="Sneaky", redirect_uris=["https://x.example.com/cb"]
        )
    assert not Application.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="accounts.oidc_client").exists()


@pytest.mark.parametrize(
    ("uris", "code"),
    [
        ([], "redirect_uri_required"),
        (["http://hall.example.gov.cn/cb"], "redirect_uri_insecure"),
        (["/relative/cb"], "redirect_uri_invalid"),
        (["ftp://example.com/cb"], "redirect_uri_invalid"),
        (["javascript:alert(1)"], "redirect_uri_invalid"),
        (["https://example.com/cb#frag"], "redirect_uri_invalid"),
        (["https://user:pw@example.com/cb"], "redirect_uri_invalid"),
        (["https://example.com/a b"], "redirect_uri_invalid"),
        (["https://example.com:99999/cb"], "redirect_uri_invalid"),
        (["https://example.com/cb", "http://evil.com/cb"], "redirect_uri_insecure"),
    ],
)
def test_register_client_rejects_bad_redirect_uris(sysadmin, uris, code):
    with pytest.raises(InvalidInput) as caught:
        services.register_client(actor=sysadmin, name="Hall", redirect_uris=uris)
    assert caught.value.code == code
    assert not Application.objects.exists()


def test_register_client_needs_a_name(sysadmin):
    with pytest.raises(InvalidInput) as caught:
        services.register_client(
            actor=sysadmin, name="  ", redirect_uris=["https://x.example.com/cb"]
        )
    assert caught.value.code == "name_required"


def test_rotate_secret_replaces_the_old_one(sysadmin, secadmin):
    application, old = services.register_client(
        actor=sysadmin, name="Hall", redirect_uris=["https://hall.example.gov.cn/cb"]
    )
    with pytest.raises(PermissionDeniedError):
        services.rotate_client_secret(actor=secadmin, client_pk=application.pk)
    application.refresh_from_db()
    assert check_password(old, application.client_secret)

    new = services.rotate_client_secret(actor=sysadmin, client_pk=application.pk)
    application.refresh_from_db()
    assert new != old
    assert check_password(new, application.client_secret)
    assert not check_password(old, application.client_secret)
    entry = AuditRecord.objects.get(action="accounts.oidc_client.rotate_secret")
    assert new not in json.dumps(entry.after)


def test_rotate_secret_of_public_client_is_refused(sysadmin):
    application, _ = services.register_client(
        actor=sysadmin,
        name="SPA",
        redirect_uris=["https://spa.example.gov.cn/cb"],
        confidential=False,
    )
    with pytest.raises(InvalidInput) as caught:
        services.rotate_client_secret(actor=sysadmin, client_pk=application.pk)
    assert caught.value.code == "client_public"


def test_delete_client(sysadmin, secadmin):
    application, _ = services.register_client(
        actor=sysadmin, name="Hall", redirect_uris=["https://hall.example.gov.cn/cb"]
    )
    with pytest.raises(PermissionDeniedError):
        services.delete_client(actor=secadmin, client_pk=application.pk)
    assert Application.objects.filter(pk=application.pk).exists()
    services.delete_client(actor=sysadmin, client_pk=application.pk)
    assert not Application.objects.filter(pk=application.pk).exists()
    assert AuditRecord.objects.filter(action="accounts.oidc_client.delete").count() == 1
    with pytest.raises(NotFound):
        services.delete_client(actor=sysadmin, client_pk=application.pk)


def test_list_clients(sysadmin, auditor):
    services.register_client(actor=sysadmin, name="B", redirect_uris=["https://b.example.com/"])
    services.register_client(actor=sysadmin, name="A", redirect_uris=["https://a.example.com/"])
    assert [c.name for c in services.list_clients()] == ["A", "B"]
    assert [c.name for c in services.list_clients(actor=sysadmin)] == ["A", "B"]
    with pytest.raises(PermissionDeniedError):
        services.list_clients(actor=auditor)


# --- the management command -----------------------------------------------------------------


def test_command_create_prints_the_secret_once_and_list_hides_it(db, capsys):
    call_command(
        "oidc_client",
        "create",
        "--name",
        "办事大厅",
        "--redirect-uri",
        "https://hall.example.gov.cn/cb",
        "--redirect-uri",
        "https://hall.example.gov.cn/cb2",
        "--trusted",
    )
    out = capsys.readouterr().out
    application = Application.objects.get()
    secret = next(
        line.split(":", 1)[1].strip() for line in out.splitlines() if "client_secret" in line
    )
    assert application.client_id in out
    assert check_password(secret, application.client_secret)
    assert application.skip_authorization is True
    assert application.redirect_uris.split() == [
        "https://hall.example.gov.cn/cb",
        "https://hall.example.gov.cn/cb2",
    ]

    call_command("oidc_client", "list")
    listing = capsys.readouterr().out
    assert application.client_id in listing and "trusted" in listing
    assert secret not in listing and application.client_secret not in listing


def test_command_create_public_client(db, capsys):
    call_command(
        "oidc_client",
        "create",
        "--name",
        "SPA",
        "--redirect-uri",
        "http://localhost:5173/cb",
        "--public",
    )
    assert Application.objects.get().client_type == Application.CLIENT_PUBLIC
    assert "public client" in capsys.readouterr().out


def test_command_refuses_bad_input_with_a_clear_message(db):
    with pytest.raises(CommandError) as caught:
        call_command(
            "oidc_client", "create", "--name", "Bad", "--redirect-uri", "http://evil.com/cb"
        )
    assert "https" in str(caught.value) and "redirect_uri_insecure" in str(caught.value)
    assert not Application.objects.exists()
    with pytest.raises(CommandError):
        call_command("oidc_client", "create", "--name", "No URI")
