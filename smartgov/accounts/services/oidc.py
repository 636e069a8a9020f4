"""Single sign-on clients: the applications allowed to log users in through our OIDC provider.

Client secrets are hashed at rest by django-oauth-toolkit; the plain secret exists only in the
return value of ``register_client`` / ``rotate_client_secret`` and is never audited or logged.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from smartgov.accounts.models import User
from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import require_perm
from smartgov.core import audit
from smartgov.core.errors import InvalidInput, NotFound

Application = get_application_model()

# Plain http is tolerated only for a developer's own machine.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_REDIRECT_URIS = 20
_AUDITED_FIELDS = (
    "client_id",
    "name",
    "client_type",
    "authorization_grant_type",
    "redirect_uris",
    "skip_authorization",
    "algorithm",
)


def _check_actor(actor: User | None) -> None:
    # actor=None is the server operator at the command line (``smartgov oidc_client``).
    if actor is not None:
        require_perm(actor, Perm.MANAGE_OIDC_CLIENT)


def check_redirect_uri(uri: str) -> str:
    """An absolute http(s) URI without fragment; https unless the host is a loopback."""
    uri = (uri or "").strip()
    if not uri or len(uri) > 2000 or any(ch.isspace() for ch in uri):
        raise InvalidInput(
            "redirect_uri_invalid",
            "A redirect URI is an absolute URL without spaces.",
            detail={"uri": uri[:200]},
        )
    try:
        parts = urlsplit(uri)
        hostname = parts.hostname
        parts.port  # noqa: B018 — raises ValueError on a malformed port
    except ValueError as exc:
        raise InvalidInput(
            "redirect_uri_invalid", "The redirect URI is malformed.", detail={"uri": uri[:200]}
        ) from exc
    if parts.scheme not in ("http", "https") or not hostname:
        raise InvalidInput(
            "redirect_uri_invalid",
            "A redirect URI must be an absolute http(s) URL.",
            detail={"uri": uri[:200]},
        )
    if parts.fragment or "#" in uri:
        raise InvalidInput(
            "redirect_uri_invalid",
            "A redirect URI must not contain a fragment.",
            detail={"uri": uri[:200]},
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "redirect_uri_invalid",
            "A redirect URI must not contain credentials.",
            detail={"uri": uri[:200]},
        )
    if parts.scheme == "http" and hostname not in LOOPBACK_HOSTS:
        raise InvalidInput(
            "redirect_uri_insecure",
            "A redirect URI must use https (http is allowed only for localhost).",
            detail={"uri": uri[:200]},
        )
    return uri


def _check_redirect_uris(uris: list[str]) -> list[str]:
    if isinstance(uris, str):
        uris = [uris]
    cleaned = list(dict.fromkeys(check_redirect_uri(uri) for uri in uris or []))
    if not cleaned:
        raise InvalidInput("redirect_uri_required", "A client needs at least one redirect URI.")
    if len(cleaned) > MAX_REDIRECT_URIS:
        raise InvalidInput(
            "too_many_redirect_uris",
            f"A client may register at most {MAX_REDIRECT_URIS} redirect URIs.",
        )
    return cleaned


def _check_application(application) -> None:
    """Also run django-oauth-toolkit's own checks, reported as our error."""
    try:
        application.clean()
    except ValidationError as exc:
        raise InvalidInput(
            "client_invalid", "The client registration is not valid.", detail=exc.messages
        ) from exc


def _summary(application) -> dict:
    return {field: getattr(application, field) for field in _AUDITED_FIELDS}


def _access_client(client_pk: int, *, for_update: bool = False):
    queryset = Application.objects.select_for_update() if for_update else Application.objects
    application = queryset.filter(pk=client_pk).first()
    if application is None:
        raise NotFound("not_found", "No such single sign-on client.")
    return application


@transaction.atomic
def register_client(
    *,
    actor: User | None,
    name: str,
    redirect_uris: list[str],
    confidential: bool = True,
    skip_authorization: bool = False,
) -> tuple[Application, str | None]:
    """Register an OIDC client (authorization code + PKCE, RS256 id_tokens).

    Returns the client and, for a confidential client, its plain secret: it is shown once
    and cannot be read back, since only its hash is stored. ``skip_authorization`` marks a
    trusted platform application that needs no consent page.
    """
    _check_actor(actor)
    name = (name or "").strip()
    if not name or len(name) > 255:
        raise InvalidInput("name_required", "A client needs a name of 1–255 characters.")
    uris = _check_redirect_uris(redirect_uris)
    secret = generate_client_secret() if confidential else None
    application = Application(
        name=name,
        redirect_uris=" ".join(uris),
        client_type=Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=skip_authorization,
        # A public client has no secret; store none rather than a hash nobody can use.
        client_secret=secret or "",
        hash_client_secret=confidential,
    )
    _check_application(application)
    application.save()  # hashes client_secret; ``secret`` keeps the plain value
    audit.record(
        actor=actor,
        action="accounts.oidc_client.create",
        obj=application,
        after=_summary(application),
    )
    return application, secret


@transaction.atomic
def rotate_client_secret(*, actor: User | None, client_pk: int) -> str:
    """Issue a new secret to a confidential client; the old one stops working at once."""
    _check_actor(actor)
    application = _access_client(client_pk, for_update=True)
    if application.client_type != Application.CLIENT_CONFIDENTIAL:
        raise InvalidInput("client_public", "A public client has no secret to rotate.")
    secret = generate_client_secret()
    application.client_secret = secret
    application.hash_client_secret = True
    application.save(update_fields=["client_secret", "hash_client_secret", "updated"])
    audit.record(
        actor=actor,
        action="accounts.oidc_client.rotate_secret",
        obj=application,
        after={"client_id": application.client_id},
    )
    return secret


@transaction.atomic
def delete_client(*, actor: User | None, client_pk: int) -> None:
    """Remove a client; its grants and tokens go with it, so its sessions end."""
    _check_actor(actor)
    application = _access_client(client_pk, for_update=True)
    audit.record(
        actor=actor,
        action="accounts.oidc_client.delete",
        obj=application,
        before=_summary(application),
    )
    application.delete()


def list_clients(*, actor: User | None = None) -> QuerySet:
    """Every registered single sign-on client, by name."""
    _check_actor(actor)
    return Application.objects.order_by("name", "pk")
