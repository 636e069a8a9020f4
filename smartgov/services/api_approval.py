"""Approval steps, time requests and supervision under /api/v1/services/ (thin: the rules
live in approval.py and timelimits.py).

Approvers: ``GET /services/tasks`` (theirs, paginated), ``GET /services/tasks/{id}``,
``POST …/{id}/claim``, ``POST …/{id}/complete`` (attachments as JSON
``{file_name, content_base64}``: PDF, OFD, JPEG or PNG, at most 10 MB each and 9 at once —
the request body limit ``MAX_BODY_BYTES`` applies first). Time limits:
``POST /services/applications/{number}/time-requests``, ``POST /services/time-requests/{id}/
decide``, ``POST /services/applications/{number}/resume``; ``GET …/{number}/clock``.
Applicants: ``POST /services/applications/{number}/withdraw``. Supervisors:
``GET /services/supervision``. The outcome: ``GET /services/applications/{number}/result``.
Anyone who may read a timeline downloads its attachments:
``GET /services/attachments/{id}``.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.http import FileResponse, HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from smartgov.core.errors import InvalidInput
from smartgov.licenses.verification import qr_url
from smartgov.services import approval
from smartgov.services import approval_selectors as sel
from smartgov.services.api_applications import ApplicationOut, _out
from smartgov.services.applications import application_for

router = Router(tags=["services"])


# --- Schemas ----------------------------------------------------------------------------------


class AttachmentIn(Schema):
    file_name: str
    content_base64: str


class CompleteIn(Schema):
    decision: str = "approve"
    comment: str = ""
    attachments: list[AttachmentIn] = []
    result_data: dict[str, Any] | None = None


class TimeRequestIn(Schema):
    kind: str
    days: int
    reason: str
    task_id: int | None = None


class DecideIn(Schema):
    approve: bool
    comment: str = ""


class CommentIn(Schema):
    comment: str = ""


class WithdrawIn(Schema):
    reason: str = ""


class TaskFilter(Schema):
    status: str = "active"


class TaskOut(Schema):
    id: int
    application_number: str
    application_status: str
    item_name: str
    applicant_name: str
    name: str
    position: int
    parallel_group: str
    role: str
    department_id: int
    department_name: str
    status: str
    assignee: str | None
    activated_at: datetime | None
    due_date: date | None
    warning_level: str
    decision: str
    comment: str
    finished_at: datetime | None
    finished_by: str | None

    @staticmethod
    def resolve_application_number(obj) -> str:
        return obj.application.number

    @staticmethod
    def resolve_application_status(obj) -> str:
        return obj.application.status

    @staticmethod
    def resolve_item_name(obj) -> str:
        return obj.application.item.name

    @staticmethod
    def resolve_applicant_name(obj) -> str:
        return obj.application.applicant_name

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_assignee(obj) -> str | None:
        return obj.assignee.display_name if obj.assignee_id else None

    @staticmethod
    def resolve_finished_by(obj) -> str | None:
        return obj.finished_by.display_name if obj.finished_by_id else None


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str


class TimelineEventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    actor: str | None
    comment: str
    data: dict[str, Any]
    at: datetime
    attachments: list[AttachmentOut]


class ClockOut(Schema):
    accepted_at: datetime | None
    due_date: date | None
    promised_days: int | None
    legal_days: int | None
    extended_days: int
    paused_days: int
    paused: bool
    paused_at: datetime | None
    suspended: bool
    suspended_until: date | None
    remaining_working_days: int | None
    overdue: bool
    warning_level: str
    max_extension_days: int
    completed_at: datetime | None
    on_time: bool | None
    handling_days: int | None


class ResultFieldOut(Schema):
    name: str
    label: str
    type: str
    required: bool
    value: Any = None
    source: str
    missing: bool


class TaskApplicationOut(Schema):
    number: str
    status: str
    item_code: str
    item_name: str
    applicant_type: str
    applicant_name: str
    applicant_id_masked: str
    form_data: dict[str, Any]
    payment_status: str
    result_name: str
    result_license_type: str


class TaskDetailOut(Schema):
    task: TaskOut
    application: TaskApplicationOut
    clock: ClockOut
    tasks: list[TaskOut]
    timeline: list[TimelineEventOut]
    result_license_fields: list[ResultFieldOut]


class TimeRequestOut(Schema):
    id: int
    application_number: str
    task_id: int | None
    kind: str
    days: int
    reason: str
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_comment: str
    ends_on: date | None
    ended_at: datetime | None

    @staticmethod
    def resolve_application_number(obj) -> str:
        return obj.application.number

    @staticmethod
    def resolve_requested_by(obj) -> str:
        return obj.requested_by.display_name

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return obj.decided_by.display_name if obj.decided_by_id else None


class WatchedApplicationOut(Schema):
    number: str
    item_name: str
    applicant_name: str
    status: str
    due_date: date | None
    warning_level: str

    @staticmethod
    def resolve_item_name(obj) -> str:
        return obj.item.name


class ResultOut(Schema):
    number: str
    status: str
    completed_at: datetime | None
    on_time: bool | None
    handling_days: int | None
    result_text: str
    license_identifier: str | None
    license_type: str | None
    license_valid_until: date | None
    license_verify_url: str | None


class SupervisionOut(Schema):
    pending_requests: list[TimeRequestOut]
    pending_count: int
    yellow: list[WatchedApplicationOut]
    yellow_count: int
    red: list[WatchedApplicationOut]
    red_count: int
    suspended: list[WatchedApplicationOut]
    suspended_count: int


# --- Helpers ----------------------------------------------------------------------------------


def _files(items: list[AttachmentIn]) -> list[ContentFile]:
    files = []
    for position, item in enumerate(items):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                "attachment_invalid",
                "An attachment needs a file name and base64 content.",
                detail={"attachment": position},
            ) from None
        files.append(ContentFile(content, name=item.file_name.strip()[:200] or "file"))
    return files


def _timeline(application) -> list[dict]:
    return [
        {
            "kind": e.kind,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "actor": e.actor.display_name if e.actor else None,
            "comment": e.comment,
            "data": e.data,
            "at": e.at,
            "attachments": list(e.attachments.all()),
        }
        for e in sel.timeline(application)
    ]


def _task_detail(request: HttpRequest, task_id: int) -> dict:
    task = sel.task_for(request.auth, task_id)
    application = task.application
    item = application.item
    return {
        "task": task,
        "application": {
            "number": application.number,
            "status": application.status,
            "item_code": item.implementation_code,
            "item_name": item.name,
            "applicant_type": application.applicant_type,
            "applicant_name": application.applicant_name,
            "applicant_id_masked": application.applicant_id_masked,
            "form_data": application.form_data,
            "payment_status": application.payment_status,
            "result_name": item.result_name,
            "result_license_type": item.result_license_type,
        },
        "clock": sel.clock(application),
        "tasks": list(sel.tasks_of(application)),
        "timeline": _timeline(application),
        "result_license_fields": approval.result_license_fields(application),
    }


# --- Tasks ------------------------------------------------------------------------------------


@router.get(
    "/services/tasks",
    response=list[TaskOut],
    summary="Approval steps you may handle (status active by default; earliest due first)",
)
@paginate(PageNumberPagination, page_size=20)
def list_tasks(request: HttpRequest, status: str = "active"):
    return sel.my_tasks(request.auth, status=None if status == "all" else status)


@router.get(
    "/services/tasks/{task_id}",
    response=TaskDetailOut,
    summary="One step with its application, clock, the other steps, timeline and result data",
)
def read_task(request: HttpRequest, task_id: int):
    return _task_detail(request, task_id)


@router.post("/services/tasks/{task_id}/claim", response=TaskDetailOut, summary="Claim a step")
def claim(request: HttpRequest, task_id: int):
    approval.claim_task(actor=request.auth, task_id=task_id)
    return _task_detail(request, task_id)


@router.post(
    "/services/tasks/{task_id}/complete",
    response=TaskDetailOut,
    summary="Approve or deny a step with an opinion and attachments; the last approval "
    "completes the application and issues its result",
)
def complete(request: HttpRequest, task_id: int, payload: CompleteIn):
    approval.complete_task(
        actor=request.auth,
        task_id=task_id,
        decision=payload.decision,
        comment=payload.comment,
        attachments=_files(payload.attachments),
        result_data=payload.result_data,
    )
    return _task_detail(request, task_id)


# --- Time limits ------------------------------------------------------------------------------


@router.post(
    "/services/applications/{number}/time-requests",
    response={201: TimeRequestOut},
    summary="Ask to suspend the clock or extend the limit (a handler of an active step)",
)
def create_time_request(request: HttpRequest, number: str, payload: TimeRequestIn):
    created = approval.request_time(actor=request.auth, number=number, **payload.dict())
    return Status(201, created)


@router.post(
    "/services/time-requests/{request_id}/decide",
    response=TimeRequestOut,
    summary="Approve or reject a time request (a supervisor; not one's own)",
)
def decide(request: HttpRequest, request_id: int, payload: DecideIn):
    return approval.decide_time_request(
        actor=request.auth,
        request_id=request_id,
        approve=payload.approve,
        comment=payload.comment,
    )


@router.post(
    "/services/applications/{number}/resume",
    response=ApplicationOut,
    summary="End a suspension early: the clock runs again",
)
def resume(request: HttpRequest, number: str, payload: CommentIn):
    approval.resume_application(actor=request.auth, number=number, comment=payload.comment)
    return _out(number, request)


@router.post(
    "/services/applications/{number}/withdraw",
    response=ApplicationOut,
    summary="Withdraw your application before it is completed",
)
def withdraw(request: HttpRequest, number: str, payload: WithdrawIn):
    approval.withdraw_application(actor=request.auth, number=number, reason=payload.reason)
    return _out(number, request)


@router.get(
    "/services/applications/{number}/clock",
    response=ClockOut,
    summary="The application's time limit as it stands (applicant or staff in scope)",
)
def read_clock(request: HttpRequest, number: str):
    return sel.clock(application_for(request.auth, number))


@router.get(
    "/services/applications/{number}/result",
    response=ResultOut,
    summary="The outcome of an ended application: result text and the e-license issued",
)
def read_result(request: HttpRequest, number: str):
    application = application_for(request.auth, number)
    license = application.result_license
    return {
        "number": application.number,
        "status": application.status,
        "completed_at": application.completed_at,
        "on_time": application.on_time,
        "handling_days": application.handling_days,
        "result_text": application.result_text,
        "license_identifier": license.identifier if license else None,
        "license_type": license.license_type.code if license else None,
        "license_valid_until": license.valid_until if license else None,
        "license_verify_url": qr_url(license) if license else None,
    }


@router.get(
    "/services/attachments/{attachment_id}",
    summary="Download an attachment of a timeline you may read",
)
def download_attachment(request: HttpRequest, attachment_id: int):
    attachment = sel.attachment_for(request.auth, attachment_id)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


@router.get(
    "/services/supervision",
    response=SupervisionOut,
    summary="Pending time requests, yellow and red warnings, suspensions of your scope",
)
def read_supervision(request: HttpRequest):
    return sel.supervision(request.auth)
