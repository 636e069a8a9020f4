"""Catalog API: search and read resources, register and describe them, move them through
review. Handlers parse, call one service or selector, and return."""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from smartgov.catalog import elements, selectors, services
from smartgov.catalog.models import ResourceRevision
from smartgov.catalog.schemas import (
    ElementCreate,
    ElementRead,
    ElementRevisionRead,
    ElementSummary,
    ElementUpdate,
    FieldIn,
    HolderCreate,
    HolderRead,
    HolderUpdate,
    ReasonIn,
    ResourceCreate,
    ResourceRead,
    ResourceSummary,
    ResourceUpdate,
    RevisionRead,
    SuggestionRead,
    TransitionIn,
)
from smartgov.core.errors import NotFound

router = Router(tags=["catalog"])


class ResourceFilter(Schema):
    q: str | None = None
    provider_id: int | None = None
    base_resource: str | None = None
    share_type: str | None = None
    open_type: str | None = None
    grade: str | None = None
    update_cycle: str | None = None
    classification: str | None = None
    status: str | None = None


@router.get(
    "/catalog/resources",
    response=list[ResourceSummary],
    summary="Search the catalog (ranked full-text search in Chinese; by name without q)",
)
@paginate(PageNumberPagination, page_size=20)
def list_resources(request: HttpRequest, filters: Query[ResourceFilter]):
    values = filters.dict()
    query = values.pop("q") or ""
    return selectors.search_resources(
        request.auth, query=query, filters=selectors.CatalogFilter(**values)
    )


@router.get("/catalog/resources/{resource_id}", response=ResourceRead, summary="One resource")
def read_resource(request: HttpRequest, resource_id: int):
    return selectors.get_resource(request.auth, resource_id)


@router.post(
    "/catalog/resources", response={201: ResourceRead}, summary="Register a draft resource"
)
def create_resource(request: HttpRequest, payload: ResourceCreate):
    values = payload.dict()
    values["fields"] = [field.dict() for field in payload.fields]
    resource = services.create_resource(actor=request.auth, **values)
    return Status(201, selectors.get_resource(request.auth, resource.pk))


@router.patch(
    "/catalog/resources/{resource_id}",
    response=ResourceRead,
    summary="Edit a draft or withdrawn resource",
)
def update_resource(request: HttpRequest, resource_id: int, payload: ResourceUpdate):
    services.update_resource(
        actor=request.auth, resource_id=resource_id, changes=payload.dict(exclude_unset=True)
    )
    return selectors.get_resource(request.auth, resource_id)


@router.put(
    "/catalog/resources/{resource_id}/fields",
    response=ResourceRead,
    summary="Replace the fields of a draft or withdrawn resource",
)
def set_fields(request: HttpRequest, resource_id: int, payload: list[FieldIn]):
    services.set_fields(
        actor=request.auth, resource_id=resource_id, fields=[field.dict() for field in payload]
    )
    return selectors.get_resource(request.auth, resource_id)


@router.post("/catalog/resources/{resource_id}/submit", response=ResourceRead)
def submit_resource(request: HttpRequest, resource_id: int, payload: TransitionIn):
    services.submit_resource(actor=request.auth, resource_id=resource_id, comment=payload.comment)
    return selectors.get_resource(request.auth, resource_id)


@router.post("/catalog/resources/{resource_id}/approve", response=ResourceRead)
def approve_resource(request: HttpRequest, resource_id: int, payload: TransitionIn):
    services.approve_resource(actor=request.auth, resource_id=resource_id, comment=payload.comment)
    return selectors.get_resource(request.auth, resource_id)


@router.post("/catalog/resources/{resource_id}/reject", response=ResourceRead)
def reject_resource(request: HttpRequest, resource_id: int, payload: ReasonIn):
    services.reject_resource(actor=request.auth, resource_id=resource_id, reason=payload.reason)
    return selectors.get_resource(request.auth, resource_id)


@router.post("/catalog/resources/{resource_id}/withdraw", response=ResourceRead)
def withdraw_resource(request: HttpRequest, resource_id: int, payload: ReasonIn):
    services.withdraw_resource(actor=request.auth, resource_id=resource_id, reason=payload.reason)
    return selectors.get_resource(request.auth, resource_id)


@router.get(
    "/catalog/resources/{resource_id}/revisions",
    response=list[RevisionRead],
    summary="The resource's timeline: every edit and review step with its snapshot",
)
def list_revisions(request: HttpRequest, resource_id: int):
    resource = selectors.get_resource(request.auth, resource_id)
    return list(ResourceRevision.objects.filter(resource=resource).select_related("actor"))


