"""API schemas of the catalog: resources, fields, revisions."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class FieldIn(Schema):
    name: str
    label: str
    data_type: str
    max_length: int | None = None
    enum_values: list[str] = []
    required: bool = False
    is_key: bool = False
    personal_kind: str = "none"
    grade: str = "general"
    masking: str = "none"


class FieldRead(FieldIn):
    id: int
    position: int


class ResourceCreate(Schema):
    provider_id: int
    code: str
    name: str
    summary: str = ""
    classification: str
    base_resource: str = ""
    format: str = "table"
    share_type: str
    share_conditions: str = ""
    share_method: str = ""
    open_type: str
    update_cycle: str
    release_date: date | None = None
    related_ids: list[int] = []
    fields: list[FieldIn] = []


class ResourceUpdate(Schema):
    provider_id: int | None = None
    code: str | None = None
    name: str | None = None
    summary: str | None = None
    classification: str | None = None
    base_resource: str | None = None
    format: str | None = None
    share_type: str | None = None
    share_conditions: str | None = None
    share_method: str | None = None
    open_type: str | None = None
    update_cycle: str | None = None
    release_date: date | None = None
    related_ids: list[int] | None = None


class ResourceSummary(Schema):
    id: int
    code: str
    name: str
    summary: str
    provider_id: int
    provider_name: str
    classification: str
    base_resource: str
    format: str
    share_type: str
    open_type: str
    update_cycle: str
    release_date: date | None
    status: str
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_provider_name(obj) -> str:
        return obj.provider.name


class ResourceRead(ResourceSummary):
    share_conditions: str
    share_method: str
    revision: int
    created_at: datetime
    related_ids: list[int]
    fields: list[FieldRead]

    @staticmethod
    def resolve_related_ids(obj) -> list[int]:
        return sorted(r.pk for r in obj.related.all())

    @staticmethod
    def resolve_fields(obj) -> list:
        return list(obj.fields.all())


class TransitionIn(Schema):
    comment: str = ""


class ReasonIn(Schema):
    reason: str = ""


class RevisionRead(Schema):
    number: int
    action: str
    from_status: str
    to_status: str
    actor_id: int | None
    actor_name: str
    comment: str
    created_at: datetime
    snapshot: dict

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return obj.actor.display_name if obj.actor_id else ""
