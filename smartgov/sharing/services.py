"""Data-sharing use cases: consumer apps and their secrets, access requests and their approval
steps, grants. Each function is one transaction and writes its audit record in it.

Request lifecycle (one function per transition)::

    submit ─┬─ unconditional ──────────────────────────────────────▶ approved + grant
            └─ conditional ─▶ pending_provider ─approve─┬─ graded ─▶ pending_bureau
                               │                        └─ general ─▶ approved + grant
                               ├─ reject ─▶ rejected
                               └─ withdraw ─▶ withdrawn
    pending_bureau ─approve─▶ approved + grant | ─reject─▶ rejected | ─withdraw─▶ withdrawn

Each approval may narrow the fields and the fields in clear (never widen them); the last one
creates the grant with what is left. Steps have working-day time limits (the workbench inbox
shows them, overdue first).
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from smartgov.accounts.scope import require_perm
from smartgov.catalog.models import Resource, ResourceStatus, ShareType
from smartgov.core import audit
from smartgov.core.crypto import encrypt_field
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import Department
from smartgov.core.validators import check_phone
from smartgov.core.workcalendar import add_working_days
from smartgov.sharing import selectors
from smartgov.sharing.models import (
    AccessRequest,
    ApprovalStep,
    AppStatus,
    ConsumerApp,
    Grant,
    GrantStatus,
    RequestStatus,
    StepStage,
    StepStatus,
)
from smartgov.sharing.permissions import Perm

MAX_IP_ENTRIES = 50
MAX_TEXT = 2000
PENDING = frozenset({RequestStatus.PENDING_PROVIDER, RequestStatus.PENDING_BUREAU})


def approval_working_days() -> int:
    return int(getattr(settings, "SHARING_APPROVAL_WORKING_DAYS", 5))


def max_rate_per_minute() -> int:
    return int(getattr(settings, "SHARING_MAX_RATE_PER_MINUTE", 6000))


def max_grant_days() -> int:
    return int(getattr(settings, "SHARING_MAX_GRANT_DAYS", 3 * 366))


# --- Shared helpers -----------------------------------------------------------------------


def new_secret() -> str:
    """The app secret as the gateway expects it (shown once, stored SM4-encrypted)."""
    return secrets.token_urlsafe(32)


def new_app_key() -> str:
    return "sg" + secrets.token_hex(15)


def clean_text(value, *, code: str, message: str, limit: int = MAX_TEXT, required=True) -> str:
    """Stripped text within ``limit`` characters (and not empty when ``required``)."""
    value = (value or "").strip()
    if (required and not value) or len(value) > limit:
        raise InvalidInput(code, message, detail={"max_length": limit})
    return value


def _next_number(model, prefix: str) -> str:
    stem = f"{prefix}{timezone.localdate():%Y%m%d}"
    last = (
        model.objects.filter(number__startswith=stem)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last[len(stem) :]) + 1 if last else 1
    return f"{stem}{sequence:05d}"


def create_numbered(model, prefix: str, **values):
    """Create a row with the next day-sequenced number, retrying when a concurrent writer took
    the same number."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return model.objects.create(number=_next_number(model, prefix), **values)
        except IntegrityError:
            continue
    raise Conflict("number_taken", "Could not number the new record; please try again.")


def _snapshot(obj) -> dict:
    return audit.snapshot(obj)


def end_of_day(day: date):
    """The last moment of a due date (local time): a step due today is not overdue yet."""
    return timezone.make_aware(datetime.combine(day, time.max), timezone.get_current_timezone())


# --- Consumer apps ------------------------------------------------------------------------


