"""The case clock: working-time arithmetic for handling time limits.

A limit counts in working hours or working days (``Category.time_limit_unit``). Working hours
are office hours — 09:00–12:00 and 13:30–17:30 Asia/Shanghai (``GOVERNANCE_OFFICE_HOURS``) — on
working days of ``core.workcalendar`` (weekends, public holidays and adjusted working days
included); working days count as ``core.workcalendar.add_working_days`` does.

The clock starts at dispatch (``Case.dispatched_at``; ``due_at`` is set then). It stands while
an extension or deferral request awaits a decision and while a deferral is granted: the case's
``paused_at`` marks the start of the pause, and when the clock runs again ``due_at`` moves on by
the working time the pause lasted (accumulated in ``paused_seconds``, working seconds). An
approved extension moves ``due_at`` by the granted working time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from smartgov.core.errors import InvalidInput
from smartgov.core.workcalendar import MAX_SPAN_DAYS, add_working_days, is_workday
from smartgov.governance.models import Case, CaseStatus, LimitUnit

DEFAULT_OFFICE_HOURS = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))
# A limit nobody configured: five working days, the usual 12345 default for a complaint.
DEFAULT_TIME_LIMIT = (5, LimitUnit.DAYS)


def office_hours() -> tuple[tuple[time, time], ...]:
    """The day's office periods, in order (settings may override them as "HH:MM" pairs)."""
    configured = getattr(settings, "GOVERNANCE_OFFICE_HOURS", None)
    if not configured:
        return DEFAULT_OFFICE_HOURS
    return tuple(
        (time.fromisoformat(str(start)), time.fromisoformat(str(end))) for start, end in configured
    )


