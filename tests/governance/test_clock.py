"""Working-time arithmetic: office hours, lunch break, weekends, holidays and 调休 days, pauses."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from smartgov.core.errors import InvalidInput
from smartgov.governance import clock
from smartgov.governance.models import Case, CaseStatus, LimitUnit

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


HOUR = 3600


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (at(2025, 3, 4, 9, 0), 3, at(2025, 3, 4, 12, 0)),  # a period ends exactly at its end
        (at(2025, 3, 4, 11, 30), 1, at(2025, 3, 4, 14, 0)),  # over the lunch break
        (at(2025, 3, 4, 12, 30), 1, at(2025, 3, 4, 14, 30)),  # starting in the lunch break
        (at(2025, 3, 4, 7, 0), 2, at(2025, 3, 4, 11, 0)),  # before office hours
        (at(2025, 3, 4, 20, 0), 1, at(2025, 3, 5, 10, 0)),  # evening: next morning
        (at(2025, 3, 7, 17, 0), 1, at(2025, 3, 10, 9, 30)),  # Friday → Monday
        (at(2025, 3, 8, 10, 0), 7, at(2025, 3, 10, 17, 30)),  # Saturday: a whole Monday
        (at(2025, 3, 4, 9, 0), 14, at(2025, 3, 5, 17, 30)),  # two working days of hours
    ],
)
def test_add_working_hours(start, hours, expected):
    assert clock.add_working_time(start, hours, LimitUnit.HOURS) == expected


def test_hours_skip_the_national_day_holiday_and_count_the_adjusted_saturday():
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days.
    assert clock.add_working_time(at(2025, 9, 30, 17, 0), 1, "hours") == at(2025, 10, 9, 9, 30)
    assert clock.add_working_time(at(2025, 9, 27, 10, 0), 1, "hours") == at(2025, 9, 28, 10, 0)
    assert clock.add_working_time(at(2025, 10, 10, 17, 0), 1, "hours") == at(2025, 10, 11, 9, 30)


def test_working_days_use_the_calendar():
    # Monday 27 Jan 2025, the eve of the Spring Festival break (28 Jan – 4 Feb): 1 working
    # day later is Wednesday 5 Feb at the same time.
    assert clock.add_working_time(at(2025, 1, 27, 15, 0), 1, "days") == at(2025, 2, 5, 15, 0)
    # Reported on a Saturday: counted as made at 00:00 Monday.
    assert clock.add_working_time(at(2025, 3, 8, 15, 0), 1, "days") == at(2025, 3, 11, 0, 0)
    assert clock.add_working_time(at(2025, 3, 7, 15, 0), 2, "days") == at(2025, 3, 11, 15, 0)


def test_working_seconds_between_counts_office_hours_only():
    assert clock.working_seconds_between(at(2025, 3, 4, 9, 0), at(2025, 3, 4, 17, 30)) == 7 * HOUR
    assert clock.working_seconds_between(at(2025, 3, 4, 11, 0), at(2025, 3, 4, 14, 0)) == (
        1.5 * HOUR
    )
    # Friday 17:00 → Monday 10:00: half an hour on Friday, an hour on Monday.
    assert clock.working_seconds_between(at(2025, 3, 7, 17, 0), at(2025, 3, 10, 10, 0)) == (
        1.5 * HOUR
    )
    assert clock.working_seconds_between(at(2025, 10, 1, 9), at(2025, 10, 8, 18)) == 0
    assert clock.working_seconds_between(at(2025, 3, 4, 14, 0), at(2025, 3, 4, 11, 0)) == (
        -1.5 * HOUR
    )


def test_add_and_between_agree():
    start = at(2025, 4, 30, 16, 12)
    for hours in (1, 5, 9, 23):
        end = clock.add_working_time(start, hours, "hours")
        assert clock.working_seconds_between(start, end) == hours * HOUR


def test_bad_input_is_refused():
    with pytest.raises(InvalidInput) as info:
        clock.add_working_time(datetime(2025, 3, 4, 9, 0), 1, "hours")  # naive
    assert info.value.code == "naive_datetime"
    with pytest.raises(InvalidInput) as info:
        clock.add_working_time(at(2025, 3, 4, 9), -1, "hours")
    assert info.value.code == "negative_time"
    with pytest.raises(InvalidInput) as info:
        clock.add_working_time(at(2025, 3, 4, 9), 1, "weeks")
    assert info.value.code == "unknown_time_unit"


def _case(**values) -> Case:
    values.setdefault("status", CaseStatus.DISPATCHED)
    return Case(**values)


def test_pause_moves_the_deadline_by_the_paused_working_time():
    case = _case(dispatched_at=at(2025, 3, 4, 9, 0), due_at=at(2025, 3, 4, 14, 30))
    # Paused Tuesday 10:00 (one hour used) until Wednesday 10:00 (seven working hours).
    clock.pause(case, at(2025, 3, 4, 10, 0))
    assert clock.remaining(case, at(2025, 3, 5, 9, 0)) == timedelta(hours=3)  # clock stands
    assert clock.deadline_for(case, at(2025, 3, 5, 10, 0)) == at(2025, 3, 5, 14, 30)
    paused = clock.resume(case, at(2025, 3, 5, 10, 0))
    assert paused == 7 * HOUR
    assert case.due_at == at(2025, 3, 5, 14, 30)
    assert case.paused_at is None and case.paused_seconds == 7 * HOUR
    assert clock.limit_seconds(case) == 4 * HOUR
    assert clock.handling_seconds(case, at(2025, 3, 5, 11, 0)) == 2 * HOUR


def test_extension_moves_the_deadline_and_remaining_goes_negative_when_overdue():
    case = _case(dispatched_at=at(2025, 3, 4, 9, 0), due_at=at(2025, 3, 4, 12, 0))
    assert clock.remaining(case, at(2025, 3, 4, 14, 0)) == timedelta(hours=-0.5)
    assert clock.is_overdue(case, at(2025, 3, 4, 14, 0))
    clock.extend(case, 2, "hours")
    assert case.due_at == at(2025, 3, 4, 15, 30)
    assert not clock.is_overdue(case, at(2025, 3, 4, 14, 0))


def test_no_clock_before_dispatch():
    case = _case(status=CaseStatus.REPORTED)
    assert clock.deadline_for(case) is None
    assert clock.remaining(case) is None