def clean_ip_allowlist(entries) -> list[str]:
    """IPv4/IPv6 addresses or CIDR blocks, normalised (10.1.2.0/24, 2001:db8::/32)."""
    if isinstance(entries, str):
        entries = entries.replace(",", "\n").split()
    cleaned: list[str] = []
    for raw in entries or []:
        value = str(raw).strip()
        if not value:
            continue
        try:
            shown = (
                str(ipaddress.ip_network(value, strict=False))
                if "/" in value
                else str(ipaddress.ip_address(value))
            )
        except ValueError as exc:
            raise InvalidInput(
                "invalid_ip",
                gettext_noop("An allowed address is an IPv4/IPv6 address or a CIDR block."),
                detail={"value": value[:64]},
            ) from exc
        if shown not in cleaned:
            cleaned.append(shown)
    if len(cleaned) > MAX_IP_ENTRIES:
        raise InvalidInput(
            "too_many_ips",
            gettext_noop("An allow-list holds at most 50 entries."),
            detail={"max": MAX_IP_ENTRIES},
        )
    return cleaned


def _owner_department(actor, department_id: int | None) -> Department:
    require_perm(actor, Perm.CONSUME)
    departments = selectors.consumer_departments(actor)
    if department_id is not None:
        department = departments.filter(pk=department_id).first()
        if department is None:
            raise NotFound("department_not_found", selectors.NOT_FOUND)
        return department
    for membership in actor.memberships.select_related("department", "role"):
        if str(Perm.CONSUME) in membership.role.permissions:
            return membership.department
    raise PermissionDeniedError("permission_denied", "You do not have the permission.")


def _managed_app(actor, app_id: int) -> ConsumerApp:
    """The app, locked, when the actor manages its department's apps (or is the bureau)."""
    app = selectors.visible_apps(actor).select_for_update(of=("self",)).filter(pk=app_id).first()
    if app is None:
        raise NotFound("not_found", selectors.NOT_FOUND)
    return app


@transaction.atomic
def register_app(
    *,
    actor,
    name: str,
    contact_name: str,
    contact_phone: str,
    ip_allowlist=(),
    department_id: int | None = None,
) -> tuple[ConsumerApp, str]:
    """Register an application system of the actor's department; returns it and its secret
    (the only time the secret is available in clear)."""
    department = _owner_department(actor, department_id)
    name = clean_text(
        name,
        code="name_required",
        message=gettext_noop("An app needs a name of 1–128 characters."),
        limit=128,
    )
    contact_name = clean_text(
        contact_name,
        code="contact_required",
        message=gettext_noop("Name the contact person (up to 64 characters)."),
        limit=64,
    )
    phone = check_phone(contact_phone or "")
    allowlist = clean_ip_allowlist(ip_allowlist)
    if ConsumerApp.objects.filter(
        department=department, name=name, status=AppStatus.ACTIVE
    ).exists():
        raise Conflict(
            "app_name_exists", "The department already has an active app with this name."
        )
    secret = new_secret()
    app = ConsumerApp.objects.create(
        name=name,
        department=department,
        contact_name=contact_name,
        contact_phone=phone,
        ip_allowlist=allowlist,
        app_key=new_app_key(),
        secret_encrypted=encrypt_field(secret),
        created_by=actor,
    )
    audit.record(actor=actor, action="sharing.app.register", obj=app, after=_snapshot(app))
    return app, secret


@transaction.atomic
def update_app(
    *,
    actor,
    app_id: int,
    name: str | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    ip_allowlist=None,
) -> ConsumerApp:
    """Change an active app's name, contact or allow-list (not its key or secret)."""
    app = _managed_app(actor, app_id)
    _require_active(app)
    before = _snapshot(app)
    if name is not None:
        app.name = clean_text(
            name,
            code="name_required",
            message=gettext_noop("An app needs a name of 1–128 characters."),
            limit=128,
        )
    if contact_name is not None:
        app.contact_name = clean_text(
            contact_name,
            code="contact_required",
            message=gettext_noop("Name the contact person (up to 64 characters)."),
            limit=64,
        )
    if contact_phone is not None:
        app.contact_phone = check_phone(contact_phone)
    if ip_allowlist is not None:
        app.ip_allowlist = clean_ip_allowlist(ip_allowlist)
    app.save()
    audit.record(
        actor=actor, action="sharing.app.update", obj=app, before=before, after=_snapshot(app)
    )
    return app


