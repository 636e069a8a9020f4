"""The reporter's side of the governance loop: report a problem (随手拍), my cases, follow a case
by number and phone without logging in, read the reply, rate it on five levels, ask to reopen.

A case found by number and phone is remembered in the session (its id only), so the rating
and reopen forms work for a caller who never logs in; the services check every step again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.core.errors import SmartgovError
from smartgov.governance import selectors, services
from smartgov.governance.models import Case, CaseStatus, Channel
from smartgov.portal.forms_governance import CitizenReportForm, LookupForm, RatingForm, ReasonForm
from smartgov.portal.services import paginate
from smartgov.portal.views.governance_common import add_error, page, reraise_access

SESSION_KEY = "governance_followed_cases"

# Whose comments the reporter reads: the reply, the reason of a cancellation, their own words.
PUBLIC_COMMENTS = ("handled", "cancelled", "rated", "reopened", "notified")


def _require_reporter(user) -> None:
    if getattr(user, "kind", "") not in ("citizen", "enterprise"):
        from smartgov.core.errors import PermissionDeniedError

        raise PermissionDeniedError("permission_denied", "Only citizens report problems here.")


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    """A citizen reports a problem with text, address or map point, and photos."""
    _require_reporter(request.user)
    form = CitizenReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, _created = services.report_case(
                actor=request.user,
                channel=Channel.PORTAL,
                description=data["description"],
                address=data["address"],
                lon=data.get("lon"),
                lat=data.get("lat"),
                reporter_name=request.user.display_name,
                reporter_phone=data["reporter_phone"],
                anonymous=data["anonymous"],
                attachments=data["photos"],
            )
        except SmartgovError as exc:
            reraise_access(exc)
            add_error(form, exc)
        else:
            messages.success(
                request,
                _("Thank you. Your case number is %(number)s.") % {"number": case.number},
            )
            return redirect("portal:governance_my_case", pk=case.pk)
    return page(request, "report.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def my_cases(request):
    _require_reporter(request.user)
    listed = selectors.my_cases(request.user).select_related("category")
    return page(request, "my_cases.html", {"page": paginate(request, listed)})


def _reporter_page(request, case, *, public: bool, failed=None, status: int = 200):
    events = selectors.public_timeline(case)
    can_rate = case.status == CaseStatus.CLOSED and case.rating is None
    can_reopen = case.status == CaseStatus.CLOSED
    forms = {"rate": RatingForm(prefix="rate"), "reopen": ReasonForm(prefix="reopen")}
    if failed:
        forms[failed[0]] = failed[1]
    return page(
        request,
        "reporter_case.html",
        {
            "case": case,
            "events": events,
            "followed": public,
            "public": True,  # the timeline hides staff names and internal notes
            "public_comment_kinds": PUBLIC_COMMENTS,
            "can_rate": can_rate,
            "can_reopen": can_reopen,
            "forms": forms,
        },
        status=status,
    )


def _own_case(request, pk: int) -> Case:
    _require_reporter(request.user)
    case = selectors.my_cases(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def _followed_case(request, pk: int) -> Case:
    if str(pk) not in request.session.get(SESSION_KEY, {}):
        raise Http404
    case = Case.objects.filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@login_required
@require_GET
def my_case(request, pk: int):
    return _reporter_page(request, _own_case(request, pk), public=False)


@require_GET
def followed_case(request, pk: int):
    return _reporter_page(request, _followed_case(request, pk), public=True)


@require_http_methods(["GET", "POST"])
def lookup(request):
    """Follow a case by its number and the phone given when reporting; no login needed."""
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_for_reporter(
                number=form.cleaned_data["number"].strip(), phone=form.cleaned_data["phone"]
            )
        except SmartgovError as exc:
            form.add_error(None, exc.message)
        else:
            # The phone proved the caller; kept (server-side session) for rating and reopening.
            followed = dict(list(request.session.get(SESSION_KEY, {}).items())[-19:])
            followed[str(case.pk)] = form.cleaned_data["phone"]
            request.session[SESSION_KEY] = followed
            return redirect("portal:governance_followed_case", pk=case.pk)
    return page(request, "lookup.html", {"form": form}, status=400 if form.errors else 200)


def _reporter_action(request, case, action: str, *, public: bool):
    actor = request.user if request.user.is_authenticated else None
    phone = request.session.get(SESSION_KEY, {}).get(str(case.pk), "") if public else ""
    form = (RatingForm if action == "rate" else ReasonForm)(request.POST, prefix=action)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "rate":
                services.rate_case(
                    actor=actor,
                    case=case,
                    level=data["level"],
                    comment=data["comment"],
                    phone=phone,
                )
                message = _("Thank you for your rating.")
            else:
                services.reopen_case(actor=actor, case=case, reason=data["reason"], phone=phone)
                message = _("The case is reopened; the dispatcher will look at it again.")
        except SmartgovError as exc:
            reraise_access(exc)
            add_error(form, exc, {"rating_level": "level", "reason_required": "reason"})
        else:
            messages.success(request, message)
            name = "portal:governance_followed_case" if public else "portal:governance_my_case"
            return redirect(name, pk=case.pk)
    case.refresh_from_db()
    return _reporter_page(request, case, public=public, failed=(action, form), status=400)


@login_required
@require_POST
def my_case_action(request, pk: int, action: str):
    if action not in ("rate", "reopen"):
        raise Http404
    return _reporter_action(request, _own_case(request, pk), action, public=False)


@require_POST
def followed_case_action(request, pk: int, action: str):
    if action not in ("rate", "reopen"):
        raise Http404
    return _reporter_action(request, _followed_case(request, pk), action, public=True)
