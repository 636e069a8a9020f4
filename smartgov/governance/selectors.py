"""Read queries of the governance loop, restricted by data scope (``accounts.scope``), reused
by the API, the pages, the inbox and the KPIs: a list never shows what a detail would refuse.

Who sees which cases:

* staff — the cases any of their governance roles covers in its scope (dispatchers and
  inspectors by district, handlers by department, city-wide roles everything), plus the
  cases they recorded themselves (the hotline agent follows their callers' cases);
* citizens and enterprises — the cases they reported.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Prefetch, Q, QuerySet

from smartgov.accounts.scope import has_perm, restrict, scope_filter
from smartgov.core.errors import InvalidInput, NotFound
from smartgov.governance.models import (
    OPEN_STATUSES,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseFeedback,
    CaseRequest,
    CaseStatus,
    Category,
    RequestState,
)
from smartgov.governance.permissions import Perm
from smartgov.governance.transitions import is_staff

QUEUES = ("dispatch", "department", "verification", "revisit", "mine", "overdue")


def _base() -> QuerySet[Case]:
    return Case.objects.select_related("category", "department", "district", "street", "grid")


def visibility(user) -> Q | None:
    """Q of the cases ``user`` may see (None: all of them)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    conditions = [Q(reporter=user)]
    if is_staff(user):
        conditions.append(Q(recorded_by=user))
        for perm in Perm:
            if not has_perm(user, perm):
                continue
            condition = scope_filter(Case, user, perm)
            if condition is None:
                return None
            conditions.append(condition)
    return reduce(or_, conditions)


def visible_cases(user) -> QuerySet[Case]:
    condition = visibility(user)
    return _base() if condition is None else _base().filter(condition)


def dispatch_queue(user) -> QuerySet[Case]:
    """Reports awaiting opening and opened cases awaiting dispatch, oldest first."""
    return (
        restrict(_base(), user, Perm.DISPATCH)
        .filter(status__in=[CaseStatus.REPORTED, CaseStatus.PENDING_DISPATCH])
        .order_by("created_at", "id")
    )


def department_cases(user) -> QuerySet[Case]:
    """Cases the user's departments are handling (deferred ones included), earliest due
    first."""
    return (
        restrict(_base(), user, Perm.HANDLE)
        .filter(status__in=[CaseStatus.DISPATCHED, CaseStatus.DEFERRED])
        .order_by("due_at", "id")
    )


def verification_queue(user) -> QuerySet[Case]:
    """Cases reported back and awaiting verification (by inspectors in their area, or by the
    hotline agent who recorded them)."""
    scoped = restrict(Case.objects.all(), user, Perm.VERIFY).values("pk")
    return (
        _base()
        .filter(status=CaseStatus.HANDLED)
        .filter(Q(pk__in=scoped) | Q(recorded_by=user) if is_staff(user) else Q(pk__in=scoped))
        .order_by("handled_at", "id")
    )


def revisit_queue(user) -> QuerySet[Case]:
    """Closed hotline cases whose caller has not been reached by a revisit since closing."""
    if not has_perm(user, Perm.VERIFY):
        return Case.objects.none()
    scoped = restrict(Case.objects.all(), user, Perm.VERIFY).values("pk")
    revisited = CaseFeedback.objects.filter(kind="revisit", reached=True).values("case_id")
    return (
        _base()
        .filter(status=CaseStatus.CLOSED, channel="hotline")
        .filter(Q(pk__in=scoped) | Q(recorded_by=user))
        .exclude(pk__in=revisited)
        .order_by("closed_at", "id")
    )


def pending_requests(user) -> QuerySet[CaseRequest]:
    """Extension and deferral requests waiting for the dispatcher's decision."""
    cases = restrict(Case.objects.all(), user, Perm.DISPATCH).values("pk")
    return (
        CaseRequest.objects.filter(state=RequestState.PENDING, case__in=cases)
        .select_related("case", "department", "requested_by")
        .order_by("requested_at", "id")
    )


