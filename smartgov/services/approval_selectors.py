"""Reads of the approval workflow: the tasks a user may handle, one task, an application's
clock, the supervisor's view, the timeline with its attachments.

Who handles a task: a user whose role grants ``services.approve`` over the task's department
(data scope as everywhere). When the step names a role that exists on the platform (by code
or name, e.g. ``approver``), only holders of that role qualify; a step whose role is only a
description (``业务科室``, ``分管负责人`` in the national guides) leaves it to any approver of
the department.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from smartgov.accounts.models import Role
from smartgov.accounts.scope import has_perm, require_perm, restrict
from smartgov.core.errors import NotFound, PermissionDeniedError
from smartgov.core.workcalendar import working_days_between
from smartgov.services.application_models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    WarningLevel,
)
from smartgov.services.permissions import Perm
from smartgov.services.workflow_models import (
    ApprovalTask,
    EventAttachment,
    TaskStatus,
    TimeRequest,
    TimeRequestKind,
    TimeRequestStatus,
)

YELLOW_SHARE = 0.2
RUNNING = ApplicationStatus.ACCEPTED
# Statuses in which the approval clock exists (the application was accepted, not yet ended).
IN_APPROVAL = (ApplicationStatus.ACCEPTED, ApplicationStatus.SUSPENDED)


# --- Who handles a task ---------------------------------------------------------------------


def _known_roles() -> list[str]:
    return [v for pair in Role.objects.values_list("code", "name") for v in pair if v]


def _approver_roles(user) -> set[str]:
    """Codes and names of the user's roles that grant ``services.approve``."""
    if not getattr(user, "pk", None):
        return set()
    names: set[str] = set()
    for membership in user.memberships.select_related("role"):
        if Perm.APPROVE in (membership.role.permissions or []):
            names.update({membership.role.code, membership.role.name})
    return names


def _role_q(user) -> Q:
    return ~Q(role__in=_known_roles()) | Q(role__in=sorted(_approver_roles(user)))


def may_handle_role(user, task: ApprovalTask) -> bool:
    """Whether the step's role (if it names a platform role) is one of the user's."""
    if not task.role or task.role not in set(_known_roles()):
        return True
    return task.role in _approver_roles(user)


def _tasks() -> QuerySet:
    return ApprovalTask.objects.select_related(
        "application", "application__item", "department", "step", "assignee", "finished_by"
    )


def my_tasks(user, *, status: str | None = "active") -> QuerySet:
    """Tasks ``user`` may handle (scope and role), earliest due first; ``status`` one of
    TaskStatus or None for every status."""
    if not has_perm(user, Perm.APPROVE):
        return ApprovalTask.objects.none()
    queryset = restrict(_tasks(), user, Perm.APPROVE).filter(_role_q(user))
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("due_date", "activated_at", "pk")


def task_for(user, task_id) -> ApprovalTask:
    """One task of the user's scope: out of scope → 404, the step's role not the user's → 403."""
    require_perm(user, Perm.APPROVE)
    try:
        task_id = int(task_id)
    except (TypeError, ValueError):
        raise NotFound("task_not_found", "No such approval task.") from None
    task = restrict(_tasks(), user, Perm.APPROVE).filter(pk=task_id).first()
    if task is None:
        raise NotFound("task_not_found", "No such approval task, or it is outside your scope.")
    if not may_handle_role(user, task):
        raise PermissionDeniedError(
            "task_role_required",
            "This step is handled by another role.",
            detail={"role": task.role},
        )
    return task


def handler_tasks(user, application: Application) -> QuerySet:
    """The application's active tasks that ``user`` may handle."""
    return my_tasks(user, status=TaskStatus.ACTIVE).filter(application=application)


def staff_application(user, number: str) -> Application:
    """An application for an approver (a task of it in scope, or its item's department) or
    a supervisor of its item's department; anything else is not found."""
    number = str(number or "")
    queryset = Application.objects.select_related("item", "item__department")
    application = None
    if has_perm(user, Perm.APPROVE):
        in_scope = restrict(ApprovalTask.objects.all(), user, Perm.APPROVE)
        application = (
            queryset.filter(number=number)
            .filter(
                Q(pk__in=in_scope.values("application_id"))
                | Q(pk__in=restrict(Application.objects.all(), user, Perm.APPROVE).values("pk"))
            )
            .first()
        )
    if application is None and has_perm(user, Perm.SUPERVISE):
        application = restrict(queryset, user, Perm.SUPERVISE).filter(number=number).first()
    if application is None:
        raise NotFound(
            "application_not_found", "No such application, or it is outside your data scope."
        )
    return application


def may_supervise(user, application: Application) -> bool:
    return (
        has_perm(user, Perm.SUPERVISE)
        and restrict(Application.objects.filter(pk=application.pk), user, Perm.SUPERVISE).exists()
    )


# --- The clock --------------------------------------------------------------------------------


def limit_days(application: Application) -> int:
    """Working days the application was given: promised limit plus approved extensions."""
    return int(application.item.promised_days or 0) + int(application.extended_days or 0)


