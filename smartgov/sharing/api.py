"""API of the sharing app under /api/v1/sharing/: consumer apps, access requests and their
approval steps, grants, objections. Handlers parse, call one service or selector, and return;
permission checks and every refusal live in the services and selectors."""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from smartgov.core.errors import InvalidInput
from smartgov.sharing import objections, selectors, services
from smartgov.sharing.schemas import (
    AppCreate,
    AppRead,
    AppUpdate,
    AppWithSecret,
    GrantRead,
    ObjectionAnswer,
    ObjectionCreate,
    ObjectionRead,
    OptionalReasonIn,
    ReasonIn,
    RequestCreate,
    RequestRead,
    StepDecision,
    StepWithRequest,
)

router = Router(tags=["sharing"])


class StatusFilter(Schema):
    status: str | None = None


class RequestFilter(StatusFilter):
    resource_id: int | None = None
    app_id: int | None = None
    role: str | None = None  # "consumer": only the actor's departments' own requests


def _by_status(queryset, status: str | None):
    return queryset.filter(status=status) if status else queryset


# --- Apps ---------------------------------------------------------------------------------


@router.get("/sharing/apps", response=list[AppRead], summary="Consumer apps in your scope")
@paginate(PageNumberPagination, page_size=20)
def list_apps(request: HttpRequest, filters: Query[StatusFilter]):
    return _by_status(selectors.visible_apps(request.auth), filters.status)


@router.post(
    "/sharing/apps",
    response={201: AppWithSecret},
    summary="Register an app of your department; the secret is in this response only",
)
def register_app(request: HttpRequest, payload: AppCreate):
    app, secret = services.register_app(actor=request.auth, **payload.dict())
    return Status(201, {"app": app, "secret": secret})


@router.get("/sharing/apps/{app_id}", response=AppRead, summary="One consumer app")
def read_app(request: HttpRequest, app_id: int):
    return selectors.get_app(request.auth, app_id)


@router.patch("/sharing/apps/{app_id}", response=AppRead, summary="Edit an active app")
def update_app(request: HttpRequest, app_id: int, payload: AppUpdate):
    return services.update_app(actor=request.auth, app_id=app_id, **payload.dict())


@router.post(
    "/sharing/apps/{app_id}/rotate-secret",
    response=AppWithSecret,
    summary="Issue a new secret (shown once); the old one stops working at once",
)
def rotate_secret(request: HttpRequest, app_id: int):
    app, secret = services.rotate_secret(actor=request.auth, app_id=app_id)
    return {"app": app, "secret": secret}


@router.post(
    "/sharing/apps/{app_id}/revoke",
    response=AppRead,
    summary="Revoke an app: its grants stop at once, its pending requests are withdrawn",
)
def revoke_app(request: HttpRequest, app_id: int, payload: OptionalReasonIn):
    return services.revoke_app(actor=request.auth, app_id=app_id, reason=payload.reason)


# --- Requests -----------------------------------------------------------------------------


@router.get(
    "/sharing/requests",
    response=list[RequestRead],
    summary="Access requests: your departments' own and those for your resources",
)
@paginate(PageNumberPagination, page_size=20)
def list_requests(request: HttpRequest, filters: Query[RequestFilter]):
    queryset = (
        selectors.own_requests(request.auth)
        if filters.role == "consumer"
        else selectors.visible_requests(request.auth)
    )
    if filters.resource_id is not None:
        queryset = queryset.filter(resource_id=filters.resource_id)
    if filters.app_id is not None:
        queryset = queryset.filter(app_id=filters.app_id)
    return _by_status(queryset, filters.status)


@router.post(
    "/sharing/requests",
    response={201: RequestRead},
    summary="Ask for fields of a resource (unconditional ones are granted at once)",
)
def submit_request(request: HttpRequest, payload: RequestCreate):
    created = services.submit_request(actor=request.auth, **payload.dict())
    return Status(201, selectors.get_request(request.auth, created.pk))


@router.get("/sharing/requests/{request_id}", response=RequestRead, summary="One request")
def read_request(request: HttpRequest, request_id: int):
    return selectors.get_request(request.auth, request_id)


