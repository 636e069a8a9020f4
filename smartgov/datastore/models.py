"""The data store: one table per resource (StoreTable), deliveries into it and their rejections,
data quality (rules, reports, daily score snapshots) and the conflicts between holders of a data
element and its authoritative source."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields
from smartgov.catalog.models import DataElement, Resource, SourceHolder
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


# --- One data element, one source (一数一源): conflicts between holders and the source ---------


class ConflictKind(models.TextChoices):
    MISMATCH = "mismatch", _("Value differs from the source")
    MISSING_IN_SOURCE = "missing_in_source", _("Key missing in the source")


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("Open")
    HOLDER_NOTIFIED = "holder_notified", _("Holder asked to correct")
    SOURCE_REPORTED = "source_reported", _("Reported as a source error")
    DISMISSED = "dismissed", _("Dismissed")
    RESOLVED = "resolved", _("Resolved")


# Conflicts waiting for a decision or a correction.
ACTIVE = frozenset(
    {ConflictStatus.OPEN, ConflictStatus.HOLDER_NOTIFIED, ConflictStatus.SOURCE_REPORTED}
)
# Conflicts a scan still follows: at most one per holder and key (see the unique constraint).
UNRESOLVED = (
    ConflictStatus.OPEN,
    ConflictStatus.HOLDER_NOTIFIED,
    ConflictStatus.SOURCE_REPORTED,
    ConflictStatus.DISMISSED,
)


class SourceConflict(models.Model):
    """A holder's current value that disagrees with the authoritative source for one key."""

    element = models.ForeignKey(
        DataElement,
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("data element"),
    )
    holder = models.ForeignKey(
        SourceHolder, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("holder")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ConflictKind.choices)
    key_value = models.CharField(_("key"), max_length=255)
    holder_value = models.TextField(_("holder's value"), blank=True)
    authoritative_value = models.TextField(_("authoritative value"), blank=True)
    # Current rows of the holder with this key and a differing value (a holder may repeat keys).
    holder_rows = models.PositiveIntegerField(_("holder rows"), default=1)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    status = models.CharField(
        _("status"), max_length=24, choices=ConflictStatus.choices, default=ConflictStatus.OPEN
    )
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    # When the status last changed (decision, correction request or resolution).
    status_changed_at = models.DateTimeField(_("status changed at"))

    scope_fields = ScopeFields(department="holder__resource__provider")

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("source conflict")
        verbose_name_plural = _("source conflicts")
        indexes = [
            models.Index(fields=["status", "element"], name="datastore_conflict_status"),
            models.Index(fields=["holder", "status"], name="datastore_conflict_holder"),
        ]
        constraints = [
            # A re-scan updates the conflict it already follows instead of adding another.
            models.UniqueConstraint(
                fields=["holder", "key_value"],
                condition=~models.Q(status="resolved"),
                name="datastore_conflict_unique_unresolved",
            )
        ]

    def __str__(self) -> str:
        return f"{self.element_id}:{self.holder_id}:{self.key_value} {self.status}"


class ConflictAction(models.TextChoices):
    DETECT = "detect", _("Detected")
    CHANGE = "change", _("Values changed")
    NOTIFY_HOLDER = "notify_holder", _("Holder asked to correct")
    REPORT_SOURCE = "report_source", _("Reported as a source error")
    DISMISS = "dismiss", _("Dismissed")
    REOPEN = "reopen", _("Reopened")
    RESOLVE = "resolve", _("Resolved by the data")
    COMMENT = "comment", _("Comment")