def overdue_cases(user) -> QuerySet[Case]:
    """Running cases with a warning, for supervisors (red first)."""
    return (
        restrict(_base(), user, Perm.SUPERVISE)
        .filter(status=CaseStatus.DISPATCHED)
        .exclude(warning="none")
        .order_by("-warning", "due_at", "id")
    )


def my_cases(user) -> QuerySet[Case]:
    """The cases the user reported (citizens) or recorded (hotline agents, grid workers)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return _base().filter(Q(reporter=user) | Q(recorded_by=user)).order_by("-created_at", "-id")


def cases_for(
    user,
    *,
    status: str | None = None,
    queue: str | None = None,
    q: str | None = None,
    category: str | None = None,
    department: int | None = None,
    district: str | None = None,
    channel: str | None = None,
    warning: str | None = None,
    open_only: bool = False,
    since=None,
    until=None,
) -> QuerySet[Case]:
    """The cases a list shows, filtered; ``queue`` picks one of the work queues."""
    queues = {
        "dispatch": dispatch_queue,
        "department": department_cases,
        "verification": verification_queue,
        "revisit": revisit_queue,
        "mine": my_cases,
        "overdue": overdue_cases,
    }
    if queue and queue not in queues:
        raise InvalidInput("unknown_queue", "Unknown work queue.", detail={"queues": list(QUEUES)})
    queryset = queues[queue](user) if queue else visible_cases(user)
    if queue:
        condition = visibility(user)
        if condition is not None:
            queryset = queryset.filter(condition)
    if status:
        queryset = queryset.filter(status=status)
    if open_only:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    if q:
        text = q.strip()[:100]
        queryset = queryset.filter(
            Q(number__iexact=text) | Q(title__icontains=text) | Q(address__icontains=text)
        )
    if category:
        queryset = queryset.filter(Q(category__code=category) | Q(category__parent__code=category))
    if department:
        queryset = queryset.filter(department_id=department)
    if district:
        queryset = queryset.filter(district__code=district)
    if channel:
        queryset = queryset.filter(channel=channel)
    if warning:
        queryset = queryset.filter(warning=warning)
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    if until is not None:
        queryset = queryset.filter(created_at__lt=until)
    return queryset


def get_case(user, pk: int) -> Case:
    """One case the user may see; anything else is 'not found'."""
    case = visible_cases(user).filter(pk=pk).first()
    if case is None:
        raise NotFound("not_found", "No such case, or it is outside your data scope.")
    return case


def timeline(case: Case) -> list[CaseEvent]:
    """The case's events in order, each with its attachments."""
    return list(
        CaseEvent.objects.filter(case=case)
        .select_related("actor", "department")
        .prefetch_related(Prefetch("attachments", queryset=CaseAttachment.objects.all()))
        .order_by("created_at", "id")
    )


def case_detail(user, pk: int) -> Case:
    """One case with ``.timeline`` (events with attachments), ``.attachment_list``,
    ``.request_list`` and ``.feedback_list`` loaded."""
    case = get_case(user, pk)
    case.timeline = timeline(case)
    case.attachment_list = list(case.attachments.all())
    case.request_list = list(case.requests.select_related("requested_by", "decided_by"))
    case.feedback_list = list(case.feedback.all())
    return case


def public_timeline(case: Case) -> list[CaseEvent]:
    """What a reporter sees of the timeline: the steps, not the internal notes or names."""
    hidden = {"supervised", "warned", "escalated", "classified", "progress"}
    return [event for event in timeline(case) if event.kind not in hidden]


def get_attachment(user, pk: int) -> CaseAttachment:
    attachment = CaseAttachment.objects.select_related("case").filter(pk=pk).first()
    if attachment is None or not visible_cases(user).filter(pk=attachment.case_id).exists():
        raise NotFound("not_found", "No such file, or it is outside your data scope.")
    return attachment


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True).select_related("parent", "default_department")
