"""The working-day calendar: Chinese public holidays and adjusted working days (调休).

Sources, in order: administrator entries (``CalendarDay``, for corrections and for years the
package does not know yet), then the ``chinesecalendar`` package (State Council schedules it
ships, 2004 up to its last year), then the weekday rule. A year that neither the package nor a
completed administrator schedule (``CalendarYear.complete``) covers is *uncovered*: dates in it
fall back to the weekday rule, and every such use warns loudly (a Python warning, a log line
at WARNING, a Django system check, and a banner in the admin console) until the year is entered.
"""

from __future__ import annotations

import logging
import warnings
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar

from smartgov.core.errors import InvalidInput

logger = logging.getLogger(__name__)

PACKAGE_YEARS = range(
    min(chinese_calendar.constants.holidays).year,
    max(chinese_calendar.constants.holidays).year + 1,
)
MAX_SPAN_DAYS = 3660  # ten years: limits for government work never reach this


class CalendarCoverageWarning(UserWarning):
    """A date fell in a year whose holiday schedule nobody has entered."""


class _Overrides:
    """Administrator entries, cached per process and reloaded when they change."""

    def __init__(self) -> None:
        self._days: dict[date, bool] | None = None
        self._complete_years: set[int] | None = None

    def load(self) -> None:
        from smartgov.core.models import CalendarDay, CalendarYear

        self._days = dict(CalendarDay.objects.values_list("date", "is_workday"))
        self._complete_years = set(
            CalendarYear.objects.filter(complete=True).values_list("year", flat=True)
        )

    def invalidate(self) -> None:
        self._days = None
        self._complete_years = None
        _warned_years.clear()

    @property
    def days(self) -> dict[date, bool]:
        if self._days is None:
            self.load()
        return self._days

    @property
    def complete_years(self) -> set[int]:
        if self._complete_years is None:
            self.load()
        return self._complete_years


overrides = _Overrides()
_warned_years: set[int] = set()


def invalidate_cache() -> None:
    """Call after administrator entries change (services do this on commit)."""
    overrides.invalidate()
    _package_is_workday.cache_clear()


def year_is_covered(year: int) -> bool:
    return year in PACKAGE_YEARS or year in overrides.complete_years


def uncovered_years(years) -> list[int]:
    return [y for y in sorted(set(years)) if not year_is_covered(y)]


def _warn_uncovered(year: int) -> None:
    if year in _warned_years:
        return
    _warned_years.add(year)
    message = (
        f"No public-holiday schedule for {year}: working days in {year} are counted by "
        "weekdays only. Enter the State Council schedule in the admin console "
        "(Calendar) and mark the year complete."
    )
    logger.warning(message)
    warnings.warn(message, CalendarCoverageWarning, stacklevel=3)


@lru_cache(maxsize=8192)
def _package_is_workday(day: date) -> bool:
    return chinese_calendar.is_workday(day)


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day."""
    if isinstance(day, datetime):
        day = day.date()
    entry = overrides.days.get(day)
    if entry is not None:
        return entry
    if day.year in PACKAGE_YEARS:
        return _package_is_workday(day)
    if day.year not in overrides.complete_years:
        _warn_uncovered(day.year)
    return day.weekday() < 5


def holiday_name(day: date) -> str | None:
    """The holiday's name when ``day`` is a holiday: an administrator's entry, else the
    package's (English) name."""
    if day in overrides.days:
        if overrides.days[day]:
            return None
        from smartgov.core.models import CalendarDay

        return CalendarDay.objects.filter(date=day).values_list("name", flat=True).first() or None
    if day.year in PACKAGE_YEARS:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        if on_holiday and name:
            return str(name)
    return None


def _local(moment: datetime) -> datetime:
    from django.utils import timezone

    if timezone.is_naive(moment):
        raise InvalidInput("naive_datetime", "Times must carry a time zone.")
    return timezone.localtime(moment)


def add_working_days(start: datetime | date, days: int) -> datetime | date:
    """The moment ``days`` working days after ``start`` (same time of day, local time).

    Counting starts from the next day, as Chinese administrative time limits do: an
    application accepted on Friday with a limit of 1 working day is due the next Monday at
    the same time. A start on a non-working day counts as made at 00:00 of the next working
    day. With a date, a date is returned.
    """
    if days < 0:
        raise InvalidInput("negative_days", "The number of working days cannot be negative.")
    if days > MAX_SPAN_DAYS:
        raise InvalidInput("span_too_long", "The number of working days is too large.")
    as_date = not isinstance(start, datetime)
    local = None if as_date else _local(start)
    day = start if as_date else local.date()
    clock = None if as_date else local.time()
    if not is_workday(day):
        while not is_workday(day):
            day += timedelta(days=1)
        clock = time(0, 0)
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    if as_date:
        return day
    return datetime.combine(day, clock, tzinfo=local.tzinfo)


def working_days_between(start: datetime | date, end: datetime | date) -> int:
    """Whole working days strictly after ``start``'s day up to and including ``end``'s day.

    This is the number of working days that have elapsed against a time limit: accepted on a
    Monday, due Friday → 4. Negative when ``end`` is before ``start``.
    """
    start_day = start if not isinstance(start, datetime) else _local(start).date()
    end_day = end if not isinstance(end, datetime) else _local(end).date()
    if end_day < start_day:
        return -working_days_between(end_day, start_day)
    if (end_day - start_day).days > MAX_SPAN_DAYS:
        raise InvalidInput("span_too_long", "The period is too long.")
    count = 0
    day = start_day
    while day < end_day:
        day += timedelta(days=1)
        if is_workday(day):
            count += 1
    return count
