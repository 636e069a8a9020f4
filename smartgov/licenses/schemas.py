"""API schemas of e-licenses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema


class LicenseSummary(Schema):
    identifier: str
    type_code: str
    type_name: str
    issuer: str
    holder_kind: str
    holder_name: str
    holder_id_masked: str
    valid_from: str
    valid_until: str | None
    status: str
    status_reason: str = ""
    version: int
    issued_at: str
    data: dict[str, Any] | None = None


class VerifyOut(Schema):
    valid: bool
    reasons: list[str]
    license: LicenseSummary | None = None


class VerifyIn(Schema):
    payload: str | None = None
    identifier: str | None = None


class LicenseRead(LicenseSummary):
    qr_code: str
    source: str


class IssueIn(Schema):
    type_code: str
    holder_id: str
    holder_name: str
    data: dict[str, Any] = {}
    valid_from: date | None = None
    valid_until: date | None = None
    source: str = ""


class ReasonIn(Schema):
    reason: str


class OptionalReasonIn(Schema):
    reason: str = ""


class UseRead(Schema):
    id: int
    department: str | None
    user: str | None
    purpose: str
    reference: str
    at: datetime

    @staticmethod
    def resolve_department(obj) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_user(obj) -> str | None:
        return obj.user.display_name or obj.user.username if obj.user_id else None
