"""Applicant pages of 一网通办: apply online (the item's form, materials the platform finds,
drafts), the receipt (回执), my applications, one application (status, clock, timeline,
correction and resubmission, fees, result, rating, withdrawal).

Views parse the input, call one service of ``smartgov.services`` and render; a service's
refusal is shown inline on the form it came from.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.portal.forms_services import ApplicationForm, WithdrawForm
from smartgov.portal.services import paginate
from smartgov.portal.views import services_common as common
from smartgov.services import applications, approval, bundles, fees, selectors
from smartgov.services.application_models import ApplicationStatus
from smartgov.services.forms import form_of

S = ApplicationStatus

# Where the platform fills an answer in from the signed-in account (forms.PREFILL_KEYS).
PREFILL = {
    "applicant.name": lambda u: u.display_name if u.kind == "citizen" else u.legal_representative,
    "applicant.citizen_id": lambda u: u.citizen_id if u.kind == "citizen" else "",
    "applicant.phone": lambda u: u.phone,
    "enterprise.name": lambda u: u.display_name if u.kind == "enterprise" else "",
    "enterprise.credit_code": lambda u: u.credit_code if u.kind == "enterprise" else "",
}


def _require_applicant(user) -> None:
    if getattr(user, "kind", "") not in ("citizen", "enterprise") or not common.holder_of(user):
        raise PermissionDeniedError(
            "applicant_only",
            "Only a citizen or an enterprise account with a verified identity applies online.",
        )


def _prefilled(user, definition) -> dict:
    initial = {}
    for spec in definition:
        fill = PREFILL.get(spec.get("prefill", ""))
        if fill is not None and fill(user):
            initial[spec["name"]] = fill(user)
    return initial


def _own_draft(user, number: str, code: str):
    draft = applications.my_applications(user).filter(number=number, status=S.DRAFT).first()
    if draft is None or draft.item.implementation_code != code:
        raise Http404
    return draft


def _apply_page(request, item, form, rows, draft, *, status=200):
    ongoing = (
        applications.my_applications(request.user)
        .filter(item__implementation_code=item.implementation_code)
        .exclude(status__in=(S.DRAFT, *common.ENDED))
        .first()
    )
    return render(
        request,
        "portal/services/apply.html",
        {
            "item": item,
            "form": form,
            "rows": rows,
            "draft": draft,
            "fetched": sum(1 for r in rows if r["license"]),
            "applicant": request.user,
            "ongoing": ongoing,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, code: str):
    """在线申请: the item's form with the applicant's data filled in, each material either
    found by the platform (an e-license: nothing to upload) or a file input; save a draft or
    submit. A failed submission keeps what was entered as a draft, with every problem shown."""
    _require_applicant(request.user)
    try:
        item = selectors.published_item(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    number = request.POST.get("draft") or request.GET.get("draft") or ""
    draft = _own_draft(request.user, number, code) if number else None
    if draft is None and request.method == "GET":
        existing = (
            applications.my_applications(request.user)
            .filter(item__implementation_code=code, status=S.DRAFT)
            .first()
        )
        if existing is not None:
            messages.info(request, _("You have a draft of this application; continue it here."))
            return redirect(
                f"{reverse('portal:services_apply', args=[code])}?draft={existing.number}"
            )
    definition = form_of(item)
    rows = common.material_rows(item, holder_id=common.holder_of(request.user), application=draft)
    uploadable = [r["material"] for r in rows if not r["license"]]
    initial = draft.form_data if draft is not None else _prefilled(request.user, definition)
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        definition=definition,
        materials=uploadable,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        try:
            draft = applications.save_draft(
                actor=request.user,
                item_code="" if draft else code,
                number=draft.number if draft else "",
                form_data=form.form_data(),
                uploads=form.uploads(),
            )
            if action != "submit":
                messages.success(request, _("Draft %(number)s saved.") % {"number": draft.number})
                return redirect(
                    f"{reverse('portal:services_apply', args=[code])}?draft={draft.number}"
                )
            submitted = applications.submit_application(actor=request.user, number=draft.number)
        except (InvalidInput, Conflict) as exc:
            form.add_service_errors(exc)
            if exc.code == "duplicate_application" and isinstance(exc.detail, dict):
                form.duplicate = exc.detail.get("number")
        else:
            messages.success(
                request, _("Application %(number)s submitted.") % {"number": submitted.number}
            )
            return redirect("portal:services_receipt", number=submitted.number)
        rows = common.material_rows(
            item, holder_id=common.holder_of(request.user), application=draft
        )
    return _apply_page(request, item, form, rows, draft, status=400 if form.errors else 200)


@login_required
@require_GET
def receipt(request, number: str):
    """回执: number, item, applicant, how each material was met, when it will be done."""
    application = applications.application_for(request.user, number)
    if application.status == S.DRAFT:
        raise Http404
    return render(
        request,
        "portal/services/application_receipt.html",
        {
            "application": application,
            "receipt": applications.receipt(application),
            "materials": common.provided_materials(application),
            "badge": common.badge(application.status),
        },
    )


@login_required
@require_GET
def my_applications(request):
    """我的办件: the applicant's applications, newest first, with their status."""
    listed = applications.my_applications(request.user).select_related("item__department")
    status = request.GET.get("status") or ""
    groups = {
        "open": [s for s in S.values if s not in common.ENDED and s != S.DRAFT],
        "ended": list(common.ENDED),
        "draft": [S.DRAFT],
    }
    if status in groups:
        listed = listed.filter(status__in=groups[status])
    else:
        status = ""
    page = paginate(request, listed)
    for application in page.object_list:
        application.badge = common.badge(application.status)
    in_bundles = list(bundles.my_bundle_applications(request.user)[:10]) if not status else []
    return render(
        request,
        "portal/services/application_list.html",
        {
            "page": page,
            "status": status,
            "tabs": [
                ("", _("All")),
                ("open", _("Under way")),
                ("ended", _("Ended")),
                ("draft", _("Drafts")),
            ],
            "bundle_applications": in_bundles,
        },
    )


