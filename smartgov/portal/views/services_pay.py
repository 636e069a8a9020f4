"""The sandbox provider's pay page (沙箱支付): the payer sees the order and pays or fails it.

Only for a provider that says it is a sandbox. The page carries the two callbacks the sandbox
would send, each signed; the button posts one back here and the view hands it to
``fees.confirm_payment`` exactly as the provider's callback endpoint does, so a tampered form
is refused by the signature check. No money moves.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartgov.core.errors import SmartgovError
from smartgov.services import fees, payments
from smartgov.services.fee_models import AttemptStatus

CALLBACK_FIELDS = ("reference", "amount", "status", "trade_no", "timestamp", "signature")


def _application_url(number: str) -> str:
    try:
        return reverse("portal:services_application", args=[number])
    except NoReverseMatch:  # the applicant's pages may not be installed
        return ""


@login_required
@require_http_methods(["GET", "POST"])
def pay(request, provider: str, reference: str):
    """沙箱支付 page of one payment attempt (its payer, counter staff or acceptance staff)."""
    try:
        gateway = payments.provider(provider)
    except SmartgovError:
        raise Http404 from None
    if not gateway.sandbox:
        raise Http404
    try:
        payment = fees.payment_for(request.user, provider=provider, reference=reference)
    except SmartgovError:
        raise Http404 from None
    error = None
    if request.method == "POST":
        payload = {name: request.POST.get(name, "") for name in CALLBACK_FIELDS}
        try:
            payment = fees.confirm_payment(provider=provider, reference=reference, payload=payload)
        except SmartgovError as exc:
            error = exc.message
        else:
            if payment.status == AttemptStatus.PAID:
                messages.success(request, _("Payment succeeded (sandbox: no money was taken)."))
            else:
                messages.warning(request, _("The payment failed; you may start it again."))
            return redirect("portal:services_pay", provider=provider, reference=reference)
    open_attempt = payment.status == AttemptStatus.CREATED
    callbacks = {}
    if open_attempt:
        for outcome in payments.CALLBACK_STATUSES:
            callbacks[outcome] = gateway.signed_callback(
                reference=payment.reference, amount=payment.amount, status=outcome
            )
    application = payment.application
    return render(
        request,
        "portal/services/pay_sandbox.html",
        {
            "payment": payment,
            "application": application,
            "fees": fees.fees_of(application),
            "open_attempt": open_attempt,
            "paid_callback": callbacks.get(payments.PAID),
            "failed_callback": callbacks.get(payments.FAILED),
            "error": error,
            "application_url": _application_url(application.number),
        },
        status=400 if error else 200,
    )
