"""API schemas of data sharing: apps, requests and their steps, grants, objections."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class AppCreate(Schema):
    name: str
    contact_name: str
    contact_phone: str
    ip_allowlist: list[str] = []
    department_id: int | None = None


class AppUpdate(Schema):
    name: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    ip_allowlist: list[str] | None = None


class AppRead(Schema):
    id: int
    name: str
    department_id: int
    department_name: str
    contact_name: str
    contact_phone: str
    ip_allowlist: list[str]
    app_key: str
    secret_version: int
    secret_rotated_at: datetime | None
    status: str
    revoked_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name


class AppWithSecret(Schema):
    """The one response that carries the secret in clear: store it now."""

    app: AppRead
    secret: str


class ReasonIn(Schema):
    reason: str


class OptionalReasonIn(Schema):
    reason: str = ""


class RequestCreate(Schema):
    app_id: int
    resource_id: int
    fields: list[str]
    clear_fields: list[str] = []
    purpose: str
    legal_basis: str
    valid_from: date
    valid_until: date
    expected_daily_calls: int = 0
    rate_per_minute: int = 60


class StepRead(Schema):
    id: int
    request_id: int
    stage: str
    position: int
    department_id: int | None
    department_name: str
    status: str
    opened_at: datetime | None
    due_date: date | None
    approved_fields: list[str]
    approved_clear_fields: list[str]
    decided_by_name: str
    decided_at: datetime | None
    comment: str

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name if obj.department_id else ""

    @staticmethod
    def resolve_decided_by_name(obj) -> str:
        return obj.decided_by.display_name if obj.decided_by_id else ""


class RequestRead(Schema):
    id: int
    number: str
    app_id: int
    app_name: str
    consumer_id: int
    consumer_name: str
    resource_id: int
    resource_name: str
    provider_id: int
    share_type: str
    fields: list[str]
    clear_fields: list[str]
    purpose: str
    legal_basis: str
    valid_from: date
    valid_until: date
    expected_daily_calls: int
    rate_per_minute: int
    status: str
    submitted_at: datetime
    decided_at: datetime | None
    decision_comment: str
    grant_id: int | None
    steps: list[StepRead]

    @staticmethod
    def resolve_app_name(obj) -> str:
        return obj.app.name

    @staticmethod
    def resolve_consumer_name(obj) -> str:
        return obj.consumer.name

    @staticmethod
    def resolve_resource_name(obj) -> str:
        return obj.resource.name

    @staticmethod
    def resolve_provider_id(obj) -> int:
        return obj.resource.provider_id

    @staticmethod
    def resolve_share_type(obj) -> str:
        return obj.resource.share_type

    @staticmethod
    def resolve_grant_id(obj) -> int | None:
        from smartgov.sharing.models import Grant

        return Grant.objects.filter(request_id=obj.pk).values_list("pk", flat=True).first()

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.select_related("department", "decided_by").order_by("position"))


class StepDecision(Schema):
    decision: str  # "approve" | "reject"
    fields: list[str] | None = None
    clear_fields: list[str] | None = None
    comment: str = ""


class StepWithRequest(StepRead):
    request: RequestRead


class GrantRead(Schema):
    id: int
    request_id: int | None
    app_id: int
    app_name: str
    app_key: str
    consumer_id: int
    consumer_name: str
    resource_id: int
    resource_name: str
    provider_id: int
    fields: list[str]
    clear_fields: list[str]
    purpose: str
    valid_from: date
    valid_until: date
    rate_per_minute: int
    status: str
    usable: bool
    revoked_at: datetime | None
    revoked_reason: str
    created_at: datetime

    @staticmethod
    def resolve_app_name(obj) -> str:
        return obj.app.name

    @staticmethod
    def resolve_app_key(obj) -> str:
        return obj.app.app_key

    @staticmethod
    def resolve_consumer_name(obj) -> str:
        return obj.consumer.name

    @staticmethod
    def resolve_resource_name(obj) -> str:
        return obj.resource.name

    @staticmethod
    def resolve_provider_id(obj) -> int:
        return obj.resource.provider_id

    @staticmethod
    def resolve_usable(obj) -> bool:
        from smartgov.sharing.services import is_usable

        return is_usable(obj)


class ObjectionCreate(Schema):
    resource_id: int
    field: str
    reason: str
    record_key: str = ""
    proposed_value: str = ""
    department_id: int | None = None


class ObjectionAnswer(Schema):
    decision: str  # "correct" | "reject"
    response: str = ""
    value: str | None = None


class ObjectionRead(Schema):
    id: int
    number: str
    resource_id: int
    resource_name: str
    provider_id: int
    provider_name: str
    objector_kind: str
    objector_department_id: int | None
    record_key: str
    field: str
    proposed_value: str
    reason: str
    status: str
    due_date: date
    response: str
    responded_at: datetime | None
    corrected_version: int | None
    created_at: datetime

    @staticmethod
    def resolve_resource_name(obj) -> str:
        return obj.resource.name

    @staticmethod
    def resolve_provider_name(obj) -> str:
        return obj.provider.name
