"""One data element, one source (一数一源): the register of data elements with their authoritative
sources and holders, and the conflicts between holders and sources for the data bureau.

Reading goes through catalog.elements and datastore.sources (so a list never shows what a detail
would refuse); every change calls one service, whose refusals are shown inline.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.accounts.scope import has_perm, require_perm
from smartgov.catalog import elements
from smartgov.catalog import selectors as catalog_selectors
from smartgov.catalog.models import (
    RECORD_FORMATS,
    DataElement,
    Field,
    Resource,
    ResourceStatus,
    SourceHolder,
)
from smartgov.catalog.permissions import Perm as CatalogPerm
from smartgov.core.errors import NotFound, PermissionDeniedError, SmartgovError
from smartgov.core.models import Department
from smartgov.datastore import selectors as datastore_selectors
from smartgov.datastore import sources
from smartgov.datastore.models import ConflictKind, ConflictStatus, ScanTrigger
from smartgov.datastore.permissions import Perm as DatastorePerm
from smartgov.portal.forms import (
    CONFLICT_DECISIONS,
    ConflictCommentForm,
    ConflictDecisionForm,
    ConflictFilterForm,
    ElementForm,
    ElementSearchForm,
    HolderAddForm,
    HolderEditForm,
    OptionalReasonForm,
)
from smartgov.portal.services import is_htmx, paginate

# Which form field a service refusal belongs to (anything else is shown above the form).
_ELEMENT_ERROR_FIELD = {
    "element_code_format": "code",
    "element_code_exists": "code",
    "name_required": "name",
    "unknown_key_type": "key_type",
    "resource_not_found": "source_resource_id",
    "resource_withdrawn": "source_resource_id",
    "resource_not_a_table": "source_resource_id",
    "source_field_not_found": "source_field",
    "source_field_is_key": "source_field",
    "field_already_authoritative": "source_field",
    "field_is_a_holder": "source_field",
    "key_field_not_found": "source_key_field",
    "key_type_mismatch": "source_key_field",
    "source_key_not_unique": "source_key_field",
}
_HOLDER_ERROR_FIELD = {
    "resource_not_found": "resource_id",
    "resource_withdrawn": "resource_id",
    "resource_not_a_table": "resource_id",
    "holder_is_source": "resource_id",
    "holder_field_not_found": "field",
    "holder_field_is_key": "field",
    "data_type_mismatch": "field",
    "field_already_authoritative": "field",
    "field_already_held": "field",
    "key_field_not_found": "key_field",
    "key_type_mismatch": "key_field",
    "note_too_long": "note",
}
STATUS_BADGE = {
    ConflictStatus.OPEN: "bg-red-lt",
    ConflictStatus.HOLDER_NOTIFIED: "bg-yellow-lt",
    ConflictStatus.SOURCE_REPORTED: "bg-orange-lt",
    ConflictStatus.DISMISSED: "bg-secondary-lt",
    ConflictStatus.RESOLVED: "bg-green-lt",
}
KIND_BADGE = {ConflictKind.MISMATCH: "bg-red-lt", ConflictKind.MISSING_IN_SOURCE: "bg-purple-lt"}
# Why a comparison left something out (SourceScan.notes and element_problems codes).
PROBLEM_LABELS = {
    "source_empty": gettext_lazy("the authoritative resource has no data yet"),
    "source_not_delivered": gettext_lazy("the source's table does not have the fields yet"),
    "holder_not_delivered": gettext_lazy("the holder's table does not have the fields yet"),
    "truncated": gettext_lazy("too many differences: only the first ones are recorded"),
    "resource_withdrawn": gettext_lazy("the resource is withdrawn"),
    "source_field_not_found": gettext_lazy("the authoritative field no longer exists"),
    "holder_field_not_found": gettext_lazy("the holding field no longer exists"),
    "key_field_not_found": gettext_lazy("the key field no longer exists"),
    "key_type_mismatch": gettext_lazy("the key field's type no longer matches"),
    "source_key_not_unique": gettext_lazy("the source's key is no longer its only key"),
    "data_type_mismatch": gettext_lazy("the field's type can no longer be compared"),
}


def _problem(code: str) -> str:
    return str(PROBLEM_LABELS.get(code, code))


def _can_manage(user) -> bool:
    return has_perm(user, CatalogPerm.MANAGE_ELEMENTS)


def _can_decide(user) -> bool:
    return has_perm(user, DatastorePerm.RESOLVE_CONFLICT)


def _resource_choices(*, exclude: int | None = None) -> list[tuple[int, str]]:
    """Table resources that may be sources or holders (not withdrawn), by code."""
    resources = (
        Resource.objects.filter(format__in=RECORD_FORMATS)
        .exclude(status=ResourceStatus.WITHDRAWN)
        .exclude(pk=exclude)
        .select_related("provider")
        .order_by("code")
    )
    return [
        (r.pk, f"{r.code} {r.name} · {r.provider.short_name or r.provider.name}") for r in resources
    ]


def _fields_of(resource_id) -> list[Field] | None:
    if not resource_id:
        return None
    try:
        resource_id = int(resource_id)
    except (TypeError, ValueError):
        return None
    return list(Field.objects.filter(resource_id=resource_id).order_by("position", "id"))


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- Register -----------------------------------------------------------------------------


@login_required
@require_GET
def element_list(request):
    """The register: search by code, name or description; filter by subject key."""
    form = ElementSearchForm(request.GET or None)
    query, key_type = "", None
    if form.is_valid():
        query, key_type = form.cleaned_data["q"], form.cleaned_data["key_type"] or None
    found = catalog_selectors.search_elements(
        request.user, query=query, key_type=key_type
    ).annotate(
        holder_count=Count("holders", distinct=True),
        waiting=Count(
            "conflicts",
            filter=~Q(conflicts__status__in=[ConflictStatus.RESOLVED, ConflictStatus.DISMISSED]),
            distinct=True,
        ),
    )
    page = paginate(request, found)
    context = {
        "form": form,
        "page": page,
        "filtered": bool(query or key_type),
        "can_manage": _can_manage(request.user),
        "tab": "register",
    }
    template = (
        "portal/sources/_element_rows.html" if is_htmx(request) else "portal/sources/elements.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def field_options(request):
    """HTMX: the <option>s of a resource's fields, for the field selects of a form."""
    catalog_selectors.require_reader(request.user)
    chosen = next(
        (
            request.GET[name]
            for name in ("resource", "resource_id", "source_resource_id")
            if request.GET.get(name)
        ),
        None,
    )
    form = HolderAddForm(resources=[], fields=_fields_of(chosen))
    return render(request, "portal/sources/_field_options.html", {"field": form["field"]})


