"""Departments: the tree within the actor's scope, create, edit (incl. moving)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smartgov.accounts import services
from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import access, require_perm, restrict, scope_filter
from smartgov.core.errors import SmartgovError
from smartgov.core.models import Department, Region
from smartgov.portal.forms import DepartmentForm
from smartgov.portal.services import indent_label, paginate

TREE_PAGE_SIZE = 50
_FIELD_OF_ERROR = {
    "name_required": "name",
    "unknown_kind": "kind",
    "parent_cycle": "parent_id",
    "not_found": "parent_id",
    "department_exists": "name",
}


def _in_scope(request):
    return restrict(
        Department.objects.select_related("region", "parent"), request.user, Perm.MANAGE_DEPARTMENT
    ).order_by("path")


@login_required
@require_GET
def department_list(request):
    require_perm(request.user, Perm.MANAGE_DEPARTMENT)
    departments = _in_scope(request)
    page = paginate(request, departments, TREE_PAGE_SIZE)
    base = min((d.depth for d in page.object_list), default=1)
    rows = [{"department": d, "indent": d.depth - base} for d in page.object_list]
    return render(
        request, "portal/console/departments.html", {"page": page, "rows": rows, "base": base}
    )


def _form(request, *, data=None, initial=None, editing: Department | None = None):
    user = request.user
    city_wide = scope_filter(Department, user, Perm.MANAGE_DEPARTMENT) is None
    regions = restrict(Region.objects.all(), user, Perm.MANAGE_DEPARTMENT)
    if city_wide:
        regions = regions.filter(Q(depth__lte=3) | Q(departments__isnull=False)).distinct()
    else:
        regions = regions.filter(depth__lte=4)
    regions = list(regions.order_by("path"))
    region_base = min((r.depth for r in regions), default=1)
    parents = _in_scope(request)
    if editing is not None:
        parents = parents.exclude(pk=editing.pk).exclude(path__startswith=editing.path)
    parents = list(parents)
    parent_base = min((d.depth for d in parents), default=1)
    parent_choices = [(d.pk, indent_label(d, parent_base)) for d in parents]
    if editing is not None and editing.parent_id and editing.parent not in parents:
        # The current parent may lie outside the actor's scope; keeping it must stay possible.
        parent_choices.insert(0, (editing.parent_id, str(editing.parent)))
    region_choices = [(r.code, indent_label(r, region_base)) for r in regions]
    if editing is not None and editing.region not in regions:
        region_choices.insert(0, (editing.region.code, str(editing.region)))
    return DepartmentForm(
        data,
        initial=initial,
        regions=region_choices,
        parents=parent_choices,
        allow_top_level=city_wide,
    )


def _show_error(form, exc: SmartgovError) -> None:
    field = _FIELD_OF_ERROR.get(exc.code)
    if exc.code.startswith("credit_code") or exc.code.startswith("code"):
        field = "code"
    form.add_error(field, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def department_create(request):
    require_perm(request.user, Perm.MANAGE_DEPARTMENT)
    initial = {}
    if request.GET.get("parent"):
        parent = _in_scope(request).filter(pk=request.GET["parent"]).first()
        if parent is not None:
            initial = {"parent_id": parent.pk, "region_code": parent.region.code}
    form = _form(request, data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            department = services.create_department(actor=request.user, **form.cleaned_data)
        except SmartgovError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, _("Department %(name)s created.") % {"name": department})
            return redirect("portal:admin_departments")
    return render(
        request,
        "portal/console/department_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request, pk: int):
    department = access(
        Department.objects.select_related("region"), request.user, Perm.MANAGE_DEPARTMENT, pk=pk
    )
    initial = {
        "name": department.name,
        "short_name": department.short_name,
        "kind": department.kind,
        "region_code": department.region.code,
        "parent_id": department.parent_id,
        "code": department.code,
        "phone": department.phone,
        "address": department.address,
    }
    form = _form(request, data=request.POST or None, initial=initial, editing=department)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial.get(k)}
        try:
            if changes:
                services.update_department(
                    actor=request.user, department_id=department.pk, changes=changes
                )
        except SmartgovError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, _("Department %(name)s saved.") % {"name": department})
            return redirect("portal:admin_departments")
    return render(
        request,
        "portal/console/department_form.html",
        {"form": form, "department": department},
        status=400 if form.errors else 200,
    )
