"""Data resource catalog (数据资源目录): search, detail, register and edit, fields, review.

Reading goes through the catalog's selectors (so a list never shows what the detail page
would refuse); every change calls one catalog service, whose refusals are shown inline.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.accounts.scope import access, has_perm, require_perm, restrict
from smartgov.catalog import selectors, services
from smartgov.catalog.models import (
    Field,
    Grade,
    Resource,
    ResourceRevision,
    ResourceStatus,
    RevisionAction,
)
from smartgov.catalog.permissions import Perm
from smartgov.core.errors import InvalidInput, NotFound, PermissionDeniedError, SmartgovError
from smartgov.core.models import Department
from smartgov.portal.forms import (
    CatalogSearchForm,
    CommentForm,
    FieldRowFormSet,
    ReasonForm,
    ResourceForm,
)
from smartgov.portal.services import indent_label, is_htmx, paginate
from smartgov.portal.views.datastore.display import catalog_data_section

# Which form field a service refusal belongs to (anything else is shown above the form).
_RESOURCE_ERROR_FIELD = {
    "resource_code_format": "code",
    "resource_code_class": "code",
    "resource_code_exists": "code",
    "name_required": "name",
    "unknown_classification": "classification",
    "base_resource_required": "base_resource",
    "base_resource_not_allowed": "base_resource",
    "unknown_format": "format",
    "unknown_share_type": "share_type",
    "unknown_open_type": "open_type",
    "unknown_update_cycle": "update_cycle",
    "share_conditions_required": "share_conditions",
    "provider_not_found": "provider_id",
    "related_to_itself": "related_codes",
    "related_not_found": "related_codes",
}
_FIELD_ERROR_FIELD = {
    "field_name_format": "name",
    "duplicate_field": "name",
    "field_label_required": "label",
    "unknown_data_type": "data_type",
    "enum_values_required": "enum_values",
    "enum_values_not_allowed": "enum_values",
    "max_length_range": "max_length",
    "unknown_personal_kind": "personal_kind",
    "unknown_grade": "grade",
    "unknown_masking_rule": "masking",
}
GRADE_BADGE = {
    Grade.CORE: "bg-red-lt",
    Grade.IMPORTANT: "bg-orange-lt",
    Grade.GENERAL: "bg-green-lt",
}
STATUS_BADGE = {
    ResourceStatus.DRAFT: "bg-secondary-lt",
    ResourceStatus.SUBMITTED: "bg-yellow-lt",
    ResourceStatus.PUBLISHED: "bg-green-lt",
    ResourceStatus.WITHDRAWN: "bg-red-lt",
}
SHARE_BADGE = {"unconditional": "bg-green-lt", "conditional": "bg-yellow-lt", "none": "bg-red-lt"}
OPEN_BADGE = {"open": "bg-blue-lt", "conditional": "bg-azure-lt", "closed": "bg-secondary-lt"}


def _is_catalog_staff(user) -> bool:
    return has_perm(user, Perm.MANAGE_RESOURCE) or has_perm(user, Perm.REVIEW_RESOURCE)


def _with_presentation(resources) -> list[Resource]:
    """Resources with their field count and badge classes, for lists."""
    resources = list(resources)
    counts = dict(
        Field.objects.filter(resource_id__in=[r.pk for r in resources])
        .values_list("resource_id")
        .annotate(n=Count("id"))
    )
    for resource in resources:
        resource.field_count = counts.get(resource.pk, 0)
        resource.status_badge = STATUS_BADGE.get(resource.status, "")
        resource.share_badge = SHARE_BADGE.get(resource.share_type, "")
        resource.open_badge = OPEN_BADGE.get(resource.open_type, "")
    return resources


# --- Search -------------------------------------------------------------------------------


@login_required
@require_GET
def catalog_search(request):
    """Ranked Chinese full-text search with filters; HTMX requests get only the results."""
    visible = selectors.visible_resources(request.user)  # staff only
    providers = Department.objects.filter(pk__in=visible.values("provider_id").distinct()).order_by(
        "path"
    )
    base = min((d.depth for d in providers), default=1)
    form = CatalogSearchForm(
        request.GET or None,
        providers=[(d.pk, indent_label(d, base)) for d in providers],
        show_status=_is_catalog_staff(request.user),
    )
    query, filters = "", selectors.CatalogFilter()
    if form.is_valid():
        data = form.cleaned_data
        query = data["q"]
        filters = selectors.CatalogFilter(
            provider_id=data["provider"],
            base_resource=data["base_resource"] or None,
            share_type=data["share_type"] or None,
            open_type=data["open_type"] or None,
            grade=data["grade"] or None,
            update_cycle=data["update_cycle"] or None,
            status=data.get("status") or None,
        )
    results = selectors.search_resources(request.user, query=query, filters=filters)
    page = paginate(request, results)
    page.object_list = _with_presentation(page.object_list)
    context = {
        "form": form,
        "page": page,
        "query": query.strip(),
        "filtered": any(request.GET.get(name) for name in form.fields),
        "show_status": "status" in form.fields,
        "can_create": has_perm(request.user, Perm.MANAGE_RESOURCE),
    }
    template = "portal/catalog/_results.html" if is_htmx(request) else "portal/catalog/search.html"
    return render(request, template, context)


# --- Detail and lifecycle -----------------------------------------------------------------


def _timeline(resource: Resource) -> list[ResourceRevision]:
    revisions = list(
        ResourceRevision.objects.filter(resource=resource)
        .select_related("actor")
        .order_by("-number")
    )
    for revision in revisions:
        revision.status_badge = STATUS_BADGE.get(revision.to_status, "")
    return revisions


def _allowed_actions(user, resource: Resource) -> dict[str, bool]:
    """What the page offers; the services decide again when the button is pressed."""
    managed = (
        has_perm(user, Perm.MANAGE_RESOURCE)
        and restrict(Resource.objects.filter(pk=resource.pk), user, Perm.MANAGE_RESOURCE).exists()
    )
    reviewer = has_perm(user, Perm.REVIEW_RESOURCE)
    editable = resource.status in services.EDITABLE
    return {
        "can_edit": managed and editable,
        "can_submit": managed and editable,
        "can_review": reviewer and resource.status == ResourceStatus.SUBMITTED,
        "can_withdraw": (managed or reviewer) and resource.status == ResourceStatus.PUBLISHED,
    }


def _detail(request, resource: Resource, *, status: int = 200, **forms):
    fields = list(resource.fields.all())
    for field in fields:
        field.grade_badge = GRADE_BADGE.get(field.grade, "")
    related = _with_presentation(
        selectors.visible_resources(request.user)
        .filter(pk__in=[r.pk for r in resource.related.all()])
        .select_related("provider")
    )
    actions = _allowed_actions(request.user, resource)
    context = {
        "resource": resource,
        "fields": fields,
        "related": related,
        "timeline": _timeline(resource),
        "status_badge": STATUS_BADGE.get(resource.status, ""),
        "share_badge": SHARE_BADGE.get(resource.share_type, ""),
        "open_badge": OPEN_BADGE.get(resource.open_type, ""),
        "submit_form": forms.get("submit_form") or CommentForm(prefix="submit"),
        "approve_form": forms.get("approve_form") or CommentForm(prefix="approve"),
        "reject_form": forms.get("reject_form") or ReasonForm(prefix="reject"),
        "withdraw_form": forms.get("withdraw_form") or ReasonForm(prefix="withdraw"),
        "action_error": forms.get("action_error", ""),
        "data_section": catalog_data_section(request.user, resource),
        **actions,
    }
    return render(request, "portal/catalog/detail.html", context, status=status)


@login_required
@require_GET
def resource_detail(request, pk: int):
    return _detail(request, selectors.get_resource(request.user, pk))


def _back_to(request, resource: Resource):
    if request.POST.get("from") == "review":
        return redirect("portal:catalog_review")
    return redirect("portal:catalog_detail", pk=resource.pk)


def _transition(request, pk: int, *, form_name: str, form_class, service, success: str, **argmap):
    """Run one lifecycle step from a POSTed form; refusals are shown on the detail page."""
    resource = selectors.get_resource(request.user, pk)
    form = form_class(request.POST, prefix=form_name.removesuffix("_form"))
    if form.is_valid():
        values = {target: form.cleaned_data[source] for target, source in argmap.items()}
        try:
            service(actor=request.user, resource_id=resource.pk, **values)
        except (NotFound, PermissionDeniedError):
            raise
        except SmartgovError as exc:
            return _detail(
                request,
                selectors.get_resource(request.user, pk),
                status=exc.status,
                action_error=exc.message,
            )
        messages.success(request, success % {"name": resource.name})
        return _back_to(request, resource)
    return _detail(request, resource, status=400, **{form_name: form})


@login_required
@require_POST
def resource_submit(request, pk: int):
    return _transition(
        request,
        pk,
        form_name="submit_form",
        form_class=CommentForm,
        service=services.submit_resource,
        success=_("%(name)s has been submitted to the data bureau for review."),
        comment="comment",
    )


@login_required
@require_POST
def resource_approve(request, pk: int):
    return _transition(
        request,
        pk,
        form_name="approve_form",
        form_class=CommentForm,
        service=services.approve_resource,
        success=_("%(name)s is published in the catalog."),
        comment="comment",
    )


@login_required
@require_POST
def resource_reject(request, pk: int):
    return _transition(
        request,
        pk,
        form_name="reject_form",
        form_class=ReasonForm,
        service=services.reject_resource,
        success=_("%(name)s has been returned to its provider."),
        reason="reason",
    )


@login_required
@require_POST
def resource_withdraw(request, pk: int):
    return _transition(
        request,
        pk,
        form_name="withdraw_form",
        form_class=ReasonForm,
        service=services.withdraw_resource,
        success=_("%(name)s has been withdrawn from the catalog."),
        reason="reason",
    )


# --- Register and edit --------------------------------------------------------------------


def _provider_choices(user) -> list[tuple[int, str]]:
    departments = list(
        restrict(Department.objects.all(), user, Perm.MANAGE_RESOURCE).order_by("path")
    )
    base = min((d.depth for d in departments), default=1)
    return [(d.pk, indent_label(d, base)) for d in departments]


def _related_ids(request, form: ResourceForm) -> list[int] | None:
    """Resource codes from the form as ids of resources the user can see (None: bad code)."""
    codes = form.related_code_list()
    found = dict(
        selectors.visible_resources(request.user).filter(code__in=codes).values_list("code", "pk")
    )
    missing = [code for code in codes if code not in found]
    if missing:
        form.add_error(
            "related_codes",
            _("No such resource: %(codes)s") % {"codes": "、".join(missing)},
        )
        return None
    return [found[code] for code in codes]


def _show_resource_error(form: ResourceForm, exc: SmartgovError) -> None:
    form.add_error(_RESOURCE_ERROR_FIELD.get(exc.code), exc.message)


def _resource_values(form: ResourceForm) -> dict:
    data = dict(form.cleaned_data)
    data.pop("related_codes")
    return data


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request):
    """A data officer registers a draft resource for one of the departments in scope."""
    require_perm(request.user, Perm.MANAGE_RESOURCE)
    form = ResourceForm(request.POST or None, providers=_provider_choices(request.user))
    if request.method == "POST" and form.is_valid():
        related_ids = _related_ids(request, form)
        if related_ids is not None:
            try:
                resource = services.create_resource(
                    actor=request.user, related_ids=related_ids, **_resource_values(form)
                )
            except (NotFound, PermissionDeniedError) as exc:
                if exc.code != "provider_not_found":
                    raise
                _show_resource_error(form, exc)
            except SmartgovError as exc:
                _show_resource_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s is registered as a draft. Now describe its fields.")
                    % {"name": resource.name},
                )
                return redirect("portal:catalog_fields", pk=resource.pk)
    return render(
        request,
        "portal/catalog/resource_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _managed(request, pk: int) -> Resource:
    """A resource the user manages (out of scope or unknown: 404)."""
    return access(
        Resource.objects.select_related("provider"), request.user, Perm.MANAGE_RESOURCE, pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk: int):
    resource = _managed(request, pk)
    initial = {name: getattr(resource, name) for name in services.RESOURCE_FIELDS}
    initial["provider_id"] = resource.provider_id
    initial["related_codes"] = "\n".join(resource.related.values_list("code", flat=True))
    providers = _provider_choices(request.user)
    if resource.provider_id not in {pk for pk, _label in providers}:
        providers.insert(0, (resource.provider_id, str(resource.provider)))
    form = ResourceForm(request.POST or None, initial=initial, providers=providers)
    if request.method == "POST" and form.is_valid():
        related_ids = _related_ids(request, form)
        if related_ids is not None:
            changes = _resource_values(form)
            changes["related_ids"] = related_ids
            try:
                services.update_resource(
                    actor=request.user, resource_id=resource.pk, changes=changes
                )
            except (NotFound, PermissionDeniedError) as exc:
                if exc.code != "provider_not_found":
                    raise
                _show_resource_error(form, exc)
            except SmartgovError as exc:
                _show_resource_error(form, exc)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": changes["name"]})
                return redirect("portal:catalog_detail", pk=resource.pk)
    return render(
        request,
        "portal/catalog/resource_form.html",
        {"form": form, "resource": resource, "editable": resource.status in services.EDITABLE},
        status=400 if form.errors else 200,
    )


def _field_initial(resource: Resource) -> list[dict]:
    return [
        {
            "name": f.name,
            "label": f.label,
            "data_type": f.data_type,
            "max_length": f.max_length,
            "enum_values": "、".join(f.enum_values or []),
            "required": f.required,
            "is_key": f.is_key,
            "personal_kind": f.personal_kind,
            "grade": f.grade,
            "masking": f.masking,
        }
        for f in resource.fields.order_by("position", "id")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def resource_fields(request, pk: int):
    """The fields editor: the whole list is saved at once (set_fields); errors per row."""
    resource = _managed(request, pk)
    formset = FieldRowFormSet(
        request.POST or None, initial=_field_initial(resource), prefix="fields"
    )
    error = ""
    if request.method == "POST" and formset.is_valid():
        kept = [
            form
            for form in formset.forms
            if form.has_changed() or form in formset.initial_forms
            if not form.cleaned_data.get("DELETE")
        ]
        try:
            services.set_fields(
                actor=request.user,
                resource_id=resource.pk,
                fields=[form.as_item() for form in kept],
            )
        except (NotFound, PermissionDeniedError):
            raise
        except InvalidInput as exc:
            position = (exc.detail or {}).get("position") if isinstance(exc.detail, dict) else None
            if position is not None and position < len(kept):
                kept[position].add_error(_FIELD_ERROR_FIELD.get(exc.code), exc.message)
            else:
                error = exc.message
        except SmartgovError as exc:
            error = exc.message
        else:
            messages.success(
                request, _("The fields of %(name)s are saved.") % {"name": resource.name}
            )
            return redirect("portal:catalog_detail", pk=resource.pk)
    invalid = request.method == "POST" and (error or not formset.is_valid() or _row_errors(formset))
    return render(
        request,
        "portal/catalog/fields_form.html",
        {
            "resource": resource,
            "formset": formset,
            "error": error,
            "editable": resource.status in services.EDITABLE,
        },
        status=400 if invalid else 200,
    )


def _row_errors(formset) -> bool:
    return any(form.errors for form in formset.forms)


# --- Review queue -------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request):
    """Data bureau: submitted resources, the longest-waiting first."""
    require_perm(request.user, Perm.REVIEW_RESOURCE)
    submitted = (
        restrict(Resource.objects.all(), request.user, Perm.REVIEW_RESOURCE)
        .filter(status=ResourceStatus.SUBMITTED)
        .select_related("provider")
        .annotate(
            submitted_at=Max(
                "revisions__created_at", filter=Q(revisions__action=RevisionAction.SUBMIT)
            )
        )
        .order_by("submitted_at", "id")
    )
    page = paginate(request, submitted)
    page.object_list = _with_presentation(page.object_list)
    return render(
        request,
        "portal/catalog/review.html",
        {"page": page, "now": timezone.now(), "reject_form": ReasonForm(prefix="reject")},
    )
