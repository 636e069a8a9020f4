"""Roles and the memberships that give staff a role in a department within a data scope."""

from __future__ import annotations

import re

from django.db import transaction

from smartgov.accounts.models import Membership, Role, Scope, User, UserKind
from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import access, clear_cache, require_perm, restrict
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import Department
from smartgov.core.permissions import builtin_roles, is_known_permission

_ROLE_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
# Scopes ordered from narrowest to widest, to refuse granting wider than one holds.
_SCOPE_RANK = {
    Scope.OWN_DEPARTMENT: 0,
    Scope.DEPARTMENT_SUBTREE: 1,
    Scope.REGION_SUBTREE: 2,
    Scope.CITY: 3,
}


def sync_builtin_roles(*, using: str = "default") -> None:
    """Create or update the roles defined in code (no audit: this follows a deployment)."""
    for definition in builtin_roles().values():
        Role.objects.using(using).update_or_create(
            code=definition.code,
            defaults={
                "name": definition.name,
                "description": definition.description,
                "permissions": sorted(definition.permissions),
                "builtin": True,
            },
        )


def _check_permissions(codes) -> list[str]:
    codes = sorted({str(c) for c in codes})
    unknown = [c for c in codes if not is_known_permission(c)]
    if unknown:
        raise InvalidInput(
            "unknown_permission", "Unknown permission codes.", detail={"permissions": unknown}
        )
    return codes


@transaction.atomic
def create_role(*, actor: User, code: str, name: str, permissions, description: str = "") -> Role:
    """A security administrator defines a custom role from registered permission codes."""
    require_perm(actor, Perm.MANAGE_ROLE)
    if not _ROLE_CODE_RE.match(code or ""):
        raise InvalidInput("role_code_format", "A role code is lower-case letters, digits and _.")
    if Role.objects.filter(code=code).exists():
        raise Conflict("role_exists", "A role with this code already exists.")
    if not (name or "").strip():
        raise InvalidInput("name_required", "A role needs a name.")
    role = Role.objects.create(
        code=code,
        name=name.strip(),
        description=description,
        permissions=_check_permissions(permissions),
    )
    audit.record(actor=actor, action="accounts.role.create", obj=role, after=audit.snapshot(role))
    return role


@transaction.atomic
def update_role(
    *,
    actor: User,
    role_id: int,
    name: str | None = None,
    permissions=None,
    description: str | None = None,
) -> Role:
    require_perm(actor, Perm.MANAGE_ROLE)
    role = Role.objects.select_for_update().filter(pk=role_id).first()
    if role is None:
        raise NotFound("not_found", "No such role.")
    if role.builtin:
        raise Conflict(
            "role_builtin",
            "Built-in roles are defined by the platform and "
            "cannot be edited; create a custom role instead.",
        )
    before = audit.snapshot(role)
    if name is not None:
        role.name = name.strip() or role.name
    if description is not None:
        role.description = description
    if permissions is not None:
        role.permissions = _check_permissions(permissions)
    role.save()
    audit.record(
        actor=actor,
        action="accounts.role.update",
        obj=role,
        before=before,
        after=audit.snapshot(role),
    )
    return role


def _exclusive_group(role: Role) -> str:
    definition = builtin_roles().get(role.code)
    return definition.exclusive_group if definition else ""


@transaction.atomic
def assign_role(
    *,
    actor: User,
    user_id: int,
    department_id: int,
    role_code: str,
    scope: str | None = None,
    title: str = "",
) -> Membership:
    """Give a staff member a role in a department (security administrator, within scope).

    Separation of duties: nobody assigns roles to themselves, the three platform
    administration roles are never held together, and a scope wider than the assigner's own
    cannot be granted.
    """
    require_perm(actor, Perm.ASSIGN_ROLE)
    department = access(Department.objects.all(), actor, Perm.ASSIGN_ROLE, pk=department_id)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound("not_found", "No such account.")
    if user.pk == actor.pk:
        raise PermissionDeniedError("self_assignment", "You cannot assign roles to yourself.")
    if user.kind != UserKind.STAFF:
        raise InvalidInput("not_staff", "Roles are assigned to staff accounts only.")
    role = Role.objects.filter(code=role_code).first()
    if role is None:
        raise InvalidInput("unknown_role", "No such role.", detail={"role": role_code})
    definition = builtin_roles().get(role.code)
    scope = scope or (definition.default_scope if definition else Scope.OWN_DEPARTMENT)
    if scope not in Scope.values:
        raise InvalidInput("unknown_scope", "Unknown data scope.", detail={"scope": scope})
    actor_rank = max(
        (
            _SCOPE_RANK[Scope(m.scope)]
            for m in actor.memberships.select_related("role")
            if Perm.ASSIGN_ROLE in m.role.permissions
        ),
        default=-1,
    )
    if _SCOPE_RANK[Scope(scope)] > actor_rank:
        raise PermissionDeniedError(
            "scope_too_wide", "You cannot grant a data scope wider than your own."
        )
    group = _exclusive_group(role)
    if group:
        clash = [
            m.role.code
            for m in user.memberships.select_related("role")
            if _exclusive_group(m.role) == group and m.role.code != role.code
        ]
        if clash:
            raise Conflict(
                "separation_of_duties",
                "System administrator, security administrator and auditor must "
                "be different people.",
                detail={"holds": clash},
            )
    if Membership.objects.filter(user=user, department=department, role=role).exists():
        raise Conflict("membership_exists", "The staff member already has this role here.")
    membership = Membership.objects.create(
        user=user, department=department, role=role, scope=scope, title=title
    )
    clear_cache(user)
    audit.record(
        actor=actor,
        action="accounts.membership.create",
        obj=membership,
        after=audit.snapshot(membership),
    )
    return membership


@transaction.atomic
def remove_membership(*, actor: User, membership_id: int) -> None:
    require_perm(actor, Perm.ASSIGN_ROLE)
    membership = (
        restrict(Membership.objects.select_for_update(), actor, Perm.ASSIGN_ROLE)
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFound("not_found", "No such membership, or it is outside your data scope.")
    if membership.user_id == actor.pk:
        raise PermissionDeniedError("self_assignment", "You cannot change your own roles.")
    before = audit.snapshot(membership)
    audit.record(actor=actor, action="accounts.membership.delete", obj=membership, before=before)
    membership.delete()


@transaction.atomic
def grant_initial_role(
    *, user: User, department: Department, role_code: str, scope: str | None = None, title: str = ""
) -> Membership:
    """Bootstrap grant by the platform itself (installation, demo): no assigning actor.

    Used only from management commands run by whoever operates the server; the separation
    of platform-administration roles still holds.
    """
    role = Role.objects.get(code=role_code)
    definition = builtin_roles().get(role.code)
    scope = scope or (definition.default_scope if definition else Scope.OWN_DEPARTMENT)
    group = _exclusive_group(role)
    if group and any(
        _exclusive_group(m.role) == group and m.role.code != role.code
        for m in user.memberships.select_related("role")
    ):
        raise Conflict(
            "separation_of_duties",
            "System administrator, security administrator and auditor must be different people.",
        )
    membership, created = Membership.objects.get_or_create(
        user=user, department=department, role=role, defaults={"scope": scope, "title": title}
    )
    if created:
        clear_cache(user)
        audit.record(
            actor=None,
            action="accounts.membership.bootstrap",
            obj=membership,
            after=audit.snapshot(membership),
        )
    return membership