def _require_active(app: ConsumerApp) -> None:
    if app.status != AppStatus.ACTIVE:
        raise Conflict("app_revoked", "The app has been revoked.", detail={"app_id": app.pk})


@transaction.atomic
def rotate_secret(*, actor, app_id: int) -> tuple[ConsumerApp, str]:
    """Issue a new secret (shown once); the old one stops working at once."""
    app = _managed_app(actor, app_id)
    _require_active(app)
    secret = new_secret()
    app.secret_encrypted = encrypt_field(secret)
    app.secret_version += 1
    app.secret_rotated_at = timezone.now()
    app.save(
        update_fields=["secret_encrypted", "secret_version", "secret_rotated_at", "updated_at"]
    )
    audit.record(
        actor=actor,
        action="sharing.app.rotate_secret",
        obj=app,
        after={"secret_version": app.secret_version},
    )
    return app, secret


@transaction.atomic
def revoke_app(*, actor, app_id: int, reason: str = "") -> ConsumerApp:
    """Revoke an app: its grants stop at once and its pending requests are withdrawn."""
    app = _managed_app(actor, app_id)
    _require_active(app)
    reason = (reason or "").strip()[:MAX_TEXT]
    now = timezone.now()
    before = _snapshot(app)
    app.status = AppStatus.REVOKED
    app.revoked_at = now
    app.save(update_fields=["status", "revoked_at", "updated_at"])
    grants = list(Grant.objects.select_for_update().filter(app=app, status=GrantStatus.ACTIVE))
    for grant in grants:
        _revoke_grant(grant, actor=actor, reason=reason or gettext("The app was revoked."), now=now)
    for request in AccessRequest.objects.select_for_update().filter(app=app, status__in=PENDING):
        _close_request(
            request,
            actor=actor,
            status=RequestStatus.WITHDRAWN,
            comment=gettext("The app was revoked."),
            now=now,
        )
    audit.record(
        actor=actor,
        action="sharing.app.revoke",
        obj=app,
        before=before,
        after={**_snapshot(app), "reason": reason, "grants_revoked": [g.pk for g in grants]},
    )
    return app


# --- Access requests ----------------------------------------------------------------------


def _shareable_resource(resource_id: int) -> Resource:
    resource = Resource.objects.select_related("provider").filter(pk=resource_id).first()
    if resource is None or resource.status != ResourceStatus.PUBLISHED:
        raise NotFound(
            "resource_not_found", "No such published resource.", detail={"resource_id": resource_id}
        )
    if resource.share_type == ShareType.NONE:
        raise Conflict(
            "resource_not_shared",
            gettext_noop("This resource is not shared (不予共享): it cannot be requested."),
            detail={"resource_id": resource.pk},
        )
    return resource


def clean_fields(resource: Resource, fields, clear_fields) -> tuple[list[str], list[str]]:
    """The requested field names (in the resource's order): known, at least one, clear ⊆ all."""
    names = [f.name for f in resource.fields.order_by("position", "id")]
    wanted = [str(f) for f in (fields or [])]
    clear = [str(f) for f in (clear_fields or [])]
    if not wanted:
        raise InvalidInput("fields_required", "Choose at least one field.")
    unknown = sorted(set(wanted + clear) - set(names))
    if unknown:
        raise InvalidInput(
            "unknown_fields", "The resource has no such field.", detail={"unknown": unknown}
        )
    if not set(clear) <= set(wanted):
        raise InvalidInput(
            "clear_fields_not_requested",
            "Fields asked for in clear must be among the requested fields.",
            detail={"fields": sorted(set(clear) - set(wanted))},
        )
    return [n for n in names if n in wanted], [n for n in names if n in clear]


