"""Read queries over the catalog, shared by the API (and later the pages)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from smartgov.accounts.scope import has_perm, scope_filter
from smartgov.catalog import search
from smartgov.catalog.elements import compatible, fields_of
from smartgov.catalog.models import (
    RECORD_FORMATS,
    DataElement,
    ElementRevision,
    Field,
    Resource,
    ResourceStatus,
    SourceHolder,
)
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


MAX_SUGGESTIONS = 100


# --- One data element, one source (一数一源): the register ------------------------------


def require_reader(actor) -> None:
    """The register is read by data officers and kept by the data bureau."""
    if not (has_perm(actor, Perm.VIEW_ELEMENTS) or has_perm(actor, Perm.MANAGE_ELEMENTS)):
        raise PermissionDeniedError(
            "permission_denied",
            "You do not have the permission for this action.",
            detail={"permission": str(Perm.VIEW_ELEMENTS)},
        )


def visible_elements(actor) -> QuerySet[DataElement]:
    require_reader(actor)
    return DataElement.objects.select_related("source_resource__provider")


def search_elements(
    actor,
    *,
    query: str = "",
    key_type: str | None = None,
    resource_id: int | None = None,
) -> QuerySet[DataElement]:
    """Elements whose code, name or description contains ``query``; ``resource_id`` keeps those
    the resource is authoritative for or holds copies of."""
    elements = visible_elements(actor)
    query = (query or "").strip()
    if query:
        elements = elements.filter(
            Q(code__icontains=query) | Q(name__icontains=query) | Q(description__icontains=query)
        )
    if key_type:
        elements = elements.filter(key_type=key_type)
    if resource_id is not None:
        held = SourceHolder.objects.filter(resource_id=resource_id).values("element_id")
        elements = elements.filter(Q(source_resource_id=resource_id) | Q(pk__in=held))
    return elements.order_by("code")


def get_element(actor, element_id: int) -> DataElement:
    element = (
        visible_elements(actor)
        .prefetch_related("holders__resource__provider")
        .filter(pk=element_id)
        .first()
    )
    if element is None:
        raise NotFound("not_found", "No such object, or it is outside your data scope.")
    return element


def element_revisions(actor, element_id: int) -> QuerySet[ElementRevision]:
    element = get_element(actor, element_id)
    return (
        ElementRevision.objects.filter(element=element).select_related("actor").order_by("-number")
    )


@dataclass(frozen=True)
class Suggestion:
    """A field that looks like a copy of the element: same name or label, with a subject key."""

    resource: Resource
    field: str
    label: str
    data_type: str
    key_field: str
    reason: str  # "name" or "label"


def suggest_holders(actor, element_id: int) -> list[Suggestion]:
    """Fields in other resources with the source field's name or label, whose resource has a
    field of the element's key type; the admin confirms them as holders."""
    element = get_element(actor, element_id)
    source = fields_of(element.source_resource).get(element.source_field)
    if source is None:
        return []
    taken = set(SourceHolder.objects.values_list("resource_id", "field"))
    taken |= set(DataElement.objects.values_list("source_resource_id", "source_field"))
    candidates = (
        Field.objects.filter(Q(name=source.name) | Q(label=source.label))
        .exclude(resource_id=element.source_resource_id)
        .exclude(resource__status=ResourceStatus.WITHDRAWN)
        .filter(resource__format__in=RECORD_FORMATS)
        .select_related("resource__provider")
        .order_by("resource__code", "position")
    )
    keys: dict[int, list[Field]] = {}
    for key in Field.objects.filter(
        resource_id__in=candidates.values("resource_id"), data_type=element.key_type
    ).order_by("position", "id"):
        keys.setdefault(key.resource_id, []).append(key)
    found = []
    for candidate in candidates:
        if (candidate.resource_id, candidate.name) in taken:
            continue
        if not compatible(source.data_type, candidate.data_type):
            continue
        options = [k for k in keys.get(candidate.resource_id, []) if k.name != candidate.name]
        if not options:
            continue
        # Prefer the key named like the source's, then a key field, then the first.
        options.sort(
            key=lambda k: (k.name != element.source_key_field, not k.is_key, k.position, k.pk)
        )
        found.append(
            Suggestion(
                resource=candidate.resource,
                field=candidate.name,
                label=candidate.label,
                data_type=candidate.data_type,
                key_field=options[0].name,
                reason="name" if candidate.name == source.name else "label",
            )
        )
        if len(found) >= MAX_SUGGESTIONS:
            break
    return found


def element_problems(element: DataElement, holders=None) -> dict[int | None, list[str]]:
    """What no longer fits since the element was registered, as error codes: ``None`` for
    the source, a holder's id for each holder (empty when all is well)."""
    problems: dict[int | None, list[str]] = {}
    source_fields = fields_of(element.source_resource)
    found = []
    value = source_fields.get(element.source_field)
    key = source_fields.get(element.source_key_field)
    if element.source_resource.status == ResourceStatus.WITHDRAWN:
        found.append("resource_withdrawn")
    if value is None:
        found.append("source_field_not_found")
    if key is None:
        found.append("key_field_not_found")
    elif key.data_type != element.key_type:
        found.append("key_type_mismatch")
    elif not key.is_key or sum(f.is_key for f in source_fields.values()) != 1:
        found.append("source_key_not_unique")
    if found:
        problems[None] = found
    for holder in element.holders.all() if holders is None else holders:
        fields = fields_of(holder.resource)
        found = []
        held = fields.get(holder.field)
        holder_key = fields.get(holder.key_field)
        if holder.resource.status == ResourceStatus.WITHDRAWN:
            found.append("resource_withdrawn")
        if held is None:
            found.append("holder_field_not_found")
        elif value is not None and not compatible(value.data_type, held.data_type):
            found.append("data_type_mismatch")
        if holder_key is None:
            found.append("key_field_not_found")
        elif holder_key.data_type != element.key_type:
            found.append("key_type_mismatch")
        if found:
            problems[holder.pk] = found
    return problems


def elements_of_resource(resource: Resource) -> dict[str, list]:
    """Elements a resource is authoritative for, and the ones whose copies it holds."""
    return {
        "authoritative": list(
            DataElement.objects.filter(source_resource=resource).order_by("code")
        ),
        "held": list(
            SourceHolder.objects.filter(resource=resource)
            .select_related("element")
            .order_by("element__code")
        ),
    }
