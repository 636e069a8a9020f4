"""The working-day calendar against real State Council schedules and administrator entries."""

from __future__ import annotations

import logging
import warnings
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core import checks as django_checks

from smartgov.core import checks, workcalendar
from smartgov.core.errors import InvalidInput
from smartgov.core.models import CalendarDay, CalendarYear
from smartgov.core.workcalendar import (
    CalendarCoverageWarning,
    add_working_days,
    holiday_name,
    is_workday,
    working_days_between,
    year_is_covered,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNCOVERED_YEAR = 2027


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def _days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


@pytest.fixture
def no_coverage_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalendarCoverageWarning)
        yield


def _mark_year_complete(year: int, entries: dict[date, bool]) -> None:
    CalendarYear.objects.create(year=year, source="国务院办公厅通知（测试）", complete=True)
    for day, workday in entries.items():
        CalendarDay.objects.create(date=day, is_workday=workday, name="test")
    workcalendar.invalidate_cache()


# --- the package's schedules ------------------------------------------------------------------


def test_package_covers_the_years_asserted_here():
    assert {2025, 2026} <= set(workcalendar.PACKAGE_YEARS)
    assert UNCOVERED_YEAR not in workcalendar.PACKAGE_YEARS


def test_2025_national_day_and_mid_autumn(db, no_coverage_warnings):
    for day in _days(date(2025, 10, 1), date(2025, 10, 8)):
        assert not is_workday(day), day
    assert date(2025, 9, 28).weekday() == 6
    assert is_workday(date(2025, 9, 28))  # adjusted working Sunday
    assert date(2025, 10, 11).weekday() == 5
    assert is_workday(date(2025, 10, 11))  # adjusted working Saturday
    assert is_workday(date(2025, 9, 30))
    assert is_workday(date(2025, 10, 9))
    assert not is_workday(date(2025, 10, 12))  # an ordinary Sunday
    assert not is_workday(date(2025, 9, 27))  # an ordinary Saturday


def test_2026_spring_festival_matches_the_package(db, no_coverage_warnings):
    holidays = list(_days(date(2026, 2, 15), date(2026, 2, 23)))
    adjusted = [date(2026, 2, 14), date(2026, 2, 28)]
    # The State Council schedule for 2026, as the package ships it.
    for day in holidays:
        assert not chinese_calendar.is_workday(day), day
        assert not is_workday(day), day
    for day in adjusted:
        assert day.weekday() == 5
        assert chinese_calendar.is_workday(day), day
        assert is_workday(day), day
    assert is_workday(date(2026, 2, 13))
    assert is_workday(date(2026, 2, 24))


def test_is_workday_accepts_a_datetime(db, no_coverage_warnings):
    assert not is_workday(local(2025, 10, 1, 9, 0))
    assert is_workday(local(2025, 9, 28, 9, 0))


def test_holiday_names(db):
    assert holiday_name(date(2025, 10, 1)) == "National Day"
    assert holiday_name(date(2025, 10, 6)) == "Mid-autumn Festival"
    assert holiday_name(date(2026, 2, 17)) == "Spring Festival"
    assert holiday_name(date(2025, 9, 28)) is None  # a working day, even if adjusted for one
    assert holiday_name(date(2025, 10, 9)) is None
    assert holiday_name(date(UNCOVERED_YEAR, 1, 1)) is None


# --- adding working days ----------------------------------------------------------------------


def test_one_working_day_before_national_day_lands_after_it(db, no_coverage_warnings):
    assert add_working_days(local(2025, 9, 30, 10, 0), 1) == local(2025, 10, 9, 10, 0)
    assert add_working_days(local(2025, 9, 30, 10, 0), 3) == local(2025, 10, 11, 10, 0)
    assert add_working_days(local(2025, 9, 30, 10, 0), 4) == local(2025, 10, 13, 10, 0)


