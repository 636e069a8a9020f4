"""Use cases of open data: applications for conditional resources and their decision, developer
keys (issue, revoke, authenticate, rate limit), usage counts, filing under topics and tags.

Every state change writes its audit record in the same transaction."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from smartgov.accounts.scope import access
from smartgov.catalog.models import OpenType, Resource
from smartgov.core import audit
from smartgov.core.crypto import sm3_hex
from smartgov.core.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDeniedError,
    Throttled,
)
from smartgov.opendata.models import (
    ApplicationStatus,
    DeveloperKey,
    KeyWindow,
    License,
    OpenApplication,
    Publication,
    Tag,
    Topic,
)
from smartgov.opendata.permissions import Perm
from smartgov.opendata.selectors import open_resources

DEVELOPER_KINDS = ("citizen", "enterprise")
KEY_PREFIX = "sgo_"  # a public marker of open-API keys (CKAN-style Authorization header)
MAX_KEYS_PER_USER = 5
DEFAULT_RATE = 60  # calls per key per minute
MAX_PURPOSE = 2000
USAGE_KINDS = {"view": "view_count", "download": "download_count", "api": "api_count"}
_TOUCH_INTERVAL = timedelta(minutes=1)


def _require_developer(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated("login_required", "Log in as a citizen or enterprise first.")
    if actor.kind not in DEVELOPER_KINDS or not actor.is_active:
        raise PermissionDeniedError(
            "developer_only",
            "Only citizen and enterprise accounts can apply for open data or hold open-API keys.",
        )


# --- Usage counts --------------------------------------------------------------------------


def record_usage(*, resource_id: int, kind: str, amount: int = 1) -> None:
    """Add to a resource's page-view, download or API-call count (race-safe, no audit: these
    are statistics, not decisions)."""
    column = USAGE_KINDS[kind]
    updated = Publication.objects.filter(resource_id=resource_id).update(
        **{column: F(column) + amount}
    )
    if not updated:
        try:
            with transaction.atomic():
                Publication.objects.create(resource_id=resource_id, **{column: amount})
        except IntegrityError:  # made by a concurrent request in between
            Publication.objects.filter(resource_id=resource_id).update(
                **{column: F(column) + amount}
            )


# --- Topics, tags, license -----------------------------------------------------------------


@transaction.atomic
def file_publication(
    *,
    actor,
    resource_id: int,
    topic_code: str | None = None,
    tags: list[str] | None = None,
    license: str | None = None,
) -> Publication:
    """File an open resource under a topic and tags, with a license (data bureau)."""
    resource = access(open_resources(), actor, Perm.MANAGE_PUBLICATION, pk=resource_id)
    pub, _ = Publication.objects.select_for_update().get_or_create(resource=resource)
    before = {"topic": pub.topic_id, "tags": sorted(pub.tags.values_list("name", flat=True))}
    before["license"] = pub.license
    if topic_code is not None:
        topic = Topic.objects.filter(code=topic_code).first() if topic_code else None
        if topic_code and topic is None:
            raise InvalidInput("unknown_topic", "No such topic.", detail={"topic": topic_code})
        pub.topic = topic
    if license is not None:
        if license not in License.values:
            raise InvalidInput("unknown_license", "No such license.", detail={"license": license})
        pub.license = license
    pub.save()
    if tags is not None:
        names = []
        for raw in tags:
            name = str(raw).strip()
            if not name or len(name) > 64:
                raise InvalidInput("tag_format", "A tag has 1–64 characters.")
            names.append(name)
        pub.tags.set([Tag.objects.get_or_create(name=n)[0] for n in dict.fromkeys(names)])
    after = {"topic": pub.topic_id, "tags": sorted(pub.tags.values_list("name", flat=True))}
    after["license"] = pub.license
    audit.record(
        actor=actor, action="opendata.publication.file", obj=pub, before=before, after=after
    )
    return pub


# --- Applications for conditionally open data ----------------------------------------------


@transaction.atomic
def apply_for_resource(*, actor, resource_id: int, purpose: str) -> OpenApplication:
    """A developer applies to use a conditionally open resource, saying what for."""
    _require_developer(actor)
    resource = open_resources().filter(pk=resource_id).first()
    if resource is None:
        raise NotFound("not_found", "No such open data resource.")
    if resource.open_type != OpenType.CONDITIONAL:
        raise Conflict("not_conditional", "This resource is open to everyone; no need to apply.")
    purpose = (purpose or "").strip()
    if len(purpose) < 5 or len(purpose) > MAX_PURPOSE:
        raise InvalidInput(
            "purpose_required", "Describe the purpose in 5 to 2,000 characters.", detail=None
        )
    current = OpenApplication.objects.filter(
        resource=resource,
        applicant=actor,
        status__in=[ApplicationStatus.PENDING, ApplicationStatus.APPROVED],
    ).first()
    if current is not None:
        raise Conflict(
            "already_applied",
            "You have already applied for this resource.",
            detail={"status": current.status},
        )
    application = OpenApplication.objects.create(
        resource=resource, applicant=actor, purpose=purpose
    )
    audit.record(
        actor=actor,
        action="opendata.application.create",
        obj=application,
        after=audit.snapshot(application),
    )
    return application


@transaction.atomic
def decide_application(
    *, actor, application_id: int, approve: bool, comment: str = ""
) -> OpenApplication:
    """The provider department (or the data bureau) approves or rejects an application."""
    application = access(
        OpenApplication.objects.select_for_update(),
        actor,
        Perm.DECIDE_APPLICATION,
        pk=application_id,
    )
    if application.status != ApplicationStatus.PENDING:
        raise Conflict(
            "already_decided",
            "This application has already been decided.",
            detail={"status": application.status},
        )
    comment = (comment or "").strip()
    if not approve and not comment:
        raise InvalidInput("reason_required", "Give a reason for the rejection.")
    before = audit.snapshot(application, ["status"])
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.comment = comment[:MAX_PURPOSE]
    application.save(update_fields=["status", "decided_at", "decided_by", "comment"])
    audit.record(
        actor=actor,
        action="opendata.application.approve" if approve else "opendata.application.reject",
        obj=application,
        before=before,
        after=audit.snapshot(application, ["status", "decided_at", "decided_by", "comment"]),
    )
    return application


# --- Developer keys ------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return sm3_hex("smartgov-open-key:" + secret)


@transaction.atomic
def create_key(
    *, actor, name: str, rate_per_minute: int = DEFAULT_RATE
) -> tuple[DeveloperKey, str]:
    """Issue an open-API key to a developer; returns the row and the secret (shown once)."""
    _require_developer(actor)
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput("name_required", "A key needs a name of 1–64 characters.")
    if not 1 <= rate_per_minute <= 6000:
        raise InvalidInput("rate_range", "The rate limit is 1 to 6,000 calls per minute.")
    active = DeveloperKey.objects.filter(user=actor, revoked_at__isnull=True).count()
    if active >= MAX_KEYS_PER_USER:
        raise Conflict("too_many_keys", "Revoke an old key before creating another.")
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = DeveloperKey.objects.create(
        user=actor,
        name=name,
        prefix=prefix,
        key_hash=_hash(secret),
        rate_per_minute=rate_per_minute,
    )
    audit.record(actor=actor, action="opendata.key.create", obj=key, after=audit.snapshot(key))
    return key, secret


@transaction.atomic
def revoke_key(*, actor, key_id: int) -> DeveloperKey:
    """Revoke one's own key; it stops working at once."""
    key = DeveloperKey.objects.select_for_update().filter(pk=key_id, user=actor).first()
    if key is None:
        raise NotFound("not_found", "No such key.")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="opendata.key.revoke",
            obj=key,
            after={"revoked_at": key.revoked_at.isoformat()},
        )
    return key


