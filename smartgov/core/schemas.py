"""API schemas for regions, departments and audit records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class RegionRead(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    depth: int

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class DepartmentRead(Schema):
    id: int
    name: str
    short_name: str
    code: str
    kind: str
    region_code: str
    region_name: str
    parent_id: int | None
    depth: int
    is_active: bool

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.name


class DepartmentCreate(Schema):
    name: str
    short_name: str = ""
    code: str = ""
    kind: str
    region_code: str
    parent_id: int | None = None
    phone: str = ""
    address: str = ""


class DepartmentUpdate(Schema):
    name: str | None = None
    short_name: str | None = None
    code: str | None = None
    kind: str | None = None
    region_code: str | None = None
    parent_id: int | None = None
    phone: str | None = None
    address: str | None = None
    is_active: bool | None = None


class AuditRecordRead(Schema):
    seq: int
    created_at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None
    request_id: str
    source_ip: str
    channel: str
    hash: str


class AuditVerifyRead(Schema):
    ok: bool
    checked: int
    last_seq: int
    broken_seq: int | None = None
    reason: str | None = None
