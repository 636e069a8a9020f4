"""The case state machine (GB/T 30428) and what every transition shares: the table of allowed
transitions, row locking, scope checks, the timeline event and the audit record.

::

    reported ─open─▶ pending_dispatch ─dispatch─▶ dispatched ─report_back─▶ handled
       │  └─dispatch──────────────────────────────▲  │   ▲  │                 │
       └─cancel─▶ cancelled ◀─cancel─ pending     │  │   │  └─return─▶ pending_dispatch
                                                  │  │   └─rework (verify failed)─┤
       dispatched ─deferral approved─▶ deferred ─resume─▶ dispatched      verify passed
       reported / pending / dispatched ─merge─▶ merged                          ▼
       closed ─reopen─▶ pending_dispatch             closed ─rate / revisit─▶ closed
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from smartgov.accounts.scope import has_perm, restrict
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.governance.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseRequest,
    CaseStatus,
    RequestState,
)
from smartgov.governance.permissions import Perm

S = CaseStatus
MAX_TEXT = 5000  # a case description (the "text of 100 KB" is refused)
MAX_COMMENT = 2000

# action → (statuses it may start from, status it leads to; None = the status stays)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "open": (frozenset({S.REPORTED}), S.PENDING_DISPATCH),
    "cancel": (frozenset({S.REPORTED, S.PENDING_DISPATCH}), S.CANCELLED),
    "dispatch": (frozenset({S.REPORTED, S.PENDING_DISPATCH}), S.DISPATCHED),
    "redispatch": (frozenset({S.DISPATCHED}), S.DISPATCHED),
    "accept": (frozenset({S.DISPATCHED}), None),
    "return": (frozenset({S.DISPATCHED}), S.PENDING_DISPATCH),
    "progress": (frozenset({S.DISPATCHED, S.DEFERRED}), None),
    "report_back": (frozenset({S.DISPATCHED, S.DEFERRED}), S.HANDLED),
    "verify_pass": (frozenset({S.HANDLED}), S.CLOSED),
    "verify_fail": (frozenset({S.HANDLED}), S.DISPATCHED),
    "request_extension": (frozenset({S.DISPATCHED}), None),
    "request_deferral": (frozenset({S.DISPATCHED}), None),
    "approve_extension": (frozenset({S.DISPATCHED}), None),
    "approve_deferral": (frozenset({S.DISPATCHED}), S.DEFERRED),
    "reject_request": (frozenset({S.DISPATCHED}), None),
    "resume": (frozenset({S.DEFERRED}), S.DISPATCHED),
    "warn": (frozenset({S.DISPATCHED}), None),
    "supervise": (frozenset(OPEN_STATUSES), None),
    "merge_main": (frozenset(OPEN_STATUSES), None),
    "merge_duplicate": (frozenset({S.REPORTED, S.PENDING_DISPATCH, S.DISPATCHED}), S.MERGED),
    "rate": (frozenset({S.CLOSED}), None),
    "revisit": (frozenset({S.CLOSED}), None),
    "reopen": (frozenset({S.CLOSED}), S.PENDING_DISPATCH),
    "attach": (frozenset({*OPEN_STATUSES, S.CLOSED}), None),
}


def allowed_actions(case: Case) -> list[str]:
    """The actions the table allows from the case's current status (not who may take them)."""
    return [action for action, (sources, _) in TRANSITIONS.items() if case.status in sources]


def check_transition(case: Case, action: str) -> str:
    """The status ``action`` leads to; ``Conflict("invalid_transition")`` when not allowed."""
    sources, target = TRANSITIONS[action]
    if case.status not in sources:
        raise Conflict(
            "invalid_transition",
            "This action is not possible in the case's current state.",
            detail={"status": case.status, "action": action},
        )
    return target or case.status


def lock(case: Case | int) -> Case:
    """The case row, locked for the rest of the transaction (re-read: the state may have moved
    since the caller loaded it)."""
    pk = case.pk if isinstance(case, Case) else case
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "department", "district", "street")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise NotFound("not_found", "No such case.")
    return locked


def now() -> datetime:
    return timezone.now()


# --- Who may act ----------------------------------------------------------------------------


