"""Applications (办件): one applicant's request for one published item version.

The number is BJ + local yyyymmdd + a five-digit daily counter (``ApplicationSequence``, the
pattern of governance's ``CaseSequence``). A citizen applicant's ID is stored SM4-encrypted
with a blind index (as ``accounts`` does); an enterprise's credit code is public and kept as
is. Every status change is an ``ApplicationEvent`` on the timeline.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    RESUBMITTED = "resubmitted", _("Resubmitted after correction")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    # After acceptance the approval steps run (status stays ``accepted`` while they do).
    SUSPENDED = "suspended", _("Suspended")
    APPROVED = "approved", _("Approved and completed")
    DENIED = "denied", _("Denied")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")


class WarningLevel(models.TextChoices):
    NONE = "none", _("On time")
    YELLOW = "yellow", _("Yellow warning")
    RED = "red", _("Red warning (overdue)")


class PaymentStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("No fee")
    UNPAID = "unpaid", _("Awaiting payment")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    ENTERPRISE = "enterprise", _("Enterprise")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    COUNTER = "counter", _("One-window counter")


class SatisfiedBy(models.TextChoices):
    NONE = "none", _("Not provided")
    UPLOAD = "upload", _("Uploaded by the applicant")
    E_LICENSE = "e_license", _("E-license found by the platform")
    SHARED_DATA = "shared_data", _("Shared data found by the platform")


class ApplicationSequence(models.Model):
    """The last application number handed out on one (local) day (BJ + yyyymmdd + counter)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} #{self.last}"


class Application(models.Model):
    number = models.CharField(_("application number"), max_length=15, unique=True)
    item = models.ForeignKey(
        "services.ServiceItem",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("item version"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_applications",
        verbose_name=_("applicant account"),
    )
    applicant_type = models.CharField(
        _("applicant type"), max_length=16, choices=ApplicantType.choices
    )
    applicant_name = models.CharField(_("applicant name"), max_length=128)
    applicant_id_encrypted = models.TextField(blank=True, editable=False)
    applicant_id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    applicant_id_masked = models.CharField(_("applicant ID"), max_length=18, blank=True)
    applicant_credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, db_index=True
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("working days paused"), default=0)
    refusal_reason = models.TextField(_("refusal reason"), blank=True)
    correction_items = models.JSONField(_("correction list"), default=list, blank=True)
    # Approval (审批) after acceptance; see workflow_models.ApprovalTask.
    extended_days = models.PositiveIntegerField(_("working days of extension"), default=0)
    warning_level = models.CharField(
        _("warning"),
        max_length=8,
        choices=WarningLevel.choices,
        default=WarningLevel.NONE,
        db_index=True,
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    on_time = models.BooleanField(_("completed on time"), null=True, blank=True)
    handling_days = models.PositiveIntegerField(
        _("working days from acceptance to completion"), null=True, blank=True
    )
    result_text = models.TextField(_("result"), blank=True)
    result_license = models.ForeignKey(
        "licenses.License",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-license issued"),
    )
    # Visits the applicant made in person (0 for an online application: 零跑腿).
    visits = models.PositiveSmallIntegerField(_("visits in person"), default=0)
    fee_total = models.DecimalField(_("fees due"), max_digits=12, decimal_places=2, default=0)
    payment_status = models.CharField(
        _("payment"),
        max_length=16,
        choices=PaymentStatus.choices,
        default=PaymentStatus.NOT_REQUIRED,
    )
    bundle_application = models.ForeignKey(
        "services.BundleApplication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("一件事 application"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="item__department")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.number


Application._meta.get_field("applicant_id_encrypted").audit_exclude = True
Application._meta.get_field("applicant_id_index").audit_exclude = True


class ApplicationMaterial(models.Model):
    """How one material of the item was provided for an application (or that it was not)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "services.ItemMaterial", on_delete=models.PROTECT, related_name="+"
    )
    satisfied_by = models.CharField(
        _("satisfied by"), max_length=16, choices=SatisfiedBy.choices, default=SatisfiedBy.NONE
    )
    license = models.ForeignKey(
        "licenses.License", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    license_identifier = models.CharField(_("license identifier"), max_length=160, blank=True)
    shared_reference = models.CharField(_("shared-record reference"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="applications/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)

    scope_fields = ScopeFields(department="application__item__department")

    class Meta:
        ordering = ["application", "material__position", "material_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "material"], name="services_appmaterial_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.material_id}: {self.satisfied_by}"


class ApplicationEvent(models.Model):
    """One entry of an application's timeline (every transition, with actor and comment)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=32)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    scope_fields = ScopeFields(department="application__item__department")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.kind}"
