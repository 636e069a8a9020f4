"""Catalog entries (GB/T 21063): resources, their fields (信息项) and their revision history."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields
from smartgov.core.models import Department

# Resource code (资源代码), after GB/T 21063.4's front code + sequence:
#   class (1 digit: 1 base, 2 theme, 3 department resources) · subclass (2) · item (3) ·
#   detail (3) / sequence (6), e.g. ``101001001/000001``.
RESOURCE_CODE_RE = re.compile(
    r"^(?P<cls>[1-3])(?P<subclass>\d{2})(?P<item>\d{3})(?P<detail>\d{3})/(?P<sequence>\d{6})$",
    re.ASCII,
)
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$", re.ASCII)


class Classification(models.TextChoices):
    BASE = "base", _("Base resource")
    THEME = "theme", _("Theme resource")
    DEPARTMENT = "department", _("Department resource")


# The first digit of a resource code names its classification.
CLASS_DIGIT = {Classification.BASE: "1", Classification.THEME: "2", Classification.DEPARTMENT: "3"}


class BaseResource(models.TextChoices):
    POPULATION = "population", _("Population")
    LEGAL_ENTITY = "legal_entity", _("Legal entities")
    SPATIAL = "spatial", _("Spatial geography")
    E_LICENSE = "e_license", _("E-licenses")
    MACRO_ECONOMY = "macro_economy", _("Macro-economy")
    SOCIAL_CREDIT = "social_credit", _("Social credit")


class ResourceFormat(models.TextChoices):
    TABLE = "table", _("Database table")
    FILE = "file", _("Data file")
    API = "api", _("Data interface")
    SPATIAL = "spatial", _("Spatial data")
    STREAM = "stream", _("Data stream")


# Formats whose data the platform stores as rows (a table per resource, see datastore); a
# "data file" resource describes documents delivered as they are.
RECORD_FORMATS = frozenset(
    {ResourceFormat.TABLE, ResourceFormat.SPATIAL, ResourceFormat.API, ResourceFormat.STREAM}
)


class ShareType(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("Unconditional sharing")
    CONDITIONAL = "conditional", _("Conditional sharing")
    NONE = "none", _("Not shared")


class OpenType(models.TextChoices):
    OPEN = "open", _("Open to the public")
    CONDITIONAL = "conditional", _("Conditionally open to the public")
    CLOSED = "closed", _("Not open to the public")


class UpdateCycle(models.TextChoices):
    REALTIME = "realtime", _("Real-time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    IRREGULAR = "irregular", _("Irregular")


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Under review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Resource(models.Model):
    """One cataloged data resource (信息资源) and its GB/T 21063 metadata."""

    code = models.CharField(_("resource code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=128)
    summary = models.TextField(_("summary"), blank=True)
    provider = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="catalog_resources",
        verbose_name=_("provider"),
    )
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices
    )
    base_resource = models.CharField(
        _("base resource"), max_length=16, choices=BaseResource.choices, blank=True
    )
    format = models.CharField(
        _("format"), max_length=16, choices=ResourceFormat.choices, default=ResourceFormat.TABLE
    )
    share_type = models.CharField(_("share type"), max_length=16, choices=ShareType.choices)
    share_conditions = models.TextField(_("share conditions"), blank=True)
    share_method = models.CharField(_("share method"), max_length=128, blank=True)
    open_type = models.CharField(_("open type"), max_length=16, choices=OpenType.choices)
    update_cycle = models.CharField(_("update cycle"), max_length=16, choices=UpdateCycle.choices)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    related = models.ManyToManyField(
        "self", symmetrical=False, blank=True, verbose_name=_("related resources")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ResourceStatus.choices,
        default=ResourceStatus.DRAFT,
        db_index=True,
    )
    # How many times the resource has been published (0 until its first publication).
    version = models.PositiveIntegerField(_("version"), default=0)
    # Number of the latest ResourceRevision.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    # jieba tokens, space separated, indexed for full-text search (see catalog/search.py).
    search_name = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="provider")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("data resource")
        verbose_name_plural = _("data resources")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def holds_records(self) -> bool:
        """Whether the platform stores this resource's data as rows (see RECORD_FORMATS)."""
        return self.format in RECORD_FORMATS


class DataType(models.TextChoices):
    STRING = "string", _("Text")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    BOOLEAN = "boolean", _("Yes/no")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    CITIZEN_ID = "citizen_id", _("Citizen ID number")
    CREDIT_CODE = "credit_code", _("Unified social credit code")
    REGION_CODE = "region_code", _("Region code")
    PHONE = "phone", _("Phone number")
    ENUM = "enum", _("Enumeration")


class PersonalKind(models.TextChoices):
    NONE = "none", _("Not personal data")
    CITIZEN_ID = "citizen_id", _("Citizen ID number")
    NAME = "name", _("Personal name")
    PHONE = "phone", _("Phone number")
    ADDRESS = "address", _("Address")
    OTHER = "other", _("Other personal data")


class Grade(models.TextChoices):
    CORE = "core", _("Core data")
    IMPORTANT = "important", _("Important data")
    GENERAL = "general", _("General data")


class MaskingRule(models.TextChoices):
    NONE = "none", _("No masking")
    CITIZEN_ID = "citizen_id", _("Citizen ID masking")
    NAME = "name", _("Name masking")
    PHONE = "phone", _("Phone masking")
    ADDRESS = "address", _("Address masking")
    FULL = "full", _("Fully hidden")


