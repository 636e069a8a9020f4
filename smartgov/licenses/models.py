"""E-license types, issuer keys, e-licenses (电子证照) and their usage log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields


class HolderKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    ENTERPRISE = "enterprise", _("Enterprise")


class LicenseStatus(models.TextChoices):
    VALID = "valid", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked by the issuer")
    EXPIRED = "expired", _("Expired")


class LicenseType(models.Model):
    """A kind of e-license a department issues (e.g. 营业执照), with the data fields it carries."""

    code = models.CharField(_("type code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.PROTECT,
        related_name="license_types",
        verbose_name=_("issuing department"),
    )
    holder_kind = models.CharField(_("holder kind"), max_length=16, choices=HolderKind.choices)
    validity_years = models.PositiveSmallIntegerField(
        _("validity (years)"), null=True, blank=True, help_text=_("Empty: valid indefinitely.")
    )
    # {"fields": [{"name": "...", "label": "...", "type": "string|date|number", "required": b}]}
    schema = models.JSONField(_("data fields"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(department="department")

    class Meta:
        ordering = ["code"]
        verbose_name = _("e-license type")
        verbose_name_plural = _("e-license types")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class IssuerKey(models.Model):
    """An SM2 key pair of an issuing department; rotated keys stay for verification."""

    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="license_keys"
    )
    private_key_encrypted = models.TextField(editable=False)
    public_key = models.CharField(max_length=128)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["department"],
                condition=models.Q(is_active=True),
                name="licenses_one_active_key_per_department",
            )
        ]

    def __str__(self) -> str:
        return f"key {self.pk} of {self.department_id}"


IssuerKey._meta.get_field("private_key_encrypted").audit_exclude = True


class License(models.Model):
    """One e-license: identifier, holder, data, validity, status and the issuer's signature."""

    identifier = models.CharField(_("identifier"), max_length=160, unique=True)
    license_type = models.ForeignKey(
        LicenseType, on_delete=models.PROTECT, related_name="licenses", verbose_name=_("type")
    )
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.PROTECT,
        related_name="licenses",
        verbose_name=_("issuing department"),
    )
    serial = models.PositiveIntegerField()
    version = models.PositiveSmallIntegerField(default=1)
    holder_kind = models.CharField(_("holder kind"), max_length=16, choices=HolderKind.choices)
    holder_id_encrypted = models.TextField(editable=False)
    holder_index = models.CharField(max_length=64, db_index=True, editable=False)
    holder_id_masked = models.CharField(_("holder ID"), max_length=18)
    holder_name = models.CharField(_("holder name"), max_length=128)
    data = models.JSONField(_("data"), default=dict, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=LicenseStatus.choices, default=LicenseStatus.VALID
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    signature = models.CharField(max_length=128, editable=False)
    signed_content_sha = models.CharField(max_length=64, editable=False)
    key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="licenses")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=128, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="department")

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("e-license")
        verbose_name_plural = _("e-licenses")
        constraints = [
            models.UniqueConstraint(
                fields=["license_type", "department", "serial", "version"],
                name="licenses_unique_serial_version",
            )
        ]
        indexes = [models.Index(fields=["holder_index", "license_type", "status"])]

    def __str__(self) -> str:
        return f"{self.license_type.name} {self.identifier}"


License._meta.get_field("holder_id_encrypted").audit_exclude = True
License._meta.get_field("holder_index").audit_exclude = True


class LicenseUse(models.Model):
    """One use of a license (by an application, a department or a person): the holder sees it."""

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="uses")
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    reference = models.CharField(_("reference"), max_length=128, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("license use")
        verbose_name_plural = _("license uses")

    def __str__(self) -> str:
        return f"use of {self.license_id}: {self.purpose}"
