"""HTTP API of the governance loop under /api/v1/governance/ (thin: schemas in, one service or
selector call, schemas out). Permission checks and every refusal live in the services and
selectors; errors are ``{code, message, detail}``."""

from datetime import datetime

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from smartgov.accounts.scope import has_perm
from smartgov.core.errors import NotFound
from smartgov.governance import selectors, services
from smartgov.governance.models import Case
from smartgov.governance.permissions import Perm
from smartgov.governance.schemas import (
    CaseCreate,
    CaseDetail,
    CasePublic,
    CaseRead,
    CategoryRead,
    CommentIn,
    DecisionIn,
    DeferralIn,
    DispatchIn,
    EventRead,
    ExtensionIn,
    IntakeCreate,
    IntakeRead,
    LookupIn,
    LookupRateIn,
    LookupReopenIn,
    MergeIn,
    RateIn,
    ReasonIn,
    ReplyIn,
    RequestRead,
    RevisitIn,
    VerifyIn,
)
from smartgov.governance.transitions import is_staff

router = Router(tags=["governance"])

Photos = File[list[UploadedFile]]


class CaseFilter(Schema):
    status: str | None = None
    queue: str | None = None  # dispatch | department | verification | revisit | mine | overdue
    q: str | None = None
    category: str | None = None
    department_id: int | None = None
    district: str | None = None
    channel: str | None = None
    warning: str | None = None
    open_only: bool = False
    since: datetime | None = None
    until: datetime | None = None


def _detail(request: HttpRequest, case: Case | int):
    return selectors.case_detail(request.auth, getattr(case, "pk", case))


def _for_action(request: HttpRequest, case_id: int) -> Case:
    """The case to act on. Governance staff get it even outside their scope, so that the
    service answers with the precise refusal (e.g. ``case_not_assigned``); anyone else sees
    only what they may see."""
    user = request.auth
    try:
        return selectors.get_case(user, case_id)
    except NotFound:
        if is_staff(user) and any(has_perm(user, perm) for perm in Perm):
            case = Case.objects.filter(pk=case_id).first()
            if case is not None:
                return case
        raise


# --- Cases ----------------------------------------------------------------------------------


@router.post(
    "/governance/cases",
    response={201: CaseDetail},
    summary="Report a problem (multipart form; photos in 'photos')",
    description="Citizens report through the portal or API; hotline agents and grid workers "
    "record cases for callers (channel 'hotline' or 'grid'). The case is classified and, when "
    "the classifier is confident and a department is responsible, dispatched at once.",
)
def create_case(request: HttpRequest, payload: Form[CaseCreate], photos: Photos = None):
    user = request.auth
    channel = payload.channel or ("hotline" if is_staff(user) else "api")
    case, _created = services.report_case(
        actor=user,
        channel=channel,
        description=payload.description,
        title=payload.title,
        address=payload.address,
        lon=payload.lon,
        lat=payload.lat,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        anonymous=payload.anonymous,
        category_code=payload.category_code or None,
        attachments=photos or (),
    )
    return Status(201, _detail(request, case))


@router.get("/governance/cases", response=list[CaseRead], summary="Cases in your scope")
@paginate(PageNumberPagination, page_size=20)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]):
    values = filters.dict()
    values["department"] = values.pop("department_id")
    return selectors.cases_for(request.auth, **values)


@router.get(
    "/governance/cases/{case_id}", response=CaseDetail, summary="One case with its timeline"
)
def read_case(request: HttpRequest, case_id: int):
    return _detail(request, case_id)


@router.get(
    "/governance/cases/{case_id}/timeline",
    response=list[EventRead],
    summary="The case's timeline",
)
def read_timeline(request: HttpRequest, case_id: int):
    return selectors.timeline(selectors.get_case(request.auth, case_id))


@router.post("/governance/cases/{case_id}/open", response=CaseDetail, summary="Open (立案)")
def open_case(request: HttpRequest, case_id: int, payload: CommentIn):
    case = services.open_case(
        actor=request.auth, case=_for_action(request, case_id), comment=payload.comment
    )
    return _detail(request, case)


@router.post("/governance/cases/{case_id}/cancel", response=CaseDetail, summary="Cancel as invalid")
def cancel_case(request: HttpRequest, case_id: int, payload: ReasonIn):
    case = services.cancel_case(
        actor=request.auth, case=_for_action(request, case_id), reason=payload.reason
    )
    return _detail(request, case)


