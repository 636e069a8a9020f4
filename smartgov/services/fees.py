"""Fees (收费) of applications and their payment (缴费) through a payment provider.

On acceptance (``applications.ACCEPTED``) an application's fee rows are copied from its item
version's ``fees`` and ``fee_total`` / ``payment_status`` set (``not_required`` when the item is
free or the fees add up to zero). Acceptance staff may adjust the rows before payment. The
applicant (or counter staff for a counter application) starts a payment at a provider; the
provider's signed callback (``confirm_payment``) marks it paid, once: a second identical
callback changes nothing. Approval's last step refuses while the payment status is ``unpaid``.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from smartgov.accounts.scope import access, has_perm, restrict
from smartgov.core import events
from smartgov.core.errors import Conflict, InvalidInput, NotFound
from smartgov.services import applications, payments
from smartgov.services.application_models import (
    Application,
    ApplicationStatus,
    Channel,
    PaymentStatus,
)
from smartgov.services.fee_models import ApplicationFee, AttemptStatus, Payment
from smartgov.services.permissions import Perm
from smartgov.services.services import _fees as clean_fees

logger = logging.getLogger(__name__)

S = ApplicationStatus
ENDED_STATUSES = (S.REFUSED, S.APPROVED, S.DENIED, S.WITHDRAWN)
CENT = Decimal("0.01")


def _money(value) -> str:
    return str(Decimal(value).quantize(CENT))


def _set_rows(application: Application, fees: list[dict]) -> Decimal:
    """Replace the fee rows (cleaned ``{name, amount, basis}``); returns their total."""
    application.fee_items.all().delete()
    ApplicationFee.objects.bulk_create(
        ApplicationFee(
            application=application,
            position=position,
            name=fee["name"],
            amount=Decimal(fee["amount"]),
            basis=fee["basis"],
        )
        for position, fee in enumerate(fees)
    )
    total = sum((Decimal(fee["amount"]) for fee in fees), Decimal("0")).quantize(CENT)
    application.fee_total = total
    application.payment_status = PaymentStatus.UNPAID if total > 0 else PaymentStatus.NOT_REQUIRED
    application.save(update_fields=["fee_total", "payment_status", "updated_at"])
    return total


def fees_of(application: Application) -> list[dict]:
    return [
        {"name": f.name, "amount": _money(f.amount), "basis": f.basis}
        for f in application.fee_items.all()
    ]


# --- Acceptance sets the fees -------------------------------------------------------------


def on_accepted(*, application: Application, actor, **_payload) -> None:
    """``applications.ACCEPTED`` handler: the item version's fees become the application's."""
    if application.fee_items.exists():
        return
    item = application.item
    fees = [] if item.is_free else clean_fees(item.fees or [])
    total = _set_rows(application, fees)
    if total > 0:
        applications._event(
            application,
            kind="fees_due",
            actor=actor,
            before=application.status,
            data={"fee_total": _money(total), "fees": fees},
        )


def subscribe() -> None:
    events.subscribe(applications.ACCEPTED, on_accepted)


# --- Lookups ------------------------------------------------------------------------------


def _locked_for_payer(actor, number: str) -> Application:
    """The applicant's own application, or a counter application in counter staff's scope."""
    queryset = Application.objects.select_for_update().select_related("item")
    own = queryset.filter(number=str(number or ""), applicant_id=getattr(actor, "pk", None))
    application = own.first() if getattr(actor, "pk", None) else None
    if application is None and has_perm(actor, Perm.INTAKE):
        application = (
            restrict(queryset.filter(channel=Channel.COUNTER), actor, Perm.INTAKE)
            .filter(number=str(number or ""))
            .first()
        )
    if application is None:
        raise NotFound("application_not_found", "No such application, or it is not yours.")
    return application


def _locked_staff(actor, number: str) -> Application:
    try:
        return access(
            Application.objects.select_for_update().select_related("item"),
            actor,
            Perm.ACCEPT,
            number=str(number or ""),
        )
    except NotFound:
        raise NotFound(
            "application_not_found", "No such application, or it is outside your data scope."
        ) from None


def _require_open(application: Application) -> None:
    if application.status in ENDED_STATUSES or application.status == S.DRAFT:
        raise Conflict(
            "application_not_open",
            "Fees are handled while the application is in progress.",
            detail={"status": application.status},
        )


def _cancel_open_attempts(application: Application) -> int:
    return Payment.objects.filter(application=application, status=AttemptStatus.CREATED).update(
        status=AttemptStatus.CANCELLED
    )


# --- Staff: adjust ------------------------------------------------------------------------


@transaction.atomic
def adjust_fees(*, actor, number: str, items, comment: str = "") -> Application:
    """Acceptance staff replace the fee rows before anything is paid (open payment attempts
    are cancelled: their amount no longer holds)."""
    application = _locked_staff(actor, number)
    _require_open(application)
    if application.accepted_at is None:
        raise Conflict("application_not_accepted", "Fees are set when the application is accepted.")
    if application.payment_status == PaymentStatus.PAID or application.payments.filter(
        status=AttemptStatus.PAID
    ):
        raise Conflict("already_paid", "The fees have been paid; refund before changing them.")
    fees = clean_fees(items if items is not None else [])
    before = {"fees": fees_of(application), "fee_total": _money(application.fee_total)}
    cancelled = _cancel_open_attempts(application)
    total = _set_rows(application, fees)
    applications._event(
        application,
        kind="fees_adjusted",
        actor=actor,
        before=application.status,
        comment=(comment or "").strip()[:2000],
        data={
            "before": before,
            "fee_total": _money(total),
            "fees": fees,
            "cancelled_payments": cancelled,
        },
    )
    return application


# --- Payer: start -------------------------------------------------------------------------


@transaction.atomic
def start_payment(*, actor, number: str, provider: str = "sandbox") -> tuple[Payment, str]:
    """Open a payment of the application's fees at ``provider``; returns it and the URL to
    send the payer to. An earlier unfinished attempt is cancelled."""
    gateway = payments.provider(provider)
    application = _locked_for_payer(actor, number)
    _require_open(application)
    if application.payment_status != PaymentStatus.UNPAID or application.fee_total <= 0:
        raise Conflict(
            "payment_not_due",
            "Nothing is due for this application.",
            detail={"payment_status": application.payment_status},
        )
    _cancel_open_attempts(application)
    order = gateway.create_order(application=application, amount=application.fee_total)
    payment = Payment.objects.create(
        application=application,
        provider=gateway.name,
        reference=order.reference,
        amount=application.fee_total,
        details={"pay_url": order.pay_url, **order.details},
    )
    applications._event(
        application,
        kind="payment_started",
        actor=actor,
        before=application.status,
        data={
            "payment": payment.pk,
            "provider": gateway.name,
            "reference": payment.reference,
            "amount": _money(payment.amount),
        },
    )
    return payment, order.pay_url


# --- Provider: callback -------------------------------------------------------------------


@transaction.atomic
def confirm_payment(*, provider: str, reference: str, payload: dict) -> Payment:
    """The provider's callback: signature verified, then the attempt marked paid or failed.
    Idempotent by (provider, reference): a repeated callback returns the payment unchanged.
    The amount must be the attempt's (else refused, nothing changes)."""
    gateway = payments.provider(provider)
    result = gateway.verify_callback(payload)
    if result.reference != str(reference or ""):
        raise InvalidInput(
            "callback_invalid", "The callback is about another order than the one addressed."
        )
    payment = (
        Payment.objects.select_for_update()
        .select_related("application")
        .filter(provider=gateway.name, reference=result.reference)
        .first()
    )
    if payment is None:
        raise NotFound("payment_not_found", "No payment has this reference.")
    if result.amount != payment.amount:
        logger.warning(
            "payment callback refused: amount_mismatch provider=%s reference=%s",
            gateway.name,
            result.reference,
        )
        raise Conflict(
            "amount_mismatch",
            "The amount paid is not the amount due; the payment is not accepted.",
            detail={
                "reference": result.reference,
                "expected": _money(payment.amount),
                "received": _money(result.amount),
            },
        )
    if payment.status in (AttemptStatus.PAID, AttemptStatus.REFUNDED):
        return payment  # already confirmed: the provider repeats callbacks until answered
    if result.status == payments.FAILED:
        if payment.status == AttemptStatus.CREATED:
            payment.status = AttemptStatus.FAILED
            payment.details = {**payment.details, "trade_no": result.trade_no}
            payment.save(update_fields=["status", "details"])
            application = Application.objects.select_for_update().get(pk=payment.application_id)
            applications._event(
                application,
                kind="payment_failed",
                actor=None,
                before=application.status,
                data={"payment": payment.pk, "provider": gateway.name, "reference": reference},
            )
        return payment
    # Paid — also an attempt given up or cancelled: the payer's money was taken.
    application = Application.objects.select_for_update().get(pk=payment.application_id)
    already = application.payment_status == PaymentStatus.PAID
    payment.status = AttemptStatus.PAID
    payment.paid_at = timezone.now()
    payment.details = {**payment.details, "trade_no": result.trade_no, "duplicate": already}
    payment.save(update_fields=["status", "paid_at", "details"])
    if not already:
        application.payment_status = PaymentStatus.PAID
        application.save(update_fields=["payment_status", "updated_at"])
    applications._event(
        application,
        kind="paid",
        actor=None,
        before=application.status,
        data={
            "payment": payment.pk,
            "provider": gateway.name,
            "reference": payment.reference,
            "amount": _money(payment.amount),
            "trade_no": result.trade_no,
            "duplicate": already,
        },
    )
    return payment


