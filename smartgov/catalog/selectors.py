"""Read queries over the catalog, shared by the API (and later the pages)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from smartgov.accounts.scope import scope_filter
from smartgov.catalog import search
from smartgov.catalog.models import Resource, ResourceStatus
from smartgov.catalog.permissions import Perm
from smartgov.core.errors import NotFound, PermissionDeniedError
from smartgov.core.models import Department
from smartgov.core.tree import subtree_q


def visible_resources(actor) -> QuerySet[Resource]:
    """Published resources for every staff member; the others only to whoever manages or
    reviews them within their scope."""
    if actor is None or getattr(actor, "kind", "") != "staff" or not actor.is_active:
        raise PermissionDeniedError(
            "staff_only", "Only staff members can read the data resource catalog."
        )
    condition = Q(status=ResourceStatus.PUBLISHED)
    for perm in (Perm.MANAGE_RESOURCE, Perm.REVIEW_RESOURCE):
        scoped = scope_filter(Resource, actor, perm)
        if scoped is None:
            return Resource.objects.all()
        condition |= scoped
    return Resource.objects.filter(condition)


def get_resource(actor, resource_id: int) -> Resource:
    resource = (
        visible_resources(actor)
        .select_related("provider")
        .prefetch_related("fields", "related")
        .filter(pk=resource_id)
        .first()
    )
    if resource is None:
        raise NotFound("not_found", "No such object, or it is outside your data scope.")
    return resource


@dataclass(frozen=True)
class CatalogFilter:
    provider_id: int | None = None  # the department and its sub-departments
    base_resource: str | None = None
    share_type: str | None = None
    open_type: str | None = None
    grade: str | None = None  # resources having at least one field of this grade
    update_cycle: str | None = None
    classification: str | None = None
    status: str | None = None


def _filtered(queryset: QuerySet[Resource], filters: CatalogFilter) -> QuerySet[Resource]:
    if filters.provider_id is not None:
        provider = Department.objects.filter(pk=filters.provider_id).first()
        if provider is None:
            return queryset.none()
        queryset = queryset.filter(subtree_q(provider.path, field="provider__path"))
    for name in ("base_resource", "share_type", "open_type", "update_cycle", "classification"):
        value = getattr(filters, name)
        if value:
            queryset = queryset.filter(**{name: value})
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.grade:
        graded = Resource.objects.filter(fields__grade=filters.grade).values("pk")
        queryset = queryset.filter(pk__in=graded)
    return queryset


class RankedResources(Sequence):
    """Search results in rank order; slicing loads only the requested page."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            page = self.ids[index]
            loaded = Resource.objects.select_related("provider").in_bulk(page)
            return [loaded[pk] for pk in page if pk in loaded]
        return Resource.objects.select_related("provider").get(pk=self.ids[index])


def search_resources(actor, *, query: str = "", filters: CatalogFilter | None = None):
    """Visible resources matching the filters: ranked by relevance to ``query`` (Chinese or
    not), or by name when the query is empty."""
    queryset = _filtered(visible_resources(actor), filters or CatalogFilter())
    query = (query or "").strip()
    if not query:
        return queryset.select_related("provider").order_by("name", "id")
    ranked = search.ranked_ids(query)
    if not ranked:
        return RankedResources([])
    # Few hits: look them up by key; many: the visible set is cheaper to read than the list.
    candidates = queryset.filter(pk__in=ranked) if len(ranked) <= 500 else queryset
    allowed = set(candidates.values_list("pk", flat=True))
    return RankedResources([pk for pk in ranked if pk in allowed])