def _clean_period(valid_from: date, valid_until: date) -> None:
    today = timezone.localdate()
    if valid_from is None or valid_until is None:
        raise InvalidInput("period_required", "Give the period of use (from and until).")
    if valid_from < today:
        raise InvalidInput(
            "period_in_past",
            "The period cannot start in the past.",
            detail={"valid_from": valid_from, "today": today},
        )
    if valid_from > today + timedelta(days=366):
        raise InvalidInput("period_too_far", "The period must start within a year.")
    if valid_until < valid_from:
        raise InvalidInput("period_reversed", "The period ends before it starts.")
    if (valid_until - valid_from).days > max_grant_days():
        raise InvalidInput(
            "period_too_long",
            "A grant lasts at most three years; ask again to renew it.",
            detail={"max_days": max_grant_days()},
        )


def _clean_volume(expected_daily_calls: int, rate_per_minute: int) -> None:
    if not 0 <= int(expected_daily_calls) <= 100_000_000:
        raise InvalidInput(
            "daily_calls_range", "Expected calls per day are between 0 and 100,000,000."
        )
    if not 1 <= int(rate_per_minute) <= max_rate_per_minute():
        raise InvalidInput(
            "rate_out_of_range",
            "The rate per minute is between 1 and the platform's maximum.",
            detail={"max": max_rate_per_minute()},
        )


def _create_grant(request: AccessRequest, *, actor, fields, clear_fields) -> Grant:
    grant = Grant.objects.create(
        request=request,
        app=request.app,
        consumer=request.consumer,
        resource=request.resource,
        fields=list(fields),
        clear_fields=list(clear_fields),
        purpose=request.purpose,
        valid_from=request.valid_from,
        valid_until=request.valid_until,
        rate_per_minute=request.rate_per_minute,
    )
    audit.record(actor=actor, action="sharing.grant.create", obj=grant, after=_snapshot(grant))
    return grant


@transaction.atomic
def submit_request(
    *,
    actor,
    app_id: int,
    resource_id: int,
    fields: list[str],
    purpose: str,
    legal_basis: str,
    valid_from: date,
    valid_until: date,
    clear_fields: list[str] | None = None,
    expected_daily_calls: int = 0,
    rate_per_minute: int = 60,
) -> AccessRequest:
    """A consumer department asks for fields of a resource for one of its apps. Unconditional
    resources are granted at once; conditional ones go to the provider (and the bureau)."""
    require_perm(actor, Perm.CONSUME)
    app = selectors.visible_apps(actor).select_for_update(of=("self",)).filter(pk=app_id).first()
    if (
        app is None
        or not selectors.consumer_departments(actor).filter(pk=app.department_id).exists()
    ):
        raise NotFound("app_not_found", selectors.NOT_FOUND, detail={"app_id": app_id})
    _require_active(app)
    resource = _shareable_resource(resource_id)
    if resource.provider_id == app.department_id:
        raise InvalidInput(
            "own_resource", "A department reads its own resources directly, not by a request."
        )
    wanted, clear = clean_fields(resource, fields, clear_fields)
    purpose = clean_text(
        purpose, code="purpose_required", message=gettext_noop("State the purpose of use.")
    )
    legal_basis = clean_text(
        legal_basis, code="legal_basis_required", message=gettext_noop("State the legal basis.")
    )
    _clean_period(valid_from, valid_until)
    _clean_volume(expected_daily_calls, rate_per_minute)
    if AccessRequest.objects.filter(app=app, resource=resource, status__in=PENDING).exists():
        raise Conflict(
            "request_pending",
            "This app already has a pending request for the resource.",
        )
    unconditional = resource.share_type == ShareType.UNCONDITIONAL
    now = timezone.now()
    request = create_numbered(
        AccessRequest,
        "SQ",
        app=app,
        consumer=app.department,
        resource=resource,
        fields=wanted,
        clear_fields=clear,
        purpose=purpose,
        legal_basis=legal_basis,
        valid_from=valid_from,
        valid_until=valid_until,
        expected_daily_calls=int(expected_daily_calls),
        rate_per_minute=int(rate_per_minute),
        status=RequestStatus.APPROVED if unconditional else RequestStatus.PENDING_PROVIDER,
        submitted_by=actor,
        decided_at=now if unconditional else None,
        decision_comment=gettext("Unconditional sharing: granted on request.")
        if unconditional
        else "",
    )
    if not unconditional:
        ApprovalStep.objects.create(
            request=request,
            stage=StepStage.PROVIDER,
            position=1,
            department=resource.provider,
            status=StepStatus.PENDING,
            opened_at=now,
            due_date=add_working_days(timezone.localdate(), approval_working_days()),
        )
        if selectors.resource_needs_bureau(resource):
            ApprovalStep.objects.create(
                request=request, stage=StepStage.BUREAU, position=2, status=StepStatus.WAITING
            )
    audit.record(
        actor=actor,
        action="sharing.request.submit",
        obj=request,
        after={**_snapshot(request), "steps": request.steps.count()},
    )
    if unconditional:
        _create_grant(request, actor=actor, fields=wanted, clear_fields=clear)
    return request