def max_extension_days(application: Application) -> int:
    """How many more working days an extension may add: up to the legal limit (an item with
    no legal limit recorded keeps its promised limit)."""
    promised = int(application.item.promised_days or 0)
    legal = application.item.legal_days
    ceiling = promised if legal is None else int(legal)
    return max(ceiling - promised - int(application.extended_days or 0), 0)


def _reference_day(application: Application, today: date) -> date:
    """The day the clock stands at: the pause start, the completion, or today."""
    if application.paused_at is not None:
        return timezone.localdate(application.paused_at)
    if application.completed_at is not None:
        return timezone.localdate(application.completed_at)
    return today


def warning_for(*, due: date, total: int, day: date) -> str:
    """Red once ``day`` is after ``due``; yellow when at most a fifth of ``total`` working days
    (or one day) is left; else none."""
    if day > due:
        return WarningLevel.RED
    if working_days_between(day, due) <= max(total * YELLOW_SHARE, 1):
        return WarningLevel.YELLOW
    return WarningLevel.NONE


def clock(application: Application, *, today: date | None = None) -> dict:
    """The application's time limit as it stands (None values before acceptance)."""
    today = today or timezone.localdate()
    due = application.due_date
    paused = application.paused_at is not None
    result = {
        "accepted_at": application.accepted_at,
        "due_date": due,
        "promised_days": application.item.promised_days,
        "legal_days": application.item.legal_days,
        "extended_days": application.extended_days,
        "paused_days": application.paused_days,
        "paused": paused,
        "paused_at": application.paused_at,
        "suspended": application.status == ApplicationStatus.SUSPENDED,
        "suspended_until": None,
        "remaining_working_days": None,
        "overdue": False,
        "warning_level": application.warning_level,
        "max_extension_days": max_extension_days(application)
        if application.status in IN_APPROVAL
        else 0,
        "completed_at": application.completed_at,
        "on_time": application.on_time,
        "handling_days": application.handling_days,
    }
    if due is None or application.accepted_at is None:
        return result
    day = _reference_day(application, today)
    result["remaining_working_days"] = working_days_between(day, due)
    result["overdue"] = day > due
    if result["suspended"]:
        suspension = active_suspension(application)
        result["suspended_until"] = suspension.ends_on if suspension else None
    return result


def active_suspension(application: Application) -> TimeRequest | None:
    """The approved suspension the application stands in (not yet ended), if any."""
    return (
        TimeRequest.objects.filter(
            application=application,
            kind=TimeRequestKind.SUSPEND,
            status=TimeRequestStatus.APPROVED,
            ended_at__isnull=True,
        )
        .order_by("-decided_at", "-pk")
        .first()
    )


# --- Supervision and timeline ---------------------------------------------------------------

SUPERVISION_LIMIT = 100


def supervision(user) -> dict:
    """A supervisor's view of the scope: pending time requests, yellow and red applications
    in approval, suspended applications (each list at most 100, with the full counts)."""
    require_perm(user, Perm.SUPERVISE)
    requests = (
        restrict(TimeRequest.objects.all(), user, Perm.SUPERVISE)
        .filter(status=TimeRequestStatus.PENDING)
        .select_related("application", "application__item", "requested_by", "task")
        .order_by("requested_at", "pk")
    )
    applications = restrict(
        Application.objects.select_related("item", "item__department"), user, Perm.SUPERVISE
    ).filter(status__in=IN_APPROVAL)
    yellow = applications.filter(warning_level=WarningLevel.YELLOW).order_by("due_date", "pk")
    red = applications.filter(warning_level=WarningLevel.RED).order_by("due_date", "pk")
    suspended = applications.filter(status=ApplicationStatus.SUSPENDED).order_by("due_date", "pk")
    return {
        "pending_requests": list(requests[:SUPERVISION_LIMIT]),
        "pending_count": requests.count(),
        "yellow": list(yellow[:SUPERVISION_LIMIT]),
        "yellow_count": yellow.count(),
        "red": list(red[:SUPERVISION_LIMIT]),
        "red_count": red.count(),
        "suspended": list(suspended[:SUPERVISION_LIMIT]),
        "suspended_count": suspended.count(),
    }


def timeline(application: Application) -> QuerySet:
    """The application's events in order, with actors and attachments."""
    return (
        ApplicationEvent.objects.filter(application=application)
        .select_related("actor")
        .prefetch_related("attachments")
        .order_by("at", "pk")
    )


def attachment_for(user, attachment_id) -> EventAttachment:
    """An attachment of a timeline the user may read (the applicant's own application, or
    staff in scope — ``application_for``); anything else is not found."""
    from smartgov.services.application_selectors import application_for

    try:
        attachment = EventAttachment.objects.select_related("event__application").get(
            pk=int(attachment_id)
        )
        application_for(user, attachment.event.application.number)
    except (EventAttachment.DoesNotExist, TypeError, ValueError, NotFound):
        raise NotFound("attachment_not_found", "No such attachment.") from None
    return attachment


def time_requests(application: Application) -> QuerySet:
    return (
        TimeRequest.objects.filter(application=application)
        .select_related("requested_by", "decided_by", "task")
        .order_by("-requested_at", "-pk")
    )


def tasks_of(application: Application) -> QuerySet:
    return _tasks().filter(application=application).order_by("position", "pk")
