"""一件事 bundles, fees and payments under /api/v1/services/ (thin: rules in bundles.py, fees.py).

Public: ``GET /services/bundles``, ``GET /services/bundles/{code}`` (merged form and materials;
``found`` says what the platform holds for the logged-in applicant). Applicants:
``POST /services/bundles/{code}/applications``, ``GET /services/bundle-applications/mine`` and
``…/{number}``. Front desk: ``POST /services/counter/bundles/{code}/applications``. Bundle
managers: ``/services/manage/bundles…``. Fees: ``GET|POST /services/applications/{number}/fees``,
``POST …/payments``; the provider's ``POST /services/payments/{provider}/callback`` (no login,
signed) and staff's ``POST /services/payments/{id}/refund``.
Uploads are JSON ``{key, file_name, content_base64}`` where ``key`` is a merged material's key.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from smartgov.accounts.auth import api_auth
from smartgov.core.errors import InvalidInput, PermissionDeniedError
from smartgov.services import applications, bundles, fees
from smartgov.services.bundle_models import Bundle

router = Router(tags=["services"])


def _anonymous(request: HttpRequest):
    """Lets a public endpoint see a logged-in user when there is one."""
    return AnonymousUser()


OPTIONAL_AUTH = [*api_auth, _anonymous]


# --- Schemas ------------------------------------------------------------------------------


class BundleUploadIn(Schema):
    key: str
    file_name: str
    content_base64: str


class BundleApplyIn(Schema):
    form_data: dict[str, Any] = {}
    uploads: list[BundleUploadIn] = []


class BundleCounterIn(BundleApplyIn):
    applicant_type: str
    applicant_name: str
    applicant_id: str
    comment: str = ""


class BundleItemOut(Schema):
    basic_code: str
    item_code: str
    name: str
    department: str


class BundleSummary(Schema):
    id: int
    code: str
    name: str
    description: str
    lead_department: str
    status: str
    tags: list[str]
    items: list[BundleItemOut]
    missing_basic_codes: list[str]


class BundleRead(BundleSummary):
    form: list[dict[str, Any]]
    materials: list[dict[str, Any]]


class BundleCreate(Schema):
    code: str
    name: str
    description: str = ""
    lead_department_id: int
    basic_codes: list[str]
    extra_fields: list[dict[str, Any]] = []
    tags: list[str] = []


class BundleUpdate(Schema):
    name: str | None = None
    description: str | None = None
    lead_department_id: int | None = None
    basic_codes: list[str] | None = None
    extra_fields: list[dict[str, Any]] | None = None
    tags: list[str] | None = None


class ReasonIn(Schema):
    reason: str


class ProgressEntry(Schema):
    number: str
    basic_code: str
    item_code: str
    item_name: str
    department: str
    department_id: int
    status: str
    status_label: str
    due_date: date | None
    completed_at: datetime | None
    payment_status: str
    fee_total: str


class BundleApplicationOut(Schema):
    number: str
    bundle: dict[str, str]
    status: str
    status_label: str
    channel: str
    applicant_name: str
    submitted_at: datetime | None
    completed_at: datetime | None
    total: int
    ended: int
    approved: int
    applications: list[ProgressEntry]


class BundleApplicationSummary(Schema):
    number: str
    bundle_code: str
    bundle_name: str
    status: str
    submitted_at: datetime | None
    completed_at: datetime | None


class FeeIn(Schema):
    name: str
    amount: str
    basis: str = ""


class FeesAdjustIn(Schema):
    items: list[FeeIn]
    comment: str = ""


class PaymentStartIn(Schema):
    provider: str = "sandbox"


class PaymentOut(Schema):
    id: int
    provider: str
    reference: str
    amount: str
    status: str
    created_at: datetime
    paid_at: datetime | None
    pay_url: str


class FeesOut(Schema):
    number: str
    fees: list[dict[str, str]]
    fee_total: str
    payment_status: str
    paid_amount: str
    payments: list[PaymentOut]


class PaymentStarted(Schema):
    payment: PaymentOut
    pay_url: str


class CallbackOut(Schema):
    reference: str
    status: str


# --- Helpers ------------------------------------------------------------------------------


def _uploads(items: list[BundleUploadIn]) -> list[dict]:
    out = []
    for position, item in enumerate(items):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                "upload_invalid",
                "An upload needs key, file_name and base64 content.",
                detail={"upload": position},
            ) from None
        out.append({"key": item.key, "file_name": item.file_name, "content": content})
    return out


def _callback_payload(request: HttpRequest) -> dict:
    """A provider posts JSON or a form; either way a flat object of strings."""
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            payload = None
        if not isinstance(payload, dict):
            raise InvalidInput("callback_invalid", "A callback is an object.")
        return {str(k): str(v) for k, v in payload.items()}
    return {k: request.POST.get(k, "") for k in request.POST}


def _summary(bundle: Bundle) -> dict:
    items, missing = bundles.bundle_items(bundle)
    return {
        "id": bundle.pk,
        "code": bundle.code,
        "name": bundle.name,
        "description": bundle.description,
        "lead_department": bundle.lead_department.name,
        "status": bundle.status,
        "tags": bundle.tags,
        "items": [
            {
                "basic_code": i.basic_code,
                "item_code": i.implementation_code,
                "name": i.name,
                "department": i.department.name,
            }
            for i in items
        ],
        "missing_basic_codes": missing,
    }


def _holder_id(user) -> str | None:
    try:
        return applications._online_applicant(user)[2]
    except PermissionDeniedError:  # anonymous or staff: nothing is looked up
        return None


def _read(bundle: Bundle, user=None) -> dict:
    holder = _holder_id(user) if user is not None else None
    return {
        **_summary(bundle),
        "form": bundles.merged_form(bundle),
        "materials": bundles.merged_materials(bundle, holder_id=holder),
    }


def _payment(payment, pay_url: str = "") -> dict:
    return {
        "id": payment.pk,
        "provider": payment.provider,
        "reference": payment.reference,
        "amount": str(payment.amount),
        "status": payment.status,
        "created_at": payment.created_at,
        "paid_at": payment.paid_at,
        "pay_url": pay_url,
    }


# --- Public and applicants ----------------------------------------------------------------


@router.get(
    "/services/bundles",
    response=list[BundleSummary],
    auth=None,
    summary="Published 一件事 bundles",
)
@paginate(PageNumberPagination, page_size=20)
def list_bundles(request: HttpRequest):
    return [_summary(b) for b in bundles.published_bundles()]


@router.get(
    "/services/bundle-applications/mine",
    response=list[BundleApplicationSummary],
    summary="Your 一件事 applications, newest first",
)
@paginate(PageNumberPagination, page_size=20)
def my_bundle_applications(request: HttpRequest):
    return [
        {
            "number": b.number,
            "bundle_code": b.bundle.code,
            "bundle_name": b.bundle.name,
            "status": b.status,
            "submitted_at": b.submitted_at,
            "completed_at": b.completed_at,
        }
        for b in bundles.my_bundle_applications(request.auth)
    ]


@router.get(
    "/services/bundle-applications/{number}",
    response=BundleApplicationOut,
    summary="One 一件事 application and each item's progress (yours, or in your staff scope)",
)
def read_bundle_application(request: HttpRequest, number: str):
    return bundles.progress(bundles.bundle_application_for(request.auth, number))


@router.get(
    "/services/bundles/{code}",
    response=BundleRead,
    auth=OPTIONAL_AUTH,
    summary="A published bundle with its merged form and materials (and what is found for you)",
)
def read_bundle(request: HttpRequest, code: str):
    user = request.auth if getattr(request.auth, "is_authenticated", False) else None
    return _read(bundles.bundle_by_code(code), user)


@router.post(
    "/services/bundles/{code}/applications",
    response={201: BundleApplicationOut},
    summary="Apply online for a bundle: one application per item, all or nothing",
)
def apply_bundle(request: HttpRequest, code: str, payload: BundleApplyIn):
    application = bundles.apply_bundle(
        actor=request.auth,
        code=code,
        form_data=payload.form_data,
        uploads=_uploads(payload.uploads),
    )
    return Status(201, bundles.progress(application))


@router.post(
    "/services/counter/bundles/{code}/applications",
    response={201: BundleApplicationOut},
    summary="Counter intake (前台综合受理) of a bundle on an applicant's behalf",
)
def counter_bundle(request: HttpRequest, code: str, payload: BundleCounterIn):
    application = bundles.counter_bundle_intake(
        actor=request.auth,
        code=code,
        applicant_kind=payload.applicant_type,
        name=payload.applicant_name,
        id_value=payload.applicant_id,
        form_data=payload.form_data,
        uploads=_uploads(payload.uploads),
        comment=payload.comment,
    )
    return Status(201, bundles.progress(application))


# --- Bundle managers ----------------------------------------------------------------------


@router.get(
    "/services/manage/bundles",
    response=list[BundleSummary],
    summary="Bundles of your scope (any status)",
)
@paginate(PageNumberPagination, page_size=20)
def manage_list(request: HttpRequest):
    return [_summary(b) for b in bundles.manageable_bundles(request.auth)]


@router.post("/services/manage/bundles", response={201: BundleRead}, summary="Draft a bundle")
def manage_create(request: HttpRequest, payload: BundleCreate):
    bundle = bundles.create_bundle(actor=request.auth, **payload.dict())
    return Status(201, _read(bundle))


@router.get("/services/manage/bundles/{bundle_id}", response=BundleRead, summary="One bundle")
def manage_read(request: HttpRequest, bundle_id: int):
    return _read(bundles.bundle_for_staff(request.auth, bundle_id))


@router.patch(
    "/services/manage/bundles/{bundle_id}",
    response=BundleRead,
    summary="Edit a draft or withdrawn bundle",
)
def manage_update(request: HttpRequest, bundle_id: int, payload: BundleUpdate):
    values = payload.dict(exclude_unset=True)
    bundle = bundles.update_bundle(actor=request.auth, bundle_id=bundle_id, **values)
    return _read(bundle)


@router.delete(
    "/services/manage/bundles/{bundle_id}",
    response={204: None},
    summary="Delete a draft bundle that was never published",
)
def manage_delete(request: HttpRequest, bundle_id: int):
    bundles.delete_bundle(actor=request.auth, bundle_id=bundle_id)
    return Status(204, None)


@router.post(
    "/services/manage/bundles/{bundle_id}/publish",
    response=BundleRead,
    summary="Publish (every item published, no conflicting form fields)",
)
def manage_publish(request: HttpRequest, bundle_id: int):
    return _read(bundles.publish_bundle(actor=request.auth, bundle_id=bundle_id))


@router.post(
    "/services/manage/bundles/{bundle_id}/withdraw",
    response=BundleRead,
    summary="Withdraw a published bundle",
)
def manage_withdraw(request: HttpRequest, bundle_id: int, payload: ReasonIn):
    bundle = bundles.withdraw_bundle(actor=request.auth, bundle_id=bundle_id, reason=payload.reason)
    return _read(bundle)


# --- Fees and payments --------------------------------------------------------------------


@router.get(
    "/services/applications/{number}/fees",
    response=FeesOut,
    summary="An application's fees, payment status and payment attempts",
)
def read_fees(request: HttpRequest, number: str):
    return fees.fee_summary(applications.application_for(request.auth, number))


@router.post(
    "/services/applications/{number}/fees",
    response=FeesOut,
    summary="Adjust the fees before payment (acceptance staff)",
)
def adjust_fees(request: HttpRequest, number: str, payload: FeesAdjustIn):
    application = fees.adjust_fees(
        actor=request.auth,
        number=number,
        items=[item.dict() for item in payload.items],
        comment=payload.comment,
    )
    return fees.fee_summary(application)


@router.post(
    "/services/applications/{number}/payments",
    response={201: PaymentStarted},
    summary="Start paying the fees at a provider; returns the URL to send the payer to",
)
def start_payment(request: HttpRequest, number: str, payload: PaymentStartIn):
    payment, url = fees.start_payment(actor=request.auth, number=number, provider=payload.provider)
    return Status(201, {"payment": _payment(payment, url), "pay_url": url})


@router.post(
    "/services/payments/{provider}/callback",
    response=CallbackOut,
    auth=None,
    summary="The payment provider's signed callback (idempotent)",
)
def payment_callback(request: HttpRequest, provider: str):
    payload = _callback_payload(request)
    payment = fees.confirm_payment(
        provider=provider, reference=str(payload.get("reference") or ""), payload=payload
    )
    return {"reference": payment.reference, "status": payment.status}


@router.post(
    "/services/payments/{payment_id}/refund",
    response=PaymentOut,
    summary="Refund a paid payment (acceptance staff)",
)
def refund_payment(request: HttpRequest, payment_id: int, payload: ReasonIn):
    payment = fees.refund_payment(actor=request.auth, payment_id=payment_id, reason=payload.reason)
    return _payment(payment)
