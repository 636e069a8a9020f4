"""Payments through the sandbox provider: signed callbacks (forged, altered, repeated, wrong
amount), the payment gate status, refunds, the callback API and the sandbox pay page."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

import pytest

from smartgov.core.errors import Conflict, InvalidInput, NotFound
from smartgov.core.models import AuditRecord
from smartgov.services import fees, payments
from smartgov.services.application_models import Application, PaymentStatus
from smartgov.services.fee_models import AttemptStatus, Payment
from tests.conftest import PASSWORD
from tests.services import fee_helpers as helpers

paid_item = helpers.paid_item
accepted = helpers.accepted
SANDBOX = payments.SandboxProvider()


class BankProvider(payments.PaymentProvider):
    """A stand-in for a real provider configured by settings."""

    name = "bank"

    def create_order(self, *, application, amount):
        return payments.Order(reference=f"BANK-{application.number}", pay_url="https://bank/pay")


@pytest.fixture
def payment(accepted, citizen):
    made, _url = fees.start_payment(actor=citizen, number=accepted.number)
    return made


def callback(payment, status="paid", amount=None):
    return SANDBOX.signed_callback(
        reference=payment.reference, amount=amount or payment.amount, status=status
    )


def confirm(payload):
    return fees.confirm_payment(provider="sandbox", reference=payload["reference"], payload=payload)


def state(payment):
    payment.refresh_from_db()
    application = Application.objects.get(pk=payment.application_id)
    return payment.status, application.payment_status


def test_unpaid_then_paid_by_signed_callback(payment):
    assert state(payment) == (AttemptStatus.CREATED, PaymentStatus.UNPAID)
    confirmed = confirm(callback(payment))
    assert confirmed.pk == payment.pk
    assert state(payment) == (AttemptStatus.PAID, PaymentStatus.PAID)
    assert payment.paid_at is not None and payment.details["trade_no"].startswith("SBT")
    event = payment.application.events.get(kind="paid")
    assert event.actor is None and event.data["amount"] == "28.50"
    assert AuditRecord.objects.filter(action="services.application.paid").count() == 1


def test_double_callback_is_idempotent(payment):
    payload = callback(payment)
    confirm(payload)
    again = confirm(payload)
    assert again.status == AttemptStatus.PAID
    assert payment.application.events.filter(kind="paid").count() == 1
    confirm(callback(payment))  # another signed "paid" for the same order: still one
    assert payment.application.events.filter(kind="paid").count() == 1
    assert Payment.objects.count() == 1


def test_forged_signature_refused(payment):
    payload = callback(payment)
    text = "&".join(f"{k}={payload[k]}" for k in sorted(SANDBOX.SIGNED))
    payload["signature"] = hmac.new(b"guessed key", text.encode(), hashlib.sha256).hexdigest()
    with pytest.raises(InvalidInput) as err:
        confirm(payload)
    assert err.value.code == "bad_signature"
    payload.pop("signature")
    with pytest.raises(InvalidInput):
        confirm(payload)
    assert state(payment) == (AttemptStatus.CREATED, PaymentStatus.UNPAID)


def test_altered_callback_refused(payment):
    payload = callback(payment, status="failed")
    payload["status"] = "paid"  # the signature was for "failed"
    with pytest.raises(InvalidInput) as err:
        confirm(payload)
    assert err.value.code == "bad_signature"
    payload = callback(payment)
    payload["amount"] = "0.01"
    with pytest.raises(InvalidInput):
        confirm(payload)
    assert state(payment) == (AttemptStatus.CREATED, PaymentStatus.UNPAID)


def test_amount_mismatch_refused(payment):
    with pytest.raises(Conflict) as err:
        confirm(callback(payment, amount=Decimal("1.00")))  # correctly signed, wrong amount
    assert err.value.code == "amount_mismatch"
    assert err.value.detail["expected"] == "28.50"
    assert state(payment) == (AttemptStatus.CREATED, PaymentStatus.UNPAID)


def test_callback_for_another_order_or_unknown(payment):
    payload = callback(payment)
    with pytest.raises(InvalidInput):
        fees.confirm_payment(provider="sandbox", reference="SBOTHER", payload=payload)
    unknown = SANDBOX.signed_callback(reference="SBNOPE", amount=Decimal("1"), status="paid")
    with pytest.raises(NotFound):
        confirm(unknown)
    with pytest.raises(NotFound):
        fees.confirm_payment(provider="bank", reference=payment.reference, payload=payload)


def test_failed_payment_then_retry(payment, citizen):
    confirm(callback(payment, status="failed"))
    assert state(payment) == (AttemptStatus.FAILED, PaymentStatus.UNPAID)
    retry, _url = fees.start_payment(actor=citizen, number=payment.application.number)
    confirm(callback(retry))
    assert state(retry) == (AttemptStatus.PAID, PaymentStatus.PAID)
    with pytest.raises(Conflict):
        fees.start_payment(actor=citizen, number=payment.application.number)


def test_key_from_settings(payment, settings):
    payload = callback(payment)
    settings.SMARTGOV_PAYMENT_SANDBOX_KEY = "another-installation"
    with pytest.raises(InvalidInput):
        confirm(payload)
    confirm(callback(payment))
    assert state(payment)[0] == AttemptStatus.PAID


def test_refund(payment, desk, other_desk):
    confirm(callback(payment))
    with pytest.raises(NotFound):
        fees.refund_payment(actor=other_desk, payment_id=payment.pk, reason="多收")
    with pytest.raises(InvalidInput):
        fees.refund_payment(actor=desk, payment_id=payment.pk, reason="")
    refunded = fees.refund_payment(actor=desk, payment_id=payment.pk, reason="重复收费")
    assert refunded.status == AttemptStatus.REFUNDED
    assert refunded.details["refund"]["sandbox"] is True
    # Still in progress: the fees are owed again, so approval stays blocked.
    assert state(payment) == (AttemptStatus.REFUNDED, PaymentStatus.UNPAID)
    with pytest.raises(Conflict):
        fees.refund_payment(actor=desk, payment_id=payment.pk, reason="again")
    assert payment.application.events.filter(kind="refund").count() == 1


def test_a_provider_plugs_in_by_settings(accepted, citizen, client, settings):
    settings.SMARTGOV_PAYMENT_PROVIDERS = {
        "sandbox": "smartgov.services.payments.SandboxProvider",
        "bank": "tests.services.test_payments.BankProvider",
    }
    payment, url = fees.start_payment(actor=citizen, number=accepted.number, provider="bank")
    assert (payment.provider, payment.reference, url) == (
        "bank",
        f"BANK-{accepted.number}",
        "https://bank/pay",
    )
    client.login(username=citizen.username, password=PASSWORD)
    # Not a sandbox: there is no test pay page for it.
    assert client.get(f"/services/pay/bank/{payment.reference}/").status_code == 404
    settings.SMARTGOV_PAYMENT_PROVIDERS = {"bank": "tests.services.test_payments.BankProvider"}
    with pytest.raises(NotFound):
        payments.provider("sandbox")


# --- HTTP -----------------------------------------------------------------------------------


def test_callback_api_without_login(client, payment):
    url = "/api/v1/services/payments/sandbox/callback"
    forged = {**callback(payment), "signature": "0" * 64}
    response = client.post(url, json.dumps(forged), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "bad_signature"
    payload = callback(payment)
    for _ in range(2):
        response = client.post(url, json.dumps(payload), content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json() == {"reference": payment.reference, "status": "paid"}
    assert state(payment) == (AttemptStatus.PAID, PaymentStatus.PAID)


def test_fees_and_payment_api(client, bearer, citizen, accepted, desk):
    headers = bearer(citizen)
    base = f"/api/v1/services/applications/{accepted.number}"
    body = client.get(f"{base}/fees", **headers).json()
    assert body["fee_total"] == "28.50" and body["payment_status"] == "unpaid"
    response = client.post(
        f"{base}/payments", json.dumps({}), content_type="application/json", **headers
    )
    assert response.status_code == 201
    started = response.json()
    assert started["pay_url"].startswith("/services/pay/sandbox/")
    response = client.post(
        f"{base}/fees",
        json.dumps({"items": [{"name": "工本费", "amount": "5"}]}),
        content_type="application/json",
        **bearer(desk),
    )
    assert response.status_code == 200 and response.json()["fee_total"] == "5.00"
    response = client.post(
        f"{base}/fees", json.dumps({"items": []}), content_type="application/json", **headers
    )
    assert response.status_code == 403


def test_sandbox_pay_page(client, citizen, payment):
    client.login(username=citizen.username, password=PASSWORD)
    url = f"/services/pay/sandbox/{payment.reference}/"
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "沙箱支付（测试环境，不产生真实扣款）" in text
    assert 'data-testid="pay-succeed"' in text and 'data-testid="pay-fail"' in text
    tampered = {**callback(payment), "amount": "0.01"}
    response = client.post(url, tampered)
    assert response.status_code == 400 and 'data-testid="pay-error"' in response.content.decode()
    assert state(payment) == (AttemptStatus.CREATED, PaymentStatus.UNPAID)
    response = client.post(url, callback(payment))
    assert response.status_code == 302
    assert state(payment) == (AttemptStatus.PAID, PaymentStatus.PAID)
    assert 'data-testid="pay-closed"' in client.get(url).content.decode()


def test_pay_page_of_someone_else(client, payment, other_desk):
    client.login(username=other_desk.username, password=PASSWORD)
    assert client.get(f"/services/pay/sandbox/{payment.reference}/").status_code == 404
    assert client.get("/services/pay/bank/whatever/").status_code == 404
