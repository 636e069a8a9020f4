"""Service-item pages: the public service hall (办事大厅) with search and filters, the guide
page (办事指南) of an item, and the staff's item list and editor (draft → publish).

Reads go through services.selectors; every change calls one service, whose refusals are shown
on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.accounts.scope import has_perm, require_perm, restrict
from smartgov.core.errors import NotFound, SmartgovError
from smartgov.core.models import Department
from smartgov.portal.forms_services import HallFilterForm, ItemForm, item_initial
from smartgov.portal.services import paginate
from smartgov.services import selectors, services
from smartgov.services.forms import form_of
from smartgov.services.models import ItemStatus, ServiceItem
from smartgov.services.permissions import Perm

# Which editor field a service refusal belongs to (anything else is shown above the form).
_ERROR_FIELD = {
    "name_required": "name",
    "item_code_exists": "implementation_code",
    "promised_days_invalid": "promised_days",
    "legal_days_invalid": "legal_days",
    "visits_invalid": "visits",
    "department_not_found": "department",
}
PROBLEM_LABELS = {
    "item_incomplete": "Fill in the guide's required fields",
    "promised_limit_required": "Set the promised time limit",
    "promised_exceeds_legal": "The promised limit is longer than the legal limit",
    "immediate_has_limit": "An immediate item has a promised limit of 0 days",
    "promised_limit_zero": "A promised item needs a promised limit of at least 1 day",
    "fees_required": "List the fees, or mark the item free of charge",
    "steps_required": "Add at least one step",
    "step_exceeds_promised": "A step's limit is longer than the promised limit",
    "materials_required": "List the materials",
}


def _percent(ratio) -> str | None:
    return None if ratio is None else f"{ratio * 100:.0f}%"


@require_GET
def hall(request):
    """办事大厅: ranked Chinese search over published items, filters, pagination."""
    departments = Department.objects.filter(
        pk__in=ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).values("department_id")
    ).order_by("path")
    form = HallFilterForm(request.GET or None, departments=departments)
    items, query = [], ""
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        query = data.get("q") or ""
        filters = selectors.ItemFilter(
            department_id=data.get("department"),
            item_type=data.get("item_type") or None,
            applicant_kind=data.get("applicant_kind") or None,
            online_level=data.get("online_level") or None,
            zero_visits=bool(data.get("zero_visits")),
        )
        items = selectors.published_items(query=query, filters=filters)
    page = paginate(request, items, per_page=12)
    for item in page.object_list:
        item.compression = _percent(item.compression_ratio)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "portal/services/hall.html",
        {"form": form, "page": page, "query": query, "querystring": params.urlencode()},
    )


@require_GET
def guide(request, code: str):
    """办事指南: everything a citizen needs to know before applying for an item."""
    try:
        item = selectors.published_item(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    materials = list(item.materials.all())
    return render(
        request,
        "portal/services/guide.html",
        {
            "item": item,
            "form_fields": form_of(item),
            "materials": materials,
            "fetched": sum(1 for m in materials if m.platform_fetches),
            "steps": list(item.steps.all()),
            "compression": _percent(item.compression_ratio),
        },
    )


def _departments(user):
    return restrict(Department.objects.order_by("path"), user, Perm.MANAGE_ITEMS)


@login_required
@require_GET
def staff_items(request):
    """The item versions of the actor's departments, by status."""
    require_perm(request.user, Perm.MANAGE_ITEMS)
    status = request.GET.get("status") or ""
    if status not in ItemStatus.values:
        status = ""
    query = (request.GET.get("q") or "").strip()[:100]
    items = selectors.managed_items(request.user, status=status or None, query=query)
    return render(
        request,
        "portal/services/staff_list.html",
        {
            "page": paginate(request, items),
            "status": status,
            "q": query,
            "filters": [("", _("All")), *ItemStatus.choices],
            "querystring": f"status={status}&q={query}",
        },
    )


def _values(form: ItemForm) -> tuple[dict, list, list, list]:
    data = dict(form.cleaned_data)
    materials = data.pop("materials")
    steps = data.pop("steps")
    form_fields = data.pop("form_fields")
    data["department_id"] = data.pop("department")
    return data, materials, steps, form_fields


def _refused(form: ItemForm, exc: SmartgovError) -> None:
    field = _ERROR_FIELD.get(exc.code)
    form.add_error(field if field in form.fields else None, f"{_(exc.message)} ({exc.code})")


@login_required
@require_http_methods(["GET", "POST"])
def staff_item_new(request):
    """Draft a new item."""
    require_perm(request.user, Perm.MANAGE_ITEMS)
    form = ItemForm(request.POST or None, departments=_departments(request.user))
    if request.method == "POST" and form.is_valid():
        data, materials, steps, _form_fields = _values(form)
        try:
            item = services.create_item(
                actor=request.user, materials=materials, steps=steps, **data
            )
        except SmartgovError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("portal:services_staff_item", item.pk)
    return render(request, "portal/services/staff_form.html", {"form": form, "item": None})


@login_required
@require_http_methods(["GET", "POST"])
def staff_item(request, pk: int):
    """One item version: the editor while it is a draft; its actions otherwise."""
    item = selectors.managed_item(request.user, pk)
    editable = item.status == ItemStatus.DRAFT
    form = ItemForm(
        request.POST or None,
        initial=item_initial(item),
        departments=_departments(request.user),
        editing=True,
    )
    if request.method == "POST" and editable and form.is_valid():
        data, materials, steps, form_fields = _values(form)
        data.pop("implementation_code", None)
        try:
            services.update_item(
                actor=request.user,
                item_id=pk,
                changes=data,
                materials=materials,
                steps=steps,
                form=form_fields,
            )
        except SmartgovError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("portal:services_staff_item", pk)
    problems = services.publication_problems(item) if editable else []
    for problem in problems:
        problem["label"] = _(PROBLEM_LABELS.get(problem["code"], problem["code"]))
    return render(
        request,
        "portal/services/staff_form.html",
        {
            "form": form,
            "item": item,
            "editable": editable,
            "problems": problems,
            "can_publish": has_perm(request.user, Perm.PUBLISH_ITEMS),
            "versions": selectors.versions_of(item),
            "compression": _percent(item.compression_ratio),
        },
    )


def _act(request, pk: int, action, success: str):
    try:
        result = action()
    except SmartgovError as exc:
        messages.error(request, f"{_(exc.message)} ({exc.code})")
        return redirect("portal:services_staff_item", pk)
    messages.success(request, success)
    return redirect("portal:services_staff_item", result.pk)


@login_required
@require_POST
def staff_item_publish(request, pk: int):
    return _act(
        request,
        pk,
        lambda: services.publish_item(actor=request.user, item_id=pk),
        _("The item is published."),
    )


@login_required
@require_POST
def staff_item_withdraw(request, pk: int):
    return _act(
        request,
        pk,
        lambda: services.withdraw_item(
            actor=request.user, item_id=pk, reason=request.POST.get("reason", "")
        ),
        _("The item is withdrawn."),
    )


@login_required
@require_POST
def staff_item_new_version(request, pk: int):
    return _act(
        request,
        pk,
        lambda: services.new_version(actor=request.user, item_id=pk),
        _("A new draft version was started."),
    )
