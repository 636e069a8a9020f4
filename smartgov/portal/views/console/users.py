"""Accounts: list, detail, create staff, edit, (de)activate, set password, unlock, roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.accounts import services
from smartgov.accounts.models import Role, User
from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import access, has_perm, require_perm, restrict
from smartgov.core.errors import SmartgovError
from smartgov.core.models import Department
from smartgov.portal.forms import (
    AssignRoleForm,
    SetPasswordForm,
    StaffCreateForm,
    UserEditForm,
    UserFilterForm,
)
from smartgov.portal.services import indent_label, is_htmx, paginate


def _account(request, pk: int, perm: str = Perm.VIEW_USER) -> User:
    return access(User.objects.all(), request.user, perm, pk=pk)


@login_required
@require_GET
def user_list(request):
    """Accounts in the actor's scope; HTMX search requests get only the table."""
    require_perm(request.user, Perm.VIEW_USER)
    form = UserFilterForm(request.GET or None)
    users = restrict(User.objects.all(), request.user, Perm.VIEW_USER).order_by("username")
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            users = users.filter(Q(display_name__icontains=query) | Q(username__icontains=query))
        if form.cleaned_data["kind"]:
            users = users.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["active"]:
            users = users.filter(is_active=form.cleaned_data["active"] == "1")
    context = {
        "form": form,
        "page": paginate(request, users),
        "filtered": bool(
            request.GET.get("q") or request.GET.get("kind") or request.GET.get("active")
        ),
        "can_create": has_perm(request.user, Perm.MANAGE_USER),
        "now": timezone.now(),
    }
    template = (
        "portal/console/_user_table.html" if is_htmx(request) else "portal/console/users.html"
    )
    return render(request, template, context)


def _assign_form(request, data=None) -> AssignRoleForm:
    departments = restrict(Department.objects.all(), request.user, Perm.ASSIGN_ROLE).order_by(
        "path"
    )
    base = min((d.depth for d in departments), default=1)
    roles = Role.objects.order_by("-builtin", "code")
    return AssignRoleForm(
        data,
        departments=[(d.pk, indent_label(d, base)) for d in departments],
        roles=[(r.code, _(r.name)) for r in roles],
    )


