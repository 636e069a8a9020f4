"""The governance loop (基层治理 / 12345 / 数字城管): categories, unit grids, cases and their
timeline, extension and deferral requests, ratings and revisits, the text classifier's
trained models, and Open311 clients.

A case moves through the 7 steps of GB/T 30428: intake → open → dispatch → handle → report
back → verify & close → evaluate. Every transition is a ``CaseEvent``; the case row holds the
current state and the clock (working time from dispatch, paused while an extension or a
deferral is pending approval or granted).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields
from smartgov.core.models import Department, Region


class CategoryKind(models.TextChoices):
    PART = "part", _("Part (facility)")  # 部件
    EVENT = "event", _("Event")  # 事件
    COMPLAINT = "complaint", _("Complaint or request")  # 12345 诉求


class LimitUnit(models.TextChoices):
    HOURS = "hours", _("working hours")
    DAYS = "days", _("working days")


class Category(models.Model):
    """A class of the category tree: a major class or a minor class under it.

    Two levels, as in GB/T 30428: the major class code (e.g. ``01``) and the minor class code
    that extends it (``0101``). Only minor classes (leaves) are assigned to cases;
    each has its opening and closing conditions and its handling time limit.
    """

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=CategoryKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("major class"),
    )
    opening_condition = models.TextField(_("opening condition"), blank=True)  # 立案条件
    closing_condition = models.TextField(_("closing condition"), blank=True)  # 结案条件
    time_limit = models.PositiveIntegerField(_("handling time limit"), null=True, blank=True)
    time_limit_unit = models.CharField(
        _("time limit unit"), max_length=8, choices=LimitUnit.choices, default=LimitUnit.DAYS
    )
    # The department that handles this class where no region rule says otherwise.
    default_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default department"),
    )
    keywords = models.CharField(_("keywords"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_minor(self) -> bool:
        return self.parent_id is not None


class DispatchRule(models.Model):
    """Category + place → responsible department (the dispatch rules).

    A rule for a street wins over one for its district, which wins over the category's default
    department; ``category`` may be a major class, covering all its minor classes.
    """

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="rules", verbose_name=_("category")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "region"]
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="gov_rule_unique")
        ]
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")

    def __str__(self) -> str:
        return f"{self.category_id} @ {self.region_id} → {self.department_id}"


class Grid(models.Model):
    """A unit grid (单元网格): the smallest management area, inside a street (and community)."""

    code = models.CharField(_("grid code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    street = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="grids", verbose_name=_("street")
    )
    district = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    community = models.CharField(_("community"), max_length=64, blank=True)
    # GeoJSON Polygon coordinates ([[[lon, lat], ...]]), WGS-84; the bounding box columns let
    # a point lookup narrow the candidates with an index before the exact polygon test.
    polygon = models.JSONField(_("polygon"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    center_lon = models.FloatField()
    center_lat = models.FloatField()
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grid inspector"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"])]
        verbose_name = _("unit grid")
        verbose_name_plural = _("unit grids")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("12345 hotline")
    PORTAL = "portal", _("Citizen portal")
    API = "api", _("Citizen API")
    GRID = "grid", _("Grid worker or inspector")
    IOT = "iot", _("Sensing network")
    SYSTEM = "system", _("Other system")
    OPEN311 = "open311", _("Open311")


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")  # 信息采集: awaiting opening
    CANCELLED = "cancelled", _("Cancelled as invalid")  # 作废
    PENDING_DISPATCH = "pending_dispatch", _("Awaiting dispatch")  # 立案, in the queue
    DISPATCHED = "dispatched", _("Being handled")  # 任务派遣 → 任务处理
    DEFERRED = "deferred", _("Deferred")  # 挂账
    HANDLED = "handled", _("Awaiting verification")  # 处理反馈
    CLOSED = "closed", _("Closed")  # 核查结案
    MERGED = "merged", _("Merged into another case")


OPEN_STATUSES = (
    CaseStatus.REPORTED,
    CaseStatus.PENDING_DISPATCH,
    CaseStatus.DISPATCHED,
    CaseStatus.DEFERRED,
    CaseStatus.HANDLED,
)


class WarningLevel(models.TextChoices):
    NONE = "none", _("On time")
    YELLOW = "yellow", _("Yellow warning")
    RED = "red", _("Red warning (overdue)")


class Case(models.Model):
    """A reported problem (事件 / 案卷) and its current state."""

    number = models.CharField(_("case number"), max_length=24, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # Idempotent intake from other systems: (source_system, external_id) is unique when set.
    source_system = models.CharField(_("source system"), max_length=64, blank=True)
    external_id = models.CharField(_("external id"), max_length=128, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
        verbose_name=_("reporter"),
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    reporter_name = models.CharField(_("reporter name"), max_length=64, blank=True)
    # The caller's phone, SM4-encrypted (core.crypto.encrypt_field), and its blind index so a
    # reporter can look a case up by number and phone.
    reporter_phone_encrypted = models.TextField(blank=True, editable=False)
    reporter_phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recorded_cases",
        verbose_name=_("recorded by"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    grid = models.ForeignKey(
        Grid, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    street = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("category"),
    )
    # The classifier's proposal at intake: [{"category": id, "code": ..., "score": p}, ...].
    suggestions = models.JSONField(_("suggested categories"), default=list, blank=True)
    confidence = models.FloatField(_("classifier confidence"), null=True, blank=True)
    auto_dispatched = models.BooleanField(_("dispatched automatically"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REPORTED
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("handling department"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("handler"),
    )
    # The clock: working time from dispatch; due_at moves when an extension is granted, and
    # paused_at is set while the clock stands (extension or deferral awaiting a decision).
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    warning = models.CharField(
        _("warning"), max_length=8, choices=WarningLevel.choices, default=WarningLevel.NONE
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)  # 1 head, 2 district
    handled_at = models.DateTimeField(_("reported back at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    closed_on_time = models.BooleanField(null=True, blank=True)
    handling_seconds = models.PositiveIntegerField(null=True, blank=True)  # dispatch → handled
    reply = models.TextField(_("reply to the reporter"), blank=True)
    dispatch_count = models.PositiveSmallIntegerField(default=0)
    return_count = models.PositiveSmallIntegerField(default=0)
    rework_count = models.PositiveSmallIntegerField(default=0)
    extension_count = models.PositiveSmallIntegerField(default=0)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    main_case = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("merged into"),
    )
    # The same reporter (phone index) reported the same category within the repeat window.
    is_repeat = models.BooleanField(_("repeat complaint"), default=False)
    # Who verified and closed the case (the VERIFIED event's actor; set by kpi's signal), so
    # the KPIs group by inspector without joining the timeline.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)  # 1..5
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)  # revisit or rating
    created_at = models.DateTimeField(_("reported at"), db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="department", region="district")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "external_id"],
                condition=~Q(external_id=""),
                name="gov_case_external_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "department"]),
            models.Index(fields=["department", "created_at"]),
            models.Index(fields=["district", "created_at"]),
            models.Index(fields=["street", "created_at"]),
            models.Index(fields=["category", "created_at"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["lon", "lat"]),
            # Intake's look-ups of the same person's recent reports (double submission, repeat
            # complaint): by phone, by citizen account, by the agent who recorded them.
            models.Index(fields=["reporter_phone_index", "created_at"], name="gov_case_phone_time"),
            models.Index(fields=["reporter", "created_at"], name="gov_case_reporter_time"),
            models.Index(fields=["recorded_by", "created_at"], name="gov_case_recorder_time"),
            # The KPIs' covering index: every column the aggregates read, led by status and
            # the period column, so the KPIs' query of the open cases scans index ranges and
            # never the table (kpi.py), and the rollup of a closed day reads only the index.
            models.Index(
                fields=[
                    "status",
                    "due_at",
                    "department",
                    "district",
                    "street",
                    "category",
                    "recorded_by",
                    "verified_by",
                    "dispatched_at",
                    "handled_at",
                    "closed_at",
                    "closed_on_time",
                    "handling_seconds",
                    "rework_count",
                    "extension_count",
                    "satisfied",
                    "is_repeat",
                ],
                name="gov_case_kpi_cover",
            ),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class EventKind(models.TextChoices):
    REPORTED = "reported", _("Reported")
    OPENED = "opened", _("Opened")
    CANCELLED = "cancelled", _("Cancelled as invalid")
    CLASSIFIED = "classified", _("Classified")
    DISPATCHED = "dispatched", _("Dispatched")
    REDISPATCHED = "redispatched", _("Re-dispatched")
    ACCEPTED = "accepted", _("Accepted by the department")
    RETURNED = "returned", _("Returned to the dispatcher")
    PROGRESS = "progress", _("Progress note")
    HANDLED = "handled", _("Reported back")
    VERIFIED = "verified", _("Verified and closed")
    REWORK = "rework", _("Sent back for rework")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_REJECTED = "extension_rejected", _("Extension rejected")
    DEFERRAL_REQUESTED = "deferral_requested", _("Deferral requested")
    DEFERRAL_APPROVED = "deferral_approved", _("Deferral approved")
    DEFERRAL_REJECTED = "deferral_rejected", _("Deferral rejected")
    RESUMED = "resumed", _("Resumed after deferral")
    WARNED = "warned", _("Warning raised")
    ESCALATED = "escalated", _("Escalated")
    SUPERVISED = "supervised", _("Supervision note")
    MERGED = "merged", _("Merged")
    REVISITED = "revisited", _("Revisit by the hotline")
    RATED = "rated", _("Rated by the reporter")
    REOPENED = "reopened", _("Reopened")
    NOTIFIED = "notified", _("Reporter informed")


class CaseEvent(models.Model):
    """One step of a case's timeline: who did what, when, with a comment and attachments."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=24, choices=EventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseAttachment(models.Model):
    """A photo or document on a case, optionally tied to the timeline event that brought it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="governance/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class RequestKind(models.TextChoices):
    EXTENSION = "extension", _("Extension")  # 延期
    DEFERRAL = "deferral", _("Deferral")  # 挂账


class RequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class CaseRequest(models.Model):
    """A department's request for more time (延期) or to defer the case (挂账), decided by the
    dispatcher. The clock pauses while it is pending."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=RequestState.choices, default=RequestState.PENDING
    )
    reason = models.TextField(_("reason"))
    # Extension: the working time asked for, in the category's unit; deferral: until when.
    amount = models.PositiveIntegerField(_("extra time"), null=True, blank=True)
    unit = models.CharField(max_length=8, choices=LimitUnit.choices, blank=True)
    defer_until = models.DateField(_("deferred until"), null=True, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(state="pending"),
                name="gov_one_pending_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.state}"


class FeedbackKind(models.TextChoices):
    RATING = "rating", _("Reporter's rating")
    REVISIT = "revisit", _("Hotline revisit")


class CaseFeedback(models.Model):
    """The reporter's five-level rating or the hotline revisit's record of satisfaction."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(_("kind"), max_length=16, choices=FeedbackKind.choices)
    level = models.PositiveSmallIntegerField(_("level"))  # 5 非常满意 … 1 非常不满意
    comment = models.TextField(_("comment"), blank=True)
    reached = models.BooleanField(_("caller reached"), default=True)  # revisit only
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.level}"


class ClassifierModel(models.Model):
    """A trained text classifier (jieba tokens → linear model), stored with its metrics."""

    version = models.PositiveIntegerField(unique=True)
    source = models.CharField(max_length=255)  # "cases" or the CSV file name
    sample_count = models.PositiveIntegerField()
    class_count = models.PositiveIntegerField()
    metrics = models.JSONField(default=dict)  # accuracy, macro_f1, per_class, auto_share
    threshold = models.FloatField()
    # joblib-serialised scikit-learn pipeline, written only by `smartgov governance train`.
    blob = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    active = models.BooleanField(default=False)
    trained_by = models.CharField(max_length=150, blank=True)
    trained_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"classifier v{self.version}"


class Open311Client(models.Model):
    """An outside system allowed to create requests through Open311 (its ``api_key``)."""

    name = models.CharField(_("name"), max_length=128)
    contact = models.CharField(_("contact"), max_length=128, blank=True)
    key_prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)  # SM3 of the key; the key is shown once
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


from smartgov.governance.lifecycle_models import (  # noqa: E402
    CaseSequence,  # noqa: F401
    _exclude_from_audit,
)

_exclude_from_audit()

from smartgov.governance.kpi_models import (  # noqa: E402, F401
    KpiDirtyDay,
    KpiDirtyMonth,
    KpiRollup,
)
