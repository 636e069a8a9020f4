"""The deadline sweep (``smartgov governance deadlines``, run every few minutes from cron or
the task scheduler): yellow warning when at most a fifth of the working time is left, red
warning once overdue with escalation to the department's head, and escalation to the
district once the case is overdue by its whole limit again; deferrals whose date has come
resume. Each step is a timeline event; running it again changes nothing."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from smartgov.core.models import Department, DepartmentKind
from smartgov.governance import clock
from smartgov.governance.models import (
    Case,
    CaseRequest,
    CaseStatus,
    EventKind,
    RequestKind,
    RequestState,
    WarningLevel,
)
from smartgov.governance.permissions import Perm
from smartgov.governance.transitions import (
    audit_case,
    check_transition,
    clean_text,
    in_scope,
    lock,
    require_case_perm,
    snapshot,
    write_event,
)

YELLOW_SHARE = 0.2
RANK = {WarningLevel.NONE: 0, WarningLevel.YELLOW: 1, WarningLevel.RED: 2}


def yellow_share() -> float:
    return float(getattr(settings, "GOVERNANCE_YELLOW_SHARE", YELLOW_SHARE))


def _wanted(case: Case, at: datetime) -> tuple[str, int]:
    """The warning and escalation level the clock calls for now."""
    left = clock.remaining(case, at)
    if left is None:
        return WarningLevel.NONE, 0
    seconds = left.total_seconds()
    total = clock.limit_seconds(case)
    if seconds < 0:
        return WarningLevel.RED, 2 if total and -seconds >= total else 1
    if total and seconds <= total * yellow_share():
        return WarningLevel.YELLOW, 0
    return WarningLevel.NONE, 0


def _district_office(case: Case) -> Department | None:
    if case.district_id is None:
        return None
    return Department.objects.filter(
        region_id=case.district_id, kind=DepartmentKind.DISTRICT_OFFICE, is_active=True
    ).first()


def _apply(case_id: int, at: datetime, counts: dict) -> None:
    with transaction.atomic():
        case = lock(case_id)
        if case.status != CaseStatus.DISPATCHED or case.paused_at is not None:
            return
        warning, level = _wanted(case, at)
        if RANK[warning] <= RANK[case.warning] and level <= case.escalation_level:
            return
        check_transition(case, "warn")
        before = snapshot(case)
        left = int(clock.remaining(case, at).total_seconds())
        if RANK[warning] > RANK[case.warning]:
            write_event(
                case,
                EventKind.WARNED,
                actor=None,
                department=case.department,
                data={"level": warning, "remaining_seconds": left, "due_at": case.due_at},
                at=at,
            )
            counts[warning] += 1
            case.warning = warning
        for step in range(case.escalation_level + 1, level + 1):
            if step == 1:
                data = {"level": 1, "to": "department_head", "department": case.department_id}
                target = case.department
                counts["escalated_head"] += 1
            else:
                office = _district_office(case)
                data = {
                    "level": 2,
                    "to": "district",
                    "district": case.district_id,
                    "department": office.pk if office else None,
                }
                target = office
                counts["escalated_district"] += 1
            data["overdue_seconds"] = -left
            write_event(case, EventKind.ESCALATED, actor=None, department=target, data=data, at=at)
        case.escalation_level = max(case.escalation_level, level)
        case.save()
        audit_case(None, "warn", case, before)


def resume_case(*, actor, case: Case, comment: str = "", at: datetime | None = None) -> Case:
    """End a deferral (its date came, or the department or dispatcher resumes it early): the
    clock runs again from where it stood."""
    comment = clean_text(comment, field="comment", required=False)
    with transaction.atomic():
        case = lock(case)
        if actor is not None and not (
            in_scope(actor, Perm.HANDLE, case) or in_scope(actor, Perm.DISPATCH, case)
        ):
            require_case_perm(actor, Perm.DISPATCH, case)  # raises the fitting refusal
        before = snapshot(case)
        target = check_transition(case, "resume")
        at = at or timezone.now()
        paused = clock.resume(case, at)
        write_event(
            case,
            EventKind.RESUMED,
            actor=actor,
            comment=comment,
            from_status=case.status,
            to_status=target,
            department=case.department,
            data={"paused_seconds": paused, "due_at": case.due_at},
            at=at,
        )
        case.status = target
        case.save()
        audit_case(actor, "resume", case, before)
    return case


def check_deadlines(*, now: datetime | None = None) -> dict:
    """Raise the warnings and escalations that are due and resume ended deferrals."""
    at = now or timezone.now()
    today = timezone.localdate(at)
    counts = {
        "checked": 0,
        "yellow": 0,
        "red": 0,
        "escalated_head": 0,
        "escalated_district": 0,
        "resumed": 0,
    }
    ended = (
        CaseRequest.objects.filter(
            kind=RequestKind.DEFERRAL,
            state=RequestState.APPROVED,
            defer_until__lte=today,
            case__status=CaseStatus.DEFERRED,
        )
        .values_list("case_id", flat=True)
        .distinct()
    )
    for case_id in list(ended):
        case = Case.objects.get(pk=case_id)
        if case.status == CaseStatus.DEFERRED:
            resume_case(actor=None, case=case, at=at)
            counts["resumed"] += 1
    running = (
        Case.objects.filter(
            status=CaseStatus.DISPATCHED, paused_at__isnull=True, due_at__isnull=False
        )
        .exclude(warning=WarningLevel.RED, escalation_level__gte=2)
        .only(
            "id",
            "status",
            "dispatched_at",
            "due_at",
            "paused_at",
            "paused_seconds",
            "warning",
            "escalation_level",
            "handled_at",
            "category_id",
        )
        .order_by("due_at", "id")
    )
    for case in running.iterator(chunk_size=500):
        counts["checked"] += 1
        warning, level = _wanted(case, at)
        if RANK[warning] > RANK[case.warning] or level > case.escalation_level:
            _apply(case.pk, at, counts)
    return counts