def authenticate_key(secret: str) -> DeveloperKey:
    """The active key behind an Authorization header value (raw, as CKAN's API tokens)."""
    secret = (secret or "").strip()
    if secret.lower().startswith("bearer "):
        secret = secret[7:].strip()
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        raise NotAuthenticated("invalid_key", "The API key is not valid.")
    key = DeveloperKey.objects.select_related("user").filter(key_hash=_hash(secret)).first()
    if key is None:
        raise NotAuthenticated("invalid_key", "The API key is not valid.")
    if key.revoked_at is not None:
        raise NotAuthenticated("key_revoked", "The API key has been revoked.")
    if not key.user.is_active:
        raise NotAuthenticated("account_inactive", "The account of this key is disabled.")
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > _TOUCH_INTERVAL:
        DeveloperKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def check_rate(key: DeveloperKey, now=None) -> int:
    """Count one call in the key's current minute; Throttled (429, with the seconds to wait in
    ``detail['retry_after']``) past its limit. Returns the calls left in this minute."""
    now = now or timezone.now()
    window = now.replace(second=0, microsecond=0)
    updated = KeyWindow.objects.filter(key=key, window_start=window).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                KeyWindow.objects.create(key=key, window_start=window, count=1)
            # A new minute: drop the key's old windows (kept small; one row per key and minute).
            KeyWindow.objects.filter(key=key, window_start__lt=window).delete()
        except IntegrityError:
            KeyWindow.objects.filter(key=key, window_start=window).update(count=F("count") + 1)
    count = KeyWindow.objects.filter(key=key, window_start=window).values_list("count", flat=True)
    used = count.first() or 1
    if used > key.rate_per_minute:
        retry = max(1, 60 - now.second)
        raise Throttled(
            "rate_limited",
            "Too many calls with this key; wait and try again.",
            detail={"limit_per_minute": key.rate_per_minute, "retry_after": retry},
        )
    return key.rate_per_minute - used


def resource_by_id(resource_id: int) -> Resource:
    resource = open_resources().filter(pk=resource_id).first()
    if resource is None:
        raise NotFound("not_found", "No such open data resource.")
    return resource
