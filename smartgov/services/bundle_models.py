"""一件事 bundles: several items applied for together with one form and one set of materials.

A ``Bundle`` names its items by ``basic_code`` (``BundleItem``), so it follows the items'
published versions. Applying creates one ``BundleApplication`` (number YJ + date + counter)
that fans out into one ``Application`` per item (``Application.bundle_application``), each
going to its own department; the bundle application completes when all of them have ended.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields
from smartgov.core.models import Department
from smartgov.services.application_models import ApplicantType, Channel


class BundleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Bundle(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead department"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=BundleStatus.choices, default=BundleStatus.DRAFT
    )
    tags = models.JSONField(_("topic tags"), default=list, blank=True)
    # Extra form fields of the bundle itself (same schema as FormDefinition.fields).
    extra_fields = models.JSONField(_("extra form fields"), default=list, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="lead_department")

    class Meta:
        ordering = ["code"]
        verbose_name = _("一件事 bundle")
        verbose_name_plural = _("一件事 bundles")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    basic_code = models.CharField(_("item basic code"), max_length=32)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    scope_fields = ScopeFields(department="bundle__lead_department")

    class Meta:
        ordering = ["bundle", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "basic_code"], name="services_bundle_item")
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id}: {self.basic_code}"


class BundleSequence(models.Model):
    """The last bundle-application number of one local day (YJ + yyyymmdd + counter)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} #{self.last}"


class BundleApplicationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    # Every application ended, but at least one was refused, denied or withdrawn.
    PARTIAL = "partial", _("Ended, not all approved")


class BundleApplication(models.Model):
    number = models.CharField(_("number"), max_length=15, unique=True)
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bundle_applications",
    )
    applicant_type = models.CharField(
        _("applicant type"), max_length=16, choices=ApplicantType.choices
    )
    applicant_name = models.CharField(_("applicant name"), max_length=128)
    applicant_id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    applicant_credit_code = models.CharField(_("credit code"), max_length=18, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=BundleApplicationStatus.choices,
        default=BundleApplicationStatus.IN_PROGRESS,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(department="bundle__lead_department")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("一件事 application")
        verbose_name_plural = _("一件事 applications")

    def __str__(self) -> str:
        return self.number


BundleApplication._meta.get_field("applicant_id_index").audit_exclude = True
