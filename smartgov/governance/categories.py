"""The category tree: major and minor classes of parts (部件), events (事件) and 12345
complaint topics, with their opening and closing conditions, time limits and default
departments.

The shipped default tree lives in ``data/categories.json``. Its default departments are
written as *roles* (``urban_management``, ``market_regulation`` …) and resolved to real
departments when the tree is loaded, so the same file fits any city's department tree: a
role names the city bureau (first existing name wins) and, where there is one, the district
bureau's name suffix that the demo's dispatch rules point to.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from smartgov.accounts.scope import require_perm
from smartgov.core import audit
from smartgov.core.errors import InvalidInput
from smartgov.core.models import Department, Region
from smartgov.governance.models import Category, CategoryKind, LimitUnit
from smartgov.governance.permissions import Perm

DEFAULT_TREE = Path(__file__).parent / "data" / "categories.json"
EDITABLE_FIELDS = (
    "name",
    "kind",
    "time_limit",
    "time_limit_unit",
    "opening_condition",
    "closing_condition",
    "default_department",
    "keywords",
    "sort_order",
)
MAX_TIME_LIMIT = {LimitUnit.HOURS: 24 * 30, LimitUnit.DAYS: 365}


@lru_cache(maxsize=1)
def default_tree() -> dict[str, Any]:
    """The shipped tree as parsed JSON (majors with their minors, and the department roles)."""
    with DEFAULT_TREE.open(encoding="utf-8") as handle:
        return json.load(handle)


def department_roles() -> dict[str, dict[str, Any]]:
    return default_tree()["department_roles"]


def role_of(code: str) -> str | None:
    """The department role the shipped tree gives a minor class (None for unknown codes)."""
    for major in default_tree()["majors"]:
        for minor in major["minors"]:
            if minor["code"] == code:
                return minor["department_role"]
    return None


def city_department_for_role(role: str) -> Department | None:
    """The city-level department of a role: the first of its candidate names that exists."""
    spec = department_roles().get(role)
    if spec is None:
        return None
    for name in spec.get("city", []):
        department = Department.objects.filter(name=name, is_active=True).first()
        if department is not None:
            return department
    return None


def district_department_for_role(role: str, district: Region) -> Department | None:
    """The district's own bureau for a role (e.g. 杭州市西湖区城市管理局), if it exists."""
    suffix = department_roles().get(role, {}).get("district")
    if not suffix:
        return None
    return (
        Department.objects.filter(region=district, name__endswith=suffix, is_active=True)
        .order_by("path")
        .first()
    )


def _check_fields(
    *, code: str, name: str, kind: str, time_limit, time_limit_unit: str, parent
) -> None:
    if not code or not code.isdigit() or len(code) > 16:
        raise InvalidInput("invalid_category_code", "A category code is made of digits.")
    if not name or not name.strip():
        raise InvalidInput("invalid_category_name", "A category needs a name.")
    if kind not in CategoryKind.values:
        raise InvalidInput("invalid_category_kind", "Unknown category kind.", detail={"kind": kind})
    if time_limit_unit not in LimitUnit.values:
        raise InvalidInput("invalid_time_limit_unit", "The time limit is in working hours or days.")
    if time_limit is not None:
        if not isinstance(time_limit, int) or isinstance(time_limit, bool) or time_limit < 1:
            raise InvalidInput("invalid_time_limit", "The time limit is a positive whole number.")
        if time_limit > MAX_TIME_LIMIT[LimitUnit(time_limit_unit)]:
            raise InvalidInput("invalid_time_limit", "The time limit is too long.")
    if parent is not None:
        if parent.parent_id is not None:
            raise InvalidInput(
                "invalid_category_parent", "A minor class must sit under a major class."
            )
        if not code.startswith(parent.code) or len(code) <= len(parent.code):
            raise InvalidInput(
                "invalid_category_code",
                "A minor class code extends its major class code.",
                detail={"parent": parent.code},
            )


def _snapshot(category: Category) -> dict[str, Any]:
    return {
        "code": category.code,
        "name": category.name,
        "kind": category.kind,
        "parent": category.parent_id,
        "time_limit": category.time_limit,
        "time_limit_unit": category.time_limit_unit,
        "opening_condition": category.opening_condition,
        "closing_condition": category.closing_condition,
        "default_department": category.default_department_id,
        "keywords": category.keywords,
        "active": category.active,
        "sort_order": category.sort_order,
    }