def test_from_a_friday_the_adjusted_sunday_counts(db, no_coverage_warnings):
    assert add_working_days(local(2025, 9, 26, 15, 30), 1) == local(2025, 9, 28, 15, 30)
    assert add_working_days(local(2025, 9, 26, 15, 30), 3) == local(2025, 9, 30, 15, 30)
    assert add_working_days(local(2025, 9, 26, 15, 30), 4) == local(2025, 10, 9, 15, 30)


def test_from_an_ordinary_friday_the_weekend_is_skipped(db, no_coverage_warnings):
    assert add_working_days(local(2025, 10, 17, 9, 0), 1) == local(2025, 10, 20, 9, 0)
    assert add_working_days(local(2025, 10, 10, 9, 0), 1) == local(2025, 10, 11, 9, 0)
    assert add_working_days(local(2025, 10, 10, 9, 0), 2) == local(2025, 10, 13, 9, 0)


def test_a_start_on_a_holiday_counts_from_the_next_working_day(db, no_coverage_warnings):
    assert add_working_days(local(2025, 10, 3, 10, 0), 0) == local(2025, 10, 9, 0, 0)
    assert add_working_days(local(2025, 10, 3, 10, 0), 1) == local(2025, 10, 10, 0, 0)
    assert add_working_days(local(2025, 10, 12, 18, 0), 1) == local(2025, 10, 14, 0, 0)


def test_across_the_2026_spring_festival(db, no_coverage_warnings):
    assert add_working_days(local(2026, 2, 13, 9, 0), 1) == local(2026, 2, 14, 9, 0)
    assert add_working_days(local(2026, 2, 13, 9, 0), 2) == local(2026, 2, 24, 9, 0)
    assert add_working_days(local(2026, 2, 14, 9, 0), 1) == local(2026, 2, 24, 9, 0)
    assert add_working_days(local(2026, 2, 16, 9, 0), 1) == local(2026, 2, 25, 0, 0)
    assert add_working_days(local(2026, 2, 27, 9, 0), 1) == local(2026, 2, 28, 9, 0)
    assert add_working_days(local(2026, 2, 27, 9, 0), 2) == local(2026, 3, 2, 9, 0)


def test_add_working_days_counts_in_local_time(db, no_coverage_warnings):
    # 02:00 UTC is 10:00 in Shanghai: the same moment as the first example.
    result = add_working_days(datetime(2025, 9, 30, 2, 0, tzinfo=UTC), 1)
    assert result == local(2025, 10, 9, 10, 0)
    assert result.utcoffset() == timedelta(hours=8)
    # 17:00 UTC on 30 September is already 1 October (a holiday) in Shanghai.
    assert add_working_days(datetime(2025, 9, 30, 17, 0, tzinfo=UTC), 1) == local(
        2025, 10, 10, 0, 0
    )


def test_add_working_days_with_dates(db, no_coverage_warnings):
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 30), 0) == date(2025, 9, 30)
    assert add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 9)
    assert type(add_working_days(date(2025, 9, 30), 1)) is date


def test_add_working_days_refuses_naive_datetimes(db):
    with pytest.raises(InvalidInput) as caught:
        add_working_days(datetime(2025, 9, 30, 10, 0), 1)
    assert caught.value.code == "naive_datetime"


@pytest.mark.parametrize("days", [-1, -100])
def test_add_working_days_refuses_negative_days(db, days):
    with pytest.raises(InvalidInput) as caught:
        add_working_days(local(2025, 9, 30, 10, 0), days)
    assert caught.value.code == "negative_days"


def test_add_working_days_refuses_absurd_spans(db):
    with pytest.raises(InvalidInput) as caught:
        add_working_days(local(2025, 9, 30, 10, 0), workcalendar.MAX_SPAN_DAYS + 1)
    assert caught.value.code == "span_too_long"


# --- counting working days --------------------------------------------------------------------