@router.post(
    "/governance/cases/{case_id}/dispatch",
    response=CaseDetail,
    summary="Dispatch or re-dispatch (department from the rules when not given)",
)
def dispatch_case(request: HttpRequest, case_id: int, payload: DispatchIn):
    case = services.dispatch_case(
        actor=request.auth,
        case=_for_action(request, case_id),
        department=payload.department_id,
        category=payload.category_code or None,
        comment=payload.comment,
    )
    return _detail(request, case)


@router.post(
    "/governance/cases/{case_id}/accept", response=CaseDetail, summary="Acknowledge (签收)"
)
def accept_case(request: HttpRequest, case_id: int, payload: CommentIn):
    case = services.accept_case(
        actor=request.auth, case=_for_action(request, case_id), comment=payload.comment
    )
    return _detail(request, case)


@router.post(
    "/governance/cases/{case_id}/return",
    response=CaseDetail,
    summary="Return to the dispatcher (wrong department)",
)
def return_case(request: HttpRequest, case_id: int, payload: ReasonIn):
    case = services.return_case(
        actor=request.auth, case=_for_action(request, case_id), reason=payload.reason
    )
    return _detail(request, case)


@router.post(
    "/governance/cases/{case_id}/progress",
    response={201: EventRead},
    summary="Progress note with photos (multipart form)",
)
def add_progress(
    request: HttpRequest, case_id: int, payload: Form[CommentIn], photos: Photos = None
):
    event = services.add_progress(
        actor=request.auth,
        case=_for_action(request, case_id),
        comment=payload.comment,
        attachments=photos or (),
    )
    return Status(201, event)


@router.post(
    "/governance/cases/{case_id}/report-back",
    response=CaseDetail,
    summary="Report the case handled, with the reply (multipart form)",
)
def report_back(request: HttpRequest, case_id: int, payload: Form[ReplyIn], photos: Photos = None):
    case = services.report_back(
        actor=request.auth,
        case=_for_action(request, case_id),
        reply=payload.reply,
        attachments=photos or (),
    )
    return _detail(request, case)


@router.post(
    "/governance/cases/{case_id}/verify",
    response=CaseDetail,
    summary="Verify: close, or send back for rework (multipart form)",
)
def verify_case(request: HttpRequest, case_id: int, payload: Form[VerifyIn], photos: Photos = None):
    case = services.verify_case(
        actor=request.auth,
        case=_for_action(request, case_id),
        passed=payload.passed,
        comment=payload.comment,
        attachments=photos or (),
    )
    return _detail(request, case)


@router.post(
    "/governance/cases/{case_id}/extension",
    response={201: RequestRead},
    summary="Ask for more time (延期); the clock stands until the decision",
)
def request_extension(request: HttpRequest, case_id: int, payload: ExtensionIn):
    created = services.request_extension(
        actor=request.auth,
        case=_for_action(request, case_id),
        amount=payload.amount,
        reason=payload.reason,
    )
    return Status(201, created)


@router.post(
    "/governance/cases/{case_id}/deferral",
    response={201: RequestRead},
    summary="Ask to defer the case until a date (挂账)",
)
def request_deferral(request: HttpRequest, case_id: int, payload: DeferralIn):
    created = services.request_deferral(
        actor=request.auth,
        case=_for_action(request, case_id),
        until=payload.until,
        reason=payload.reason,
    )
    return Status(201, created)


@router.post(
    "/governance/cases/{case_id}/resume", response=CaseDetail, summary="End a deferral early"
)
def resume_case(request: HttpRequest, case_id: int, payload: CommentIn):
    case = services.resume_case(
        actor=request.auth, case=_for_action(request, case_id), comment=payload.comment
    )
    return _detail(request, case)


@router.post(
    "/governance/cases/{case_id}/supervise",
    response={201: EventRead},
    summary="Supervision note (督办)",
)
def supervise_case(request: HttpRequest, case_id: int, payload: CommentIn):
    event = services.supervise_case(
        actor=request.auth, case=_for_action(request, case_id), comment=payload.comment
    )
    return Status(201, event)


@router.post(
    "/governance/cases/{case_id}/merge",
    response=CaseDetail,
    summary="Merge duplicate cases into this one",
)
def merge_cases(request: HttpRequest, case_id: int, payload: MergeIn):
    case = services.merge_cases(
        actor=request.auth,
        main=_for_action(request, case_id),
        duplicates=payload.duplicate_ids,
        comment=payload.comment,
    )
    return _detail(request, case)


