"""Request and response schemas of the data-store API."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema


class DeliveryRead(Schema):
    id: int
    resource_id: int
    actor_id: int | None
    department_id: int | None
    source: str
    mode: str
    status: str
    version: int | None
    started_at: datetime
    finished_at: datetime
    duration_ms: int
    received: int
    inserted: int
    updated: int
    deleted: int
    unchanged: int
    rejected: int
    error_code: str
    error_message: str


class RejectionRead(Schema):
    row_number: int
    field: str
    value: str
    code: str
    reason: str


class RecordsPush(Schema):
    mode: str = "upsert"
    records: list[Any] = []
    deletes: list[Any] = []


class RecordsPage(Schema):
    version: int
    count: int
    page: int
    columns: list[str]
    rows: list[dict[str, Any]]


class DiffRead(Schema):
    from_version: int
    to_version: int
    counts: dict[str, int]
    added: list[dict[str, Any]]
    changed: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    truncated: bool


# --- One data element, one source (一数一源) --------------------------------------------------


class ConflictRead(Schema):
    id: int
    element_id: int
    element_code: str
    element_name: str
    kind: str
    key_value: str
    holder_id: int
    holder_resource_id: int
    holder_resource_name: str
    holder_department_id: int
    holder_department_name: str
    holder_field: str
    holder_value: str
    holder_rows: int
    source_resource_id: int
    source_resource_name: str
    source_department_name: str
    source_field: str
    authoritative_value: str
    status: str
    first_seen: datetime
    last_seen: datetime
    status_changed_at: datetime
    resolution_note: str
    resolver_id: int | None
    resolver_name: str

    @staticmethod
    def resolve_element_code(obj) -> str:
        return obj.element.code

    @staticmethod
    def resolve_element_name(obj) -> str:
        return obj.element.name

    @staticmethod
    def resolve_holder_resource_id(obj) -> int:
        return obj.holder.resource_id

    @staticmethod
    def resolve_holder_resource_name(obj) -> str:
        return obj.holder.resource.name

    @staticmethod
    def resolve_holder_department_id(obj) -> int:
        return obj.holder.resource.provider_id

    @staticmethod
    def resolve_holder_department_name(obj) -> str:
        return obj.holder.resource.provider.name

    @staticmethod
    def resolve_holder_field(obj) -> str:
        return obj.holder.field

    @staticmethod
    def resolve_source_resource_id(obj) -> int:
        return obj.element.source_resource_id

    @staticmethod
    def resolve_source_resource_name(obj) -> str:
        return obj.element.source_resource.name

    @staticmethod
    def resolve_source_department_name(obj) -> str:
        return obj.element.source_resource.provider.name

    @staticmethod
    def resolve_source_field(obj) -> str:
        return obj.element.source_field

    @staticmethod
    def resolve_resolver_name(obj) -> str:
        return obj.resolver.display_name if obj.resolver_id else ""


class ConflictEventRead(Schema):
    id: int
    action: str
    from_status: str
    to_status: str
    actor_id: int | None
    actor_name: str
    comment: str
    holder_value: str
    authoritative_value: str
    created_at: datetime

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return obj.actor.display_name if obj.actor_id else ""


class ConflictDetail(ConflictRead):
    events: list[ConflictEventRead]

    @staticmethod
    def resolve_events(obj) -> list:
        return obj.timeline


class ConflictDecision(Schema):
    comment: str = ""


class ConflictDismissal(Schema):
    reason: str = ""


class ConflictComment(Schema):
    comment: str = ""


class ScanRead(Schema):
    id: int
    element_id: int
    trigger: str
    resource_id: int | None
    actor_id: int | None
    started_at: datetime
    duration_ms: int
    holders: int
    found: int
    created: int
    changed: int
    resolved: int
    reopened: int
    notes: list[dict[str, Any]]


# --- Data quality -------------------------------------------------------------------------


class QualityRuleCreate(Schema):
    kind: str
    fields: list[str] = []
    # Validity: {"pattern": "…"} (whole value must match), {"min": "…", "max": "…"} (numbers,
    # dates), {"not_future": true} (dates).
    params: dict[str, Any] = {}
    target_resource_id: int | None = None
    target_field: str = ""
    weight: int = 1
    threshold: Decimal | None = None  # per cent; the kind's default when omitted
    enabled: bool = True
    note: str = ""


class QualityRuleUpdate(Schema):
    fields: list[str] | None = None
    params: dict[str, Any] | None = None
    target_resource_id: int | None = None
    target_field: str | None = None
    weight: int | None = None
    threshold: Decimal | None = None
    enabled: bool | None = None
    note: str | None = None


class QualityRuleRead(Schema):
    id: int
    resource_id: int
    kind: str
    origin: str
    fields: list[str]
    params: dict[str, Any]
    target_resource_id: int | None
    target_field: str
    weight: int
    threshold: float
    enabled: bool
    note: str
    created_at: datetime
    updated_at: datetime


class QualityRuleResultRead(Schema):
    rule_id: int | None
    kind: str
    fields: list[str]
    params: dict[str, Any]
    target: dict[str, Any] | None
    weight: int
    threshold: float
    checked: int
    failed: int
    ratio: float | None
    score: float | None
    passed: bool | None
    samples: list[dict[str, Any]]
    detail: dict[str, Any]
    error: str


class QualityReportSummary(Schema):
    id: int
    resource_id: int
    created_at: datetime
    trigger: str
    actor_id: int | None
    version: int
    rows: int
    score: float | None
    rules_passed: int
    rules_failed: int
    duration_ms: int


class QualityReportRead(QualityReportSummary):
    results: list[QualityRuleResultRead]


class DepartmentScoreRead(Schema):
    department_id: int
    department_name: str
    rank: int | None
    score: float | None
    resources: int
    scored: int
    overdue: int


class QualitySnapshotRead(Schema):
    day: date
    department_id: int | None
    score: float | None
    resources: int
    overdue: int


class OverdueRead(Schema):
    resource_id: int
    code: str
    name: str
    provider_id: int
    provider_name: str
    update_cycle: str
    last_delivery_at: datetime | None
    deadline: datetime
