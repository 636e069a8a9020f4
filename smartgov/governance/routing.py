"""Dispatch rules: category + place → the responsible department.

Precedence, most specific first: a rule for the minor class in the street, then in the
district, then a rule for its major class in the street or district, then a city-wide rule
(minor, then major class), then the minor class's default department, then the major
class's. Inactive departments never receive cases.
"""

from __future__ import annotations

from django.db import transaction

from smartgov.accounts.scope import require_perm
from smartgov.core import audit
from smartgov.core.errors import InvalidInput
from smartgov.core.models import Department, Region
from smartgov.core.models.org import RegionLevel
from smartgov.governance import config_cache
from smartgov.governance.models import Category, DispatchRule
from smartgov.governance.permissions import Perm

RULE_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.STREET)


_CITY_OF: dict[int, int | None] = {}  # region id → its city's id (regions do not move)


def _city_id(region: Region | None) -> int | None:
    """The city above a street or district (its ancestor at the city level)."""
    if region is None:
        return None
    if region.pk not in _CITY_OF:
        _CITY_OF[region.pk] = next(
            (a.pk for a in region.ancestors(include_self=True) if a.level == RegionLevel.CITY),
            None,
        )
    return _CITY_OF[region.pk]


def department_for(
    *, category: Category, street: Region | None, district: Region | None
) -> Department | None:
    """The department that handles ``category`` at this place, or None (dispatcher decides)."""
    if category is None:
        return None
    if district is None and street is not None:
        district = street.parent
    city_id = _city_id(district or street)
    classes = [category.pk] + ([category.parent_id] if category.parent_id else [])
    regions = [
        r for r in (getattr(street, "pk", None), getattr(district, "pk", None), city_id) if r
    ]
    if regions:
        rules = config_cache.cache.rules()  # every rule of an active department, cached
        order = []
        for region_id in regions[:-1] if city_id else regions:
            order.append((category.pk, region_id))
        if category.parent_id:
            for region_id in regions[:-1] if city_id else regions:
                order.append((category.parent_id, region_id))
        if city_id:
            order += [(class_id, city_id) for class_id in classes]
        for key in order:
            if key in rules:
                return rules[key]
    for owner in (category, category.parent if category.parent_id else None):
        if owner is not None and owner.default_department_id:
            department = owner.default_department
            if department.is_active:
                return department
    return None


def _rule_snapshot(rule: DispatchRule) -> dict:
    return {
        "category": rule.category_id,
        "region": rule.region_id,
        "department": rule.department_id,
    }


@transaction.atomic
def set_rule(*, actor, category: Category, region: Region, department: Department) -> DispatchRule:
    """Create or change the rule for (category, region) (CONFIGURE, audited)."""
    require_perm(actor, Perm.CONFIGURE)
    if category is None or region is None or department is None:
        raise InvalidInput("invalid_rule", "A rule needs a category, a region and a department.")
    if region.level not in RULE_LEVELS:
        raise InvalidInput(
            "invalid_rule_region", "A rule applies to the city, a district or a street."
        )
    if not department.is_active:
        raise InvalidInput("inactive_department", "The department is not active.")
    rule = DispatchRule.objects.select_for_update().filter(category=category, region=region).first()
    before = _rule_snapshot(rule) if rule else None
    if rule is None:
        rule = DispatchRule.objects.create(category=category, region=region, department=department)
    else:
        rule.department = department
        rule.save(update_fields=["department", "updated_at"])
    audit.record(
        actor=actor,
        action="governance.rule.set",
        obj=rule,
        before=before,
        after=_rule_snapshot(rule),
    )
    return rule


@transaction.atomic
def delete_rule(*, actor, rule: DispatchRule) -> None:
    """Remove a rule (CONFIGURE, audited); the next less specific rule applies again."""
    require_perm(actor, Perm.CONFIGURE)
    before = _rule_snapshot(rule)
    audit.record(
        actor=actor,
        action="governance.rule.delete",
        obj=rule,
        before=before,
    )
    DispatchRule.objects.filter(pk=rule.pk).delete()


def rules(*, category: Category | None = None, region: Region | None = None):
    """Rules with their category, region and department, for the settings page."""
    queryset = DispatchRule.objects.select_related("category", "region", "department")
    if category is not None:
        queryset = queryset.filter(category=category)
    if region is not None:
        queryset = queryset.filter(region=region)
    return queryset.order_by("category__code", "region__code")