def _show_error(form, exc: SmartgovError, mapping: dict) -> None:
    form.add_error(mapping.get(exc.code), exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def element_create(request):
    """The data bureau registers a data element and its authoritative source."""
    require_perm(request.user, CatalogPerm.MANAGE_ELEMENTS)
    chosen = request.POST.get("source_resource_id") or request.GET.get("resource")
    form = ElementForm(
        request.POST or None,
        initial={"source_resource_id": chosen},
        resources=_resource_choices(),
        fields=_fields_of(chosen),
    )
    if request.method == "POST" and form.is_valid():
        try:
            element = elements.create_element(actor=request.user, **form.cleaned_data)
        except SmartgovError as exc:
            if isinstance(exc, PermissionDeniedError):
                raise
            _show_error(form, exc, _ELEMENT_ERROR_FIELD)
        else:
            messages.success(
                request,
                _("%(name)s is registered. Confirm the resources that hold copies of it.")
                % {"name": element.name},
            )
            return redirect("portal:source_detail", pk=element.pk)
    return render(
        request,
        "portal/sources/element_form.html",
        {"form": form, "tab": "register"},
        status=400 if form.errors else 200,
    )


def _holder_rows(element: DataElement, problems: dict) -> list[SourceHolder]:
    counts = datastore_selectors.conflict_counts([element.pk])
    holders = list(element.holders.all())
    labels = {
        (f.resource_id, f.name): f.label
        for f in Field.objects.filter(resource_id__in=[h.resource_id for h in holders])
    }
    for holder in holders:
        per_status = counts.get((element.pk, holder.pk), {})
        holder.open_count = per_status.get(ConflictStatus.OPEN, 0)
        holder.waiting_count = per_status.get(ConflictStatus.HOLDER_NOTIFIED, 0) + per_status.get(
            ConflictStatus.SOURCE_REPORTED, 0
        )
        holder.dismissed_count = per_status.get(ConflictStatus.DISMISSED, 0)
        holder.field_label = labels.get((holder.resource_id, holder.field), "")
        holder.key_label = labels.get((holder.resource_id, holder.key_field), "")
        holder.problems = [_problem(code) for code in problems.get(holder.pk, [])]
    return holders


def _detail(request, element: DataElement, *, status: int = 200, holder_form=None):
    problems = catalog_selectors.element_problems(element)
    source_fields = {f.name: f for f in element.source_resource.fields.all()}
    manage = _can_manage(request.user)
    scans = list(datastore_selectors.scans(request.user, element.pk)[:5])
    for scan in scans:
        scan.note_labels = [_problem(note["reason"]) for note in scan.notes]
    context = {
        "element": element,
        "source_field": source_fields.get(element.source_field),
        "source_key": source_fields.get(element.source_key_field),
        "source_problems": [_problem(code) for code in problems.get(None, [])],
        "holders": _holder_rows(element, problems),
        "suggestions": catalog_selectors.suggest_holders(request.user, element.pk)
        if manage
        else [],
        "holder_form": holder_form
        or HolderAddForm(resources=_resource_choices(exclude=element.source_resource_id)),
        "scans": scans,
        "stale": bool(scans) and scans[0].started_at < element.updated_at,
        "never_scanned": not scans,
        "revisions": list(catalog_selectors.element_revisions(request.user, element.pk)),
        "can_manage": manage,
        "can_scan": _can_decide(request.user),
        "tab": "register",
    }
    return render(request, "portal/sources/element_detail.html", context, status=status)


@login_required
@require_GET
def element_detail(request, pk: int):
    return _detail(request, catalog_selectors.get_element(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def element_edit(request, pk: int):
    require_perm(request.user, CatalogPerm.MANAGE_ELEMENTS)
    element = catalog_selectors.get_element(request.user, pk)
    initial = {name: getattr(element, name) for name in elements.ELEMENT_FIELDS}
    chosen = request.POST.get("source_resource_id") or element.source_resource_id
    form = ElementForm(
        request.POST or None,
        initial=initial,
        resources=_resource_choices(),
        fields=_fields_of(chosen),
    )
    if request.method == "POST" and form.is_valid():
        try:
            elements.update_element(
                actor=request.user, element_id=element.pk, changes=form.cleaned_data
            )
        except SmartgovError as exc:
            if isinstance(exc, (NotFound, PermissionDeniedError)):
                raise
            _show_error(form, exc, _ELEMENT_ERROR_FIELD)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("portal:source_detail", pk=element.pk)
    return render(
        request,
        "portal/sources/element_form.html",
        {"form": form, "element": element, "tab": "register"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def element_delete(request, pk: int):
    """Confirmation page: what goes with the element; POST deletes it."""
    require_perm(request.user, CatalogPerm.MANAGE_ELEMENTS)
    element = catalog_selectors.get_element(request.user, pk)
    form = OptionalReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        elements.delete_element(
            actor=request.user, element_id=element.pk, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request, _("%(name)s is deleted from the register.") % {"name": element.name}
        )
        return redirect("portal:sources")
    conflicts = element.conflicts.exclude(status=ConflictStatus.RESOLVED).count()
    return render(
        request,
        "portal/sources/element_delete.html",
        {
            "element": element,
            "form": form,
            "holder_count": element.holders.count(),
            "conflict_count": conflicts,
            "tab": "register",
        },
    )


@login_required
@require_POST
def holder_add(request, pk: int):
    """Add a holder, from a confirmed suggestion or the form; refusals shown on the form."""
    require_perm(request.user, CatalogPerm.MANAGE_ELEMENTS)
    element = catalog_selectors.get_element(request.user, pk)
    form = HolderAddForm(
        request.POST,
        resources=_resource_choices(exclude=element.source_resource_id),
        fields=_fields_of(request.POST.get("resource_id")),
    )
    if form.is_valid():
        try:
            holder = elements.add_holder(
                actor=request.user, element_id=element.pk, **form.cleaned_data
            )
        except SmartgovError as exc:
            if isinstance(exc, PermissionDeniedError):
                raise
            _show_error(form, exc, _HOLDER_ERROR_FIELD)
        else:
            messages.success(
                request,
                _("%(resource)s is registered as holding a copy of %(name)s.")
                % {"resource": holder.resource.name, "name": element.name},
            )
            return redirect("portal:source_detail", pk=element.pk)
    return _detail(
        request, catalog_selectors.get_element(request.user, pk), status=400, holder_form=form
    )


def _holder_of(request, pk: int, holder_pk: int) -> tuple[DataElement, SourceHolder]:
    element = catalog_selectors.get_element(request.user, pk)
    holder = next((h for h in element.holders.all() if h.pk == holder_pk), None)
    if holder is None:
        raise NotFound("not_found", "No such object, or it is outside your data scope.")
    return element, holder


@login_required
@require_http_methods(["GET", "POST"])
def holder_edit(request, pk: int, holder_pk: int):
    require_perm(request.user, CatalogPerm.MANAGE_ELEMENTS)
    element, holder = _holder_of(request, pk, holder_pk)
    form = HolderEditForm(
        request.POST or None,
        initial={
            "key_field": holder.key_field,
            "report_missing": holder.report_missing,
            "note": holder.note,
        },
        fields=_fields_of(holder.resource_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            elements.update_holder(
                actor=request.user, holder_id=holder.pk, changes=form.cleaned_data
            )
        except SmartgovError as exc:
            if isinstance(exc, (NotFound, PermissionDeniedError)):
                raise
            _show_error(form, exc, _HOLDER_ERROR_FIELD)
        else:
            messages.success(request, _("The holder is saved."))
            return redirect("portal:source_detail", pk=element.pk)
    return render(
        request,
        "portal/sources/holder_form.html",
        {"form": form, "element": element, "holder": holder, "tab": "register"},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def holder_remove(request, pk: int, holder_pk: int):
    require_perm(request.user, CatalogPerm.MANAGE_ELEMENTS)
    element, holder = _holder_of(request, pk, holder_pk)
    elements.remove_holder(
        actor=request.user, holder_id=holder.pk, reason=request.POST.get("reason", "")
    )
    messages.success(
        request,
        _("%(resource)s no longer holds %(name)s.")
        % {"resource": holder.resource.name, "name": element.name},
    )
    return redirect("portal:source_detail", pk=element.pk)


@login_required
@require_POST
def element_scan(request, pk: int):
    """Compare the element's holders with its source now."""
    element = catalog_selectors.get_element(request.user, pk)
    scan = sources.scan_element(
        actor=request.user, element_id=element.pk, trigger=ScanTrigger.MANUAL
    )
    messages.success(
        request,
        _(
            "Compared %(holders)s holders: %(found)s conflicts found, %(new)s new, "
            "%(resolved)s resolved by the data."
        )
        % {
            "holders": scan.holders,
            "found": scan.found,
            "new": scan.created,
            "resolved": scan.resolved,
        },
    )
    return redirect("portal:source_detail", pk=element.pk)


# --- Conflicts ----------------------------------------------------------------------------


def _present(conflicts, *, can_decide: bool = False) -> list:
    conflicts = list(conflicts)
    labels = dict(CONFLICT_DECISIONS)
    for conflict in conflicts:
        conflict.status_badge = STATUS_BADGE.get(conflict.status, "")
        conflict.kind_badge = KIND_BADGE.get(conflict.kind, "")
        conflict.decisions = (
            [(d, labels[d]) for d in _decisions_for(conflict)] if can_decide else []
        )
    return conflicts


@login_required
@require_GET
def conflict_list(request):
    """Conflicts the user may see (all for the data bureau), waiting ones first by default."""
    visible = datastore_selectors.visible_conflicts(request.user)  # needs datastore.view_data
    element_choices = [
        (e.pk, e.name)
        for e in DataElement.objects.filter(pk__in=visible.values("element_id")).order_by("code")
    ]
    departments = Department.objects.filter(
        pk__in=visible.values("holder__resource__provider_id")
    ).order_by("path")
    form = ConflictFilterForm(
        request.GET or None,
        elements=element_choices,
        departments=[(d.pk, d.name) for d in departments],
    )
    filters = datastore_selectors.ConflictFilter(status="unresolved")
    if form.is_valid():
        data = form.cleaned_data
        status = data["status"] or "unresolved"
        filters = datastore_selectors.ConflictFilter(
            element_id=data["element"],
            department_id=data["department"],
            status=None if status == "all" else status,
            kind=data["kind"] or None,
            key=data["key"] or None,
            holder_id=_int(request.GET.get("holder_id")),
        )
    page = paginate(request, datastore_selectors.search_conflicts(request.user, filters))
    can_decide = _can_decide(request.user)
    page.object_list = _present(page.object_list, can_decide=can_decide)
    return render(
        request,
        "portal/sources/conflicts.html",
        {
            "form": form,
            "page": page,
            "filtered": any(request.GET.get(name) for name in (*form.fields, "holder_id")),
            "can_decide": can_decide,
            "tab": "conflicts",
        },
    )


def _int(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def _decisions_for(conflict) -> list[str]:
    return [
        action
        for action in ("notify_holder", "report_source", "dismiss")
        if conflict.status in sources.TRANSITIONS[action][0]
    ]


def _conflict_page(request, conflict, *, status: int = 200, decision_form=None, comment_form=None):
    conflict = datastore_selectors.get_conflict(request.user, conflict.pk, with_timeline=True)
    conflict.status_badge = STATUS_BADGE.get(conflict.status, "")
    conflict.kind_badge = KIND_BADGE.get(conflict.kind, "")
    for event in conflict.timeline:
        event.status_badge = STATUS_BADGE.get(event.to_status, "")
    labels = dict(
        Field.objects.filter(
            Q(resource_id=conflict.holder.resource_id, name=conflict.holder.field)
            | Q(resource_id=conflict.element.source_resource_id, name=conflict.element.source_field)
        ).values_list("resource_id", "label")
    )
    can_decide = _can_decide(request.user)
    decisions = _decisions_for(conflict) if can_decide else []
    return render(
        request,
        "portal/sources/conflict_detail.html",
        {
            "conflict": conflict,
            "holder_label": labels.get(conflict.holder.resource_id, ""),
            "source_label": labels.get(conflict.element.source_resource_id, ""),
            "decision_form": decision_form or ConflictDecisionForm(decisions=decisions),
            "decisions": decisions,
            "can_reopen": can_decide and conflict.status == ConflictStatus.DISMISSED,
            "comment_form": comment_form or ConflictCommentForm(),
            "tab": "conflicts",
        },
        status=status,
    )


@login_required
@require_GET
def conflict_detail(request, pk: int):
    return _conflict_page(request, datastore_selectors.get_conflict(request.user, pk))


_DECIDE = {
    "notify_holder": (
        sources.notify_holder,
        "comment",
        gettext_lazy("The holder's department is asked to correct its copy."),
    ),
    "report_source": (
        sources.report_source_error,
        "comment",
        gettext_lazy("The authoritative source's department is asked to check its value."),
    ),
    "dismiss": (sources.dismiss_conflict, "reason", gettext_lazy("The conflict is dismissed.")),
    "reopen": (sources.reopen_conflict, "comment", gettext_lazy("The conflict is open again.")),
}


@login_required
@require_POST
def conflict_decide(request, pk: int):
    """Data bureau: one decision (with its remark) from the list or the detail page."""
    require_perm(request.user, DatastorePerm.RESOLVE_CONFLICT)
    conflict = datastore_selectors.get_conflict(request.user, pk)
    prefix = "row" if request.POST.get("from") == "list" else None
    if request.POST.get("decision") == "reopen":
        form = None
        decision, comment = "reopen", request.POST.get("comment", "")
    else:
        form = ConflictDecisionForm(request.POST, prefix=prefix)
        if not form.is_valid():
            return _conflict_page(request, conflict, status=400, decision_form=_unprefixed(form))
        decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
    service, argument, success = _DECIDE[decision]
    try:
        service(actor=request.user, conflict_id=conflict.pk, **{argument: comment})
    except SmartgovError as exc:
        if isinstance(exc, (NotFound, PermissionDeniedError)):
            raise
        shown = ConflictDecisionForm(
            {"decision": decision, "comment": comment}, decisions=_decisions_for(conflict)
        )
        shown.is_valid()
        shown.add_error("comment" if exc.code == "reason_required" else None, exc.message)
        return _conflict_page(request, conflict, status=exc.status, decision_form=shown)
    messages.success(request, str(success))
    return redirect(_safe_next(request, reverse("portal:conflict_detail", args=[conflict.pk])))


def _unprefixed(form: ConflictDecisionForm) -> ConflictDecisionForm:
    """A list row's refused form, shown on the detail page (which has no prefix)."""
    if form.prefix is None:
        return form
    data = {
        "decision": form.data.get(form.add_prefix("decision"), ""),
        "comment": form.data.get(form.add_prefix("comment"), ""),
    }
    shown = ConflictDecisionForm(data)
    shown.is_valid()
    return shown


@login_required
@require_POST
def conflict_comment(request, pk: int):
    conflict = datastore_selectors.get_conflict(request.user, pk)
    form = ConflictCommentForm(request.POST)
    if form.is_valid():
        try:
            sources.comment_conflict(
                actor=request.user, conflict_id=conflict.pk, comment=form.cleaned_data["comment"]
            )
        except SmartgovError as exc:
            if isinstance(exc, (NotFound, PermissionDeniedError)):
                raise
            form.add_error("comment", exc.message)
        else:
            messages.success(request, _("The remark is added."))
            return redirect("portal:conflict_detail", pk=conflict.pk)
    return _conflict_page(request, conflict, status=400, comment_form=form)