@router.post("/governance/cases/{case_id}/rate", response=CaseDetail, summary="Rate (the reporter)")
def rate_case(request: HttpRequest, case_id: int, payload: RateIn):
    case = services.rate_case(
        actor=request.auth,
        case=selectors.get_case(request.auth, case_id),
        level=payload.level,
        comment=payload.comment,
    )
    return _detail(request, case)


@router.post(
    "/governance/cases/{case_id}/revisit",
    response=CaseDetail,
    summary="Record the hotline revisit (回访)",
)
def record_revisit(request: HttpRequest, case_id: int, payload: RevisitIn):
    case = services.record_revisit(
        actor=request.auth,
        case=_for_action(request, case_id),
        level=payload.level,
        reached=payload.reached,
        comment=payload.comment,
    )
    return _detail(request, case)


@router.post(
    "/governance/cases/{case_id}/reopen",
    response=CaseDetail,
    summary="Reopen a closed case (within the reopening window)",
)
def reopen_case(request: HttpRequest, case_id: int, payload: ReasonIn):
    case = services.reopen_case(
        actor=request.auth, case=selectors.get_case(request.auth, case_id), reason=payload.reason
    )
    return _detail(request, case)


@router.post(
    "/governance/cases/{case_id}/attachments",
    response={201: CaseDetail},
    summary="Add photos or documents (multipart form)",
)
def add_attachments(
    request: HttpRequest, case_id: int, payload: Form[CommentIn], photos: Photos = None
):
    case = _for_action(request, case_id)
    services.add_attachment(
        actor=request.auth, case=case, attachments=photos or (), comment=payload.comment
    )
    return Status(201, _detail(request, case))


@router.get("/governance/attachments/{attachment_id}", summary="Download an attachment")
def download_attachment(request: HttpRequest, attachment_id: int):
    attachment = selectors.get_attachment(request.auth, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=False
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Requests -------------------------------------------------------------------------------


@router.get(
    "/governance/requests",
    response=list[RequestRead],
    summary="Extension and deferral requests awaiting your decision",
)
@paginate(PageNumberPagination, page_size=20)
def list_requests(request: HttpRequest):
    return selectors.pending_requests(request.auth)


@router.post(
    "/governance/requests/{request_id}/decide",
    response=RequestRead,
    summary="Approve or reject an extension or deferral request",
)
def decide_request(request: HttpRequest, request_id: int, payload: DecisionIn):
    found = selectors.pending_requests(request.auth).filter(pk=request_id).first()
    if found is None:
        found = services.get_request(request_id)
    return services.decide_request(
        actor=request.auth, request=found, approve=payload.approve, comment=payload.comment
    )


# --- Other systems, reporters, categories ---------------------------------------------------


@router.post(
    "/governance/intake",
    response={200: IntakeRead, 201: IntakeRead},
    summary="Report from another system (idempotent by source_system + external_id)",
    description="201 with created=true for a new case; 200 with created=false and the case "
    "already recorded when the same source_system and external_id come again.",
)
def system_intake(request: HttpRequest, payload: IntakeCreate):
    case, created = services.report_case(actor=request.auth, **payload.dict())
    return Status(201 if created else 200, {"created": created, "case": case})


def _public(case: Case) -> Case:
    case.timeline = selectors.public_timeline(case)
    return case


@router.post(
    "/governance/lookup",
    response=CasePublic,
    auth=None,
    summary="Follow a case by its number and the reporter's phone",
)
def lookup_case(request: HttpRequest, payload: LookupIn):
    return _public(services.case_for_reporter(number=payload.number, phone=payload.phone))


@router.post(
    "/governance/lookup/rate",
    response=CasePublic,
    auth=None,
    summary="Rate a closed case by its number and the reporter's phone",
)
def lookup_rate(request: HttpRequest, payload: LookupRateIn):
    case = services.case_for_reporter(number=payload.number, phone=payload.phone)
    case = services.rate_case(
        actor=None, case=case, level=payload.level, comment=payload.comment, phone=payload.phone
    )
    return _public(case)


@router.post(
    "/governance/lookup/reopen",
    response=CasePublic,
    auth=None,
    summary="Ask to reopen a closed case by its number and the reporter's phone",
)
def lookup_reopen(request: HttpRequest, payload: LookupReopenIn):
    case = services.case_for_reporter(number=payload.number, phone=payload.phone)
    case = services.reopen_case(actor=None, case=case, reason=payload.reason, phone=payload.phone)
    return _public(case)


@router.get(
    "/governance/categories",
    response=list[CategoryRead],
    auth=None,
    summary="The active category tree (major and minor classes)",
)
def list_categories(request: HttpRequest):
    return selectors.active_categories()
