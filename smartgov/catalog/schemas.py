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


# --- One data element, one source (一数一源) --------------------------------------------------


class HolderCreate(Schema):
    resource_id: int
    field: str
    key_field: str
    report_missing: bool = True
    note: str = ""


class HolderUpdate(Schema):
    key_field: str | None = None
    report_missing: bool | None = None
    note: str | None = None


class HolderRead(Schema):
    id: int
    resource_id: int
    resource_code: str
    resource_name: str
    provider_id: int
    provider_name: str
    field: str
    key_field: str
    report_missing: bool
    note: str
    created_at: datetime

    @staticmethod
    def resolve_resource_code(obj) -> str:
        return obj.resource.code

    @staticmethod
    def resolve_resource_name(obj) -> str:
        return obj.resource.name

    @staticmethod
    def resolve_provider_id(obj) -> int:
        return obj.resource.provider_id

    @staticmethod
    def resolve_provider_name(obj) -> str:
        return obj.resource.provider.name


class ElementCreate(Schema):
    code: str
    name: str
    description: str = ""
    key_type: str
    source_resource_id: int
    source_field: str
    source_key_field: str
    holders: list[HolderCreate] = []


class ElementUpdate(Schema):
    code: str | None = None
    name: str | None = None
    description: str | None = None
    key_type: str | None = None
    source_resource_id: int | None = None
    source_field: str | None = None
    source_key_field: str | None = None


class ElementSummary(Schema):
    id: int
    code: str
    name: str
    description: str
    key_type: str
    source_resource_id: int
    source_resource_code: str
    source_resource_name: str
    source_provider_id: int
    source_provider_name: str
    source_field: str
    source_key_field: str
    revision: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_source_resource_code(obj) -> str:
        return obj.source_resource.code

    @staticmethod
    def resolve_source_resource_name(obj) -> str:
        return obj.source_resource.name

    @staticmethod
    def resolve_source_provider_id(obj) -> int:
        return obj.source_resource.provider_id

    @staticmethod
    def resolve_source_provider_name(obj) -> str:
        return obj.source_resource.provider.name


class ElementProblem(Schema):
    holder_id: int | None
    codes: list[str]


class ElementRead(ElementSummary):
    holders: list[HolderRead]
    # What no longer fits since registration (a field removed, a type changed): None is the
    # source; such a source or holder is skipped by comparisons until it is fixed.
    problems: list[ElementProblem]

    @staticmethod
    def resolve_holders(obj) -> list:
        return list(obj.holders.all())

    @staticmethod
    def resolve_problems(obj) -> list[dict]:
        from smartgov.catalog.selectors import element_problems

        return [
            {"holder_id": holder_id, "codes": codes}
            for holder_id, codes in element_problems(obj).items()
        ]


class ElementRevisionRead(Schema):
    number: int
    action: str
    actor_id: int | None
    actor_name: str
    comment: str
    created_at: datetime
    snapshot: dict

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return obj.actor.display_name if obj.actor_id else ""


class SuggestionRead(Schema):
    resource_id: int
    resource_code: str
    resource_name: str
    provider_name: str
    field: str
    label: str
    data_type: str
    key_field: str
    reason: str

    @staticmethod
    def resolve_resource_id(obj) -> int:
        return obj.resource.pk

    @staticmethod
    def resolve_resource_code(obj) -> str:
        return obj.resource.code

    @staticmethod
    def resolve_resource_name(obj) -> str:
        return obj.resource.name

    @staticmethod
    def resolve_provider_name(obj) -> str:
        return obj.resource.provider.name
