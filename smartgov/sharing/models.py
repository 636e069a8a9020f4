"""Sharing (共享交换, X-Road style): consumer apps, access requests and their approval steps,
grants, the gateway's call log, and objections (数据异议).

The call log never holds data returned: only who asked, under which grant, for which fields,
the lookup key's blind index, the result count, status and latency.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields
from smartgov.catalog.models import Resource
from smartgov.core.models import Department


class AppStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


class ConsumerApp(models.Model):
    """An application system of a consumer department that calls the gateway."""

    name = models.CharField(_("name"), max_length=128)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="sharing_apps",
        verbose_name=_("owner department"),
    )
    contact_name = models.CharField(_("contact person"), max_length=64)
    contact_phone = models.CharField(_("contact phone"), max_length=32)
    # CIDR blocks or single addresses; empty = any address.
    ip_allowlist = models.JSONField(_("IP allow-list"), default=list, blank=True)
    app_key = models.CharField(_("app key"), max_length=40, unique=True)
    # The secret, SM4-encrypted (core.crypto.encrypt_field); shown in clear only once.
    secret_encrypted = models.TextField(editable=False)
    secret_version = models.PositiveIntegerField(_("secret version"), default=1)
    secret_rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AppStatus.choices, default=AppStatus.ACTIVE
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="department")

    class Meta:
        ordering = ["department", "name", "id"]
        verbose_name = _("consumer app")
        verbose_name_plural = _("consumer apps")

    def __str__(self) -> str:
        return self.name


class RequestStatus(models.TextChoices):
    PENDING_PROVIDER = "pending_provider", _("Awaiting the provider")
    PENDING_BUREAU = "pending_bureau", _("Awaiting the data bureau")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AccessRequest(models.Model):
    """A consumer department asks to read some fields of a resource through one of its apps."""

    number = models.CharField(_("request number"), max_length=24, unique=True)
    app = models.ForeignKey(
        ConsumerApp, on_delete=models.PROTECT, related_name="requests", verbose_name=_("app")
    )
    consumer = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consumer department"),
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        related_name="access_requests",
        verbose_name=_("resource"),
    )
    fields = models.JSONField(_("requested fields"), default=list)
    clear_fields = models.JSONField(_("fields requested in clear"), default=list, blank=True)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.TextField(_("legal basis"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    expected_daily_calls = models.PositiveIntegerField(_("expected calls per day"), default=0)
    rate_per_minute = models.PositiveIntegerField(_("requested rate per minute"), default=60)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    # When the submitter first looked at the decided request (its inbox item goes away then).
    outcome_seen_at = models.DateTimeField(_("outcome seen at"), null=True, blank=True)

    # Visible to the consumer's and to the provider's staff.
    scope_fields = ScopeFields(department="consumer")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")

    def __str__(self) -> str:
        return self.number


class StepStage(models.TextChoices):
    PROVIDER = "provider", _("Provider department")
    BUREAU = "bureau", _("Data bureau")


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Not yet due")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class ApprovalStep(models.Model):
    """One approval of an access request, with its working-day time limit."""

    request = models.ForeignKey(
        AccessRequest,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("access request"),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=StepStage.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    # The approving department: the provider for the provider stage; null for the bureau
    # stage (any member with the city-wide approval permission decides).
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("approving department"),
    )
    status = models.CharField(_("status"), max_length=16, choices=StepStatus.choices)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    approved_fields = models.JSONField(_("approved fields"), default=list, blank=True)
    approved_clear_fields = models.JSONField(
        _("fields approved in clear"), default=list, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    scope_fields = ScopeFields(department="request__consumer")

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="sharing_step_position")
        ]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")

    def __str__(self) -> str:
        return f"{self.request_id}#{self.position} {self.stage}"


class GrantStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Grant(models.Model):
    """Which app may read which fields of which resource, for what, until when, how fast."""

    request = models.OneToOneField(
        AccessRequest, on_delete=models.PROTECT, related_name="grant", null=True, blank=True
    )
    app = models.ForeignKey(
        ConsumerApp, on_delete=models.PROTECT, related_name="grants", verbose_name=_("app")
    )
    consumer = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consumer department"),
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="grants", verbose_name=_("resource")
    )
    fields = models.JSONField(_("granted fields"), default=list)
    clear_fields = models.JSONField(_("fields granted in clear"), default=list, blank=True)
    purpose = models.TextField(_("purpose"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    rate_per_minute = models.PositiveIntegerField(_("rate per minute"), default=60)
    status = models.CharField(
        _("status"), max_length=16, choices=GrantStatus.choices, default=GrantStatus.ACTIVE
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_fields = ScopeFields(department="consumer")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["app", "resource", "status"], name="sharing_grant_lookup")]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self) -> str:
        return f"{self.app} → {self.resource}"


class CallLog(models.Model):
    """One gateway call. Written before the answer leaves; never holds returned data.

    Ids are copied as plain integers (no foreign keys) so the hot path writes one narrow row
    and a revoked app or a withdrawn resource keeps its history.
    """

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    app_id_ref = models.IntegerField(_("app"), null=True)
    grant_id_ref = models.IntegerField(_("grant"), null=True)
    resource_id_ref = models.IntegerField(_("resource"), null=True)
    consumer_id_ref = models.IntegerField(_("consumer department"), null=True)
    provider_id_ref = models.IntegerField(_("provider department"), null=True)
    nonce = models.CharField(_("nonce"), max_length=64, blank=True)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=255)
    kind = models.CharField(_("kind"), max_length=8, blank=True)  # "key" | "query"
    fields = models.TextField(_("fields"), blank=True)  # comma-separated names returned
    # Blind index of the lookup key (core.crypto.blind_index, purpose "sharing-subject"), so
    # "who read my data" finds calls about a citizen ID without storing it.
    subject_hash = models.CharField(_("subject key hash"), max_length=64, blank=True)
    result_count = models.IntegerField(_("result count"), default=0)
    status = models.PositiveSmallIntegerField(_("HTTP status"))
    error_code = models.CharField(_("error code"), max_length=48, blank=True)
    latency_ms = models.FloatField(_("latency (ms)"), default=0)
    client_ip = models.CharField(_("client address"), max_length=45, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # A nonce is accepted once per app: the replay guard is this index.
            models.UniqueConstraint(
                fields=["app_id_ref", "nonce"],
                condition=~models.Q(nonce=""),
                name="sharing_call_nonce",
            )
        ]
        indexes = [
            models.Index(fields=["subject_hash", "created_at"], name="sharing_call_subject"),
            models.Index(fields=["grant_id_ref", "created_at"], name="sharing_call_grant"),
            models.Index(fields=["resource_id_ref", "created_at"], name="sharing_call_resource"),
        ]
        verbose_name = _("gateway call")
        verbose_name_plural = _("gateway calls")

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class ObjectorKind(models.TextChoices):
    CONSUMER = "consumer", _("Consumer department")
    SUBJECT = "subject", _("Data subject")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the provider")
    CORRECTED = "corrected", _("Corrected")
    REJECTED = "rejected", _("Rejected")


class Objection(models.Model):
    """数据异议: somebody says a value is wrong; the provider corrects it or says why not."""

    number = models.CharField(_("objection number"), max_length=24, unique=True)
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="objections", verbose_name=_("resource")
    )
    provider = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provider department"),
    )
    objector_kind = models.CharField(_("objector"), max_length=16, choices=ObjectorKind.choices)
    objector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
    )
    objector_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("objecting department"),
    )
    record_key = models.CharField(_("record key"), max_length=255)
    field = models.CharField(_("field"), max_length=63)
    current_value = models.TextField(_("value as read"), blank=True)
    proposed_value = models.TextField(_("proposed value"), blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    due_date = models.DateField(_("due date"))
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    corrected_version = models.PositiveIntegerField(
        _("corrected in version"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    # When the objector first looked at the answer (their inbox item goes away then).
    objector_seen_at = models.DateTimeField(_("answer seen at"), null=True, blank=True)

    scope_fields = ScopeFields(department="provider")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return self.number


# The secret never enters the audit log (its version does); nor do the values an objection
# quotes from a record (they may be personal data: the record key and field say enough).
ConsumerApp._meta.get_field("secret_encrypted").audit_exclude = True
Objection._meta.get_field("current_value").audit_exclude = True
Objection._meta.get_field("proposed_value").audit_exclude = True

# The gateway's rate-limit table lives in its own module (registered here with the app).
from smartgov.sharing.gateway_models import GatewayRateWindow  # noqa: E402, F401