class ConflictEvent(models.Model):
    """One step in a conflict's life (detection, decision, resolution, comment): its timeline."""

    conflict = models.ForeignKey(
        SourceConflict, on_delete=models.CASCADE, related_name="events", verbose_name=_("conflict")
    )
    action = models.CharField(_("action"), max_length=16, choices=ConflictAction.choices)
    from_status = models.CharField(
        _("from status"), max_length=24, choices=ConflictStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=24, choices=ConflictStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    comment = models.TextField(_("remark"), blank=True)
    # The two values when the event happened.
    holder_value = models.TextField(_("holder's value"), blank=True)
    authoritative_value = models.TextField(_("authoritative value"), blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["conflict", "created_at", "id"]
        verbose_name = _("conflict event")
        verbose_name_plural = _("conflict events")

    def __str__(self) -> str:
        return f"{self.conflict_id} {self.action}"


class ScanTrigger(models.TextChoices):
    DELIVERY = "delivery", _("After a delivery")
    COMMAND = "command", _("Command line")
    MANUAL = "manual", _("Started by an administrator")
    DEMO = "demo", _("Demo data")


class SourceScan(models.Model):
    """One comparison of an element's holders with its source, and what it found."""

    element = models.ForeignKey(
        DataElement, on_delete=models.CASCADE, related_name="scans", verbose_name=_("data element")
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=ScanTrigger.choices)
    # The delivered resource when a delivery started the scan.
    resource = models.ForeignKey(
        Resource,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivered resource"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    holders = models.PositiveIntegerField(_("holders compared"), default=0)
    found = models.PositiveIntegerField(_("conflicts found"), default=0)
    created = models.PositiveIntegerField(_("new conflicts"), default=0)
    changed = models.PositiveIntegerField(_("conflicts with changed values"), default=0)
    resolved = models.PositiveIntegerField(_("conflicts resolved by the data"), default=0)
    reopened = models.PositiveIntegerField(_("dismissed conflicts reopened"), default=0)
    # Holders not compared, and holders with more differences than one scan records:
    # [{"holder_id", "reason"}] with reason "source_empty", "no_table", a problem code, or
    # "truncated".
    notes = models.JSONField(_("notes"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("source comparison")
        verbose_name_plural = _("source comparisons")

    def __str__(self) -> str:
        return f"{self.element_id} {self.started_at:%Y-%m-%d %H:%M} {self.found}"


# --- Data quality (数据质量) -----------------------------------------------------------------


class QualityKind(models.TextChoices):
    COMPLETENESS = "completeness", _("Completeness")
    VALIDITY = "validity", _("Validity")
    UNIQUENESS = "uniqueness", _("Uniqueness")
    CONSISTENCY = "consistency", _("Consistency")
    TIMELINESS = "timeliness", _("Timeliness")
    ACCEPTANCE = "acceptance", _("Acceptance at ingestion")


class RuleOrigin(models.TextChoices):
    DEFAULT = "default", _("Derived from the fields")
    EXPLICIT = "explicit", _("Added by hand")


class QualityRule(models.Model):
    """One quality rule of a resource: what is measured, on which fields, its weight and the
    pass ratio (threshold, in per cent) it must reach."""

    resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="quality_rules",
        verbose_name=_("resource"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=QualityKind.choices)
    # Field names of the resource; empty for resource-level rules (completeness of every
    # required field, timeliness, acceptance).
    fields = models.JSONField(_("fields"), default=list, blank=True)
    # Validity: {"pattern": str, "min": str, "max": str, "not_future": bool} (see quality.py).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    target_resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reference resource"),
    )
    target_field = models.CharField(_("reference field"), max_length=63, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    threshold = models.DecimalField(_("threshold (%)"), max_digits=5, decimal_places=2)
    enabled = models.BooleanField(_("enabled"), default=True)
    origin = models.CharField(
        _("origin"), max_length=16, choices=RuleOrigin.choices, default=RuleOrigin.EXPLICIT
    )
    # For derived rules: what they were derived from (e.g. "uniqueness:key"), kept unique.
    derived_from = models.CharField(max_length=32, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="resource__provider")

    class Meta:
        ordering = ["resource", "id"]
        verbose_name = _("quality rule")
        verbose_name_plural = _("quality rules")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "derived_from"],
                condition=models.Q(origin="default"),
                name="datastore_quality_rule_unique_default",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}:{self.kind}:{','.join(self.fields)}"


class CheckTrigger(models.TextChoices):
    DELIVERY = "delivery", _("After a delivery")
    SCHEDULE = "schedule", _("Scheduled")
    MANUAL = "manual", _("On demand")


class QualityReport(models.Model):
    """One evaluation of a resource's rules over its current rows: the score and each rule's
    result (kept as JSON, so history stays readable after rules change)."""

    resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="quality_reports",
        verbose_name=_("resource"),
    )
    created_at = models.DateTimeField(_("evaluated at"), default=timezone.now)
    trigger = models.CharField(_("trigger"), max_length=16, choices=CheckTrigger.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    # Version of the stored table that was evaluated (0: no data yet) and its current rows.
    version = models.PositiveIntegerField(_("version"), default=0)
    rows = models.PositiveBigIntegerField(_("current rows"), default=0)
    # 0–100; null when no rule could be evaluated.
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True)
    rules_passed = models.PositiveIntegerField(_("rules passed"), default=0)
    rules_failed = models.PositiveIntegerField(_("rules failed"), default=0)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    # [{"rule_id", "kind", "fields", "label", "weight", "threshold", "checked", "failed",
    #   "ratio", "score", "passed", "samples", "detail", "error"}, ...]
    results = models.JSONField(_("results"), default=list)

    scope_fields = ScopeFields(department="resource__provider")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quality report")
        verbose_name_plural = _("quality reports")
        indexes = [
            models.Index(fields=["resource", "-created_at"], name="datastore_qr_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}@{self.created_at:%Y-%m-%d %H:%M} {self.score}"


class QualitySnapshot(models.Model):
    """The quality score of one department (or of the whole city: no department) on one day:
    the mean of the latest scores of its published resources. The history of the trend chart."""

    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    day = models.DateField(_("day"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True)
    resources = models.PositiveIntegerField(_("scored resources"), default=0)
    overdue = models.PositiveIntegerField(_("overdue resources"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="department")

    class Meta:
        ordering = ["day", "department_id"]
        verbose_name = _("quality snapshot")
        verbose_name_plural = _("quality snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "day"], name="datastore_quality_snapshot_unique"
            ),
            models.UniqueConstraint(
                fields=["day"],
                condition=models.Q(department__isnull=True),
                name="datastore_quality_snapshot_unique_city",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department_id or 'city'}@{self.day} {self.score}"