def _close_request(request: AccessRequest, *, actor, status: str, comment: str, now) -> None:
    """End a pending request (withdrawn or rejected): the steps not decided are cancelled."""
    request.status = status
    request.decided_at = now
    request.decision_comment = comment
    request.save(update_fields=["status", "decided_at", "decision_comment"])
    request.steps.filter(status__in=[StepStatus.PENDING, StepStatus.WAITING]).update(
        status=StepStatus.CANCELLED
    )
    audit.record(
        actor=actor,
        action=f"sharing.request.{status}",
        obj=request,
        after={"status": status, "comment": comment},
    )


@transaction.atomic
def withdraw_request(*, actor, request_id: int) -> AccessRequest:
    """The consumer takes back a request that is still pending."""
    require_perm(actor, Perm.CONSUME)
    request = (
        selectors.own_requests(actor).select_for_update(of=("self",)).filter(pk=request_id).first()
    )
    if request is None:
        raise NotFound("not_found", selectors.NOT_FOUND)
    if request.status not in PENDING:
        raise Conflict(
            "request_not_pending",
            "Only a pending request can be withdrawn.",
            detail={"status": request.status},
        )
    _close_request(
        request, actor=actor, status=RequestStatus.WITHDRAWN, comment="", now=timezone.now()
    )
    return request


def _decidable_step(actor, step_id: int) -> ApprovalStep:
    step = (
        ApprovalStep.objects.select_for_update(of=("self",))
        .select_related("request", "request__resource", "request__app")
        .filter(pk=step_id)
        .first()
    )
    if step is None:
        raise NotFound("not_found", selectors.NOT_FOUND)
    visible = (
        getattr(actor, "kind", "") == "staff"
        and selectors.visible_requests(actor).filter(pk=step.request_id).exists()
    )
    if not visible:
        raise NotFound("not_found", selectors.NOT_FOUND)
    if step.status != StepStatus.PENDING:
        raise Conflict(
            "step_not_pending",
            "This step is not waiting for a decision (already decided, or not yet due).",
            detail={"status": step.status},
        )
    if not selectors.decidable_steps(actor).filter(pk=step.pk).exists():
        raise PermissionDeniedError(
            "not_your_step",
            "This approval step belongs to another department or to the data bureau.",
            detail={"stage": step.stage},
        )
    return step


def allowed_for(step: ApprovalStep) -> tuple[list[str], list[str]]:
    """What the step may approve at most: the previous approval's fields, or the request's."""
    previous = (
        step.request.steps.filter(position__lt=step.position, status=StepStatus.APPROVED)
        .order_by("-position")
        .first()
    )
    if previous is not None:
        return list(previous.approved_fields), list(previous.approved_clear_fields)
    return list(step.request.fields), list(step.request.clear_fields)


