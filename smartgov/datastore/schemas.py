"""Request and response schemas of the data-store API."""

from datetime import datetime
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