class Field(models.Model):
    """One data item (信息项) of a resource: its column name, type and protection rules."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="fields", verbose_name=_("resource")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("field name"), max_length=63)
    label = models.CharField(_("field label"), max_length=128)
    data_type = models.CharField(_("data type"), max_length=16, choices=DataType.choices)
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    enum_values = models.JSONField(_("enumeration values"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    is_key = models.BooleanField(_("key field"), default=False)
    personal_kind = models.CharField(
        _("personal-data kind"),
        max_length=16,
        choices=PersonalKind.choices,
        default=PersonalKind.NONE,
    )
    grade = models.CharField(
        _("grade"), max_length=16, choices=Grade.choices, default=Grade.GENERAL, db_index=True
    )
    masking = models.CharField(
        _("masking rule"), max_length=16, choices=MaskingRule.choices, default=MaskingRule.NONE
    )

    scope_fields = ScopeFields(department="resource__provider")

    class Meta:
        ordering = ["resource", "position", "id"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        constraints = [
            models.UniqueConstraint(fields=["resource", "name"], name="catalog_field_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.label}"


class RevisionAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Edited")
    SET_FIELDS = "set_fields", _("Fields changed")
    SUBMIT = "submit", _("Submitted for review")
    APPROVE = "approve", _("Approved and published")
    REJECT = "reject", _("Returned for changes")
    WITHDRAW = "withdraw", _("Withdrawn")


class ResourceRevision(models.Model):
    """One change to a resource (edit or lifecycle step) with a snapshot: its timeline."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("resource")
    )
    number = models.PositiveIntegerField(_("number"))
    action = models.CharField(_("action"), max_length=16, choices=RevisionAction.choices)
    from_status = models.CharField(
        _("from status"), max_length=16, choices=ResourceStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=ResourceStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    comment = models.TextField(_("remark"), blank=True)
    snapshot = models.JSONField(_("snapshot"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    scope_fields = ScopeFields(department="resource__provider")

    class Meta:
        ordering = ["resource", "number"]
        verbose_name = _("resource revision")
        verbose_name_plural = _("resource revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "number"], name="catalog_revision_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}#{self.number} {self.action}"


# --- One data element, one source (一数一源) --------------------------------------------------

ELEMENT_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$", re.ASCII)

# Data types a subject key (the identifier that says whose value it is) may have.
KEY_TYPES = (
    DataType.CITIZEN_ID,
    DataType.CREDIT_CODE,
    DataType.STRING,
    DataType.INTEGER,
    DataType.REGION_CODE,
    DataType.PHONE,
)


class DataElement(models.Model):
    """A data element (数据元, e.g. 公民姓名) and the one resource field authoritative for it."""

    code = models.CharField(_("element code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    # The data type of the identifier of the subject (a citizen ID, a credit code, …).
    key_type = models.CharField(_("subject key type"), max_length=16, choices=DataType.choices)
    source_resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        related_name="authoritative_elements",
        verbose_name=_("authoritative resource"),
    )
    # Field names, not Field rows: a resource's field list is replaced as a whole when edited.
    source_field = models.CharField(_("authoritative field"), max_length=63)
    source_key_field = models.CharField(_("key field of the source"), max_length=63)
    # Number of the latest ElementRevision.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="source_resource__provider")

    class Meta:
        ordering = ["code"]
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        constraints = [
            # A field is authoritative for at most one element.
            models.UniqueConstraint(
                fields=["source_resource", "source_field"], name="catalog_element_unique_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SourceHolder(models.Model):
    """A resource field that holds a copy of a data element, and the field naming its subject."""

    element = models.ForeignKey(
        DataElement, on_delete=models.CASCADE, related_name="holders", verbose_name=_("element")
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        related_name="held_elements",
        verbose_name=_("holding resource"),
    )
    field = models.CharField(_("holding field"), max_length=63)
    key_field = models.CharField(_("key field of the holder"), max_length=63)
    # Off for holders whose subjects need not all be in the source (e.g. migrants are not in
    # the household register): keys missing in the source are then not listed as conflicts.
    report_missing = models.BooleanField(_("report keys missing in the source"), default=True)
    note = models.CharField(_("remark"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ScopeFields(department="resource__provider")

    class Meta:
        ordering = ["element", "id"]
        verbose_name = _("holder of a data element")
        verbose_name_plural = _("holders of data elements")
        constraints = [
            # A field holds a copy of at most one element.
            models.UniqueConstraint(
                fields=["resource", "field"], name="catalog_holder_unique_field"
            )
        ]

    def __str__(self) -> str:
        return f"{self.element_id}: {self.resource_id}.{self.field}"


class ElementAction(models.TextChoices):
    CREATE = "create", _("Data element registered")
    UPDATE = "update", _("Edited")
    ADD_HOLDER = "add_holder", _("Holder added")
    UPDATE_HOLDER = "update_holder", _("Holder changed")
    REMOVE_HOLDER = "remove_holder", _("Holder removed")


class ElementRevision(models.Model):
    """One change to a data element or its holders, with a snapshot: the element's timeline."""

    element = models.ForeignKey(
        DataElement, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("element")
    )
    number = models.PositiveIntegerField(_("number"))
    action = models.CharField(_("action"), max_length=16, choices=ElementAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    comment = models.TextField(_("remark"), blank=True)
    snapshot = models.JSONField(_("snapshot"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["element", "number"]
        verbose_name = _("data element revision")
        verbose_name_plural = _("data element revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["element", "number"], name="catalog_element_revision_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.element_id}#{self.number} {self.action}"