def narrow_fields(
    allowed: list[str], allowed_clear: list[str], fields, clear_fields
) -> tuple[list[str], list[str]]:
    """The approved fields: a non-empty subset of ``allowed`` (None keeps them all); the clear
    ones a subset of both ``allowed_clear`` and the approved fields."""
    approved = list(allowed) if fields is None else [str(f) for f in fields]
    if not approved:
        raise InvalidInput("fields_required", "Approve at least one field, or reject the request.")
    widened = sorted(set(approved) - set(allowed))
    if widened:
        raise InvalidInput(
            "fields_widened",
            "An approval can only narrow the requested fields.",
            detail={"fields": widened},
        )
    if clear_fields is None:
        clear = [f for f in allowed_clear if f in approved]
    else:
        clear = [str(f) for f in clear_fields]
        widened = sorted(set(clear) - set(allowed_clear))
        if widened:
            raise InvalidInput(
                "clear_fields_widened",
                "An approval can only narrow the fields granted in clear.",
                detail={"fields": widened},
            )
        outside = sorted(set(clear) - set(approved))
        if outside:
            raise InvalidInput(
                "clear_fields_not_approved",
                "Fields in clear must be among the approved fields.",
                detail={"fields": outside},
            )
    return [f for f in allowed if f in approved], [f for f in allowed_clear if f in clear]


@transaction.atomic
def approve_step(
    *,
    actor,
    step_id: int,
    fields: list[str] | None = None,
    clear_fields: list[str] | None = None,
    comment: str = "",
) -> ApprovalStep:
    """Approve a pending step, possibly narrowing the fields; the last approval grants."""
    step = _decidable_step(actor, step_id)
    request = AccessRequest.objects.select_for_update().get(pk=step.request_id)
    if request.steps.filter(position__lt=step.position, decided_by=actor).exists():
        # Two steps are two pairs of eyes: whoever approved for the provider (a city-wide
        # administrator may) does not approve for the data bureau as well.
        raise Conflict(
            "same_approver",
            "You approved an earlier step of this request; another person decides this one.",
        )
    if request.resource.status != ResourceStatus.PUBLISHED:
        raise Conflict(
            "resource_not_published",
            "The resource has been withdrawn from the catalog; reject the request.",
            detail={"status": request.resource.status},
        )
    allowed, allowed_clear = allowed_for(step)
    approved, clear = narrow_fields(allowed, allowed_clear, fields, clear_fields)
    comment = clean_text(
        comment,
        code="comment_too_long",
        message=gettext_noop("A comment is at most 2000 characters."),
        required=False,
    )
    now = timezone.now()
    step.status = StepStatus.APPROVED
    step.approved_fields = approved
    step.approved_clear_fields = clear
    step.decided_by = actor
    step.decided_at = now
    step.comment = comment
    step.save()
    audit.record(actor=actor, action="sharing.step.approve", obj=step, after=_snapshot(step))
    following = request.steps.filter(position__gt=step.position).order_by("position").first()
    if following is not None:
        following.status = StepStatus.PENDING
        following.opened_at = now
        following.due_date = add_working_days(timezone.localdate(), approval_working_days())
        following.save(update_fields=["status", "opened_at", "due_date"])
        request.status = RequestStatus.PENDING_BUREAU
        request.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="sharing.request.to_bureau",
            obj=request,
            after={"status": request.status, "step": following.pk},
        )
        return step
    request.status = RequestStatus.APPROVED
    request.decided_at = now
    request.decision_comment = comment
    request.save(update_fields=["status", "decided_at", "decision_comment"])
    audit.record(
        actor=actor,
        action="sharing.request.approved",
        obj=request,
        after={"status": request.status, "fields": approved, "clear_fields": clear},
    )
    _create_grant(request, actor=actor, fields=approved, clear_fields=clear)
    return step


