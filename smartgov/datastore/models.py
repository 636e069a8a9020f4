"""The data store: one table per resource (StoreTable), deliveries into it and their rejections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields
from smartgov.catalog.models import Resource
from smartgov.core.models import Department


class StoreTable(models.Model):
    """The physical table ``ds_<resource id>`` of a resource and the schema it was built with."""

    resource = models.OneToOneField(
        Resource, on_delete=models.PROTECT, related_name="store_table", verbose_name=_("resource")
    )
    table_name = models.CharField(_("table name"), max_length=63, unique=True)
    # [{"name", "data_type", "is_key", "required"}, ...] in column order.
    schema = models.JSONField(_("schema"), default=list)
    # Number of the latest successful delivery (0 = no data yet).
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="resource__provider")

    class Meta:
        verbose_name = _("store table")
        verbose_name_plural = _("store tables")

    def __str__(self) -> str:
        return self.table_name

    @property
    def key_names(self) -> list[str]:
        return [column["name"] for column in self.schema if column["is_key"]]


class DeliveryMode(models.TextChoices):
    REPLACE = "replace", _("Full replacement")
    UPSERT = "upsert", _("Upsert by key")


class DeliveryStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    PARTIALLY_REJECTED = "partially_rejected", _("Stored with rejected rows")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One delivery (数据归集) of data into a resource: file upload or API push, and its counts."""

    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("resource")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivered by"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    source = models.CharField(_("source"), max_length=255)
    mode = models.CharField(_("mode"), max_length=16, choices=DeliveryMode.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=DeliveryStatus.choices, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    received = models.PositiveIntegerField(_("rows received"), default=0)
    inserted = models.PositiveIntegerField(_("rows inserted"), default=0)
    updated = models.PositiveIntegerField(_("rows updated"), default=0)
    deleted = models.PositiveIntegerField(_("rows deleted"), default=0)
    unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_message = models.TextField(_("error message"), blank=True)

    scope_fields = ScopeFields(department="resource__provider")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.resource_id} #{self.pk} {self.status}"


class Rejection(models.Model):
    """One rejected row (or value) of a delivery: the line of the rejection report."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="rejections", verbose_name=_("delivery")
    )
    row_number = models.PositiveIntegerField(_("row number"))
    field = models.CharField(_("field"), max_length=63, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    code = models.CharField(_("code"), max_length=64)
    reason = models.CharField(_("reason"), max_length=255)

    scope_fields = ScopeFields(department="delivery__resource__provider")

    class Meta:
        ordering = ["delivery", "row_number", "id"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")

    def __str__(self) -> str:
        return f"{self.delivery_id}:{self.row_number} {self.code}"
