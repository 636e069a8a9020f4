"""Payment providers (支付渠道) behind one interface, and the sandbox provider of the demo.

A provider creates an order for an amount (its reference and the URL the payer is sent to),
verifies the signature of its callbacks and refunds. ``fees.py`` holds the use cases; the
providers only speak to the outside. Providers are named in
``settings.SMARTGOV_PAYMENT_PROVIDERS`` ({name: dotted class path}); the default is the sandbox
only. A real provider (a bank's or a payment platform's) plugs in there.

The sandbox (沙箱) takes no money: its pay page, labelled 沙箱支付（测试环境，不产生真实扣款）,
lets the payer pay or fail, and posts a callback signed with HMAC-SHA256 under
``settings.SMARTGOV_PAYMENT_SANDBOX_KEY`` (default: derived from ``SECRET_KEY``, so each
installation has its own key).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from smartgov.core.errors import InvalidInput, NotFound

DEFAULT_PROVIDERS = {"sandbox": "smartgov.services.payments.SandboxProvider"}
PAID = "paid"
FAILED = "failed"
CALLBACK_STATUSES = (PAID, FAILED)


@dataclass(frozen=True)
class Order:
    """An order the provider created: its reference and where the payer goes to pay."""

    reference: str
    pay_url: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CallbackResult:
    """What a verified callback says: which order, paid or failed, the amount and trade no."""

    reference: str
    status: str
    amount: Decimal
    trade_no: str = ""


class PaymentProvider:
    """The interface every provider implements."""

    name = ""
    label = ""
    sandbox = False

    def create_order(self, *, application, amount: Decimal) -> Order:
        raise NotImplementedError

    def verify_callback(self, payload: dict) -> CallbackResult:
        """The callback's content once its signature is checked (raises InvalidInput)."""
        raise NotImplementedError

    def refund(self, *, payment, reason: str) -> dict:
        """Give the payment's money back; returns the provider's refund details."""
        raise NotImplementedError


def _money(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput("callback_invalid", "The callback's amount is not a number.") from None
    if not amount.is_finite():
        raise InvalidInput("callback_invalid", "The callback's amount is not a number.")
    return amount.quantize(Decimal("0.01"))


class SandboxProvider(PaymentProvider):
    """The test provider: no money moves; callbacks are HMAC-signed like a real provider's."""

    name = "sandbox"
    label = _("Sandbox payment (test environment, no real charge)")
    sandbox = True
    SIGNED = ("reference", "amount", "status", "trade_no", "timestamp")

    @staticmethod
    def key() -> bytes:
        configured = getattr(settings, "SMARTGOV_PAYMENT_SANDBOX_KEY", "")
        if configured:
            return str(configured).encode()
        return hmac.new(
            settings.SECRET_KEY.encode(), b"smartgov.services.payments.sandbox", hashlib.sha256
        ).digest()

    def signature(self, payload: dict) -> str:
        text = "&".join(f"{name}={payload.get(name, '')}" for name in sorted(self.SIGNED))
        return hmac.new(self.key(), text.encode(), hashlib.sha256).hexdigest()

    def signed_callback(self, *, reference: str, amount: Decimal, status: str) -> dict:
        """The callback the sandbox's pay page posts back for this outcome."""
        payload = {
            "reference": reference,
            "amount": str(_money(amount)),
            "status": status,
            "trade_no": f"SBT{secrets.token_hex(8).upper()}",
            "timestamp": str(int(timezone.now().timestamp())),
        }
        payload["signature"] = self.signature(payload)
        return payload

    def create_order(self, *, application, amount: Decimal) -> Order:
        reference = f"SB{timezone.localdate():%Y%m%d}{secrets.token_hex(8).upper()}"
        url = reverse("portal:services_pay", args=[self.name, reference])
        return Order(reference=reference, pay_url=url, details={"sandbox": True})

    def verify_callback(self, payload: dict) -> CallbackResult:
        if not isinstance(payload, dict):
            raise InvalidInput("callback_invalid", "A callback is an object.")
        given = str(payload.get("signature") or "")
        if not hmac.compare_digest(self.signature(payload).encode(), given.encode()):
            raise InvalidInput("bad_signature", "The callback's signature does not match.")
        status = payload.get("status")
        if status not in CALLBACK_STATUSES:
            raise InvalidInput("callback_invalid", "The callback's status is paid or failed.")
        return CallbackResult(
            reference=str(payload.get("reference") or ""),
            status=status,
            amount=_money(payload.get("amount")),
            trade_no=str(payload.get("trade_no") or "")[:64],
        )

    def refund(self, *, payment, reason: str) -> dict:
        return {
            "refund_no": f"SBR{secrets.token_hex(8).upper()}",
            "amount": str(payment.amount),
            "sandbox": True,
        }


def providers() -> dict[str, str]:
    return getattr(settings, "SMARTGOV_PAYMENT_PROVIDERS", None) or DEFAULT_PROVIDERS


def provider(name: str) -> PaymentProvider:
    """The provider configured under ``name`` (NotFound when there is none)."""
    path = providers().get(str(name or ""))
    if path is None:
        raise NotFound(
            "payment_provider_unknown",
            "No payment provider has this name.",
            detail={"allowed": sorted(providers())},
        )
    return import_string(path)()
