"""HTTP API of applications under /api/v1/services/ (thin: the rules live in applications.py).

Applicants: ``POST /services/applications`` (a draft, or submitted at once), ``…/mine``,
``…/{number}`` with its timeline, ``…/{number}/draft|submit|resubmit``. Front-desk staff:
``POST /services/counter/applications`` and ``…/{number}/accept|refuse|correction``.
Uploads are JSON ``{material_id, file_name, content_base64}`` (at most 5 MB each).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from smartgov.services import applications

router = Router(tags=["services"])


class UploadIn(Schema):
    material_id: int
    file_name: str
    content_base64: str


class ApplyIn(Schema):
    item_code: str
    form_data: dict[str, Any] = {}
    uploads: list[UploadIn] = []
    submit: bool = True


class DraftIn(Schema):
    form_data: dict[str, Any] | None = None
    uploads: list[UploadIn] = []


class CounterIn(Schema):
    item_code: str
    applicant_type: str
    applicant_name: str
    applicant_id: str
    form_data: dict[str, Any] = {}
    uploads: list[UploadIn] = []
    comment: str = ""


class CommentIn(Schema):
    comment: str = ""


class RefuseIn(Schema):
    reason: str


class CorrectionIn(Schema):
    items: list[Any]
    comment: str = ""


class EventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    actor: str | None
    comment: str
    data: dict[str, Any]
    at: datetime


class ApplicationOut(Schema):
    number: str
    item_code: str
    item_name: str
    item_version: int
    status: str
    channel: str
    applicant_type: str
    applicant_name: str
    applicant_id_masked: str
    form_data: dict[str, Any]
    submitted_at: datetime | None
    accepted_at: datetime | None
    due_date: date | None
    paused_days: int
    refusal_reason: str
    correction_items: list[dict[str, Any]]
    receipt: dict[str, Any] | None
    events: list[EventOut]


class ApplicationSummary(Schema):
    number: str
    item_name: str = Field(..., alias="item.name")
    status: str
    channel: str
    submitted_at: datetime | None
    due_date: date | None


def _uploads(items: list[UploadIn]) -> list[dict]:
    return [item.dict() for item in items]


def _out(number: str, request: HttpRequest) -> dict:
    application = applications.application_for(request.auth, number)
    events = application.events.select_related("actor")
    return {
        "number": application.number,
        "item_code": application.item.implementation_code,
        "item_name": application.item.name,
        "item_version": application.item.version,
        "status": application.status,
        "channel": application.channel,
        "applicant_type": application.applicant_type,
        "applicant_name": application.applicant_name,
        "applicant_id_masked": application.applicant_id_masked,
        "form_data": application.form_data,
        "submitted_at": application.submitted_at,
        "accepted_at": application.accepted_at,
        "due_date": application.due_date,
        "paused_days": application.paused_days,
        "refusal_reason": application.refusal_reason,
        "correction_items": application.correction_items,
        "receipt": applications.receipt(application) if application.submitted_at else None,
        "events": [
            {
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor.display_name if e.actor else None,
                "comment": e.comment,
                "data": e.data,
                "at": e.at,
            }
            for e in events
        ],
    }


@router.post(
    "/services/applications",
    response={201: ApplicationOut},
    summary="Apply online for a published item: a draft, or submitted at once (default)",
)
def apply(request: HttpRequest, payload: ApplyIn):
    call = applications.submit_application if payload.submit else applications.save_draft
    application = call(
        actor=request.auth,
        item_code=payload.item_code,
        form_data=payload.form_data,
        uploads=_uploads(payload.uploads),
    )
    return Status(201, _out(application.number, request))


@router.get(
    "/services/applications/mine",
    response=list[ApplicationSummary],
    summary="Your applications, newest first",
)
@paginate(PageNumberPagination, page_size=20)
def mine(request: HttpRequest):
    return applications.my_applications(request.auth)


@router.get(
    "/services/applications/{number}",
    response=ApplicationOut,
    summary="One application with its receipt and timeline (yours, or in your staff scope)",
)
def read(request: HttpRequest, number: str):
    return _out(number, request)


@router.post(
    "/services/applications/{number}/draft", response=ApplicationOut, summary="Update a draft"
)
def update_draft(request: HttpRequest, number: str, payload: DraftIn):
    applications.save_draft(
        actor=request.auth,
        number=number,
        form_data=payload.form_data,
        uploads=_uploads(payload.uploads),
    )
    return _out(number, request)


@router.post(
    "/services/applications/{number}/submit", response=ApplicationOut, summary="Submit a draft"
)
def submit(request: HttpRequest, number: str, payload: DraftIn):
    applications.submit_application(
        actor=request.auth,
        number=number,
        form_data=payload.form_data,
        uploads=_uploads(payload.uploads),
    )
    return _out(number, request)


@router.post(
    "/services/applications/{number}/resubmit",
    response=ApplicationOut,
    summary="Resubmit after a correction request (the clock resumes)",
)
def resubmit(request: HttpRequest, number: str, payload: DraftIn):
    applications.resubmit_application(
        actor=request.auth,
        number=number,
        form_data=payload.form_data,
        uploads=_uploads(payload.uploads),
    )
    return _out(number, request)


@router.post(
    "/services/counter/applications",
    response={201: ApplicationOut},
    summary="Counter intake (前台综合受理) on an applicant's behalf",
)
def counter(request: HttpRequest, payload: CounterIn):
    values = payload.dict()
    values["uploads"] = _uploads(payload.uploads)
    application = applications.counter_intake(actor=request.auth, **values)
    return Status(201, _out(application.number, request))


@router.post(
    "/services/applications/{number}/accept",
    response=ApplicationOut,
    summary="Accept (受理): the clock starts",
)
def accept(request: HttpRequest, number: str, payload: CommentIn):
    applications.accept_application(actor=request.auth, number=number, comment=payload.comment)
    return _out(number, request)


@router.post(
    "/services/applications/{number}/refuse",
    response=ApplicationOut,
    summary="Refuse (不予受理) with a reason",
)
def refuse(request: HttpRequest, number: str, payload: RefuseIn):
    applications.refuse_application(actor=request.auth, number=number, reason=payload.reason)
    return _out(number, request)


@router.post(
    "/services/applications/{number}/correction",
    response=ApplicationOut,
    summary="Ask for correction (补正), everything at once (一次性告知); the clock stops",
)
def correction(request: HttpRequest, number: str, payload: CorrectionIn):
    applications.request_correction(
        actor=request.auth, number=number, items=payload.items, comment=payload.comment
    )
    return _out(number, request)
