"""Open311 clients: outside systems allowed to POST service requests with an ``api_key``.

The key is shown once when the client is created; the database keeps its first characters
(to find the row) and its SM3 hash. Creating and revoking a client are audited.
"""

from __future__ import annotations

import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from smartgov.accounts.scope import require_perm
from smartgov.core import audit
from smartgov.core.crypto import sm3_hex
from smartgov.core.errors import Conflict, InvalidInput, NotFound
from smartgov.governance.models import Open311Client
from smartgov.governance.permissions import Perm

KEY_PREFIX_LENGTH = 10  # "o311" + 6 hex characters, stored in clear to find the row


def _snapshot(client: Open311Client) -> dict:
    return {
        "name": client.name,
        "contact": client.contact,
        "key_prefix": client.key_prefix,
        "active": client.active,
    }


def _check_actor(actor) -> None:
    # actor None = the command line (an operator on the server).
    if actor is not None:
        require_perm(actor, Perm.CONFIGURE)


@transaction.atomic
def create_open311_client(*, actor, name: str, contact: str = "") -> tuple[Open311Client, str]:
    """Register a client; returns it and its api_key (shown once, stored as an SM3 hash)."""
    _check_actor(actor)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name_required", "The client needs a name.")
    if len(name) > 128 or len(contact) > 128:
        raise InvalidInput("too_long", "Name and contact may have at most 128 characters.")
    while True:
        prefix = "o311" + secrets.token_hex(3)
        if not Open311Client.objects.filter(key_prefix=prefix).exists():
            break
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    client = Open311Client.objects.create(
        name=name,
        contact=contact.strip(),
        key_prefix=prefix,
        key_hash=sm3_hex(key),
        created_by=actor,
    )
    audit.record(
        actor=actor, action="governance.open311_client.create", obj=client, after=_snapshot(client)
    )
    return client, key


@transaction.atomic
def revoke_open311_client(*, actor, client: Open311Client) -> Open311Client:
    """Revoke a client: its key stops working at once."""
    _check_actor(actor)
    client = Open311Client.objects.select_for_update().get(pk=client.pk)
    if not client.active:
        raise Conflict("already_revoked", "This Open311 client is already revoked.")
    before = _snapshot(client)
    client.active = False
    client.revoked_at = timezone.now()
    client.save(update_fields=["active", "revoked_at"])
    audit.record(
        actor=actor,
        action="governance.open311_client.revoke",
        obj=client,
        before=before,
        after=_snapshot(client),
    )
    return client


def client_for_key(key: str | None) -> Open311Client | None:
    """The active client whose api_key this is, or None."""
    if not key or "." not in key or len(key) > 200:
        return None
    prefix = key.split(".", 1)[0]
    client = Open311Client.objects.filter(key_prefix=prefix, active=True).first()
    if client is None or not hmac.compare_digest(client.key_hash, sm3_hex(key)):
        return None
    return client


def get_client(prefix_or_id: str) -> Open311Client:
    lookup = {"pk": int(prefix_or_id)} if prefix_or_id.isdigit() else {"key_prefix": prefix_or_id}
    client = Open311Client.objects.filter(**lookup).first()
    if client is None:
        raise NotFound("not_found", "No Open311 client with this id or key prefix.")
    return client
