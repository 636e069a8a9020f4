"""API schemas of service items: ItemSummary / ItemRead out, ItemCreate / ItemUpdate in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class FeeOut(Schema):
    name: str
    amount: str
    basis: str


class MaterialRead(Schema):
    position: int
    name: str
    material_type: str
    form: str
    requirement: str
    condition: str
    source: str
    copies: int
    standard: str
    proof_source: str
    license_type_code: str
    resource_id: int | None
    resource_field: str
    platform_fetches: bool


class StepRead(Schema):
    position: int
    name: str
    role: str
    department_id: int | None
    limit_days: int
    parallel_group: str


class ItemSummary(Schema):
    id: int
    basic_code: str
    implementation_code: str
    version: int
    name: str
    item_type: str
    department_id: int
    department_name: str
    level: str
    legal_days: int | None
    promised_days: int | None
    compression_ratio: float | None
    handling_kind: str
    visits: int
    online_level: str
    applicant_kind: str
    tags: list[str]
    status: str
    published_at: datetime | None

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name


class ItemRead(ItemSummary):
    legal_basis: str
    conditions: str
    limit_unit: str
    is_free: bool
    fees: list[FeeOut]
    process: str
    places: str
    hours: str
    consult_phone: str
    complaint_phone: str
    result_name: str
    result_license_type: str
    keywords: list[str]
    supersedes_id: int | None
    materials: list[MaterialRead]
    steps: list[StepRead]
    form: list[dict[str, Any]]

    @staticmethod
    def resolve_materials(obj) -> list:
        return list(obj.materials.all())

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())

    @staticmethod
    def resolve_form(obj) -> list:
        from smartgov.services.forms import form_of

        return form_of(obj)


class MaterialIn(Schema):
    name: str
    material_type: str = "original"
    form: str = "both"
    requirement: str = "required"
    condition: str = ""
    source: str = "applicant"
    copies: int = 1
    standard: str = ""
    proof_source: str = "none"
    license_type_code: str = ""
    resource_id: int | None = None
    resource_field: str = ""


class StepIn(Schema):
    name: str
    role: str = ""
    department_id: int | None = None
    limit_days: int = 0
    parallel_group: str = ""


class ItemFields(Schema):
    basic_code: str | None = None
    level: str | None = None
    legal_basis: str | None = None
    conditions: str | None = None
    legal_days: int | None = None
    promised_days: int | None = None
    limit_unit: str | None = None
    handling_kind: str | None = None
    visits: int | None = None
    is_free: bool | None = None
    fees: list[dict[str, Any]] | None = None
    process: str | None = None
    places: str | None = None
    hours: str | None = None
    consult_phone: str | None = None
    complaint_phone: str | None = None
    online_level: str | None = None
    applicant_kind: str | None = None
    result_name: str | None = None
    result_license_type: str | None = None
    tags: list[str] | None = None
    keywords: list[str] | None = None


class ItemCreate(ItemFields):
    department_id: int
    implementation_code: str
    name: str
    item_type: str
    materials: list[MaterialIn] = []
    steps: list[StepIn] = []


class ItemUpdate(ItemFields):
    name: str | None = None
    item_type: str | None = None
    department_id: int | None = None
    materials: list[MaterialIn] | None = None
    steps: list[StepIn] | None = None


class PublishIn(Schema):
    comment: str = ""


class ReasonIn(Schema):
    reason: str


class FormIn(Schema):
    fields: list[dict[str, Any]]


class FormCheckIn(Schema):
    data: dict[str, Any]


class FormCheckOut(Schema):
    valid: bool
    cleaned: dict[str, Any]
    errors: dict[str, dict[str, str]]
