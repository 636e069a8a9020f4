"""Fees (收费) of one application and their payments through a payment provider.

``ApplicationFee`` rows are set when the application is accepted (from the item's ``fees``)
and may be adjusted by staff before payment; ``Application.fee_total`` is their sum. A
``Payment`` is one attempt at one provider (``payments.py`` defines the interface; the sandbox
provider is for the demo and tests and says so on every page it appears on).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields
from smartgov.services.application_models import Application


class ApplicationFee(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="fee_items")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("fee"), max_length=128)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    basis = models.TextField(_("basis"), blank=True)

    scope_fields = ScopeFields(department="application__item__department")

    class Meta:
        ordering = ["application", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class AttemptStatus(models.TextChoices):
    CREATED = "created", _("Waiting for the payer")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class Payment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("provider"), max_length=32)
    # The provider's order number; (provider, reference) is unique so callbacks are idempotent.
    reference = models.CharField(_("provider reference"), max_length=64)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AttemptStatus.choices,
        default=AttemptStatus.CREATED,
        db_index=True,
    )
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    scope_fields = ScopeFields(department="application__item__department")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"], name="services_payment_ref")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.reference} {self.status}"
