"""Data scope: one restriction helper that every list, detail and change goes through.

A model declares where its rows sit in the organisation with a ``scope_fields`` class attribute:
``ScopeFields(department="department", region="region")`` names the lookups (use "" for the
Department model itself). A staff member's memberships whose role grants the permission each
contribute a filter (own department, department subtree, region subtree, whole city); the
restricted queryset is their union, so a list can never show what a detail would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Model, Q, QuerySet

from smartgov.core.errors import NotFound, PermissionDeniedError
from smartgov.core.permissions import is_city_wide
from smartgov.core.tree import subtree_q


@dataclass(frozen=True)
class ScopeFields:
    department: str | None = None  # lookup to a Department ("" = the row is a Department)
    region: str | None = None  # lookup to a Region ("" = the row is a Region)
    distinct: bool = False  # set when a lookup crosses a to-many relation (rows repeat)


def _lookup(prefix: str, attr: str) -> str:
    return f"{prefix}__{attr}" if prefix else attr


def _memberships(user):
    """The user's memberships with department, region and role, cached on the user object."""
    if user is None:
        return []
    cached = getattr(user, "_sg_memberships", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            cached = []
        else:
            cached = list(user.memberships.select_related("department__region", "role").all())
        user._sg_memberships = cached
    return cached


def clear_cache(user) -> None:
    if hasattr(user, "_sg_memberships"):
        del user._sg_memberships


def _grants(membership, code: str) -> bool:
    """Whether a membership's role grants ``code`` (city-wide codes need a city scope)."""
    if code not in membership.role.permissions:
        return False
    return membership.scope == "city" or not is_city_wide(code)


def permissions_of(user) -> set[str]:
    return {code for m in _memberships(user) for code in m.role.permissions if _grants(m, code)}


def has_perm(user, perm: str) -> bool:
    """True when any of the user's roles grants ``perm`` (in some scope)."""
    return str(perm) in permissions_of(user)


def require_perm(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise PermissionDeniedError(
            "permission_denied",
            "You do not have the permission for this action.",
            detail={"permission": str(perm)},
        )


def _membership_q(model: type[Model], membership) -> Q | None:
    """Filter for one membership; None means no limit (whole city)."""
    fields: ScopeFields = getattr(model, "scope_fields", ScopeFields())
    scope = membership.scope
    if scope == "city":
        return None
    department = membership.department
    if scope in ("department", "department_tree") and fields.department is not None:
        if scope == "department":
            return Q(**{_lookup(fields.department, "pk"): department.pk})
        return subtree_q(department.path, field=_lookup(fields.department, "path"))
    # Region subtree (also the fallback for rows that have a region but no department).
    region_path = department.region.path
    if fields.region is not None:
        if scope == "department":
            return Q(**{_lookup(fields.region, "pk"): department.region_id})
        return subtree_q(region_path, field=_lookup(fields.region, "path"))
    if fields.department is not None:
        return subtree_q(region_path, field=_lookup(fields.department, "region__path"))
    return Q(pk__in=[])  # the model cannot be placed: nothing is visible in a limited scope


def scope_filter(model: type[Model], user, perm: str) -> Q | None:
    """Q for the rows ``user`` may act on with ``perm``; None = all rows; Q(pk__in=[]) = none."""
    conditions = []
    for membership in _memberships(user):
        if not _grants(membership, str(perm)):
            continue
        condition = _membership_q(model, membership)
        if condition is None:
            return None
        conditions.append(condition)
    if not conditions:
        return Q(pk__in=[])
    return reduce(or_, conditions)


def has_city_scope(user, perm: str) -> bool:
    """True when the user may exercise ``perm`` over the whole city."""
    return any(_grants(m, str(perm)) and m.scope == "city" for m in _memberships(user))


def restrict(queryset: QuerySet, user, perm: str) -> QuerySet:
    """The part of ``queryset`` that ``user`` may act on with ``perm``."""
    condition = scope_filter(queryset.model, user, perm)
    if condition is None:
        return queryset
    model = queryset.model
    if getattr(model, "scope_fields", ScopeFields()).distinct:
        # The condition crosses a to-many relation: select by key through a sub-query rather
        # than DISTINCT, so the result still combines with select_for_update() on PostgreSQL.
        return queryset.filter(pk__in=model._default_manager.filter(condition).values("pk"))
    return queryset.filter(condition)


def access(queryset: QuerySet, user, perm: str, **lookup):
    """Fetch one object the user may act on; anything else is 'not found', not 'forbidden'.

    Answering 404 for out-of-scope rows avoids telling a user what exists outside their scope.
    """
    require_perm(user, perm)
    obj = restrict(queryset, user, perm).filter(**lookup).first()
    if obj is None:
        raise NotFound("not_found", "No such object, or it is outside your data scope.")
    return obj
