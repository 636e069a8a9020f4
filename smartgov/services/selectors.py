"""Reads of service items, reused by the API, the pages and (later) statistics."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from smartgov.accounts.scope import access, restrict
from smartgov.core.errors import InvalidInput, NotFound
from smartgov.services import search
from smartgov.services.models import (
    ApplicantKind,
    ItemMaterial,
    ItemStatus,
    ItemStep,
    ItemType,
    OnlineLevel,
    ServiceItem,
)
from smartgov.services.permissions import Perm


@dataclass(frozen=True)
class ItemFilter:
    department_id: int | None = None
    item_type: str | None = None
    applicant_kind: str | None = None
    online_level: str | None = None
    zero_visits: bool = False


def _check(value, choices, code: str) -> None:
    if value and value not in choices.values:
        raise InvalidInput(code, "Unknown filter value.", detail={"value": value})


def _filtered(queryset: QuerySet, filters: ItemFilter) -> QuerySet:
    _check(filters.item_type, ItemType, "unknown_item_type")
    _check(filters.applicant_kind, ApplicantKind, "unknown_applicant_kind")
    _check(filters.online_level, OnlineLevel, "unknown_online_level")
    if filters.department_id:
        queryset = queryset.filter(department_id=filters.department_id)
    if filters.item_type:
        queryset = queryset.filter(item_type=filters.item_type)
    if filters.applicant_kind:
        # An item for both kinds serves a citizen and an enterprise alike.
        queryset = queryset.filter(
            applicant_kind__in=[filters.applicant_kind, ApplicantKind.BOTH]
            if filters.applicant_kind != ApplicantKind.BOTH
            else [ApplicantKind.BOTH]
        )
    if filters.online_level:
        queryset = queryset.filter(online_level=filters.online_level)
    if filters.zero_visits:
        queryset = queryset.filter(visits=0)
    return queryset


def published_items(*, query: str = "", filters: ItemFilter | None = None) -> list[ServiceItem]:
    """Current published versions matching the filters and the Chinese query, best first."""
    queryset = _filtered(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).select_related("department"),
        filters or ItemFilter(),
    )
    ranked = search.filter_and_rank(queryset, query)
    return list(queryset.order_by("name", "pk")) if ranked is None else ranked


def _with_parts(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("department", "supersedes").prefetch_related(
        Prefetch("materials", queryset=ItemMaterial.objects.select_related("resource")),
        Prefetch("steps", queryset=ItemStep.objects.select_related("department")),
    )


def published_item(code: str) -> ServiceItem:
    """The current published version of the item with this implementation (or basic) code."""
    queryset = _with_parts(ServiceItem.objects.filter(status=ItemStatus.PUBLISHED))
    item = queryset.filter(implementation_code=code).first()
    if item is None:
        item = queryset.filter(basic_code=code).order_by("implementation_code").first()
    if item is None:
        raise NotFound("item_not_found", "No published service item has this code.")
    return item


def managed_items(actor, *, status: str | None = None, query: str = "") -> QuerySet:
    """Every item version the actor may edit (their departments), newest first."""
    queryset = restrict(ServiceItem.objects.select_related("department"), actor, Perm.MANAGE_ITEMS)
    _check(status, ItemStatus, "unknown_status")
    if status:
        queryset = queryset.filter(status=status)
    if query:
        queryset = queryset.filter(name__icontains=query.strip())
    return queryset.order_by("implementation_code", "-version")


def managed_item(actor, item_id: int) -> ServiceItem:
    """One item version in the actor's scope, with materials and steps."""
    return access(_with_parts(ServiceItem.objects.all()), actor, Perm.MANAGE_ITEMS, pk=item_id)


def versions_of(item: ServiceItem) -> QuerySet:
    """All versions of the item, newest first."""
    return ServiceItem.objects.filter(implementation_code=item.implementation_code).order_by(
        "-version"
    )
