"""Workbench to-dos of the governance loop, per role and with deadlines: the dispatcher's
queue (reports to open and dispatch within a working hour) and the extension and deferral
requests to decide; the department's running cases with their handling deadlines (rework
marked); verification of handled cases for inspectors and the hotline; revisits of closed
hotline cases."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from smartgov.accounts.scope import has_perm
from smartgov.core.workbench import InboxItem, register_inbox_source
from smartgov.governance import clock, selectors
from smartgov.governance.models import CaseStatus, RequestKind
from smartgov.governance.permissions import Perm

SOURCE = "governance"
MAX_ITEMS = 200
DISPATCH_HOURS = 1  # a report should be opened and dispatched within one working hour
VERIFY_HOURS = 7  # and a handled case verified within a working day


def _link(pk: int) -> str:
    try:
        return reverse("portal:governance_case", args=[pk])
    except NoReverseMatch:  # the pages are not installed (yet)
        return f"/api/v1/governance/cases/{pk}"


def _label(case) -> str:
    return f"{case.number} {case.title}"


def _dispatch(user) -> list[InboxItem]:
    items = []
    for case in selectors.dispatch_queue(user)[:MAX_ITEMS]:
        items.append(
            InboxItem(
                title=_("Dispatch case %(case)s") % {"case": _label(case)},
                source=SOURCE,
                link=_link(case.pk),
                deadline=clock.add_working_time(case.created_at, DISPATCH_HOURS, "hours"),
                kind="governance_dispatch",
                kind_label=_("Case to dispatch"),
                created_at=case.created_at,
                tags=("reopened",) if case.reopen_count else (),
            )
        )
    for request in selectors.pending_requests(user)[:MAX_ITEMS]:
        extension = request.kind == RequestKind.EXTENSION
        items.append(
            InboxItem(
                title=(
                    _("Decide the extension request for case %(case)s")
                    if extension
                    else _("Decide the deferral request for case %(case)s")
                )
                % {"case": _label(request.case)},
                source=SOURCE,
                link=_link(request.case_id),
                deadline=clock.add_working_time(request.requested_at, DISPATCH_HOURS, "hours"),
                kind="governance_request",
                kind_label=_("Extension or deferral request"),
                created_at=request.requested_at,
            )
        )
    return items


def _department(user) -> list[InboxItem]:
    items = []
    for case in selectors.department_cases(user)[:MAX_ITEMS]:
        rework = case.rework_count > 0
        deferred = case.status == CaseStatus.DEFERRED
        if rework:
            title = _("Rework case %(case)s")
        elif deferred:
            title = _("Deferred case %(case)s")
        else:
            title = _("Handle case %(case)s")
        tags = tuple(
            tag
            for tag, on in (
                ("rework", rework),
                ("deferred", deferred),
                (case.warning, case.warning != "none"),
            )
            if on
        )
        items.append(
            InboxItem(
                title=title % {"case": _label(case)},
                source=SOURCE,
                link=_link(case.pk),
                deadline=None if deferred else clock.deadline_for(case),
                kind="governance_rework" if rework else "governance_handle",
                kind_label=_("Case to rework") if rework else _("Case to handle"),
                created_at=case.dispatched_at,
                tags=tags,
            )
        )
    return items


def _verification(user) -> list[InboxItem]:
    items = [
        InboxItem(
            title=_("Verify case %(case)s") % {"case": _label(case)},
            source=SOURCE,
            link=_link(case.pk),
            deadline=clock.add_working_time(case.handled_at, VERIFY_HOURS, "hours")
            if case.handled_at
            else None,
            kind="governance_verify",
            kind_label=_("Case to verify"),
            created_at=case.handled_at,
        )
        for case in selectors.verification_queue(user)[:MAX_ITEMS]
    ]
    items += [
        InboxItem(
            title=_("Call back the reporter of case %(case)s") % {"case": _label(case)},
            source=SOURCE,
            link=_link(case.pk),
            deadline=clock.add_working_time(case.closed_at, VERIFY_HOURS * 3, "hours")
            if case.closed_at
            else None,
            kind="governance_revisit",
            kind_label=_("Revisit"),
            created_at=case.closed_at,
        )
        for case in selectors.revisit_queue(user)[:MAX_ITEMS]
    ]
    return items


def pending_for(user) -> list[InboxItem]:
    """The governance to-dos of ``user`` (staff only)."""
    if getattr(user, "kind", "") != "staff":
        return []
    items: list[InboxItem] = []
    if has_perm(user, Perm.DISPATCH):
        items += _dispatch(user)
    if has_perm(user, Perm.HANDLE):
        items += _department(user)
    if has_perm(user, Perm.VERIFY):
        items += _verification(user)
    return items


def register() -> None:
    from django.utils.translation import gettext_lazy

    register_inbox_source(SOURCE, pending_for, label=gettext_lazy("Cases (12345)"))