def _own_application(request, number: str):
    """The signed-in applicant's own application (anyone else: not found)."""
    found = applications.my_applications(request.user).filter(number=number).first()
    if found is None:
        raise NotFound("application_not_found", "No such application, or it is not yours.")
    return found


def _application_page(request, application, *, forms=None, status=200):
    forms = forms or {}
    info = common.clock(application)
    clock_label, clock_css = common.clock_text(info, application.status)
    rating = getattr(application, "rating", None) if application.status in common.ENDED else None
    can_rate = (
        application.status in common.ENDED and application.status != S.WITHDRAWN and not rating
    )
    resubmit_form = forms.get("resubmit")
    if application.status == S.CORRECTION_REQUESTED and resubmit_form is None:
        resubmit_form = _resubmit_form(application, request.user)
    context = {
        "application": application,
        "badge": common.badge(application.status),
        "clock": info,
        "clock_label": clock_label,
        "clock_css": clock_css,
        "events": [
            e for e in common.timeline(application) if e.kind not in common.STAFF_ONLY_EVENTS
        ],
        "materials": common.provided_materials(application),
        "answers": common.answers(application),
        "tasks": list(application.tasks.select_related("department").all()),
        "tasks_done": application.tasks.filter(status="done").count(),
        "fees": list(application.fee_items.all()),
        "resubmit_form": resubmit_form,
        "withdraw_form": forms.get("withdraw") or WithdrawForm(),
        "can_withdraw": application.status in common.WITHDRAWABLE,
        "can_pay": application.payment_status == "unpaid"
        and application.status not in common.ENDED,
        "can_rate": can_rate and bool(_rate_url(application)),
        "rate_url": _rate_url(application),
        "waiting": application.status in common.WAITING_ACCEPTANCE,
        "rating": rating,
        "pay_error": forms.get("pay_error", ""),
    }
    return render(request, "portal/services/application.html", context, status=status)


def _rate_url(application) -> str:
    """The rating page (好差评, owned by the ratings pages), when it is installed."""
    try:
        return reverse("portal:services_rate", args=[application.number])
    except NoReverseMatch:
        return ""


def _resubmit_form(application, user, data=None, files=None) -> ApplicationForm:
    rows = common.material_rows(application.item, holder_id=common.holder_of(user))
    return ApplicationForm(
        data,
        files,
        definition=form_of(application.item),
        materials=[r["material"] for r in rows if not r["license"]],
        initial=application.form_data,
        prefix="resubmit",
    )


@login_required
@require_GET
def application(request, number: str):
    """One application as its applicant follows it (staff who may see it: their page)."""
    if getattr(request.user, "kind", "") == "staff":
        return redirect("portal:services_staff_application", number=number)
    found = _own_application(request, number)
    return _application_page(request, found)


@login_required
@require_POST
def resubmit(request, number: str):
    """补正后重新提交: the corrected answers and files; the clock resumes."""
    found = _own_application(request, number)
    form = _resubmit_form(found, request.user, request.POST, request.FILES)
    if form.is_valid():
        try:
            applications.resubmit_application(
                actor=request.user,
                number=number,
                form_data=form.form_data(),
                uploads=form.uploads(),
            )
        except (InvalidInput, Conflict) as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Corrected application resubmitted."))
            return redirect("portal:services_application", number=number)
    found.refresh_from_db()
    return _application_page(request, found, forms={"resubmit": form}, status=400)


@login_required
@require_POST
def withdraw(request, number: str):
    """撤回: the applicant withdraws before completion (confirmed in the page)."""
    found = _own_application(request, number)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            approval.withdraw_application(
                actor=request.user, number=number, reason=form.cleaned_data["reason"]
            )
        except (InvalidInput, Conflict) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The application is withdrawn."))
            return redirect("portal:services_application", number=number)
    return _application_page(request, found, forms={"withdraw": form}, status=400)


@login_required
@require_POST
def pay(request, number: str):
    """去支付: start a payment at the provider and send the payer there."""
    found = _own_application(request, number)
    try:
        _payment, url = fees.start_payment(actor=request.user, number=number)
    except (InvalidInput, Conflict) as exc:
        return _application_page(request, found, forms={"pay_error": exc.message}, status=409)
    return redirect(url)