@router.post(
    "/sharing/requests/{request_id}/withdraw",
    response=RequestRead,
    summary="Withdraw a pending request",
)
def withdraw_request(request: HttpRequest, request_id: int):
    services.withdraw_request(actor=request.auth, request_id=request_id)
    return selectors.get_request(request.auth, request_id)


@router.get(
    "/sharing/steps",
    response=list[StepWithRequest],
    summary="Approval steps waiting for your decision",
)
@paginate(PageNumberPagination, page_size=20)
def list_steps(request: HttpRequest):
    return selectors.decidable_steps(request.auth).order_by("due_date", "id")


@router.post(
    "/sharing/steps/{step_id}/decision",
    response=RequestRead,
    summary="Approve (possibly narrowing the fields) or reject a pending step",
)
def decide_step(request: HttpRequest, step_id: int, payload: StepDecision):
    if payload.decision == "approve":
        step = services.approve_step(
            actor=request.auth,
            step_id=step_id,
            fields=payload.fields,
            clear_fields=payload.clear_fields,
            comment=payload.comment,
        )
    elif payload.decision == "reject":
        step = services.reject_step(actor=request.auth, step_id=step_id, reason=payload.comment)
    else:
        raise InvalidInput(
            "unknown_decision",
            "The decision is approve or reject.",
            detail={"decision": payload.decision},
        )
    return selectors.get_request(request.auth, step.request_id)


# --- Grants -------------------------------------------------------------------------------


class GrantFilter(StatusFilter):
    resource_id: int | None = None
    app_id: int | None = None


@router.get(
    "/sharing/grants",
    response=list[GrantRead],
    summary="Grants: your departments' own, those on your resources (the bureau: all)",
)
@paginate(PageNumberPagination, page_size=20)
def list_grants(request: HttpRequest, filters: Query[GrantFilter]):
    queryset = selectors.visible_grants(request.auth)
    if filters.resource_id is not None:
        queryset = queryset.filter(resource_id=filters.resource_id)
    if filters.app_id is not None:
        queryset = queryset.filter(app_id=filters.app_id)
    return _by_status(queryset, filters.status)


@router.get("/sharing/grants/{grant_id}", response=GrantRead, summary="One grant")
def read_grant(request: HttpRequest, grant_id: int):
    return selectors.get_grant(request.auth, grant_id)


@router.post(
    "/sharing/grants/{grant_id}/revoke",
    response=GrantRead,
    summary="Revoke a grant at once (with the reason)",
)
def revoke_grant(request: HttpRequest, grant_id: int, payload: ReasonIn):
    services.revoke_grant(actor=request.auth, grant_id=grant_id, reason=payload.reason)
    return selectors.get_grant(request.auth, grant_id)


# --- Objections ---------------------------------------------------------------------------


@router.get(
    "/sharing/objections",
    response=list[ObjectionRead],
    summary="Objections: your own and, for providers, those on your resources",
)
@paginate(PageNumberPagination, page_size=20)
def list_objections(request: HttpRequest, filters: Query[StatusFilter]):
    return _by_status(selectors.visible_objections(request.auth), filters.status)


@router.post(
    "/sharing/objections",
    response={201: ObjectionRead},
    summary="Object that a value is wrong (a consumer with a grant, or the record's subject)",
)
def raise_objection(request: HttpRequest, payload: ObjectionCreate):
    objection = objections.raise_objection(actor=request.auth, **payload.dict())
    return Status(201, selectors.get_objection(request.auth, objection.pk))


@router.get("/sharing/objections/{objection_id}", response=ObjectionRead)
def read_objection(request: HttpRequest, objection_id: int):
    return selectors.get_objection(request.auth, objection_id)


@router.post(
    "/sharing/objections/{objection_id}/answer",
    response=ObjectionRead,
    summary="Provider: correct the value (a new version of the record) or reject",
)
def answer_objection(request: HttpRequest, objection_id: int, payload: ObjectionAnswer):
    if payload.decision == "correct":
        objections.correct_objection(
            actor=request.auth,
            objection_id=objection_id,
            response=payload.response,
            value=payload.value,
        )
    elif payload.decision == "reject":
        objections.reject_objection(
            actor=request.auth, objection_id=objection_id, reason=payload.response
        )
    else:
        raise InvalidInput(
            "unknown_decision",
            "The decision is correct or reject.",
            detail={"decision": payload.decision},
        )
    return selectors.get_objection(request.auth, objection_id)
