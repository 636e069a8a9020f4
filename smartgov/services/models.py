"""Service items (政务服务事项) after the national item catalog: items, materials and steps.

An item is versioned: ``implementation_code`` names the item across versions and each version
is one row (unique per code and version). Applications later point at the row (the version)
they used, so publishing a new version never changes what an old application saw.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields
from smartgov.core.models import Department


class ItemType(models.TextChoices):
    LICENSING = "licensing", _("Administrative licensing")
    CONFIRMATION = "confirmation", _("Administrative confirmation")
    PAYMENT = "payment", _("Administrative payment")
    LEVY = "levy", _("Administrative levy")
    AWARD = "award", _("Administrative award")
    ADJUDICATION = "adjudication", _("Administrative adjudication")
    PUBLIC_SERVICE = "public_service", _("Public service")
    OTHER_POWER = "other_power", _("Other administrative power")


class ItemLevel(models.TextChoices):
    PROVINCE = "province", _("Province level")
    CITY = "city", _("City level")
    DISTRICT = "district", _("District level")
    STREET = "street", _("Street level")


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")


class HandlingKind(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate (done on the spot)")
    PROMISED = "promised", _("Promised (done within the promised limit)")


class OnlineLevel(models.TextChoices):
    FULLY_ONLINE = "fully_online", _("Fully online")
    ONLINE_PREVIEW = "online_preview", _("Online pre-check, then at the window")
    WINDOW = "window", _("At the window")


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizens")
    ENTERPRISE = "enterprise", _("Enterprises")
    BOTH = "both", _("Citizens and enterprises")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded by a newer version")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ServiceItem(models.Model):
    """One version of a service item (事项) with its guide (办事指南) fields."""

    basic_code = models.CharField(_("basic code"), max_length=32, db_index=True)
    implementation_code = models.CharField(_("implementation code"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=128)
    item_type = models.CharField(_("item type"), max_length=16, choices=ItemType.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="service_items",
        verbose_name=_("implementing department"),
    )
    level = models.CharField(_("level"), max_length=16, choices=ItemLevel.choices)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    conditions = models.TextField(_("acceptance conditions"), blank=True)
    legal_days = models.PositiveIntegerField(_("legal time limit"), null=True, blank=True)
    promised_days = models.PositiveIntegerField(_("promised time limit"), null=True, blank=True)
    limit_unit = models.CharField(
        _("time-limit unit"),
        max_length=16,
        choices=LimitUnit.choices,
        default=LimitUnit.WORKING_DAYS,
    )
    handling_kind = models.CharField(
        _("immediate or promised"),
        max_length=16,
        choices=HandlingKind.choices,
        default=HandlingKind.PROMISED,
    )
    visits = models.PositiveSmallIntegerField(_("visits required"), default=0)
    is_free = models.BooleanField(_("free of charge"), default=True)
    # [{"name": ..., "amount": "decimal text", "basis": ...}]
    fees = models.JSONField(_("fees"), default=list, blank=True)
    process = models.TextField(_("process description"), blank=True)
    places = models.TextField(_("handling places"), blank=True)
    hours = models.TextField(_("handling hours"), blank=True)
    consult_phone = models.CharField(_("consultation phone"), max_length=64, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=64, blank=True)
    online_level = models.CharField(
        _("online availability"),
        max_length=16,
        choices=OnlineLevel.choices,
        default=OnlineLevel.FULLY_ONLINE,
    )
    applicant_kind = models.CharField(
        _("applicants"), max_length=16, choices=ApplicantKind.choices, default=ApplicantKind.BOTH
    )
    # Result document (办理结果), e.g. 营业执照, and the e-license type it is issued as, if any.
    result_name = models.CharField(_("result"), max_length=128, blank=True)
    result_license_type = models.CharField(_("result e-license type"), max_length=32, blank=True)
    tags = models.JSONField(_("topic tags"), default=list, blank=True)
    keywords = models.JSONField(_("search keywords"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ItemStatus.choices,
        default=ItemStatus.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("previous version"),
    )
    # jieba tokens, space-padded and space-separated (see services/search.py).
    search_name = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="department")

    class Meta:
        ordering = ["name", "implementation_code", "version"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.UniqueConstraint(
                fields=["implementation_code", "version"], name="services_item_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def compression_ratio(self) -> float | None:
        """承诺时限压缩比 = 1 − promised / legal (None when the law sets no limit)."""
        if not self.legal_days or self.promised_days is None:
            return None
        return 1 - self.promised_days / self.legal_days


class MaterialType(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")
    ELECTRONIC = "electronic", _("Electronic")


class MaterialForm(models.TextChoices):
    PAPER = "paper", _("Paper")
    ELECTRONIC = "electronic", _("Electronic")
    BOTH = "both", _("Paper or electronic")


class Requirement(models.TextChoices):
    REQUIRED = "required", _("Always required")
    CONDITIONAL = "conditional", _("Required in some cases")


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("Prepared by the applicant")
    GOVERNMENT = "government", _("Issued by a government department")
    OTHER = "other", _("Other")


class ProofSource(models.TextChoices):
    NONE = "none", _("Submitted by the applicant")
    E_LICENSE = "e_license", _("E-license")
    SHARED_DATA = "shared_data", _("Shared data")


class ItemMaterial(models.Model):
    """A material (办理材料) of an item version; may be fetched by the platform (免提交)."""

    item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, related_name="materials", verbose_name=_("item")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("material name"), max_length=200)
    material_type = models.CharField(
        _("material type"),
        max_length=16,
        choices=MaterialType.choices,
        default=MaterialType.ORIGINAL,
    )
    form = models.CharField(
        _("material form"), max_length=16, choices=MaterialForm.choices, default=MaterialForm.BOTH
    )
    requirement = models.CharField(
        _("requirement"), max_length=16, choices=Requirement.choices, default=Requirement.REQUIRED
    )
    condition = models.TextField(_("condition"), blank=True)
    source = models.CharField(
        _("material source"),
        max_length=16,
        choices=MaterialSource.choices,
        default=MaterialSource.APPLICANT,
    )
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    standard = models.TextField(_("acceptance standard"), blank=True)
    proof_source = models.CharField(
        _("no-proof source"), max_length=16, choices=ProofSource.choices, default=ProofSource.NONE
    )
    license_type_code = models.CharField(_("e-license type code"), max_length=32, blank=True)
    resource = models.ForeignKey(
        "catalog.Resource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared-data resource"),
    )
    resource_field = models.CharField(_("shared-data field"), max_length=63, blank=True)

    scope_fields = ScopeFields(department="item__department")

    class Meta:
        ordering = ["item", "position", "id"]
        verbose_name = _("item material")
        verbose_name_plural = _("item materials")

    def __str__(self) -> str:
        return self.name

    @property
    def platform_fetches(self) -> bool:
        """Whether the applicant need not submit it (免提交): an e-license or shared data."""
        return self.proof_source != ProofSource.NONE


class ItemStep(models.Model):
    """One approval step (受理/审查/决定/办结) of an item version, with its own limit."""

    item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, related_name="steps", verbose_name=_("item")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("step name"), max_length=64)
    role = models.CharField(_("role"), max_length=64, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    limit_days = models.PositiveIntegerField(_("step limit"), default=0)
    # Steps with the same non-empty group run in parallel (并联审批).
    parallel_group = models.CharField(_("parallel group"), max_length=32, blank=True)

    scope_fields = ScopeFields(department="item__department")

    class Meta:
        ordering = ["item", "position", "id"]
        verbose_name = _("item step")
        verbose_name_plural = _("item steps")

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class FormDefinition(models.Model):
    """The application form (申请表) of one item version, defined without code.

    ``fields`` is a list of ``{name, label, type, required, …}`` (see services/forms.py for
    the schema and ``validate_form``); a new item version copies its predecessor's form.
    """

    item = models.OneToOneField(
        ServiceItem, on_delete=models.CASCADE, related_name="form", verbose_name=_("item")
    )
    fields = models.JSONField(_("form fields"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="item__department")

    class Meta:
        verbose_name = _("application form")
        verbose_name_plural = _("application forms")

    def __str__(self) -> str:
        return f"form of {self.item_id}"


from smartgov.services.application_models import (  # noqa: E402, F401
    Application,
    ApplicationEvent,
    ApplicationMaterial,
    ApplicationSequence,
)
from smartgov.services.bundle_models import (  # noqa: E402, F401
    Bundle,
    BundleApplication,
    BundleItem,
    BundleSequence,
)
from smartgov.services.fee_models import ApplicationFee, Payment  # noqa: E402, F401
from smartgov.services.rating_models import Rating, Rectification  # noqa: E402, F401
from smartgov.services.stats_models import ServiceStatsDay  # noqa: E402, F401
from smartgov.services.workflow_models import (  # noqa: E402, F401
    ApprovalTask,
    EventAttachment,
    TimeRequest,
)