# --- Staff: refund ------------------------------------------------------------------------


@transaction.atomic
def refund_payment(*, actor, payment_id: int, reason: str) -> Payment:
    """Give a paid payment back through its provider (acceptance staff of the item's
    department). With no other paid attempt left, an application still in progress owes its
    fees again (``unpaid``); an ended one is ``refunded``."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000:
        raise InvalidInput("reason_required", "A refund needs a reason (at most 2000).")
    try:
        payment = access(
            Payment.objects.select_for_update().select_related("application"),
            actor,
            Perm.ACCEPT,
            pk=payment_id,
        )
    except NotFound:
        raise NotFound(
            "payment_not_found", "No such payment, or it is outside your data scope."
        ) from None
    if payment.status != AttemptStatus.PAID:
        raise Conflict(
            "payment_not_paid",
            "Only a paid payment is refunded.",
            detail={"status": payment.status},
        )
    details = payments.provider(payment.provider).refund(payment=payment, reason=reason)
    payment.status = AttemptStatus.REFUNDED
    payment.details = {**payment.details, "refund": details, "refund_reason": reason}
    payment.save(update_fields=["status", "details"])
    application = Application.objects.select_for_update().get(pk=payment.application_id)
    still_paid = application.payments.filter(status=AttemptStatus.PAID).exists()
    if not still_paid:
        application.payment_status = (
            PaymentStatus.REFUNDED if application.status in ENDED_STATUSES else PaymentStatus.UNPAID
        )
        application.save(update_fields=["payment_status", "updated_at"])
    applications._event(
        application,
        kind="refund",
        actor=actor,
        before=application.status,
        comment=reason,
        data={"payment": payment.pk, "amount": _money(payment.amount), "refund": details},
    )
    return payment


# --- Reads --------------------------------------------------------------------------------


def fee_summary(application: Application) -> dict:
    """Fees, total, payment status and the payment attempts of one application."""
    paid = application.payments.filter(status=AttemptStatus.PAID).aggregate(s=Sum("amount"))["s"]
    return {
        "number": application.number,
        "fees": fees_of(application),
        "fee_total": _money(application.fee_total),
        "payment_status": application.payment_status,
        "paid_amount": _money(paid or 0),
        "payments": [
            {
                "id": p.pk,
                "provider": p.provider,
                "reference": p.reference,
                "amount": _money(p.amount),
                "status": p.status,
                "created_at": p.created_at,
                "paid_at": p.paid_at,
                "pay_url": p.details.get("pay_url", "")
                if p.status == AttemptStatus.CREATED
                else "",
            }
            for p in application.payments.all()
        ],
    }


def payment_for(actor, *, provider: str, reference: str) -> Payment:
    """A payment its payer (or counter staff, or acceptance staff in scope) may look at."""
    payment = (
        Payment.objects.select_related("application", "application__item")
        .filter(provider=str(provider or ""), reference=str(reference or ""))
        .first()
    )
    if payment is None:
        raise NotFound("payment_not_found", "No payment has this reference.")
    applications.application_for(actor, payment.application.number)  # raises when not allowed
    return payment
