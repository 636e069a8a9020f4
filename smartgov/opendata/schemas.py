"""Request and response schemas of the opendata API (/api/v1/opendata/)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class KeyCreate(Schema):
    name: str
    rate_per_minute: int = 60


class KeyRead(Schema):
    id: int
    name: str
    prefix: str
    rate_per_minute: int
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class KeyCreated(KeyRead):
    secret: str  # shown once


class ApplicationCreate(Schema):
    package: str  # the package name, e.g. 302001003-000001
    purpose: str


class DecisionIn(Schema):
    approve: bool
    comment: str = ""


class ApplicationRead(Schema):
    id: int
    package: str
    resource_name: str
    applicant: str
    purpose: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    comment: str
