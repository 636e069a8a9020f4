"""Dispatch steps shared by intake (automatic dispatch) and the dispatcher's actions: the
places, classifier and routing look-ups (the places/classification module's functions), the
clock start, and the repeat-complaint flag."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from smartgov.core.errors import InvalidInput
from smartgov.governance import clock, config_cache
from smartgov.governance.models import Case, CaseStatus, Category, EventKind, WarningLevel
from smartgov.governance.transitions import new_event

REPEAT_WINDOW_DAYS = 30


def get_minor_category(code: str) -> Category:
    """An active minor class by code (cases are filed under minor classes only)."""
    category = config_cache.category_by_code(str(code).strip())
    if category is None or not category.active or category.parent_id is None:
        raise InvalidInput(
            "unknown_category", "There is no such active category.", detail={"code": code}
        )
    return category


def place(*, address: str, lon: float | None, lat: float | None):
    """Grid, street and district of a report (raises ``outside_city`` for far coordinates)."""
    from smartgov.governance import places

    return places.place_case(address=address, lon=lon, lat=lat)


def suggest(text: str) -> list:
    from smartgov.governance import classify

    return list(classify.suggest(text, top=3))


def threshold() -> float:
    from smartgov.governance import classify

    return float(classify.auto_dispatch_threshold())


def route(case: Case, category: Category):
    """The department responsible for ``category`` at the case's place (None: no rule)."""
    from smartgov.governance import routing

    return routing.department_for(category=category, street=case.street, district=case.district)


def repeat_window_days() -> int:
    return int(getattr(settings, "GOVERNANCE_REPEAT_WINDOW_DAYS", REPEAT_WINDOW_DAYS))


def is_repeat(case: Case) -> bool:
    """Same reporter phone (blind index) and same category within the repeat window."""
    if not case.reporter_phone_index or case.category_id is None:
        return False
    since = case.created_at - timedelta(days=repeat_window_days())
    return (
        Case.objects.filter(
            reporter_phone_index=case.reporter_phone_index,
            category_id=case.category_id,
            created_at__gte=since,
            created_at__lte=case.created_at,
        )
        .exclude(pk=case.pk)
        .exclude(status__in=[CaseStatus.CANCELLED])
        .exists()
    )


def apply_dispatch(
    case: Case,
    *,
    actor,
    department,
    category: Category,
    at: datetime,
    comment: str = "",
    auto: bool = False,
    redispatch: bool = False,
):
    """Hand the case to ``department`` and start its clock (fields set; the caller saves)."""
    event = dispatch(
        case,
        actor=actor,
        department=department,
        category=category,
        at=at,
        comment=comment,
        auto=auto,
        redispatch=redispatch,
    )
    case.is_repeat = is_repeat(case)
    event.save(force_insert=True)
    return event


def dispatch(
    case: Case,
    *,
    actor,
    department,
    category: Category,
    at: datetime,
    comment: str = "",
    auto: bool = False,
    redispatch: bool = False,
):
    """``apply_dispatch`` without its two queries: the fields set (but ``is_repeat``, which
    the caller sets) and the DISPATCHED event returned unsaved. Intake uses it on a case it
    has not inserted yet."""
    from_status = case.status
    case.status = CaseStatus.DISPATCHED
    case.department = department
    case.category = category
    case.handler = None
    case.dispatched_at = at
    case.due_at = clock.due_after_dispatch(category, at)
    case.paused_at = None
    case.paused_seconds = 0
    case.warning = WarningLevel.NONE
    case.escalation_level = 0
    case.handled_at = None
    case.dispatch_count = (case.dispatch_count or 0) + 1
    case.auto_dispatched = auto
    if case.opened_at is None:
        case.opened_at = at
    amount, unit = clock.time_limit(category)
    return new_event(
        case,
        EventKind.REDISPATCHED if redispatch else EventKind.DISPATCHED,
        actor=actor,
        comment=comment,
        from_status=from_status,
        to_status=CaseStatus.DISPATCHED,
        department=department,
        data={
            "department": department.pk,
            "department_name": department.name,
            "category": category.code,
            "due_at": case.due_at,
            "time_limit": amount,
            "time_limit_unit": unit,
            "auto": auto,
        },
        at=at,
    )
