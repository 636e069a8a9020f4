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
