"""Personal API tokens: hashed at rest, shown once, revocable, with expiry."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from smartgov.accounts.models import ApiToken, User
from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import has_perm, restrict
from smartgov.core import audit
from smartgov.core.crypto import sm3_hex
from smartgov.core.errors import InvalidInput, NotAuthenticated, NotFound

TOKEN_PREFIX = "sgp_"  # noqa: S105 — a public marker, not a secret
MAX_TOKENS_PER_USER = 20
MAX_LIFETIME = timedelta(days=366)
_TOUCH_INTERVAL = timedelta(minutes=5)


def _hash(secret: str) -> str:
    return sm3_hex("smartgov-api-token:" + secret)


@transaction.atomic
def create_token(*, actor: User, name: str, expires_at: datetime | None) -> tuple[ApiToken, str]:
    """Issue a token for ``actor`` itself; returns the row and the secret (shown once)."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput("name_required", "A token needs a name of 1–64 characters.")
    now = timezone.now()
    if expires_at is None:
        expires_at = now + timedelta(days=90)
    if expires_at <= now:
        raise InvalidInput("expiry_in_past", "The expiry must be in the future.")
    if expires_at - now > MAX_LIFETIME:
        raise InvalidInput("expiry_too_far", "A token may live at most one year.")
    active = ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count()
    if active >= MAX_TOKENS_PER_USER:
        raise InvalidInput("too_many_tokens", "Revoke an old token before creating another.")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=prefix, token_hash=_hash(secret), expires_at=expires_at
    )
    audit.record(
        actor=actor, action="accounts.token.create", obj=token, after=audit.snapshot(token)
    )
    return token, secret


@transaction.atomic
def revoke_token(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one's own token, or anyone's within scope with manage_token."""
    queryset = ApiToken.objects.select_for_update()
    token = queryset.filter(pk=token_id, user=actor).first()
    if token is None and has_perm(actor, Perm.MANAGE_TOKEN):
        token = restrict(queryset, actor, Perm.MANAGE_TOKEN).filter(pk=token_id).first()
    if token is None:
        raise NotFound("not_found", "No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="accounts.token.revoke",
            obj=token,
            after={"revoked_at": token.revoked_at.isoformat()},
        )
    return token


def authenticate_token(secret: str) -> User:
    """The active user behind a bearer token.

    Errors say whether the token is unknown, expired or revoked.
    """
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise NotAuthenticated("token_invalid", "The API token is not valid.")
    token = ApiToken.objects.select_related("user").filter(token_hash=_hash(secret)).first()
    if token is None:
        raise NotAuthenticated("token_invalid", "The API token is not valid.")
    now = timezone.now()
    if token.revoked_at is not None:
        raise NotAuthenticated("token_revoked", "The API token has been revoked.")
    if token.expires_at is not None and token.expires_at <= now:
        raise NotAuthenticated("token_expired", "The API token has expired.")
    if not token.user.is_active:
        raise NotAuthenticated("account_inactive", "This account has been deactivated.")
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
