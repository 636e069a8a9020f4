"""Open data (数据开放): what a published open resource carries beyond the catalog (topic, tags,
license, usage counts), developers' applications for conditionally open resources, and the
developers' open-API keys with their per-minute call windows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields
from smartgov.catalog.models import Resource


class Topic(models.Model):
    """A topic (主题, a CKAN group) open resources are filed under, e.g. 经济建设."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A free keyword (标签) of open resources."""

    name = models.CharField(_("name"), max_length=64, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class License(models.TextChoices):
    CC_BY = "cc-by-4.0", _("Creative Commons Attribution 4.0")
    CC_ZERO = "cc-zero", _("Creative Commons CC0 (public domain)")
    GOV_OPEN = "gov-open", _("Hangzhou public data open licence")


LICENSE_URLS = {
    License.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    License.CC_ZERO: "https://creativecommons.org/publicdomain/zero/1.0/",
    License.GOV_OPEN: "",
}


class Publication(models.Model):
    """The open-data side of a catalog resource: topic, tags, license and usage counts.

    Optional: an open resource without a row is shown with no topic or tags and the default
    license; the row is made on first use (a count, an edit)."""

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, related_name="publication", verbose_name=_("resource")
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="publications",
        verbose_name=_("topic"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="publications")
    license = models.CharField(
        _("license"), max_length=16, choices=License.choices, default=License.CC_BY
    )
    view_count = models.PositiveBigIntegerField(_("page views"), default=0)
    download_count = models.PositiveBigIntegerField(_("downloads"), default=0)
    api_count = models.PositiveBigIntegerField(_("API calls"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="resource__provider")

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return str(self.resource)


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class OpenApplication(models.Model):
    """A developer's application to use a conditionally open resource, and its decision."""

    resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="open_applications",
        verbose_name=_("resource"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="open_applications",
        verbose_name=_("applicant"),
    )
    purpose = models.TextField(_("purpose"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("applied"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    comment = models.TextField(_("remark"), blank=True)

    scope_fields = ScopeFields(department="resource__provider")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("open-data application")
        verbose_name_plural = _("open-data applications")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "applicant"],
                condition=Q(status="pending"),
                name="opendata_one_pending_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id} → {self.resource_id} ({self.status})"


class DeveloperKey(models.Model):
    """A developer's open-API key: only its hash is stored; the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="developer_keys"
    )
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    rate_per_minute = models.PositiveIntegerField(_("calls per minute"), default=60)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("developer key")
        verbose_name_plural = _("developer keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


DeveloperKey._meta.get_field("key_hash").audit_exclude = True


class KeyWindow(models.Model):
    """Calls made with one key in one clock minute (the rate limit's fixed window)."""

    key = models.ForeignKey(DeveloperKey, on_delete=models.CASCADE, related_name="windows")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="opendata_key_window")
        ]

    def __str__(self) -> str:
        return f"{self.key_id}@{self.window_start}: {self.count}"
