"""Time limits of applications in approval: suspension (中止, the clock stops) and extension
(延期) that a handler asks for and a supervisor decides, resumption, and the deadline sweep.

The application's due date is ``promised_days`` working days after the acceptance day, plus
approved extensions (``extended_days``), plus the working days the clock stood
(``paused_days``: corrections after acceptance and suspensions). A task's due date is its
step's ``limit_days`` after it became active, moved the same way. ``check_deadlines`` (the
command ``smartgov services deadlines``, run from cron) resumes suspensions whose end day has
come and sets the yellow / red warnings; each change of level is a timeline event, and a
second run changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from smartgov.accounts.scope import require_perm, restrict
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.workcalendar import add_working_days, working_days_between
from smartgov.services import approval_selectors as sel
from smartgov.services.application_models import Application, ApplicationStatus, WarningLevel
from smartgov.services.applications import _event, _transition
from smartgov.services.permissions import Perm
from smartgov.services.workflow_models import (
    ApprovalTask,
    TaskStatus,
    TimeRequest,
    TimeRequestKind,
    TimeRequestStatus,
)

MAX_REASON = 2000
MAX_SUSPEND_DAYS = 250  # about a working year: expert reviews, hearings, inspections abroad
CHUNK = 500  # applications checked per round of the sweep


def _clean_text(value, *, code: str, message: str, required: bool) -> str:
    text = str(value or "").strip()
    if (required and not text) or len(text) > MAX_REASON:
        raise InvalidInput(code, message, detail={"max_length": MAX_REASON})
    return text


def _locked_application(application_id: int) -> Application:
    return Application.objects.select_for_update().select_related("item").get(pk=application_id)


def shift_active_tasks(application: Application, days: int) -> None:
    """Move the due dates of the application's active tasks by ``days`` working days (the
    clock stood that long)."""
    if not days:
        return
    for task in ApprovalTask.objects.select_for_update().filter(
        application=application, status=TaskStatus.ACTIVE, due_date__isnull=False
    ):
        task.due_date = add_working_days(task.due_date, days)
        task.save(update_fields=["due_date"])


# --- Requests ---------------------------------------------------------------------------------


@transaction.atomic
def request_time(
    *, actor, number: str, kind: str, days: int, reason: str, task_id: int | None = None
) -> TimeRequest:
    """A handler of an active task asks to suspend the clock or extend the limit by ``days``
    working days; a supervisor decides (``decide_time_request``)."""
    if kind not in TimeRequestKind.values:
        raise InvalidInput(
            "time_request_kind_invalid",
            "A time request is a suspension or an extension.",
            detail={"allowed": list(TimeRequestKind.values)},
        )
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise InvalidInput("days_invalid", "The number of working days is a whole number ≥ 1.")
    if kind == TimeRequestKind.SUSPEND and days > MAX_SUSPEND_DAYS:
        raise InvalidInput(
            "days_invalid",
            "A suspension is at most 250 working days.",
            detail={"max_days": MAX_SUSPEND_DAYS},
        )
    reason = _clean_text(
        reason, code="reason_required", message="A time request needs a reason.", required=True
    )
    application = sel.staff_application(actor, number)
    application = _locked_application(application.pk)
    _transition(application, "suspend" if kind == TimeRequestKind.SUSPEND else "request_time")
    tasks = sel.handler_tasks(actor, application)
    if task_id is not None:
        try:
            tasks = tasks.filter(pk=int(task_id))
        except (TypeError, ValueError):
            tasks = tasks.none()
    task = tasks.first()
    if task is None:
        raise PermissionDeniedError(
            "not_a_handler",
            "Only a handler of an active step of this application may ask for time.",
            detail={"task_id": task_id},
        )
    if kind == TimeRequestKind.EXTEND:
        _check_extension(application, days)
    if TimeRequest.objects.filter(
        application=application, kind=kind, status=TimeRequestStatus.PENDING
    ).exists():
        raise Conflict(
            "time_request_pending",
            "A request of this kind is already waiting for the supervisor.",
        )
    request = TimeRequest.objects.create(
        application=application,
        task=task,
        kind=kind,
        days=days,
        reason=reason,
        requested_by=actor,
    )
    _event(
        application,
        kind="time_request",
        actor=actor,
        before=application.status,
        comment=reason,
        data={"request": request.pk, "time_kind": kind, "days": days, "task": task.pk},
    )
    return request


def _check_extension(application: Application, days: int) -> None:
    allowed = sel.max_extension_days(application)
    if days > allowed:
        raise InvalidInput(
            "extension_exceeds_legal_limit",
            "An extension may not take the time limit beyond the legal limit; see detail for "
            "the most working days still allowed.",
            detail={
                "days": days,
                "max_days": allowed,
                "legal_days": application.item.legal_days,
                "promised_days": application.item.promised_days,
                "extended_days": application.extended_days,
            },
        )


@transaction.atomic
def decide_time_request(*, actor, request_id: int, approve: bool, comment: str = "") -> TimeRequest:
    """A supervisor of the item's department approves or rejects a time request (never one's
    own): a suspension stops the clock now, an extension moves the due dates at once."""
    require_perm(actor, Perm.SUPERVISE)
    comment = _clean_text(
        comment, code="comment_too_long", message="The comment is too long.", required=False
    )
    found = (
        restrict(TimeRequest.objects.all(), actor, Perm.SUPERVISE)
        .filter(pk=_int(request_id))
        .values_list("application_id", flat=True)
        .first()
    )
    if found is None:
        raise NotFound("time_request_not_found", "No such time request in your scope.")
    application = _locked_application(found)
    request = TimeRequest.objects.select_for_update().get(pk=_int(request_id))
    if request.status != TimeRequestStatus.PENDING:
        raise Conflict(
            "time_request_decided",
            "This request has already been decided.",
            detail={"status": request.status},
        )
    if request.requested_by_id == actor.pk:
        raise PermissionDeniedError(
            "own_time_request", "A supervisor cannot decide their own request."
        )
    now = timezone.now()
    before = application.status
    request.decided_by = actor
    request.decided_at = now
    request.decision_comment = comment
    data = {"request": request.pk, "time_kind": request.kind, "days": request.days}
    if not approve:
        request.status = TimeRequestStatus.REJECTED
        request.save()
        _event(
            application,
            kind="time_request_rejected",
            actor=actor,
            before=before,
            comment=comment,
            data=data,
        )
        _audit_request(actor, request)
        return request
    if request.kind == TimeRequestKind.SUSPEND:
        application.status = _transition(application, "suspend")
        application.paused_at = now
        request.ends_on = add_working_days(timezone.localdate(now), request.days)
        data["ends_on"] = request.ends_on.isoformat()
        kind = "suspend"
    else:
        _transition(application, "extend")
        _check_extension(application, request.days)
        application.extended_days += request.days
        application.due_date = add_working_days(application.due_date, request.days)
        task = request.task
        if task is not None and task.status == TaskStatus.ACTIVE and task.due_date:
            task.due_date = add_working_days(task.due_date, request.days)
            task.save(update_fields=["due_date"])
        data["due_date"] = application.due_date.isoformat()
        kind = "extend"
    request.status = TimeRequestStatus.APPROVED
    request.save()
    application.save()
    _event(application, kind=kind, actor=actor, before=before, comment=comment, data=data)
    _audit_request(actor, request)
    if kind == "extend":
        refresh_warnings(application, at=now)
    return request


def _audit_request(actor, request: TimeRequest) -> None:
    audit.record(
        actor=actor,
        action="services.time_request.decide",
        obj=request,
        before={"status": TimeRequestStatus.PENDING},
        after={
            "status": request.status,
            "kind": request.kind,
            "days": request.days,
            "comment": request.decision_comment,
        },
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound("time_request_not_found", "No such time request in your scope.") from None


# --- Resumption -------------------------------------------------------------------------------


def _resume(application: Application, *, actor, at: datetime, comment: str = "") -> int:
    """Run the clock again (the caller holds the lock): due dates move by the working days
    the clock stood, at most the days the suspension was granted for."""
    before = application.status
    application.status = _transition(application, "resume")
    suspension = sel.active_suspension(application)
    stood = max(working_days_between(application.paused_at, at), 0)
    if suspension is not None:
        stood = min(stood, suspension.days)
        suspension.status = TimeRequestStatus.ENDED
        suspension.ended_at = at
        suspension.save(update_fields=["status", "ended_at"])
    application.paused_days += stood
    application.due_date = add_working_days(application.due_date, stood)
    application.paused_at = None
    application.save()
    shift_active_tasks(application, stood)
    _event(
        application,
        kind="resume",
        actor=actor,
        before=before,
        comment=comment,
        data={
            "paused_days": stood,
            "due_date": application.due_date.isoformat(),
            "request": suspension.pk if suspension else None,
        },
    )
    refresh_warnings(application, at=at)
    return stood


@transaction.atomic
def resume_application(*, actor, number: str, comment: str = "") -> Application:
    """End a suspension early: a handler of an active step or a supervisor of the item's
    department; the clock runs again."""
    comment = _clean_text(
        comment, code="comment_too_long", message="The comment is too long.", required=False
    )
    application = sel.staff_application(actor, number)
    application = _locked_application(application.pk)
    if not sel.handler_tasks(actor, application).exists() and not sel.may_supervise(
        actor, application
    ):
        raise PermissionDeniedError(
            "not_a_handler",
            "Only a handler of an active step or a supervisor may resume the application.",
        )
    _resume(application, actor=actor, at=timezone.now(), comment=comment)
    return application


# --- Warnings and the sweep -------------------------------------------------------------------


def _set_level(application: Application, target, level: str, day, task=None) -> bool:
    """Record a changed warning level of the application or one of its tasks."""
    if target.warning_level == level:
        return False
    previous = target.warning_level
    target.warning_level = level
    target.save(update_fields=["warning_level"])
    data = {
        "level": level,
        "previous": previous,
        "due_date": target.due_date.isoformat(),
        "remaining_working_days": working_days_between(day, target.due_date),
    }
    if task is not None:
        data.update({"task": task.pk, "step": task.name})
    _event(application, kind="warning", actor=None, before=application.status, data=data)
    return True


def refresh_warnings(application: Application, *, at: datetime | None = None) -> dict:
    """Set the warning levels of a running application and its active tasks (caller holds
    the application's lock). Returns the levels that changed."""
    changes = {"yellow": 0, "red": 0, "cleared": 0}
    if application.status != ApplicationStatus.ACCEPTED or application.paused_at is not None:
        return changes
    day = timezone.localdate(at or timezone.now())

    def note(level: str) -> None:
        changes["cleared" if level == WarningLevel.NONE else level] += 1

    if application.due_date is not None:
        level = sel.warning_for(
            due=application.due_date, total=sel.limit_days(application), day=day
        )
        if _set_level(application, application, level, day):
            note(level)
    tasks = list(
        ApprovalTask.objects.select_related("step").filter(
            application=application, status=TaskStatus.ACTIVE, due_date__isnull=False
        )
    )
    extended = _task_extensions([t.pk for t in tasks])
    for task in tasks:
        total = int(task.step.limit_days or 0) + extended.get(task.pk, 0)
        level = sel.warning_for(due=task.due_date, total=total, day=day)
        if _set_level(application, task, level, day, task=task):
            note(level)
    return changes


def check_deadlines(*, now: datetime | None = None) -> dict:
    """Resume suspensions whose end day has come; set yellow / red warnings of running
    applications and their active tasks. Idempotent: a second run changes nothing."""
    at = now or timezone.now()
    today = timezone.localdate(at)
    counts = {"resumed": 0, "checked": 0, "yellow": 0, "red": 0, "cleared": 0}
    ended = TimeRequest.objects.filter(
        kind=TimeRequestKind.SUSPEND,
        status=TimeRequestStatus.APPROVED,
        ended_at__isnull=True,
        ends_on__lte=today,
        application__status=ApplicationStatus.SUSPENDED,
    ).values_list("application_id", flat=True)
    for application_id in sorted(set(ended)):
        with transaction.atomic():
            application = _locked_application(application_id)
            if application.status == ApplicationStatus.SUSPENDED:
                _resume(application, actor=None, at=at, comment="")
                counts["resumed"] += 1
    running = (
        Application.objects.filter(
            status=ApplicationStatus.ACCEPTED, paused_at__isnull=True, due_date__isnull=False
        )
        .select_related("item")
        .only("id", "due_date", "warning_level", "extended_days", "item__promised_days")
        .order_by("due_date", "pk")
    )
    chunk: list[Application] = []
    for application in running.iterator(chunk_size=CHUNK):
        chunk.append(application)
        if len(chunk) == CHUNK:
            _sweep(chunk, at, today, counts)
            chunk = []
    _sweep(chunk, at, today, counts)
    return counts


def _sweep(chunk: list[Application], at: datetime, today, counts: dict) -> None:
    """Check a chunk read-only (a few queries in all) and lock only what needs a change."""
    if not chunk:
        return
    tasks: dict[int, list[ApprovalTask]] = defaultdict(list)
    for task in ApprovalTask.objects.filter(
        application_id__in=[a.pk for a in chunk],
        status=TaskStatus.ACTIVE,
        due_date__isnull=False,
    ).select_related("step"):
        tasks[task.application_id].append(task)
    extended = _task_extensions([t.pk for group in tasks.values() for t in group])
    for application in chunk:
        counts["checked"] += 1
        wanted = sel.warning_for(
            due=application.due_date, total=sel.limit_days(application), day=today
        )
        stale = wanted != application.warning_level or any(
            sel.warning_for(
                due=t.due_date, total=int(t.step.limit_days or 0) + extended.get(t.pk, 0), day=today
            )
            != t.warning_level
            for t in tasks[application.pk]
        )
        if not stale:
            continue
        with transaction.atomic():
            locked = _locked_application(application.pk)
            for level, changed in refresh_warnings(locked, at=at).items():
                counts[level] += changed


def _task_extensions(task_ids: list[int]) -> dict[int, int]:
    """Working days of approved extensions per task."""
    if not task_ids:
        return {}
    rows = (
        TimeRequest.objects.filter(
            task_id__in=task_ids, kind=TimeRequestKind.EXTEND, status=TimeRequestStatus.APPROVED
        )
        .values("task_id")
        .annotate(days=Sum("days"))
    )
    return {row["task_id"]: int(row["days"] or 0) for row in rows}