@transaction.atomic
def create_category(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    parent: Category | None = None,
    time_limit: int | None = None,
    time_limit_unit: str = "days",
    opening_condition: str = "",
    closing_condition: str = "",
    default_department: Department | None = None,
    keywords: str = "",
    sort_order: int = 0,
) -> Category:
    """Add a major class (no parent) or a minor class under one (CONFIGURE)."""
    require_perm(actor, Perm.CONFIGURE)
    code = (code or "").strip()
    _check_fields(
        code=code,
        name=name,
        kind=kind,
        time_limit=time_limit,
        time_limit_unit=time_limit_unit,
        parent=parent,
    )
    if Category.objects.filter(code=code).exists():
        raise InvalidInput(
            "duplicate_category_code", "A category with this code exists.", detail={"code": code}
        )
    category = Category.objects.create(
        code=code,
        name=name.strip(),
        kind=kind,
        parent=parent,
        time_limit=time_limit,
        time_limit_unit=time_limit_unit,
        opening_condition=opening_condition,
        closing_condition=closing_condition,
        default_department=default_department,
        keywords=keywords[:255],
        sort_order=sort_order,
    )
    audit.record(
        actor=actor, action="governance.category.create", obj=category, after=_snapshot(category)
    )
    return category


@transaction.atomic
def update_category(*, actor, category: Category, **changes) -> Category:
    """Change a class's name, conditions, time limit, default department or keywords."""
    require_perm(actor, Perm.CONFIGURE)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            "invalid_category_field",
            "These category fields cannot be changed.",
            detail={"fields": sorted(unknown)},
        )
    category = Category.objects.select_for_update().get(pk=category.pk)
    before = _snapshot(category)
    for field, value in changes.items():
        setattr(category, field, value)
    if "keywords" in changes:
        category.keywords = (category.keywords or "")[:255]
    _check_fields(
        code=category.code,
        name=category.name,
        kind=category.kind,
        time_limit=category.time_limit,
        time_limit_unit=category.time_limit_unit,
        parent=category.parent,
    )
    category.name = category.name.strip()
    category.save()
    audit.record(
        actor=actor,
        action="governance.category.update",
        obj=category,
        before=before,
        after=_snapshot(category),
    )
    return category


@transaction.atomic
def set_category_active(*, actor, category: Category, active: bool) -> Category:
    """Retire or restore a class; retiring a major class retires its minor classes too."""
    require_perm(actor, Perm.CONFIGURE)
    category = Category.objects.select_for_update().get(pk=category.pk)
    before = {"active": category.active}
    category.active = bool(active)
    category.save(update_fields=["active"])
    if not active and category.parent_id is None:
        category.children.update(active=False)
    audit.record(
        actor=actor,
        action="governance.category.activate" if active else "governance.category.deactivate",
        obj=category,
        before=before,
        after={"active": category.active},
    )
    return category


def minor_categories() -> QuerySet[Category]:
    """The active leaves (the classes a case can have), major class fetched alongside."""
    return Category.objects.filter(
        parent__isnull=False, active=True, parent__active=True
    ).select_related("parent", "default_department")


def get_category(code: str, *, minor_only: bool = False) -> Category:
    """An active class by code (a major class too unless ``minor_only``); a minor class of a
    retired major class counts as retired. Anything else is ``unknown_category``."""
    category = None
    if code is not None and str(code).strip():
        category = (
            Category.objects.filter(code=str(code).strip(), active=True)
            .exclude(parent__active=False)
            .select_related("parent", "default_department")
            .first()
        )
    if category is None or (minor_only and category.parent_id is None):
        raise InvalidInput(
            "unknown_category", "Unknown or inactive category.", detail={"code": code}
        )
    return category


@transaction.atomic
def load_default_tree(*, actor=None) -> int:
    """Create the shipped tree's missing classes (existing ones are left as edited);
    returns the number of rows created. ``actor`` None is the system (demo, first setup)."""
    if actor is not None:
        require_perm(actor, Perm.CONFIGURE)
    existing = set(Category.objects.values_list("code", flat=True))
    created = 0
    for major_spec in default_tree()["majors"]:
        major = Category.objects.filter(code=major_spec["code"]).first()
        if major is None:
            major = Category.objects.create(
                code=major_spec["code"],
                name=major_spec["name"],
                kind=major_spec["kind"],
                sort_order=major_spec["sort_order"],
            )
            created += 1
        for spec in major_spec["minors"]:
            if spec["code"] in existing:
                continue
            Category.objects.create(
                code=spec["code"],
                name=spec["name"],
                kind=major_spec["kind"],
                parent=major,
                opening_condition=spec["opening_condition"],
                closing_condition=spec["closing_condition"],
                time_limit=spec["time_limit"],
                time_limit_unit=spec["time_limit_unit"],
                default_department=city_department_for_role(spec["department_role"]),
                keywords=spec["keywords"],
                sort_order=spec["sort_order"],
            )
            created += 1
    if created:
        audit.record(
            actor=actor,
            action="governance.category.load_default",
            object_type="governance.category",
            object_id="default",
            object_repr="default category tree",
            after={"created": created, "source": DEFAULT_TREE.name},
        )
    return created
