"""Governance pages for staff: the hotline intake form with live duplicate suggestions, the
grid worker's field report, the case page with its clock, timeline and action forms.

Views parse the input, call one governance service, and render; a service refusal is shown
inline on the form it came from.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.accounts.scope import require_perm
from smartgov.core.errors import SmartgovError
from smartgov.core.models import Department
from smartgov.governance import categories, duplicates, selectors, services
from smartgov.governance.models import Channel
from smartgov.governance.permissions import Perm
from smartgov.portal.forms_governance import (
    CommentPhotosForm,
    DeferralForm,
    DispatchForm,
    ExtensionForm,
    FieldReportForm,
    HotlineIntakeForm,
    MergeForm,
    OptionalCommentForm,
    ReasonForm,
    RevisitForm,
    VerifyForm,
)
from smartgov.portal.views.governance_common import (
    add_error,
    clock_for,
    offered_actions,
    page,
    require_governance_staff,
    reraise_access,
)


def _categories():
    return list(categories.minor_categories().order_by("code"))


def _departments():
    return list(Department.objects.filter(is_active=True).order_by("path")[:500])


# --- Intake -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def intake(request):
    """The 12345 agent records a call; the case page follows."""
    require_perm(request.user, Perm.INTAKE)
    form = HotlineIntakeForm(request.POST or None, request.FILES or None, categories=_categories())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, _created = services.report_case(
                actor=request.user,
                channel=Channel.HOTLINE,
                description=data["description"],
                address=data["address"],
                lon=data.get("lon"),
                lat=data.get("lat"),
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                anonymous=data["anonymous"],
                category_code=data["category"] or None,
                attachments=data["photos"],
            )
        except SmartgovError as exc:
            reraise_access(exc)
            add_error(form, exc)
        else:
            messages.success(request, _("Case %(number)s recorded.") % {"number": case.number})
            return redirect("portal:governance_case", pk=case.pk)
    return page(
        request,
        "intake.html",
        {"form": form, "mode": "hotline"},
        tab="intake",
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def field_report(request):
    """A grid worker or inspector reports a problem on patrol (phone-first)."""
    require_perm(request.user, Perm.INTAKE)
    form = FieldReportForm(request.POST or None, request.FILES or None, categories=_categories())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, _created = services.report_case(
                actor=request.user,
                channel=Channel.GRID,
                description=data["description"],
                address=data["address"],
                lon=data.get("lon"),
                lat=data.get("lat"),
                category_code=data["category"],
                attachments=data["photos"],
            )
        except SmartgovError as exc:
            reraise_access(exc)
            add_error(form, exc)
        else:
            messages.success(request, _("Case %(number)s recorded.") % {"number": case.number})
            return redirect("portal:governance_case", pk=case.pk)
    return page(
        request,
        "field_report.html",
        {"form": form},
        tab="field",
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def similar(request):
    """HTMX partial: open cases nearby with similar text, while the form is being filled in."""
    require_perm(request.user, Perm.INTAKE)
    text = (request.GET.get("description") or "").strip()[:2000]
    lon, lat = _float(request.GET.get("lon")), _float(request.GET.get("lat"))
    matches = []
    if len(text) >= 4:
        try:
            matches = duplicates.similar_open_cases(text=text, lon=lon, lat=lat)
        except SmartgovError:
            matches = []
    return render(request, "portal/governance/_similar.html", {"matches": matches})


def _float(value):
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


# --- Case page ------------------------------------------------------------------------------


ACTION_FORMS = {
    "dispatch": DispatchForm,
    "redispatch": DispatchForm,
    "cancel": ReasonForm,
    "merge": MergeForm,
    "accept": OptionalCommentForm,
    "return": ReasonForm,
    "progress": CommentPhotosForm,
    "report_back": CommentPhotosForm,
    "verify": VerifyForm,
    "extension": ExtensionForm,
    "deferral": DeferralForm,
    "revisit": RevisitForm,
    "supervise": CommentPhotosForm,
}


def _make_form(action: str, case, data=None, files=None):
    form_class = ACTION_FORMS[action]
    prefix = action
    if form_class is DispatchForm:
        initial = {}
        if case.category_id:
            initial["category"] = case.category.code
        elif case.suggestions:
            initial["category"] = case.suggestions[0].get("code", "")
        if case.department_id:
            initial["department"] = case.department_id
        return DispatchForm(
            data,
            prefix=prefix,
            initial=initial,
            categories=_categories(),
            departments=_departments(),
        )
    return form_class(data, files, prefix=prefix)


def _load_case(user, pk: int):
    """The case with its timeline, as the selector lets ``user`` see it (404 otherwise)."""
    return selectors.case_detail(user, pk)


def _case_page(request, case, *, failed: tuple[str, object] | None = None, status: int = 200):
    actions = offered_actions(request.user, case)
    forms = {a: _make_form(a, case) for a in actions}
    if failed is not None:
        forms[failed[0]] = failed[1]
    requests = case.request_list
    context = {
        "case": case,
        "clock": clock_for(case),
        "events": case.timeline,
        "attachments": [a for a in case.attachment_list if a.event_id is None],
        "actions": actions,
        "forms": forms,
        "failed": failed[0] if failed else "",
        "duplicates": list(case.duplicates.all()[:20]),
        "pending_request": next((r for r in requests if r.state == "pending"), None),
        "requests": requests,
        "feedback": case.feedback_list,
    }
    return page(request, "case.html", context, tab="", status=status)


@login_required
@require_GET
def case_detail(request, pk: int):
    case = _load_case(request.user, pk)
    return _case_page(request, case)


def _resolve_cases(user, numbers):
    found = []
    for number in numbers:
        match = selectors.cases_for(user, q=number).filter(number__iexact=number).first()
        if match is None:
            from smartgov.core.errors import InvalidInput

            raise InvalidInput(
                "unknown_case", "No case with the number %(number)s.", detail={"number": number}
            )
        found.append(match)
    return found


def _run_action(request, action: str, case, data: dict):
    """Call the one service behind ``action``; returns the success message."""
    user, photos = request.user, data.get("photos", [])
    if action in ("dispatch", "redispatch"):
        department = None
        if data.get("department"):
            department = Department.objects.filter(pk=data["department"]).first()
        services.dispatch_case(
            actor=user,
            case=case,
            category=categories.get_category(data["category"]),
            department=department,
            comment=data.get("comment", ""),
        )
        return _("Case dispatched.")
    if action == "cancel":
        services.cancel_case(actor=user, case=case, reason=data["reason"])
        return _("Case cancelled as invalid.")
    if action == "merge":
        duplicates = _resolve_cases(user, data["duplicates"])
        services.merge_cases(
            actor=user, main=case, duplicates=duplicates, comment=data.get("comment", "")
        )
        return _("Duplicates merged into this case.")
    if action == "accept":
        services.accept_case(actor=user, case=case, comment=data.get("comment", ""))
        return _("Case accepted; you are its handler.")
    if action == "return":
        services.return_case(actor=user, case=case, reason=data["reason"])
        return _("Case returned to the dispatcher.")
    if action == "progress":
        services.add_progress(actor=user, case=case, comment=data["comment"], attachments=photos)
        return _("Progress note added.")
    if action == "report_back":
        services.report_back(actor=user, case=case, reply=data["comment"], attachments=photos)
        return _("Reported back; the case awaits verification.")
    if action == "verify":
        services.verify_case(
            actor=user,
            case=case,
            passed=data["passed"],
            comment=data.get("comment", ""),
            attachments=photos,
        )
        return _("Case closed.") if data["passed"] else _("Case sent back for rework.")
    if action == "extension":
        services.request_extension(
            actor=user, case=case, amount=data["amount"], reason=data["reason"]
        )
        return _("Extension requested; the clock stands until the dispatcher decides.")
    if action == "deferral":
        services.request_deferral(actor=user, case=case, until=data["until"], reason=data["reason"])
        return _("Deferral requested; the clock stands until the dispatcher decides.")
    if action == "supervise":
        services.supervise_case(actor=user, case=case, comment=data["comment"])
        return _("Supervision note added.")
    if action == "revisit":
        services.record_revisit(
            actor=user,
            case=case,
            level=data["level"],
            reached=data["reached"],
            comment=data.get("comment", ""),
        )
        return _("Revisit recorded.")
    raise AssertionError(action)  # pragma: no cover - the URL only routes known actions


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    """One lifecycle action on the case page; refusals come back inline on its form."""
    case = _load_case(request.user, pk)
    if action not in ACTION_FORMS:
        from django.http import Http404

        raise Http404
    form = _make_form(action, case, request.POST, request.FILES)
    if form.is_valid():
        try:
            message = _run_action(request, action, case, form.cleaned_data)
        except SmartgovError as exc:
            reraise_access(exc)
            add_error(form, exc)
        else:
            messages.success(request, message)
            back = request.POST.get("next", "")
            if back.startswith("/governance/") and "//" not in back:
                return redirect(back)
            return redirect("portal:governance_case", pk=case.pk)
    case = _load_case(request.user, pk)
    return _case_page(request, case, failed=(action, form), status=400)


@login_required
@require_GET
def home(request):
    """The nav entry's target: the first list the user's roles open (citizens: their cases)."""
    from django.urls import reverse

    from smartgov.portal.views.governance_common import tabs_for

    if getattr(request.user, "kind", "") in ("citizen", "enterprise"):
        return redirect("portal:governance_my_cases")
    require_governance_staff(request.user)
    return redirect(reverse(tabs_for(request.user)[0].url_name))


@require_GET
def attachment(request, pk: int):
    """A photo of a case, for whoever may see the case (or follows it by number and phone)."""
    from django.http import FileResponse, Http404

    from smartgov.core.errors import NotFound
    from smartgov.governance.models import CaseAttachment
    from smartgov.portal.views.governance_citizen import SESSION_KEY

    try:
        if not request.user.is_authenticated:
            raise NotFound("not_found", "No such file.")
        found = selectors.get_attachment(request.user, pk)
    except NotFound:
        found = CaseAttachment.objects.filter(pk=pk).first()
        if found is None or str(found.case_id) not in request.session.get(SESSION_KEY, {}):
            raise Http404 from None
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