# --- One data element, one source (一数一源) --------------------------------------------------


class ElementFilter(Schema):
    q: str | None = None
    key_type: str | None = None
    resource_id: int | None = None


@router.get(
    "/elements",
    response=list[ElementSummary],
    summary="The register of data elements and their authoritative sources (一数一源)",
    tags=["elements"],
)
@paginate(PageNumberPagination, page_size=20)
def list_elements(request: HttpRequest, filters: Query[ElementFilter]):
    return selectors.search_elements(
        request.auth,
        query=filters.q or "",
        key_type=filters.key_type,
        resource_id=filters.resource_id,
    )


@router.post(
    "/elements",
    response={201: ElementRead},
    summary="Register a data element with its authoritative source (and holders)",
    tags=["elements"],
)
def create_element(request: HttpRequest, payload: ElementCreate):
    values = payload.dict()
    values["holders"] = [holder.dict() for holder in payload.holders]
    element = elements.create_element(actor=request.auth, **values)
    return Status(201, selectors.get_element(request.auth, element.pk))


@router.get(
    "/elements/{element_id}", response=ElementRead, summary="One data element", tags=["elements"]
)
def read_element(request: HttpRequest, element_id: int):
    return selectors.get_element(request.auth, element_id)


@router.patch(
    "/elements/{element_id}",
    response=ElementRead,
    summary="Edit a data element or move its authoritative source",
    tags=["elements"],
)
def update_element(request: HttpRequest, element_id: int, payload: ElementUpdate):
    elements.update_element(
        actor=request.auth, element_id=element_id, changes=payload.dict(exclude_unset=True)
    )
    return selectors.get_element(request.auth, element_id)


@router.delete(
    "/elements/{element_id}",
    response={204: None},
    summary="Take a data element out of the register (with its holders and conflicts)",
    tags=["elements"],
)
def delete_element(request: HttpRequest, element_id: int, reason: str = ""):
    elements.delete_element(actor=request.auth, element_id=element_id, reason=reason)
    return Status(204, None)


@router.get(
    "/elements/{element_id}/revisions",
    response=list[ElementRevisionRead],
    summary="The element's timeline: every change with its snapshot",
    tags=["elements"],
)
def list_element_revisions(request: HttpRequest, element_id: int):
    return list(selectors.element_revisions(request.auth, element_id))


@router.get(
    "/elements/{element_id}/suggestions",
    response=list[SuggestionRead],
    summary="Fields of other resources that look like copies of the element (to confirm)",
    tags=["elements"],
)
def suggest_holders(request: HttpRequest, element_id: int):
    return selectors.suggest_holders(request.auth, element_id)


@router.post(
    "/elements/{element_id}/holders",
    response={201: HolderRead},
    summary="Register a field of another resource as holding a copy of the element",
    tags=["elements"],
)
def add_holder(request: HttpRequest, element_id: int, payload: HolderCreate):
    holder = elements.add_holder(actor=request.auth, element_id=element_id, **payload.dict())
    return Status(201, holder)


@router.patch(
    "/elements/{element_id}/holders/{holder_id}",
    response=HolderRead,
    summary="Change a holder's key field, missing-key reporting or remark",
    tags=["elements"],
)
def update_holder(request: HttpRequest, element_id: int, holder_id: int, payload: HolderUpdate):
    _holder_of(request, element_id, holder_id)
    return elements.update_holder(
        actor=request.auth, holder_id=holder_id, changes=payload.dict(exclude_unset=True)
    )


@router.delete(
    "/elements/{element_id}/holders/{holder_id}",
    response={204: None},
    summary="Take a holder off the element (with its conflicts)",
    tags=["elements"],
)
def remove_holder(request: HttpRequest, element_id: int, holder_id: int, reason: str = ""):
    _holder_of(request, element_id, holder_id)
    elements.remove_holder(actor=request.auth, holder_id=holder_id, reason=reason)
    return Status(204, None)


def _holder_of(request: HttpRequest, element_id: int, holder_id: int) -> None:
    """A holder id in the path must belong to the element in the path."""
    element = selectors.get_element(request.auth, element_id)
    if not any(holder.pk == holder_id for holder in element.holders.all()):
        raise NotFound("not_found", "No such object, or it is outside your data scope.")