def test_working_days_between(db, no_coverage_warnings):
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0
    # 28 Sep (adjusted), 29, 30, 9 Oct, 10, 11 (adjusted), 13.
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 13)) == 7
    assert working_days_between(date(2025, 10, 13), date(2025, 9, 26)) == -7
    assert working_days_between(date(2025, 10, 13), date(2025, 10, 13)) == 0
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6


def test_working_days_between_datetimes_uses_local_days(db, no_coverage_warnings):
    start = local(2025, 9, 30, 23, 30)
    assert working_days_between(start, local(2025, 10, 9, 0, 5)) == 1
    # 16:00 UTC on 8 October is 00:00 on 9 October in Shanghai.
    assert working_days_between(start, datetime(2025, 10, 8, 16, 0, tzinfo=UTC)) == 1
    assert working_days_between(start, datetime(2025, 10, 8, 15, 59, tzinfo=UTC)) == 0


def test_working_days_between_is_the_inverse_of_add_working_days(db, no_coverage_warnings):
    start = local(2025, 9, 26, 11, 0)
    for days in range(12):
        assert working_days_between(start, add_working_days(start, days)) == days


def test_working_days_between_refuses_naive_datetimes(db):
    with pytest.raises(InvalidInput) as caught:
        working_days_between(local(2025, 9, 30, 10, 0), datetime(2025, 10, 9, 10, 0))
    assert caught.value.code == "naive_datetime"
    with pytest.raises(InvalidInput):
        working_days_between(datetime(2025, 9, 30, 10, 0), local(2025, 10, 9, 10, 0))


# --- uncovered years --------------------------------------------------------------------------


def test_an_uncovered_year_warns_and_counts_weekdays(db, caplog):
    assert not year_is_covered(UNCOVERED_YEAR)
    caplog.set_level(logging.WARNING, logger="smartgov.core.workcalendar")
    with pytest.warns(CalendarCoverageWarning, match=str(UNCOVERED_YEAR)):
        # 1 January 2027 is a Friday: without a schedule it counts as a working day.
        assert is_workday(date(UNCOVERED_YEAR, 1, 1))
    assert any(
        r.levelno == logging.WARNING and str(UNCOVERED_YEAR) in r.getMessage()
        for r in caplog.records
    )
    assert not is_workday(date(UNCOVERED_YEAR, 1, 2))  # Saturday
    # Mon 4 .. Fri 8 January, then Mon 11.
    assert working_days_between(date(UNCOVERED_YEAR, 1, 1), date(UNCOVERED_YEAR, 1, 11)) == 6
    assert add_working_days(local(UNCOVERED_YEAR, 1, 8, 9, 0), 1) == local(
        UNCOVERED_YEAR, 1, 11, 9, 0
    )


def test_counting_into_an_uncovered_year_warns(db):
    with pytest.warns(CalendarCoverageWarning):
        add_working_days(local(2026, 12, 30, 9, 0), 5)


def test_the_warning_is_given_again_after_the_cache_is_invalidated(db):
    with pytest.warns(CalendarCoverageWarning):
        is_workday(date(UNCOVERED_YEAR, 3, 1))
    workcalendar.invalidate_cache()
    with pytest.warns(CalendarCoverageWarning):
        is_workday(date(UNCOVERED_YEAR, 3, 2))