@transaction.atomic
def reject_step(*, actor, step_id: int, reason: str) -> ApprovalStep:
    """Reject a pending step (with the reason): the request is rejected."""
    step = _decidable_step(actor, step_id)
    reason = clean_text(
        reason, code="reason_required", message=gettext_noop("Give the reason for the rejection.")
    )
    request = AccessRequest.objects.select_for_update().get(pk=step.request_id)
    now = timezone.now()
    step.status = StepStatus.REJECTED
    step.decided_by = actor
    step.decided_at = now
    step.comment = reason
    step.save()
    audit.record(actor=actor, action="sharing.step.reject", obj=step, after=_snapshot(step))
    _close_request(request, actor=actor, status=RequestStatus.REJECTED, comment=reason, now=now)
    return step


@transaction.atomic
def mark_outcome_seen(*, actor, request_id: int) -> None:
    """The submitter has seen the decision: its inbox item goes away."""
    AccessRequest.objects.filter(
        pk=request_id,
        submitted_by=actor,
        outcome_seen_at__isnull=True,
        status__in=[RequestStatus.APPROVED, RequestStatus.REJECTED],
    ).update(outcome_seen_at=timezone.now())


# --- Grants -------------------------------------------------------------------------------


def _revoke_grant(grant: Grant, *, actor, reason: str, now) -> None:
    before = _snapshot(grant)
    grant.status = GrantStatus.REVOKED
    grant.revoked_at = now
    grant.revoked_reason = reason
    grant.save(update_fields=["status", "revoked_at", "revoked_reason", "updated_at"])
    audit.record(
        actor=actor,
        action="sharing.grant.revoke",
        obj=grant,
        before=before,
        after=_snapshot(grant),
    )


@transaction.atomic
def revoke_grant(*, actor, grant_id: int, reason: str) -> Grant:
    """Stop a grant at once (the consumer, the provider or the data bureau), with a reason."""
    grant = (
        selectors.visible_grants(actor).select_for_update(of=("self",)).filter(pk=grant_id).first()
    )
    if grant is None:
        raise NotFound("not_found", selectors.NOT_FOUND)
    reason = clean_text(
        reason, code="reason_required", message=gettext_noop("Give the reason for revoking.")
    )
    if grant.status != GrantStatus.ACTIVE:
        raise Conflict(
            "grant_not_active",
            "Only an active grant can be revoked.",
            detail={"status": grant.status},
        )
    _revoke_grant(grant, actor=actor, reason=reason, now=timezone.now())
    return grant


def expire_grants(*, today: date | None = None) -> int:
    """Mark active grants whose period has ended as expired (the gateway refuses them by
    date anyway); one audit record per grant. Returns how many expired."""
    today = today or timezone.localdate()
    count = 0
    ids = list(
        Grant.objects.filter(status=GrantStatus.ACTIVE, valid_until__lt=today).values_list(
            "pk", flat=True
        )
    )
    for grant_id in ids:
        with transaction.atomic():
            grant = (
                Grant.objects.select_for_update()
                .filter(pk=grant_id, status=GrantStatus.ACTIVE, valid_until__lt=today)
                .first()
            )
            if grant is None:
                continue
            grant.status = GrantStatus.EXPIRED
            grant.save(update_fields=["status", "updated_at"])
            audit.record(
                actor=None,
                action="sharing.grant.expire",
                obj=grant,
                after={"status": grant.status, "valid_until": grant.valid_until},
            )
            count += 1
    return count


def is_usable(grant: Grant, *, today: date | None = None) -> bool:
    """The gateway's rule, for pages: active, within its period, and its app active."""
    today = today or timezone.localdate()
    return (
        grant.status == GrantStatus.ACTIVE
        and grant.valid_from <= today <= grant.valid_until
        and grant.app.status == AppStatus.ACTIVE
    )