def _detail(request, account: User, *, assign_form=None, status=200):
    user = request.user
    can_assign = has_perm(user, Perm.ASSIGN_ROLE) and account.kind == "staff"
    if can_assign and assign_form is None:
        assign_form = _assign_form(request)
    memberships = account.memberships.select_related("department__region", "role")
    removable = set()
    if can_assign:
        removable = set(
            restrict(account.memberships.all(), user, Perm.ASSIGN_ROLE).values_list("pk", flat=True)
        )
    return render(
        request,
        "portal/console/user_detail.html",
        {
            "account": account,
            "memberships": memberships,
            "removable": removable,
            "tokens": account.api_tokens.order_by("revoked_at", "-created_at")[:50],
            "assign_form": assign_form if can_assign else None,
            "can_manage": has_perm(user, Perm.MANAGE_USER),
            "can_unlock": has_perm(user, Perm.UNLOCK_USER),
            "can_revoke_tokens": has_perm(user, Perm.MANAGE_TOKEN),
            "is_self": account.pk == user.pk,
            "locked": account.is_locked(),
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_GET
def user_detail(request, pk: int):
    return _detail(request, _account(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request):
    """A system administrator creates a staff account (roles come from a security admin)."""
    require_perm(request.user, Perm.MANAGE_USER)
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.create_staff(
                actor=request.user,
                username=data["username"],
                name=data["name"],
                password=data["password"],
                phone=data["phone"],
                email=data["email"],
            )
        except SmartgovError as exc:
            field = {
                "username_format": "username",
                "username_taken": "username",
                "name_required": "name",
                "mobile_format": "phone",
                "password_weak": "password",
            }.get(exc.code)
            form.add_error(field, exc.message)
        else:
            messages.success(
                request,
                _("Staff account %(name)s created. A security administrator assigns its roles.")
                % {"name": account.display_name},
            )
            return redirect("portal:admin_user_detail", pk=account.pk)
    return render(
        request,
        "portal/console/user_form.html",
        {"form": form, "mode": "create"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request, pk: int):
    account = _account(request, pk, Perm.MANAGE_USER)
    initial = {
        "display_name": account.display_name,
        "phone": account.phone,
        "email": account.email,
        "legal_representative": account.legal_representative,
    }
    form = UserEditForm(request.POST or None, initial=initial, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(actor=request.user, user_id=account.pk, changes=form.changes())
        except SmartgovError as exc:
            field = {"mobile_format": "phone", "name_required": "display_name"}.get(exc.code)
            form.add_error(field, exc.message)
        else:
            messages.success(request, _("Contact details saved."))
            return redirect("portal:admin_user_detail", pk=account.pk)
    return render(
        request,
        "portal/console/user_form.html",
        {"form": form, "mode": "edit", "account": account},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_set_password(request, pk: int):
    account = _account(request, pk, Perm.MANAGE_USER)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_password(
                actor=request.user, user_id=account.pk, password=form.cleaned_data["password"]
            )
        except SmartgovError as exc:
            form.add_error("password", exc.message)
        else:
            messages.success(request, _("The new password is set; the account is unlocked."))
            return redirect("portal:admin_user_detail", pk=account.pk)
    return render(
        request,
        "portal/console/user_form.html",
        {"form": form, "mode": "password", "account": account},
        status=400 if form.errors else 200,
    )


def _action(request, pk: int, perm: str, service, success: str):
    account = _account(request, pk, perm)
    try:
        service(actor=request.user, user_id=account.pk)
    except SmartgovError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success % {"name": account.display_name})
    return redirect("portal:admin_user_detail", pk=account.pk)


@login_required
@require_POST
def user_deactivate(request, pk: int):
    return _action(
        request, pk, Perm.MANAGE_USER, services.deactivate_user, _("%(name)s is deactivated.")
    )


@login_required
@require_POST
def user_reactivate(request, pk: int):
    return _action(
        request, pk, Perm.MANAGE_USER, services.reactivate_user, _("%(name)s is active again.")
    )


@login_required
@require_POST
def user_unlock(request, pk: int):
    return _action(request, pk, Perm.UNLOCK_USER, services.unlock_user, _("%(name)s is unlocked."))


@login_required
@require_POST
def user_assign_role(request, pk: int):
    """Assign a role; refusals (separation of duties, scope) are shown inline on the form."""
    account = _account(request, pk)
    require_perm(request.user, Perm.ASSIGN_ROLE)
    form = _assign_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assign_role(
                actor=request.user,
                user_id=account.pk,
                department_id=data["department"],
                role_code=data["role"],
                scope=data["scope"] or None,
                title=data["title"],
            )
        except SmartgovError as exc:
            field = {"unknown_scope": "scope", "scope_too_wide": "scope"}.get(exc.code)
            form.add_error(field, exc.message)
        else:
            messages.success(request, _("Role assigned."))
            return redirect("portal:admin_user_detail", pk=account.pk)
    return _detail(request, account, assign_form=form, status=400)


@login_required
@require_POST
def user_remove_membership(request, pk: int, membership_pk: int):
    account = _account(request, pk)
    try:
        services.remove_membership(actor=request.user, membership_id=membership_pk)
    except SmartgovError as exc:
        if exc.status in (403, 404) and exc.code in ("permission_denied", "not_found"):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Role removed."))
    return redirect("portal:admin_user_detail", pk=account.pk)


@login_required
@require_POST
def user_revoke_token(request, pk: int, token_pk: int):
    account = _account(request, pk)
    require_perm(request.user, Perm.MANAGE_TOKEN)
    if not account.api_tokens.filter(pk=token_pk).exists():
        raise Http404
    try:
        services.revoke_token(actor=request.user, token_id=token_pk)
    except SmartgovError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Token revoked."))
    return redirect("portal:admin_user_detail", pk=account.pk)
