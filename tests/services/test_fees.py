"""Fees: set from the item on acceptance, adjusted by acceptance staff before payment, the
payment started by the applicant; the refusals around them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from smartgov.accounts import services as account_services
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.services import applications as apps
from smartgov.services import fees
from smartgov.services.application_models import Application, PaymentStatus
from smartgov.services.fee_models import ApplicationFee, AttemptStatus, Payment
from tests.conftest import PASSWORD
from tests.datastore.conftest import citizen_id
from tests.services import fee_helpers as helpers

paid_item = helpers.paid_item
free_item = helpers.free_item
accepted = helpers.accepted


def test_acceptance_sets_the_items_fees(accepted):
    assert accepted.fee_total == Decimal("28.50")
    assert accepted.payment_status == PaymentStatus.UNPAID
    stored = Application.objects.get(pk=accepted.pk)
    assert stored.fee_total == Decimal("28.50") and stored.payment_status == "unpaid"
    rows = list(accepted.fee_items.values_list("name", "amount", "basis"))
    assert rows == [
        ("工本费", Decimal("20.00"), "《收费标准》"),
        ("邮寄费", Decimal("8.50"), ""),
    ]
    event = accepted.events.get(kind="fees_due")
    assert event.data["fee_total"] == "28.50"
    assert AuditRecord.objects.filter(action="services.application.fees_due").count() == 1


def test_free_item_needs_no_payment(citizen, free_item, desk):
    application = helpers.submit(citizen, free_item)
    assert application.payment_status == PaymentStatus.NOT_REQUIRED
    application = apps.accept_application(actor=desk, number=application.number)
    application.refresh_from_db()
    assert application.payment_status == PaymentStatus.NOT_REQUIRED
    assert application.fee_total == 0
    assert not application.events.filter(kind="fees_due").exists()
    with pytest.raises(Conflict) as err:
        fees.start_payment(actor=citizen, number=application.number)
    assert err.value.code == "payment_not_due"


def test_no_fees_before_acceptance(citizen, paid_item):
    application = helpers.submit(citizen, paid_item)
    assert application.payment_status == PaymentStatus.NOT_REQUIRED
    assert not ApplicationFee.objects.exists()
    with pytest.raises(Conflict):
        fees.start_payment(actor=citizen, number=application.number)


def test_adjust_fees_before_payment(accepted, desk, citizen):
    payment, _url = fees.start_payment(actor=citizen, number=accepted.number)
    adjusted = fees.adjust_fees(
        actor=desk,
        number=accepted.number,
        items=[{"name": "工本费（减半）", "amount": "10", "basis": "减免政策"}],
        comment="符合减免条件",
    )
    assert adjusted.fee_total == Decimal("10.00") and adjusted.payment_status == "unpaid"
    payment.refresh_from_db()
    assert payment.status == AttemptStatus.CANCELLED  # its amount no longer holds
    event = adjusted.events.get(kind="fees_adjusted")
    assert event.data["before"]["fee_total"] == "28.50" and event.comment == "符合减免条件"
    waived = fees.adjust_fees(actor=desk, number=accepted.number, items=[])
    assert waived.fee_total == 0 and waived.payment_status == PaymentStatus.NOT_REQUIRED


def test_adjust_refused_out_of_scope_and_bad_input(accepted, other_desk, desk, citizen):
    with pytest.raises(NotFound):
        fees.adjust_fees(actor=other_desk, number=accepted.number, items=[])
    with pytest.raises(PermissionDeniedError):
        fees.adjust_fees(actor=citizen, number=accepted.number, items=[])
    for items, code in (
        ([{"name": "x", "amount": "-1"}], "fee_amount"),
        ([{"name": "x", "amount": "abc"}], "fee_amount"),
        ([{"amount": "1"}], "fee_name_required"),
    ):
        with pytest.raises(InvalidInput) as err:
            fees.adjust_fees(actor=desk, number=accepted.number, items=items)
        assert err.value.code == code
    accepted.refresh_from_db()
    assert accepted.fee_total == Decimal("28.50") and accepted.fee_items.count() == 2


def test_start_payment_by_the_applicant(accepted, citizen):
    payment, url = fees.start_payment(actor=citizen, number=accepted.number)
    assert payment.provider == "sandbox" and payment.status == AttemptStatus.CREATED
    assert payment.amount == Decimal("28.50")
    assert url == f"/services/pay/sandbox/{payment.reference}/"
    assert accepted.events.filter(kind="payment_started").count() == 1
    again, _url = fees.start_payment(actor=citizen, number=accepted.number)
    payment.refresh_from_db()
    assert payment.status == AttemptStatus.CANCELLED and again.status == AttemptStatus.CREATED
    summary = fees.fee_summary(accepted)
    assert summary["fee_total"] == "28.50" and len(summary["payments"]) == 2


def test_start_payment_refused_for_others(accepted, db):
    other = account_services.create_citizen(
        actor=None,
        username="lisi",
        real_name="李四",
        citizen_id=citizen_id(7),
        password=PASSWORD,
        phone="13800138001",
    )
    with pytest.raises(NotFound):
        fees.start_payment(actor=other, number=accepted.number)
    with pytest.raises(NotFound) as err:
        fees.start_payment(actor=accepted.applicant, number=accepted.number, provider="bank")
    assert err.value.code == "payment_provider_unknown"
    assert not Payment.objects.exists()
