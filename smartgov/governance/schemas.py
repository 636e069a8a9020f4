"""API schemas of the governance loop: cases, their timeline, requests, and the inputs of
every transition. Reporter phones are never returned in clear."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema

from smartgov.core.crypto import decrypt_field
from smartgov.core.validators import mask_phone
from smartgov.governance import clock
from smartgov.governance.transitions import allowed_actions

# --- Inputs ---------------------------------------------------------------------------------


class CaseCreate(Schema):
    """A report from the portal or API (citizens), the hotline or a grid worker (staff)."""

    channel: str = ""  # default: "api" for citizens, "hotline" for staff
    description: str = ""
    title: str = ""
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    anonymous: bool = False
    category_code: str | None = None


class IntakeCreate(Schema):
    """A report from another system (IoT platform, city app): idempotent by external id."""

    source_system: str
    external_id: str
    description: str = ""
    title: str = ""
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    category_code: str | None = None
    channel: str = "system"  # or "iot"


class CommentIn(Schema):
    comment: str = ""


class ReasonIn(Schema):
    reason: str = ""


class DispatchIn(Schema):
    department_id: int | None = None
    category_code: str | None = None
    comment: str = ""


class ReplyIn(Schema):
    reply: str = ""


class VerifyIn(Schema):
    passed: bool
    comment: str = ""


class ExtensionIn(Schema):
    amount: int
    reason: str = ""


class DeferralIn(Schema):
    until: date
    reason: str = ""


class DecisionIn(Schema):
    approve: bool
    comment: str = ""


class MergeIn(Schema):
    duplicate_ids: list[int]
    comment: str = ""


class RateIn(Schema):
    level: int
    comment: str = ""


class RevisitIn(Schema):
    level: int | None = None
    reached: bool = True
    comment: str = ""


class LookupIn(Schema):
    number: str
    phone: str


class LookupRateIn(LookupIn):
    level: int
    comment: str = ""


class LookupReopenIn(LookupIn):
    reason: str = ""


# --- Outputs --------------------------------------------------------------------------------


class AttachmentRead(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    url: str
    created_at: datetime

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/api/v1/governance/attachments/{obj.pk}"


class EventRead(Schema):
    id: int
    kind: str
    kind_label: str
    from_status: str
    to_status: str
    actor_name: str
    department_name: str
    comment: str
    data: dict
    created_at: datetime
    attachments: list[AttachmentRead]

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name if obj.department_id else ""

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())


class CaseRead(Schema):
    id: int
    number: str
    channel: str
    status: str
    status_label: str
    title: str
    description: str
    address: str
    lon: float | None
    lat: float | None
    category_code: str | None
    category_name: str
    department_id: int | None
    department_name: str
    district_code: str | None
    district_name: str
    street_name: str
    grid_code: str | None
    reporter_name: str
    reporter_phone_masked: str
    anonymous: bool
    suggestions: list
    confidence: float | None
    auto_dispatched: bool
    created_at: datetime
    opened_at: datetime | None
    dispatched_at: datetime | None
    due_at: datetime | None
    deadline: datetime | None
    remaining_seconds: int | None
    paused: bool
    warning: str
    escalation_level: int
    handled_at: datetime | None
    closed_at: datetime | None
    closed_on_time: bool | None
    handling_seconds: int | None
    reply: str
    rating: int | None
    satisfied: bool | None
    is_repeat: bool
    main_case_number: str | None
    dispatch_count: int
    return_count: int
    rework_count: int
    extension_count: int
    reopen_count: int

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_category_code(obj) -> str | None:
        return obj.category.code if obj.category_id else None

    @staticmethod
    def resolve_category_name(obj) -> str:
        return obj.category.name if obj.category_id else ""

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name if obj.department_id else ""

    @staticmethod
    def resolve_district_code(obj) -> str | None:
        return obj.district.code if obj.district_id else None

    @staticmethod
    def resolve_district_name(obj) -> str:
        return obj.district.name if obj.district_id else ""

    @staticmethod
    def resolve_street_name(obj) -> str:
        return obj.street.name if obj.street_id else ""

    @staticmethod
    def resolve_grid_code(obj) -> str | None:
        return obj.grid.code if obj.grid_id else None

    @staticmethod
    def resolve_reporter_name(obj) -> str:
        return "" if obj.anonymous else obj.reporter_name

    @staticmethod
    def resolve_reporter_phone_masked(obj) -> str:
        if not obj.reporter_phone_encrypted:
            return ""
        return mask_phone(decrypt_field(obj.reporter_phone_encrypted))

    @staticmethod
    def resolve_deadline(obj) -> datetime | None:
        return clock.deadline_for(obj)

    @staticmethod
    def resolve_remaining_seconds(obj) -> int | None:
        if obj.status not in ("dispatched", "deferred"):
            return None
        left = clock.remaining(obj)
        return None if left is None else int(left.total_seconds())

    @staticmethod
    def resolve_paused(obj) -> bool:
        return obj.paused_at is not None

    @staticmethod
    def resolve_main_case_number(obj) -> str | None:
        return obj.main_case.number if obj.main_case_id else None


class RequestRead(Schema):
    id: int
    case_id: int
    case_number: str
    kind: str
    state: str
    reason: str
    amount: int | None
    unit: str
    defer_until: date | None
    department_name: str
    requested_by_name: str
    requested_at: datetime
    decided_at: datetime | None
    decision_comment: str

    @staticmethod
    def resolve_case_number(obj) -> str:
        return obj.case.number

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_requested_by_name(obj) -> str:
        user = obj.requested_by
        return (user.display_name or user.username) if user else ""


class FeedbackRead(Schema):
    id: int
    kind: str
    level: int
    reached: bool
    comment: str
    created_at: datetime


class CaseDetail(CaseRead):
    timeline: list[EventRead]
    requests: list[RequestRead]
    feedback: list[FeedbackRead]
    allowed_actions: list[str]

    @staticmethod
    def resolve_requests(obj) -> list:
        return getattr(obj, "request_list", [])

    @staticmethod
    def resolve_feedback(obj) -> list:
        return getattr(obj, "feedback_list", [])

    @staticmethod
    def resolve_allowed_actions(obj) -> list[str]:
        return allowed_actions(obj)


class IntakeRead(Schema):
    created: bool
    case: CaseRead


class PublicEventRead(Schema):
    kind: str
    kind_label: str
    comment: str
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_comment(obj) -> str:
        # Only the department's reply and the notice of a merged case are the reporter's.
        return obj.comment if obj.kind in ("handled", "notified") else ""


class CasePublic(Schema):
    """What a reporter sees with the case number and their phone."""

    number: str
    status: str
    status_label: str
    title: str
    category_name: str
    created_at: datetime
    closed_at: datetime | None
    reply: str
    rating: int | None
    main_case_number: str | None
    timeline: list[PublicEventRead]

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_category_name(obj) -> str:
        return obj.category.name if obj.category_id else ""

    @staticmethod
    def resolve_main_case_number(obj) -> str | None:
        return obj.main_case.number if obj.main_case_id else None


class CategoryRead(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_code: str | None
    time_limit: int | None
    time_limit_unit: str
    opening_condition: str
    closing_condition: str

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None
