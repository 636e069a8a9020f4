"""HTTP API of the services app under /api/v1/ (thin: schemas in, services and selectors out).

Public: ``/services/items`` (search the service hall) and ``/services/items/{code}`` (the guide
of the current published version). Staff: ``/services/manage/items…`` to draft, edit, publish,
withdraw and start new versions; permission checks live in the services.
"""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from smartgov.services import forms, selectors, services
from smartgov.services.schemas import (
    FormCheckIn,
    FormCheckOut,
    FormIn,
    ItemCreate,
    ItemRead,
    ItemSummary,
    ItemUpdate,
    PublishIn,
    ReasonIn,
)

router = Router(tags=["services"])


class HallFilter(Schema):
    q: str | None = None
    department_id: int | None = None
    item_type: str | None = None
    applicant_kind: str | None = None
    online_level: str | None = None
    zero_visits: bool = False


class ManageFilter(Schema):
    q: str | None = None
    status: str | None = None


@router.get(
    "/services/items",
    response=list[ItemSummary],
    auth=None,
    summary="Search published service items (Chinese full text; name hits first)",
)
@paginate(PageNumberPagination, page_size=20)
def list_items(request: HttpRequest, filters: Query[HallFilter]):
    values = filters.dict()
    query = values.pop("q") or ""
    return selectors.published_items(query=query, filters=selectors.ItemFilter(**values))


@router.get(
    "/services/items/{code}",
    response=ItemRead,
    auth=None,
    summary="The current published version of an item, with materials and steps",
)
def read_item(request: HttpRequest, code: str):
    return selectors.published_item(code)


@router.get(
    "/services/manage/items",
    response=list[ItemSummary],
    summary="Item versions of your departments (every status)",
)
@paginate(PageNumberPagination, page_size=20)
def list_managed(request: HttpRequest, filters: Query[ManageFilter]):
    return selectors.managed_items(request.auth, status=filters.status, query=filters.q or "")


@router.post("/services/manage/items", response={201: ItemRead}, summary="Draft a new item")
def create_item(request: HttpRequest, payload: ItemCreate):
    values = payload.dict(exclude_none=True)
    item = services.create_item(actor=request.auth, **values)
    return Status(201, selectors.managed_item(request.auth, item.pk))


@router.get("/services/manage/items/{item_id}", response=ItemRead, summary="One item version")
def read_managed(request: HttpRequest, item_id: int):
    return selectors.managed_item(request.auth, item_id)


@router.patch(
    "/services/manage/items/{item_id}",
    response=ItemRead,
    summary="Edit a draft (materials and steps, when given, replace the lists)",
)
def update_item(request: HttpRequest, item_id: int, payload: ItemUpdate):
    values = payload.dict(exclude_unset=True)
    materials = values.pop("materials", None)
    steps = values.pop("steps", None)
    services.update_item(
        actor=request.auth, item_id=item_id, changes=values, materials=materials, steps=steps
    )
    return selectors.managed_item(request.auth, item_id)


@router.post(
    "/services/manage/items/{item_id}/publish",
    response=ItemRead,
    summary="Publish a complete draft (supersedes the previously published version)",
)
def publish_item(request: HttpRequest, item_id: int, payload: PublishIn):
    services.publish_item(actor=request.auth, item_id=item_id, comment=payload.comment)
    return selectors.managed_item(request.auth, item_id)


@router.post(
    "/services/manage/items/{item_id}/withdraw",
    response=ItemRead,
    summary="Withdraw a published version",
)
def withdraw_item(request: HttpRequest, item_id: int, payload: ReasonIn):
    services.withdraw_item(actor=request.auth, item_id=item_id, reason=payload.reason)
    return selectors.managed_item(request.auth, item_id)


@router.post(
    "/services/manage/items/{item_id}/new-version",
    response={201: ItemRead},
    summary="Start a new draft version from a published or withdrawn one",
)
def new_version(request: HttpRequest, item_id: int):
    draft = services.new_version(actor=request.auth, item_id=item_id)
    return Status(201, selectors.managed_item(request.auth, draft.pk))


@router.put(
    "/services/manage/items/{item_id}/form",
    response=ItemRead,
    summary="Replace a draft's application form (fields, types, validation, conditions)",
)
def set_form(request: HttpRequest, item_id: int, payload: FormIn):
    forms.set_form(actor=request.auth, item_id=item_id, fields=payload.fields)
    return selectors.managed_item(request.auth, item_id)


@router.post(
    "/services/items/{code}/form/check",
    response=FormCheckOut,
    auth=None,
    summary="Check answers against the published item's application form",
)
def check_form(request: HttpRequest, code: str, payload: FormCheckIn):
    item = selectors.published_item(code)
    cleaned, errors = forms.validate_form(forms.form_of(item), payload.data)
    return {"valid": not errors, "cleaned": cleaned, "errors": errors}