def is_staff(actor) -> bool:
    return getattr(actor, "kind", "") == "staff" and getattr(actor, "is_active", False)


def in_scope(actor, perm: str, case: Case) -> bool:
    """Whether ``perm`` covers this case for the actor (role and data scope)."""
    if actor is None or not has_perm(actor, perm):
        return False
    return restrict(Case.objects.filter(pk=case.pk), actor, perm).exists()


def require_case_perm(actor, perm: str, case: Case, *, recorder_ok: bool = False) -> None:
    """Refuse unless ``perm`` covers the case; the agent who recorded a case may also act on
    it with ``recorder_ok`` (the hotline revisits its own callers)."""
    if actor is None or not has_perm(actor, perm):
        raise PermissionDeniedError(
            "permission_denied",
            "You do not have the permission for this action.",
            detail={"permission": str(perm)},
        )
    if recorder_ok and case.recorded_by_id is not None and case.recorded_by_id == actor.pk:
        return
    if not in_scope(actor, perm, case):
        if perm == Perm.HANDLE:
            raise PermissionDeniedError(
                "case_not_assigned",
                "This case is assigned to another department.",
                detail={"case": case.number},
            )
        raise PermissionDeniedError(
            "case_out_of_scope",
            "This case is outside your data scope.",
            detail={"case": case.number},
        )


# --- Input ----------------------------------------------------------------------------------


def clean_text(value, *, field: str, limit: int = MAX_COMMENT, required: bool = True) -> str:
    """Stripped text: ``<field>_required`` when empty (and required), ``<field>_too_long`` or,
    for the description, ``text_too_long`` past ``limit`` characters."""
    text = ("" if value is None else str(value)).strip()
    if required and not text:
        raise InvalidInput(f"{field}_required", "This text is required.", detail={"field": field})
    if len(text) > limit:
        raise InvalidInput(
            f"{field}_too_long",
            "This text is too long.",
            detail={"field": field, "max_length": limit, "length": len(text)},
        )
    return text


# --- Timeline and audit ---------------------------------------------------------------------


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "display_name", "") or getattr(actor, "username", "") or "system"


def write_event(
    case: Case,
    kind: str,
    *,
    actor,
    comment: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict | None = None,
    department=None,
    at: datetime | None = None,
) -> CaseEvent:
    """Append one timeline row (who, when, what, from which status to which)."""
    event = new_event(
        case,
        kind,
        actor=actor,
        comment=comment,
        from_status=from_status,
        to_status=to_status,
        data=data,
        department=department,
        at=at,
    )
    event.save(force_insert=True)
    return event


def new_event(
    case: Case,
    kind: str,
    *,
    actor,
    comment: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict | None = None,
    department=None,
    at: datetime | None = None,
) -> CaseEvent:
    """The timeline row ``write_event`` appends, not yet saved (several events of one change
    can then be written with one ``bulk_create``)."""
    return CaseEvent(
        case=case,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_label(actor)[:150],
        department=department,
        comment=comment,
        data=audit.to_jsonable(data or {}),
        created_at=at or now(),
    )


AUDITED_FIELDS = [
    "status",
    "category",
    "department",
    "handler",
    "due_at",
    "paused_at",
    "warning",
    "escalation_level",
    "main_case",
    "rating",
    "satisfied",
    "reopen_count",
]


def snapshot(case: Case) -> dict:
    return audit.snapshot(case, AUDITED_FIELDS)


def audit_case(actor, action: str, case: Case, before: dict | None) -> None:
    audit.record(
        actor=actor,
        action=f"governance.case.{action}",
        obj=case,
        before=before,
        after=snapshot(case),
    )


def drop_pending_requests(case: Case, *, actor, reason: str, at: datetime) -> int:
    """Close a pending extension/deferral request the case's new state makes moot."""
    return CaseRequest.objects.filter(case=case, state=RequestState.PENDING).update(
        state=RequestState.REJECTED,
        decided_by=actor if getattr(actor, "pk", None) else None,
        decided_at=at,
        decision_comment=reason,
    )


def ids(items: Iterable) -> list[int]:
    return [getattr(item, "pk", item) for item in items]
