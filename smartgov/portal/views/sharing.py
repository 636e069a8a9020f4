"""Data sharing (共享交换) pages: my apps and their secrets, access requests and their progress,
the approval queue and decision page, grants, objections (数据异议).

Reading goes through sharing.selectors (so a list never shows what a detail would refuse);
every change calls one service, whose refusals are shown inline on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.accounts.scope import has_perm, require_perm
from smartgov.catalog.models import DataType, Resource, ResourceStatus, ShareType
from smartgov.core.errors import NotFound, PermissionDeniedError, SmartgovError
from smartgov.portal.forms_sharing import (
    AccessRequestForm,
    AppForm,
    ObjectionAnswerForm,
    ObjectionForm,
    OptionalReasonForm,
    ReasonForm,
    ResourcePickForm,
    StepDecisionForm,
)
from smartgov.portal.services import paginate
from smartgov.sharing import objections, selectors, services
from smartgov.sharing.labels import STATUS_LABELS
from smartgov.sharing.models import (
    ApprovalStep,
    AppStatus,
    GrantStatus,
    ObjectionStatus,
    RequestStatus,
    StepStatus,
)
from smartgov.sharing.permissions import Perm

# Which form field a service refusal belongs to (anything else is shown above the form).
_APP_ERROR_FIELD = {
    "name_required": "name",
    "app_name_exists": "name",
    "contact_required": "contact_name",
    "phone_format": "contact_phone",
    "invalid_ip": "ip_allowlist",
    "too_many_ips": "ip_allowlist",
}
_REQUEST_ERROR_FIELD = {
    "fields_required": "fields_wanted",
    "unknown_fields": "fields_wanted",
    "clear_fields_not_requested": "clear_fields",
    "purpose_required": "purpose",
    "legal_basis_required": "legal_basis",
    "period_in_past": "valid_from",
    "period_too_far": "valid_from",
    "period_reversed": "valid_until",
    "period_too_long": "valid_until",
    "period_required": "valid_until",
    "daily_calls_range": "expected_daily_calls",
    "rate_out_of_range": "rate_per_minute",
    "app_not_found": "app",
    "app_revoked": "app",
}
_STEP_ERROR_FIELD = {
    "fields_required": "approved_fields",
    "fields_widened": "approved_fields",
    "clear_fields_widened": "approved_clear_fields",
    "clear_fields_not_approved": "approved_clear_fields",
    "reason_required": "comment",
    "comment_too_long": "comment",
}
_OBJECTION_ERROR_FIELD = {
    "unknown_fields": "field",
    "key_field": "field",
    "field_not_granted": "field",
    "reason_required": "reason",
    "record_key_required": "record_key",
    "record_key_format": "record_key",
    "record_not_found": "record_key",
    "not_your_record": "record_key",
    "proposed_value_too_long": "proposed_value",
}


def _add_error(form, exc: SmartgovError, mapping: dict) -> None:
    field = mapping.get(exc.code)
    form.add_error(field if field in form.fields else None, exc.message)


def _tabs(user) -> dict:
    """Which of the sharing pages the user may open (the tabs on every page)."""
    staff = getattr(user, "kind", "") == "staff"
    consume = staff and has_perm(user, Perm.CONSUME)
    provide = staff and (has_perm(user, Perm.PROVIDE) or selectors.is_bureau(user))
    return {
        "apps": consume,
        "requests": consume or provide,
        "approvals": provide,
        "grants": consume or provide,
        "objections": True,
    }


def _page(request, template: str, context: dict, *, tab: str, status: int = 200):
    context = {**context, "tab": tab, "tabs": _tabs(request.user)}
    return render(request, f"portal/sharing/{template}", context, status=status)


def _labels(resource: Resource) -> dict[str, str]:
    return {f.name: f.label for f in resource.fields.all()}


def _require_staff_sharing(user) -> None:
    if getattr(user, "kind", "") != "staff" or not any(has_perm(user, p) for p in Perm):
        raise PermissionDeniedError("permission_denied", "You cannot use data sharing.")


# --- Apps ---------------------------------------------------------------------------------


def _show_secret(request, *, app, secret: str, rotated: bool):
    """Rendered, never redirected: the secret exists only in this one response."""
    response = _page(
        request, "app_secret.html", {"app": app, "secret": secret, "rotated": rotated}, tab="apps"
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def apps(request):
    """The department's apps; POST registers one and shows its secret once."""
    require_perm(request.user, Perm.CONSUME)
    departments = list(selectors.consumer_departments(request.user)[:200])
    form = AppForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            app, secret = services.register_app(
                actor=request.user,
                name=data["name"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                ip_allowlist=data["ip_allowlist"],
                department_id=data.get("department") or None,
            )
        except SmartgovError as exc:
            if isinstance(exc, (NotFound, PermissionDeniedError)):
                raise
            _add_error(form, exc, _APP_ERROR_FIELD)
        else:
            return _show_secret(request, app=app, secret=secret, rotated=False)
    listed = selectors.visible_apps(request.user).order_by("status", "-created_at")
    return _page(
        request,
        "apps.html",
        {"form": form, "page": paginate(request, listed), "revoke_form": OptionalReasonForm()},
        tab="apps",
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def app_rotate(request, pk: int):
    try:
        app, secret = services.rotate_secret(actor=request.user, app_id=pk)
    except SmartgovError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
        return redirect("portal:sharing_apps")
    return _show_secret(request, app=app, secret=secret, rotated=True)


@login_required
@require_POST
def app_revoke(request, pk: int):
    form = OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        app = services.revoke_app(actor=request.user, app_id=pk, reason=reason)
    except SmartgovError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("App “%(name)s” revoked; its grants stopped at once.") % {"name": app.name}
        )
    return redirect("portal:sharing_apps")


# --- Requests -----------------------------------------------------------------------------


REQUEST_FILTERS = [
    ("pending", gettext_lazy("Pending")),
    *(
        (code, STATUS_LABELS["accessrequest"][code])
        for code in ("approved", "rejected", "withdrawn")
    ),
    ("all", gettext_lazy("All")),
]


@login_required
@require_GET
def requests_list(request):
    """My department's requests (consumers); requests for my resources (providers)."""
    _require_staff_sharing(request.user)
    tabs = _tabs(request.user)
    if not tabs["requests"]:
        return redirect("portal:sharing_objections")
    side = request.GET.get("side") or ("mine" if tabs["apps"] else "provided")
    if side == "mine" and tabs["apps"]:
        queryset = selectors.own_requests(request.user)
    else:
        side = "provided"
        queryset = selectors.visible_requests(request.user).filter(
            resource__in=selectors.provided_resources(request.user)
        )
    status = request.GET.get("status") or "all"
    if status == "pending":
        queryset = queryset.filter(status__in=services.PENDING)
    elif status in RequestStatus.values:
        queryset = queryset.filter(status=status)
    return _page(
        request,
        "requests.html",
        {
            "page": paginate(request, queryset),
            "status": status,
            "side": side,
            "filters": REQUEST_FILTERS,
            "can_provide": tabs["approvals"],
        },
        tab="requests",
    )


def _shareable_resources():
    return (
        Resource.objects.filter(status=ResourceStatus.PUBLISHED)
        .exclude(share_type=ShareType.NONE)
        .select_related("provider")
        .order_by("name", "id")
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    """Pick a resource (GET ?resource=), tick its fields, say why, for how long, how much."""
    require_perm(request.user, Perm.CONSUME)
    consumer_ids = selectors.consumer_departments(request.user).values("pk")
    resources = list(_shareable_resources().exclude(provider_id__in=consumer_ids))
    picked = request.POST.get("resource") or request.GET.get("resource")
    picker = ResourcePickForm({"resource": picked} if picked else None, resources=resources)
    resource = None
    if picked and picker.is_valid():
        resource = next((r for r in resources if r.pk == picker.cleaned_data["resource"]), None)
    active_apps = list(
        selectors.visible_apps(request.user).filter(
            status=AppStatus.ACTIVE, department__in=consumer_ids
        )
    )
    form = None
    status = 200
    if resource is not None:
        fields = list(resource.fields.order_by("position", "id"))
        form = AccessRequestForm(
            request.POST if request.method == "POST" else None,
            apps=active_apps,
            fields=fields,
            initial={"app": request.GET.get("app")},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                created = services.submit_request(
                    actor=request.user,
                    app_id=data["app"],
                    resource_id=resource.pk,
                    fields=data["fields_wanted"],
                    clear_fields=data["clear_fields"],
                    purpose=data["purpose"],
                    legal_basis=data["legal_basis"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    expected_daily_calls=data["expected_daily_calls"],
                    rate_per_minute=data["rate_per_minute"],
                )
            except SmartgovError as exc:
                if isinstance(exc, PermissionDeniedError):
                    raise
                _add_error(form, exc, _REQUEST_ERROR_FIELD)
            else:
                if created.status == RequestStatus.APPROVED:
                    messages.success(
                        request,
                        _("Request %(number)s granted at once (unconditional sharing).")
                        % {"number": created.number},
                    )
                else:
                    messages.success(
                        request,
                        _("Request %(number)s submitted to %(provider)s.")
                        % {"number": created.number, "provider": resource.provider.name},
                    )
                return redirect("portal:sharing_request", pk=created.pk)
        status = 400 if form.errors else 200
    return _page(
        request,
        "request_form.html",
        {
            "picker": picker,
            "resource": resource,
            "form": form,
            "has_apps": bool(active_apps),
            "needs_bureau": resource is not None and selectors.resource_needs_bureau(resource),
            "app_id": request.GET.get("app", ""),
        },
        tab="requests",
        status=status,
    )


@login_required
@require_GET
def request_detail(request, pk: int):
    _require_staff_sharing(request.user)
    access = selectors.get_request(request.user, pk)
    if access.submitted_by_id == request.user.pk and access.outcome_seen_at is None:
        services.mark_outcome_seen(actor=request.user, request_id=access.pk)
    steps = selectors.steps_of(access)
    decidable = set(
        selectors.decidable_steps(request.user).filter(request=access).values_list("pk", flat=True)
    )
    grant = getattr(access, "grant", None) if access.status == RequestStatus.APPROVED else None
    can_withdraw = access.status in services.PENDING and (
        selectors.own_requests(request.user).filter(pk=access.pk).exists()
    )
    return _page(
        request,
        "request_detail.html",
        {
            "access": access,
            "steps": steps,
            "decidable": decidable,
            "grant": grant,
            "labels": _labels(access.resource),
            "can_withdraw": can_withdraw,
        },
        tab="requests",
    )


@login_required
@require_POST
def request_withdraw(request, pk: int):
    try:
        withdrawn = services.withdraw_request(actor=request.user, request_id=pk)
    except SmartgovError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Request %(number)s withdrawn.") % {"number": withdrawn.number})
    return redirect("portal:sharing_request", pk=pk)


# --- Approvals ----------------------------------------------------------------------------


@login_required
@require_GET
def approvals(request):
    """The steps waiting for the user's decision, earliest deadline first."""
    _require_staff_sharing(request.user)
    if not _tabs(request.user)["approvals"]:
        raise PermissionDeniedError("permission_denied", "You do not decide data requests.")
    steps = selectors.decidable_steps(request.user).order_by("due_date", "id")
    return _page(request, "approvals.html", {"page": paginate(request, steps)}, tab="approvals")


@login_required
@require_http_methods(["GET", "POST"])
def step_decide(request, pk: int):
    """One step: the request, the fields to keep (narrow only) and the decision."""
    _require_staff_sharing(request.user)
    step = selectors.decidable_steps(request.user).filter(pk=pk).first()
    if step is None:
        other = ApprovalStep.objects.filter(pk=pk).first()
        if other is None:
            raise NotFound("not_found", selectors.NOT_FOUND)
        # Decided already, or not the user's: the request page shows where it stands.
        selectors.get_request(request.user, other.request_id)
        return redirect("portal:sharing_request", pk=other.request_id)
    access = step.request
    allowed, allowed_clear = services.allowed_for(step)
    fields = list(access.resource.fields.order_by("position", "id"))
    form = StepDecisionForm(
        request.POST or None,
        fields=[f for f in fields if f.name in allowed],
        clear_fields=[f for f in fields if f.name in allowed_clear],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                services.approve_step(
                    actor=request.user,
                    step_id=step.pk,
                    fields=data["approved_fields"],
                    clear_fields=data["approved_clear_fields"],
                    comment=data["comment"],
                )
                done = _("Approved: request %(number)s.")
            else:
                services.reject_step(actor=request.user, step_id=step.pk, reason=data["comment"])
                done = _("Rejected: request %(number)s.")
        except SmartgovError as exc:
            if isinstance(exc, NotFound):
                raise
            _add_error(form, exc, _STEP_ERROR_FIELD)
        else:
            messages.success(request, done % {"number": access.number})
            return redirect("portal:sharing_approvals")
    return _page(
        request,
        "step.html",
        {
            "step": step,
            "access": access,
            "steps": selectors.steps_of(access),
            "labels": _labels(access.resource),
            "form": form,
        },
        tab="approvals",
        status=400 if form.errors else 200,
    )


# --- Grants -------------------------------------------------------------------------------


GRANT_FILTERS = [
    *STATUS_LABELS["grant"].items(),
    ("all", gettext_lazy("All")),
]


@login_required
@require_GET
def grants(request):
    _require_staff_sharing(request.user)
    status = request.GET.get("status") or "active"
    queryset = selectors.visible_grants(request.user)
    if status in GrantStatus.values:
        queryset = queryset.filter(status=status)
    page = paginate(request, queryset)
    for grant in page.object_list:
        grant.usable = services.is_usable(grant)
        grant.labels = _labels(grant.resource)
    return _page(
        request,
        "grants.html",
        {"page": page, "status": status, "filters": GRANT_FILTERS, "revoke_form": ReasonForm()},
        tab="grants",
    )


@login_required
@require_POST
def grant_revoke(request, pk: int):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.revoke_grant(actor=request.user, grant_id=pk, reason=reason)
    except SmartgovError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Grant revoked; calls under it are refused from now on."))
    return redirect(reverse("portal:sharing_grants") + "?status=all")


# --- Objections ---------------------------------------------------------------------------


@login_required
@require_GET
def objections_list(request):
    if request.user.kind == "staff":
        _require_staff_sharing(request.user)
    status = request.GET.get("status") or "all"
    queryset = selectors.visible_objections(request.user)
    if status in ObjectionStatus.values:
        queryset = queryset.filter(status=status)
    return _page(
        request,
        "objections.html",
        {
            "page": paginate(request, queryset),
            "status": status,
            "filters": [("all", _("All")), *STATUS_LABELS["objection"].items()],
            "can_raise": request.user.kind in ("citizen", "enterprise")
            or has_perm(request.user, Perm.CONSUME),
        },
        tab="objections",
    )


def _objectable_resources(user):
    """Resources the user may object about: those its departments hold grants on (staff);
    those keyed by the citizen ID or credit code (citizens, enterprises)."""
    published = Resource.objects.filter(status=ResourceStatus.PUBLISHED).select_related("provider")
    if user.kind == "staff":
        granted = selectors.visible_grants(user).filter(
            status=GrantStatus.ACTIVE, consumer__in=selectors.consumer_departments(user)
        )
        return published.filter(pk__in=granted.values("resource_id")).order_by("name")
    key_type = DataType.CITIZEN_ID if user.kind == "citizen" else DataType.CREDIT_CODE
    return published.filter(fields__is_key=True, fields__data_type=key_type).distinct()


@login_required
@require_http_methods(["GET", "POST"])
def objection_create(request):
    if request.user.kind == "staff":
        require_perm(request.user, Perm.CONSUME)
    elif request.user.kind not in ("citizen", "enterprise"):
        raise PermissionDeniedError("permission_denied", "You cannot raise objections.")
    resources = list(_objectable_resources(request.user).order_by("name", "id"))
    picked = request.POST.get("resource") or request.GET.get("resource")
    picker = ResourcePickForm({"resource": picked} if picked else None, resources=resources)
    resource = None
    if picked and picker.is_valid():
        resource = next((r for r in resources if r.pk == picker.cleaned_data["resource"]), None)
    form, status = None, 200
    if resource is not None:
        fields = [f for f in resource.fields.order_by("position", "id") if not f.is_key]
        form = ObjectionForm(request.POST if request.method == "POST" else None, fields=fields)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                objection = objections.raise_objection(
                    actor=request.user,
                    resource_id=resource.pk,
                    record_key=data["record_key"],
                    field=data["field"],
                    proposed_value=data["proposed_value"],
                    reason=data["reason"],
                )
            except SmartgovError as exc:
                _add_error(form, exc, _OBJECTION_ERROR_FIELD)
            else:
                messages.success(
                    request,
                    _("Objection %(number)s sent to %(provider)s; it answers by %(due)s.")
                    % {
                        "number": objection.number,
                        "provider": objection.provider.name,
                        "due": objection.due_date.isoformat(),
                    },
                )
                return redirect("portal:sharing_objection", pk=objection.pk)
        status = 400 if form.errors else 200
    return _page(
        request,
        "objection_form.html",
        {"picker": picker, "resource": resource, "form": form, "resources": resources},
        tab="objections",
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection_detail(request, pk: int):
    """An objection; the provider answers it here (correct or reject)."""
    objection = selectors.get_objection(request.user, pk)
    if objection.objector_id == request.user.pk and objection.status != ObjectionStatus.OPEN:
        objections.mark_answer_seen(actor=request.user, objection_id=objection.pk)
    can_answer = (
        objection.status == ObjectionStatus.OPEN
        and selectors.answerable_objections(request.user).filter(pk=objection.pk).exists()
    )
    form = None
    if can_answer:
        form = ObjectionAnswerForm(
            request.POST or None, initial={"value": objection.proposed_value}
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "correct":
                    objections.correct_objection(
                        actor=request.user,
                        objection_id=objection.pk,
                        response=data["response"],
                        value=data["value"],
                    )
                    messages.success(request, _("Corrected: the record has a new version."))
                else:
                    objections.reject_objection(
                        actor=request.user, objection_id=objection.pk, reason=data["response"]
                    )
                    messages.success(request, _("Objection rejected; the objector is told."))
            except SmartgovError as exc:
                if isinstance(exc, NotFound):
                    raise
                field = {"reason_required": "response", "correction_rejected": "value"}.get(
                    exc.code
                )
                form.add_error(field, exc.message)
            else:
                return redirect("portal:sharing_objection", pk=objection.pk)
    elif request.method == "POST":
        raise PermissionDeniedError("not_provider", "Only the provider answers objections.")
    return _page(
        request,
        "objection_detail.html",
        {
            "objection": objection,
            "form": form,
            "field_label": _labels(objection.resource).get(objection.field, objection.field),
            "show_current": can_answer or objection.objector_kind == "subject",
            "step_status": StepStatus,
        },
        tab="objections",
        status=400 if form is not None and form.errors else 200,
    )
