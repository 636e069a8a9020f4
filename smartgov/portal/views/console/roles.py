"""Roles: built-in and custom, with their permissions; create and edit custom roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smartgov.accounts import services
from smartgov.accounts.models import Role
from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import require_perm
from smartgov.core.errors import SmartgovError
from smartgov.core.permissions import all_permissions
from smartgov.portal.forms import RoleForm
from smartgov.portal.services import paginate

_FIELD_OF_ERROR = {
    "role_code_format": "code",
    "role_exists": "code",
    "name_required": "name",
    "unknown_permission": "permissions",
}


def _permission_choices() -> list[tuple[str, str]]:
    return [(code, f"{_(label)}（{code}）") for code, label in all_permissions().items()]


@login_required
@require_GET
def role_list(request):
    require_perm(request.user, Perm.MANAGE_ROLE)
    labels = all_permissions()
    roles = Role.objects.annotate(holders=Count("memberships__user", distinct=True)).order_by(
        "-builtin", "code"
    )
    page = paginate(request, roles)
    rows = [
        {"role": role, "permissions": [_(labels.get(code, code)) for code in role.permissions]}
        for role in page.object_list
    ]
    return render(request, "portal/console/roles.html", {"page": page, "rows": rows})


def _save(request, form, role: Role | None):
    data = form.cleaned_data
    try:
        if role is None:
            role = services.create_role(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                description=data["description"],
                permissions=data["permissions"],
            )
        else:
            role = services.update_role(
                actor=request.user,
                role_id=role.pk,
                name=data["name"],
                description=data["description"],
                permissions=data["permissions"],
            )
    except SmartgovError as exc:
        form.add_error(_FIELD_OF_ERROR.get(exc.code), exc.message)
        return None
    return role


@login_required
@require_http_methods(["GET", "POST"])
def role_create(request):
    require_perm(request.user, Perm.MANAGE_ROLE)
    form = RoleForm(request.POST or None, permissions=_permission_choices())
    if request.method == "POST" and form.is_valid():
        role = _save(request, form, None)
        if role is not None:
            messages.success(request, _("Role %(name)s created.") % {"name": role.name})
            return redirect("portal:admin_roles")
    return render(
        request,
        "portal/console/role_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def role_edit(request, pk: int):
    require_perm(request.user, Perm.MANAGE_ROLE)
    role = get_object_or_404(Role, pk=pk)
    initial = {"name": role.name, "description": role.description, "permissions": role.permissions}
    form = RoleForm(
        request.POST or None, initial=initial, permissions=_permission_choices(), editing=role
    )
    if role.builtin:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, role)
        if saved is not None:
            messages.success(request, _("Role %(name)s saved.") % {"name": saved.name})
            return redirect("portal:admin_roles")
    return render(
        request,
        "portal/console/role_form.html",
        {"form": form, "role": role},
        status=400 if form.errors else 200,
    )
