"""Workbench to-dos of government services: applications waiting for acceptance (front desk),
active approval steps of the user's scope and role (approvers; deadline = the step's due
date), and time requests waiting for a supervisor's decision."""

from __future__ import annotations

from datetime import datetime, time

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartgov.accounts.scope import has_perm, restrict
from smartgov.core.workbench import InboxItem, register_inbox_source
from smartgov.services.application_models import Application, ApplicationStatus
from smartgov.services.approval_selectors import my_tasks
from smartgov.services.permissions import Perm
from smartgov.services.workflow_models import TimeRequest, TimeRequestStatus

SOURCE = "services"
MAX_ITEMS = 200


def _link(name: str, *args) -> str:
    """The portal page's URL, or "" while the page is not there (no broken inbox)."""
    try:
        return reverse(f"portal:{name}", args=args)
    except NoReverseMatch:
        return ""


def _end_of(day) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.get_current_timezone())


def _acceptance(user) -> list[InboxItem]:
    if not has_perm(user, Perm.ACCEPT):
        return []
    waiting = (
        restrict(Application.objects.select_related("item"), user, Perm.ACCEPT)
        .filter(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.RESUBMITTED])
        .order_by("submitted_at", "pk")[:MAX_ITEMS]
    )
    return [
        InboxItem(
            title=_("Accept application %(number)s: %(item)s of %(applicant)s")
            % {"number": a.number, "item": a.item.name, "applicant": a.applicant_name},
            source=SOURCE,
            link=_link("services_staff_application", a.number),
            kind="services_acceptance",
            kind_label=_("Application to accept"),
            created_at=a.submitted_at,
        )
        for a in waiting
    ]


def _approval(user) -> list[InboxItem]:
    tasks = my_tasks(user).filter(application__status=ApplicationStatus.ACCEPTED)[:MAX_ITEMS]
    return [
        InboxItem(
            title=_("Step %(step)s of application %(number)s: %(item)s of %(applicant)s")
            % {
                "step": t.name,
                "number": t.application.number,
                "item": t.application.item.name,
                "applicant": t.application.applicant_name,
            },
            source=SOURCE,
            link=_link("services_task", t.pk),
            deadline=_end_of(t.due_date),
            kind="services_approval",
            kind_label=_("Approval step"),
            created_at=t.activated_at,
            tags=(t.warning_level,) if t.warning_level != "none" else (),
        )
        for t in tasks
    ]


def _time_requests(user) -> list[InboxItem]:
    if not has_perm(user, Perm.SUPERVISE):
        return []
    pending = (
        restrict(TimeRequest.objects.select_related("application"), user, Perm.SUPERVISE)
        .filter(status=TimeRequestStatus.PENDING)
        .exclude(requested_by=user)
        .order_by("requested_at", "pk")[:MAX_ITEMS]
    )
    return [
        InboxItem(
            title=_("Decide the %(kind)s of %(days)s working days for %(number)s")
            % {"kind": r.get_kind_display(), "days": r.days, "number": r.application.number},
            source=SOURCE,
            link=_link("services_supervision"),
            kind="services_time_request",
            kind_label=_("Time request to decide"),
            created_at=r.requested_at,
        )
        for r in pending
    ]


def pending_for(user) -> list[InboxItem]:
    return [*_acceptance(user), *_approval(user), *_time_requests(user)]


def register() -> None:
    from django.utils.translation import gettext_lazy

    register_inbox_source(SOURCE, pending_for, label=gettext_lazy("Government services"))
