"""Configuration of the governance loop (governance administrators): the category tree with
its limits, conditions and default departments; the dispatch rules; the unit grids.

Simple forms over governance.categories and governance.routing; every rule is theirs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.accounts.scope import require_perm
from smartgov.core.errors import SmartgovError
from smartgov.core.models import Department, Region
from smartgov.governance import categories, routing
from smartgov.governance.models import Category, DispatchRule, Grid
from smartgov.governance.permissions import Perm
from smartgov.portal.forms_governance import CategoryForm, RuleForm
from smartgov.portal.services import paginate
from smartgov.portal.views.governance_common import add_error, page, reraise_access

CATEGORY_ERROR_FIELD = {
    "code_exists": "code",
    "category_code_exists": "code",
    "code_format": "code",
    "code_required": "code",
    "name_required": "name",
    "unknown_category": "parent",
    "parent_not_major": "parent",
    "time_limit_range": "time_limit",
    "time_limit_required": "time_limit",
}
RULE_ERROR_FIELD = {
    "unknown_category": "category",
    "region_level": "region",
    "region_outside_city": "region",
    "rule_exists": "region",
}


def _departments():
    return list(Department.objects.filter(is_active=True).order_by("path")[:500])


def _sub(request, template: str, context: dict, *, section: str, status: int = 200):
    return page(request, template, {**context, "section": section}, tab="config", status=status)


@login_required
@require_GET
def categories_list(request):
    require_perm(request.user, Perm.CONFIGURE)
    majors = list(
        Category.objects.filter(parent__isnull=True)
        .prefetch_related("children__default_department")
        .order_by("sort_order", "code")
    )
    return _sub(request, "config_categories.html", {"majors": majors}, section="categories")


def _category_form(request, *, category=None):
    majors = Category.objects.filter(parent__isnull=True).order_by("code")
    initial = {}
    if category is not None:
        initial = {
            "code": category.code,
            "name": category.name,
            "kind": category.kind,
            "parent": category.parent.code if category.parent_id else "",
            "time_limit": category.time_limit,
            "time_limit_unit": category.time_limit_unit,
            "opening_condition": category.opening_condition,
            "closing_condition": category.closing_condition,
            "default_department": category.default_department_id,
            "keywords": category.keywords,
        }
    return CategoryForm(
        request.POST or None,
        initial=initial,
        majors=majors,
        departments=_departments(),
        editing=category is not None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request, code: str | None = None):
    """Create a class (no code in the URL) or edit one."""
    require_perm(request.user, Perm.CONFIGURE)
    category = None
    if code is not None:
        category = Category.objects.filter(code=code).first()
        if category is None:
            raise Http404
    form = _category_form(request, category=category)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        department = None
        if data.get("default_department"):
            department = Department.objects.filter(pk=data["default_department"]).first()
        fields = {
            "name": data["name"],
            "kind": data["kind"],
            "time_limit": data["time_limit"],
            "time_limit_unit": data["time_limit_unit"],
            "opening_condition": data["opening_condition"],
            "closing_condition": data["closing_condition"],
            "default_department": department,
            "keywords": data["keywords"],
        }
        try:
            if category is None:
                parent = categories.get_category(data["parent"]) if data["parent"] else None
                category = categories.create_category(
                    actor=request.user, code=data["code"], parent=parent, **fields
                )
            else:
                category = categories.update_category(
                    actor=request.user, category=category, **fields
                )
        except SmartgovError as exc:
            reraise_access(exc)
            add_error(form, exc, CATEGORY_ERROR_FIELD)
        else:
            messages.success(request, _("Category %(code)s saved.") % {"code": category.code})
            return redirect("portal:governance_categories")
    return _sub(
        request,
        "config_category_form.html",
        {"form": form, "category": category},
        section="categories",
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def category_toggle(request, code: str):
    require_perm(request.user, Perm.CONFIGURE)
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise Http404
    was_active = category.active
    try:
        categories.set_category_active(actor=request.user, category=category, active=not was_active)
    except SmartgovError as exc:
        reraise_access(exc)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            (_("Category %(code)s disabled.") if was_active else _("Category %(code)s enabled."))
            % {"code": category.code},
        )
    return redirect("portal:governance_categories")


def _rule_form(request):
    regions = Region.objects.filter(code__startswith="3301", level__in=("county", "street"))
    return RuleForm(
        request.POST or None,
        categories=Category.objects.filter(active=True).order_by("code"),
        regions=list(regions.order_by("path")),
        departments=_departments(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    require_perm(request.user, Perm.CONFIGURE)
    form = _rule_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            routing.set_rule(
                actor=request.user,
                category=categories.get_category(data["category"]),
                region=Region.objects.get(pk=data["region"]),
                department=Department.objects.get(pk=data["department"]),
            )
        except SmartgovError as exc:
            reraise_access(exc)
            add_error(form, exc, RULE_ERROR_FIELD)
        else:
            messages.success(request, _("Dispatch rule saved."))
            return redirect("portal:governance_rules")
    listed = DispatchRule.objects.select_related("category", "region", "department")
    return _sub(
        request,
        "config_rules.html",
        {"form": form, "page": paginate(request, listed)},
        section="rules",
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def rule_delete(request, pk: int):
    require_perm(request.user, Perm.CONFIGURE)
    rule = DispatchRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    try:
        routing.delete_rule(actor=request.user, rule=rule)
    except SmartgovError as exc:
        reraise_access(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Dispatch rule deleted."))
    return redirect("portal:governance_rules")


@login_required
@require_GET
def grids(request):
    require_perm(request.user, Perm.CONFIGURE)
    listed = Grid.objects.select_related("street", "district", "inspector")
    q = (request.GET.get("q") or "").strip()[:64]
    if q:
        from django.db.models import Q

        listed = listed.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(community__icontains=q)
        )
    return _sub(
        request, "config_grids.html", {"page": paginate(request, listed), "q": q}, section="grids"
    )