def test_a_completed_administrator_year_is_covered_and_honoured(db, caplog, no_coverage_warnings):
    _mark_year_complete(
        UNCOVERED_YEAR,
        {
            date(UNCOVERED_YEAR, 1, 1): False,  # New Year's Day, a Friday
            date(UNCOVERED_YEAR, 2, 6): False,  # a Saturday holiday
            date(UNCOVERED_YEAR, 2, 20): True,  # an adjusted working Saturday
        },
    )
    caplog.set_level(logging.WARNING, logger="smartgov.core.workcalendar")
    assert year_is_covered(UNCOVERED_YEAR)
    assert not is_workday(date(UNCOVERED_YEAR, 1, 1))
    assert is_workday(date(UNCOVERED_YEAR, 2, 20))
    assert is_workday(date(UNCOVERED_YEAR, 1, 4))  # no entry: the weekday rule
    assert not is_workday(date(UNCOVERED_YEAR, 1, 3))
    assert add_working_days(local(2026, 12, 31, 9, 0), 1) == local(UNCOVERED_YEAR, 1, 4, 9, 0)
    assert add_working_days(local(UNCOVERED_YEAR, 2, 19, 9, 0), 1) == local(
        UNCOVERED_YEAR, 2, 20, 9, 0
    )
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_entries_in_an_incomplete_year_are_used_but_the_year_still_warns(db):
    CalendarYear.objects.create(year=UNCOVERED_YEAR, source="", complete=False)
    CalendarDay.objects.create(date=date(UNCOVERED_YEAR, 1, 1), is_workday=False)
    workcalendar.invalidate_cache()
    assert not year_is_covered(UNCOVERED_YEAR)
    assert not is_workday(date(UNCOVERED_YEAR, 1, 1))
    with pytest.warns(CalendarCoverageWarning):
        assert is_workday(date(UNCOVERED_YEAR, 1, 4))


def test_administrator_entries_win_over_the_package(db, no_coverage_warnings):
    CalendarDay.objects.create(date=date(2025, 10, 8), is_workday=True, name="correction")
    CalendarDay.objects.create(date=date(2025, 10, 9), is_workday=False, name="correction")
    CalendarDay.objects.create(date=date(2025, 10, 11), is_workday=False, name="correction")
    workcalendar.invalidate_cache()
    assert is_workday(date(2025, 10, 8))
    assert not is_workday(date(2025, 10, 9))
    assert not is_workday(date(2025, 10, 11))
    assert add_working_days(local(2025, 9, 30, 10, 0), 1) == local(2025, 10, 8, 10, 0)
    assert add_working_days(local(2025, 9, 30, 10, 0), 2) == local(2025, 10, 10, 10, 0)


def test_entries_take_effect_only_after_the_cache_is_invalidated(db, no_coverage_warnings):
    assert not is_workday(date(2025, 10, 8))
    CalendarDay.objects.create(date=date(2025, 10, 8), is_workday=True)
    assert not is_workday(date(2025, 10, 8))  # cached until the service invalidates
    workcalendar.invalidate_cache()
    assert is_workday(date(2025, 10, 8))


# --- the system check -------------------------------------------------------------------------


def _pretend_today(monkeypatch, day: date) -> None:
    monkeypatch.setattr(checks.timezone, "localdate", lambda *args, **kwargs: day)


def test_system_check_warns_about_an_uncovered_next_year(db, monkeypatch):
    _pretend_today(monkeypatch, date(UNCOVERED_YEAR - 1, 11, 23))
    found = [m for m in django_checks.run_checks(tags=["smartgov"]) if m.id == "smartgov.W001"]
    assert len(found) == 1
    assert str(UNCOVERED_YEAR) in found[0].msg
    assert found[0].level == django_checks.WARNING


def test_system_check_names_both_years_when_neither_is_covered(db, monkeypatch):
    _pretend_today(monkeypatch, date(UNCOVERED_YEAR, 6, 1))
    messages = [m.msg for m in checks.calendar_coverage() if m.id == "smartgov.W001"]
    assert len(messages) == 2
    assert str(UNCOVERED_YEAR) in messages[0]
    assert str(UNCOVERED_YEAR + 1) in messages[1]


def test_system_check_is_quiet_when_both_years_are_covered(db, monkeypatch):
    _pretend_today(monkeypatch, date(2025, 6, 1))
    assert checks.calendar_coverage() == []
    _pretend_today(monkeypatch, date(UNCOVERED_YEAR - 1, 11, 23))
    _mark_year_complete(UNCOVERED_YEAR, {date(UNCOVERED_YEAR, 1, 1): False})
    assert checks.calendar_coverage() == []
