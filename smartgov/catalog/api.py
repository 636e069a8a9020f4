"""Catalog API: search and read resources, register and describe them, move them through
review. Handlers parse, call one service or selector, and return."""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from smartgov.catalog import selectors, services
from smartgov.catalog.models import ResourceRevision
from smartgov.catalog.schemas import (
    FieldIn,
    ReasonIn,
    ResourceCreate,
    ResourceRead,
    ResourceSummary,
    ResourceUpdate,
    RevisionRead,
    TransitionIn,
)

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
