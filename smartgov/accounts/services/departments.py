"""Managing the department tree (system administrators, within their data scope)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import access, has_city_scope, require_perm, restrict
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput, PermissionDeniedError
from smartgov.core.models import Department, DepartmentKind, Region
from smartgov.core.services import region_by_code
from smartgov.core.validators import check_credit_code


def _clean_department(values: dict, *, actor, instance: Department | None) -> dict:
    cleaned = dict(values)
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"] or len(cleaned["name"]) > 128:
            raise InvalidInput("name_required", "A department needs a name of 1–128 characters.")
    if "kind" in cleaned and cleaned["kind"] not in DepartmentKind.values:
        raise InvalidInput(
            "unknown_kind",
            "Unknown department kind.",
            detail={"kind": cleaned["kind"], "allowed": DepartmentKind.values},
        )
    if cleaned.get("code"):
        cleaned["code"] = check_credit_code(cleaned["code"])
    # Values an edit leaves as they were need no scope check: a district administrator edits
    # the district government, whose parent (the city government) is outside their scope.
    if instance is not None:
        if cleaned.get("region_code") == instance.region.code:
            cleaned.pop("region_code")
        if "parent_id" in cleaned and cleaned["parent_id"] == instance.parent_id:
            cleaned.pop("parent_id")
    if "region_code" in cleaned:
        region = region_by_code(cleaned.pop("region_code"))
        if not restrict(
            Region.objects.filter(pk=region.pk), actor, Perm.MANAGE_DEPARTMENT
        ).exists():
            raise PermissionDeniedError(
                "region_out_of_scope", "The region is outside your data scope."
            )
        cleaned["region"] = region
    if "parent_id" in cleaned:
        parent_id = cleaned.pop("parent_id")
        if parent_id is None:
            require_perm(actor, Perm.MANAGE_DEPARTMENT)
            if not has_city_scope(actor, Perm.MANAGE_DEPARTMENT):
                raise PermissionDeniedError(
                    "city_scope_required",
                    "Only an administrator with whole-city scope can add top-level departments.",
                )
            cleaned["parent"] = None
        else:
            # A new parent must itself be inside the actor's scope.
            cleaned["parent"] = access(
                Department.objects.all(), actor, Perm.MANAGE_DEPARTMENT, pk=parent_id
            )
            if instance is not None and (
                cleaned["parent"].pk == instance.pk or cleaned["parent"].is_descendant_of(instance)
            ):
                raise InvalidInput("parent_cycle", "A department cannot be placed under itself.")
    return cleaned


def _save_department(department: Department) -> None:
    try:
        with transaction.atomic():
            department.save()
    except IntegrityError as exc:
        raise Conflict(
            "department_exists",
            "A department with this name (under the same parent) or code exists.",
        ) from exc


@transaction.atomic
def create_department(
    *,
    actor,
    name: str,
    kind: str,
    region_code: str,
    parent_id: int | None = None,
    short_name: str = "",
    code: str = "",
    phone: str = "",
    address: str = "",
) -> Department:
    """Add a department under a parent within the actor's scope."""
    require_perm(actor, Perm.MANAGE_DEPARTMENT)
    values = _clean_department(
        {
            "name": name,
            "kind": kind,
            "region_code": region_code,
            "parent_id": parent_id,
            "short_name": short_name,
            "code": code,
            "phone": phone,
            "address": address,
        },
        actor=actor,
        instance=None,
    )
    department = Department(**values)
    _save_department(department)
    audit.record(
        actor=actor,
        action="core.department.create",
        obj=department,
        after=audit.snapshot(department),
    )
    return department


@transaction.atomic
def update_department(*, actor, department_id: int, changes: dict) -> Department:
    """Change a department; moving it re-paths its whole subtree (TreeNode.save)."""
    department = access(
        Department.objects.select_for_update(), actor, Perm.MANAGE_DEPARTMENT, pk=department_id
    )
    before = audit.snapshot(department)
    values = _clean_department(changes, actor=actor, instance=department)
    for field, value in values.items():
        setattr(department, field, value)
    _save_department(department)
    audit.record(
        actor=actor,
        action="core.department.update",
        obj=department,
        before=before,
        after=audit.snapshot(department),
    )
    return department
