"""Governance work lists: the dispatcher's queue (with the classifier's suggestions), pending
extension and deferral requests, the overdue list, the department's cases with their remaining
time, and the inspectors' verification queue. Reads go through governance.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smartgov.accounts.scope import require_perm
from smartgov.core.errors import SmartgovError
from smartgov.governance import selectors, services
from smartgov.governance.models import CaseStatus, WarningLevel
from smartgov.governance.permissions import Perm
from smartgov.portal.forms_governance import DecisionForm
from smartgov.portal.services import paginate
from smartgov.portal.views.governance_common import (
    clock_for,
    page,
    require_governance_staff,
    reraise_access,
)


def _rows(page_obj):
    """Each case of the page with its clock (remaining working time, warning colour)."""
    return [{"case": c, "clock": clock_for(c)} for c in page_obj.object_list]


@login_required
@require_GET
def queue(request):
    """Cases awaiting dispatch, oldest first, with the top suggestions and their confidence."""
    require_perm(request.user, Perm.DISPATCH)
    listed = selectors.cases_for(request.user, queue="dispatch")
    page_obj = paginate(request, listed)
    return page(request, "queue.html", {"page": page_obj, "rows": _rows(page_obj)}, tab="queue")


@login_required
@require_GET
def requests_list(request):
    """Pending extension (延期) and deferral (挂账) requests for the dispatcher to decide."""
    require_perm(request.user, Perm.DISPATCH)
    listed = selectors.pending_requests(request.user).select_related("case__category")
    return page(
        request,
        "requests.html",
        {"page": paginate(request, listed), "form": DecisionForm()},
        tab="requests",
    )


@login_required
@require_POST
def request_decide(request, pk: int):
    require_perm(request.user, Perm.DISPATCH)
    case_request = selectors.pending_requests(request.user).filter(pk=pk).first()
    if case_request is None:
        from django.http import Http404

        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to reject."))
        return redirect("portal:governance_requests")
    try:
        services.decide_request(
            actor=request.user,
            request=case_request,
            approve=form.cleaned_data["approve"],
            comment=form.cleaned_data["comment"],
        )
    except SmartgovError as exc:
        reraise_access(exc)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Request approved.") if form.cleaned_data["approve"] else _("Request rejected."),
        )
    return redirect("portal:governance_requests")


@login_required
@require_GET
def overdue(request):
    """Cases being handled with a yellow or red warning, the most overdue first."""
    require_perm(request.user, Perm.SUPERVISE)
    level = request.GET.get("level") or ""
    if level not in (WarningLevel.YELLOW, WarningLevel.RED):
        level = ""
    listed = selectors.cases_for(request.user, queue="overdue", warning=level or None)
    page_obj = paginate(request, listed)
    return page(
        request,
        "overdue.html",
        {"page": page_obj, "rows": _rows(page_obj), "level": level},
        tab="overdue",
    )


@login_required
@require_GET
def department(request):
    """The handler's department's cases, with the remaining working time on each."""
    require_perm(request.user, Perm.HANDLE)
    state = request.GET.get("state") or "open"
    if state not in ("open", CaseStatus.HANDLED, CaseStatus.CLOSED):
        state = "open"
    if state == "open":
        listed = selectors.cases_for(request.user, queue="department")
    else:
        # Reported back or closed: the cases the handler's scope covers, latest first.
        listed = selectors.cases_for(request.user, status=state).order_by("-handled_at", "-id")
    page_obj = paginate(request, listed)
    return page(
        request,
        "department.html",
        {"page": page_obj, "rows": _rows(page_obj), "state": state},
        tab="department",
    )


@login_required
@require_GET
def verification(request):
    """Handled cases waiting for the inspector's check on the spot (phone-first)."""
    require_perm(request.user, Perm.VERIFY)
    listed = selectors.verification_queue(request.user)
    page_obj = paginate(request, listed)
    return page(
        request,
        "verification.html",
        {"page": page_obj, "rows": _rows(page_obj)},
        tab="verify",
    )


@login_required
@require_GET
def revisits(request):
    """Closed hotline cases whose caller has not been reached since closing (回访)."""
    require_perm(request.user, Perm.VERIFY)
    page_obj = paginate(request, selectors.revisit_queue(request.user))
    return page(
        request,
        "revisits.html",
        {"page": page_obj, "rows": _rows(page_obj)},
        tab="revisit",
    )


@login_required
@require_GET
def search(request):
    """Every case the user may see, by number, title or address and by status (a caller's
    second call, a supervisor's question)."""
    require_governance_staff(request.user)
    q = (request.GET.get("q") or "").strip()[:100]
    status = request.GET.get("status") or ""
    if status not in CaseStatus.values:
        status = ""
    listed = selectors.cases_for(request.user, q=q or None, status=status or None)
    page_obj = paginate(request, listed)
    return page(
        request,
        "search.html",
        {
            "page": page_obj,
            "rows": _rows(page_obj),
            "q": q,
            "status": status,
            "statuses": CaseStatus.choices,
        },
        tab="search",
    )