def office_seconds_per_day() -> int:
    return sum(
        (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds
        for start, end in office_hours()
    )


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise InvalidInput("naive_datetime", "Times must carry a time zone.")
    return timezone.localtime(moment, timezone.get_default_timezone())


def _periods(day: date, tz) -> list[tuple[datetime, datetime]]:
    """The office periods of ``day`` as aware datetimes (none on a non-working day)."""
    if not is_workday(day):
        return []
    return [
        (datetime.combine(day, start, tzinfo=tz), datetime.combine(day, end, tzinfo=tz))
        for start, end in office_hours()
    ]


def add_working_seconds(start: datetime, seconds: int | float) -> datetime:
    """The moment ``seconds`` of office time after ``start``.

    Time outside office hours does not count: one working hour from 11:30 is 14:00, from
    Friday 17:00 it is the next working day at 09:30. A limit that ends exactly at the end of
    a period ends there (three hours from 09:00 is 12:00).
    """
    if seconds < 0:
        raise InvalidInput("negative_time", "Working time cannot be negative.")
    local = _local(start)
    if seconds == 0:
        return local
    tz = local.tzinfo
    remaining = timedelta(seconds=seconds)
    cursor = local
    day = local.date()
    for _ in range(MAX_SPAN_DAYS * 2):
        for begin, end in _periods(day, tz):
            if cursor >= end:
                continue
            begin = max(begin, cursor)
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
            cursor = end
        day += timedelta(days=1)
        cursor = datetime.combine(day, time(0, 0), tzinfo=tz)
    raise InvalidInput("span_too_long", "The working time is too long.")


def add_working_time(start: datetime, amount: int, unit: str) -> datetime:
    """``start`` plus ``amount`` working hours (office hours) or working days."""
    if amount is None or amount < 0:
        raise InvalidInput("negative_time", "Working time cannot be negative.")
    if unit == LimitUnit.HOURS:
        return add_working_seconds(start, int(amount) * 3600)
    if unit == LimitUnit.DAYS:
        return _local(add_working_days(start, int(amount)))
    raise InvalidInput("unknown_time_unit", "The time unit is neither hours nor days.")


def working_seconds_between(start: datetime, end: datetime) -> int:
    """Seconds of office time from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -working_seconds_between(end, start)
    local_start, local_end = _local(start), _local(end)
    if (local_end.date() - local_start.date()).days > MAX_SPAN_DAYS:
        raise InvalidInput("span_too_long", "The period is too long.")
    tz = local_start.tzinfo
    total = timedelta(0)
    day = local_start.date()
    while day <= local_end.date():
        for begin, finish in _periods(day, tz):
            overlap = min(finish, local_end) - max(begin, local_start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return int(total.total_seconds())


def time_limit(category) -> tuple[int, str]:
    """The handling limit of a category as (amount, unit); a default when none is set."""
    if category is not None and category.time_limit:
        return int(category.time_limit), category.time_limit_unit or LimitUnit.DAYS
    configured = getattr(settings, "GOVERNANCE_DEFAULT_TIME_LIMIT", None)
    if configured:
        return int(configured[0]), str(configured[1])
    return DEFAULT_TIME_LIMIT


def due_after_dispatch(category, dispatched_at: datetime) -> datetime:
    """When a case of ``category`` dispatched at ``dispatched_at`` must be reported back."""
    amount, unit = time_limit(category)
    return add_working_time(dispatched_at, amount, unit)


def _pause_so_far(case: Case, now: datetime) -> int:
    if case.paused_at is None:
        return 0
    return max(working_seconds_between(case.paused_at, now), 0)


def deadline_for(case: Case, now: datetime | None = None) -> datetime | None:
    """The case's deadline as it stands: ``due_at`` moved on by a pause still running (as if
    the clock ran again now). None before dispatch."""
    if case.due_at is None:
        if case.dispatched_at is None:
            return None
        return due_after_dispatch(case.category, case.dispatched_at)
    if case.paused_at is None:
        return case.due_at
    now = now or timezone.now()
    return add_working_seconds(case.due_at, _pause_so_far(case, now))


def remaining(case: Case, now: datetime | None = None) -> timedelta | None:
    """Working time left until the deadline (negative once overdue; None without a clock).

    A paused clock shows what was left when it stopped. A case reported back shows what was
    left at that moment.
    """
    if case.due_at is None and case.dispatched_at is None:
        return None
    now = now or timezone.now()
    due = case.due_at or deadline_for(case, now)
    if case.paused_at is not None:
        at = case.paused_at
    elif case.status in (CaseStatus.HANDLED, CaseStatus.CLOSED) and case.handled_at:
        at = case.handled_at
    else:
        at = now
    return timedelta(seconds=working_seconds_between(at, due))


def limit_seconds(case: Case) -> int:
    """The whole working time the case was given (its limit plus extensions), pauses excluded."""
    if case.due_at is None or case.dispatched_at is None:
        return 0
    return max(working_seconds_between(case.dispatched_at, case.due_at) - case.paused_seconds, 0)


def is_overdue(case: Case, now: datetime | None = None) -> bool:
    left = remaining(case, now)
    return left is not None and left < timedelta(0)


# --- Pause accounting (the callers save the case) -------------------------------------------


def pause(case: Case, now: datetime) -> None:
    """Stop the clock (a request is pending); a clock already standing stays as it is."""
    if case.paused_at is None and case.due_at is not None:
        case.paused_at = now


def resume(case: Case, now: datetime) -> int:
    """Run the clock again: ``due_at`` moves on by the pause; returns the paused seconds."""
    if case.paused_at is None:
        return 0
    seconds = _pause_so_far(case, now)
    if case.due_at is not None and seconds:
        case.due_at = add_working_seconds(case.due_at, seconds)
    case.paused_seconds = (case.paused_seconds or 0) + seconds
    case.paused_at = None
    return seconds


def extend(case: Case, amount: int, unit: str) -> None:
    """Move ``due_at`` by an approved extension of ``amount`` working hours or days."""
    if case.due_at is not None:
        case.due_at = add_working_time(case.due_at, amount, unit)


def handling_seconds(case: Case, handled_at: datetime) -> int | None:
    """Working seconds from dispatch to the report back, pauses excluded."""
    if case.dispatched_at is None:
        return None
    return max(working_seconds_between(case.dispatched_at, handled_at) - case.paused_seconds, 0)
