"""Administrator calendar services: entering holidays and years, permissions, audit, cache."""

from __future__ import annotations

import warnings
from datetime import date, datetime

import pytest
from django.db import transaction

from smartgov.accounts import services
from smartgov.core import audit, workcalendar
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord, CalendarDay, CalendarYear
from smartgov.core.workcalendar import CalendarCoverageWarning, is_workday

NEW_YEAR_2027 = date(2027, 1, 1)  # a Friday, in a year the package does not cover
NATIONAL_DAY_2025 = date(2025, 10, 1)


def _audit(action: str) -> AuditRecord:
    return AuditRecord.objects.filter(action=action).latest("seq")


def _changes() -> tuple:
    return (
        list(CalendarDay.objects.values_list("date", "is_workday", "name")),
        list(CalendarYear.objects.values_list("year", "source", "complete")),
        AuditRecord.objects.count(),
    )


# --- set_calendar_day -------------------------------------------------------------------------


def test_set_calendar_day_creates_an_entry(sysadmin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.set_calendar_day(
            actor=sysadmin, day=NEW_YEAR_2027, is_workday=False, name=" 元旦 "
        )
    entry.refresh_from_db()
    assert (entry.date, entry.is_workday, entry.name) == (NEW_YEAR_2027, False, "元旦")
    assert entry.updated_by == "sysadmin"
    record = _audit("core.calendar_day.create")
    assert record.actor_id == sysadmin.pk
    assert record.object_type == "core.calendarday"
    assert record.object_id == str(entry.pk)
    assert record.before is None
    assert record.after == {"date": "2027-01-01", "is_workday": False, "name": "元旦"}
    assert audit.verify_chain().ok


def test_set_calendar_day_updates_an_entry(sysadmin, django_capture_on_commit_callbacks):
    services.set_calendar_day(actor=sysadmin, day=NEW_YEAR_2027, is_workday=False, name="元旦")
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.set_calendar_day(
            actor=sysadmin, day=NEW_YEAR_2027, is_workday=True, name="调休上班"
        )
    assert CalendarDay.objects.count() == 1
    assert CalendarDay.objects.get().is_workday is True
    assert entry.name == "调休上班"
    record = _audit("core.calendar_day.update")
    assert record.before == {"date": "2027-01-01", "is_workday": False, "name": "元旦"}
    assert record.after == {"date": "2027-01-01", "is_workday": True, "name": "调休上班"}


def test_setting_the_same_values_again_records_nothing(sysadmin):
    services.set_calendar_day(actor=sysadmin, day=NEW_YEAR_2027, is_workday=False, name="元旦")
    count = AuditRecord.objects.count()
    services.set_calendar_day(actor=sysadmin, day=NEW_YEAR_2027, is_workday=False, name="元旦")
    assert AuditRecord.objects.count() == count


def test_set_calendar_day_takes_effect_after_commit(sysadmin, django_capture_on_commit_callbacks):
    assert not is_workday(NATIONAL_DAY_2025)  # the cache now holds the package's answer
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.set_calendar_day(actor=sysadmin, day=NATIONAL_DAY_2025, is_workday=True)
    assert callbacks == [workcalendar.invalidate_cache]
    assert not is_workday(NATIONAL_DAY_2025)  # not yet committed: the cache is untouched
    callbacks[0]()
    assert is_workday(NATIONAL_DAY_2025)  # the administrator's entry wins over the package


def test_a_rolled_back_change_does_not_clear_the_cache(
    sysadmin, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.set_calendar_day(actor=sysadmin, day=NEW_YEAR_2027, is_workday=False)
        raise RuntimeError("the surrounding change fails")
    assert callbacks == []
    assert not CalendarDay.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="core.calendar").exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"day": date(1999, 12, 31)}, "year_out_of_range"),
        ({"day": date(2101, 1, 1)}, "year_out_of_range"),
        ({"day": datetime(2027, 1, 1, 9, 0)}, "invalid_date"),
        ({"day": "2027-01-01"}, "invalid_date"),
        ({"is_workday": "yes"}, "invalid_is_workday"),
        ({"is_workday": None}, "invalid_is_workday"),
        ({"name": "节" * 65}, "name_too_long"),
    ],
)
def test_set_calendar_day_refuses_bad_input(sysadmin, kwargs, code):
    before = _changes()
    arguments = {"day": NEW_YEAR_2027, "is_workday": False, "name": "", **kwargs}
    with pytest.raises(InvalidInput) as caught:
        services.set_calendar_day(actor=sysadmin, **arguments)
    assert caught.value.code == code
    assert _changes() == before


def test_boundary_years_are_accepted(sysadmin):
    services.set_calendar_day(actor=sysadmin, day=date(2000, 1, 1), is_workday=False)
    services.set_calendar_day(actor=sysadmin, day=date(2100, 12, 31), is_workday=False)
    assert CalendarDay.objects.count() == 2


# --- delete_calendar_day ----------------------------------------------------------------------


def test_delete_calendar_day(sysadmin, django_capture_on_commit_callbacks):
    entry = services.set_calendar_day(actor=sysadmin, day=NATIONAL_DAY_2025, is_workday=True)
    workcalendar.invalidate_cache()
    assert is_workday(NATIONAL_DAY_2025)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delete_calendar_day(actor=sysadmin, day=NATIONAL_DAY_2025) is None
    assert not CalendarDay.objects.exists()
    assert not is_workday(NATIONAL_DAY_2025)  # the package decides again
    record = _audit("core.calendar_day.delete")
    assert record.object_id == str(entry.pk)
    assert record.object_type == "core.calendarday"
    assert record.before == {"date": "2025-10-01", "is_workday": True, "name": ""}
    assert record.after is None
    assert audit.verify_chain().ok


def test_delete_of_a_missing_entry_is_not_found(sysadmin):
    before = _changes()
    with pytest.raises(NotFound) as caught:
        services.delete_calendar_day(actor=sysadmin, day=NEW_YEAR_2027)
    assert caught.value.status == 404
    assert caught.value.detail == {"date": "2027-01-01"}
    assert _changes() == before


# --- set_calendar_year ------------------------------------------------------------------------


def test_marking_a_year_complete_covers_it(sysadmin, django_capture_on_commit_callbacks):
    with pytest.warns(CalendarCoverageWarning):
        is_workday(date(2027, 1, 4))
    with django_capture_on_commit_callbacks(execute=True):
        services.set_calendar_day(actor=sysadmin, day=NEW_YEAR_2027, is_workday=False, name="元旦")
        entry = services.set_calendar_year(
            actor=sysadmin, year=2027, source=" 国办发明电〔2026〕X号 ", complete=True
        )
    assert (entry.year, entry.source, entry.complete) == (2027, "国办发明电〔2026〕X号", True)
    assert entry.updated_by == "sysadmin"
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalendarCoverageWarning)
        assert workcalendar.year_is_covered(2027)
        assert not is_workday(NEW_YEAR_2027)
        assert is_workday(date(2027, 1, 4))
    record = _audit("core.calendar_year.create")
    assert record.after == {"year": 2027, "source": "国办发明电〔2026〕X号", "complete": True}
    assert record.before is None


def test_set_calendar_year_updates_and_can_reopen_a_year(
    sysadmin, django_capture_on_commit_callbacks
):
    services.set_calendar_year(actor=sysadmin, year=2027, source="通知", complete=True)
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.set_calendar_year(actor=sysadmin, year=2027, source="", complete=False)
    assert CalendarYear.objects.count() == 1
    assert entry.complete is False
    assert not workcalendar.year_is_covered(2027)
    record = _audit("core.calendar_year.update")
    assert record.before == {"year": 2027, "source": "通知", "complete": True}
    assert record.after == {"year": 2027, "source": "", "complete": False}


def test_an_incomplete_year_may_have_no_source(sysadmin):
    entry = services.set_calendar_year(actor=sysadmin, year=2028, source="", complete=False)
    assert entry.complete is False


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"year": 1999}, "year_out_of_range"),
        ({"year": 2101}, "year_out_of_range"),
        ({"year": "2027"}, "year_out_of_range"),
        ({"year": True}, "year_out_of_range"),
        ({"source": ""}, "source_required"),
        ({"source": "   "}, "source_required"),
        ({"source": "x" * 256}, "source_too_long"),
        ({"complete": "yes"}, "invalid_complete"),
    ],
)
def test_set_calendar_year_refuses_bad_input(sysadmin, kwargs, code):
    before = _changes()
    arguments = {"year": 2027, "source": "国办发明电", "complete": True, **kwargs}
    with pytest.raises(InvalidInput) as caught:
        services.set_calendar_year(actor=sysadmin, **arguments)
    assert caught.value.code == code
    assert _changes() == before


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["xihu_staff", "auditor", "secadmin", "citizen"])
def test_users_without_the_permission_change_nothing(request, sysadmin, who):
    services.set_calendar_day(actor=sysadmin, day=NATIONAL_DAY_2025, is_workday=True, name="x")
    actor = request.getfixturevalue(who)
    before = _changes()
    attempts = [
        lambda: services.set_calendar_day(actor=actor, day=NEW_YEAR_2027, is_workday=False),
        lambda: services.set_calendar_day(actor=actor, day=NATIONAL_DAY_2025, is_workday=False),
        lambda: services.delete_calendar_day(actor=actor, day=NATIONAL_DAY_2025),
        lambda: services.set_calendar_year(actor=actor, year=2027, source="x", complete=True),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDeniedError) as caught:
            attempt()
        assert caught.value.code == "permission_denied"
        assert caught.value.detail == {"permission": "core.manage_calendar"}
    assert _changes() == before


def test_permission_is_checked_before_input(xihu_staff):
    with pytest.raises(PermissionDeniedError):
        services.set_calendar_year(actor=xihu_staff, year=1900, source="", complete=True)
    with pytest.raises(PermissionDeniedError):
        services.delete_calendar_day(actor=xihu_staff, day=NEW_YEAR_2027)


def test_a_district_system_administrator_may_not_manage_the_city_wide_calendar(xihu_admin):
    # The calendar is one city-wide setting: only a whole-city scope may change it.
    with pytest.raises(PermissionDeniedError):
        services.set_calendar_day(actor=xihu_admin, day=NEW_YEAR_2027, is_workday=False)
    assert not CalendarDay.objects.exists()


# --- concurrency guard ------------------------------------------------------------------------


def test_a_concurrent_insert_of_the_same_date_is_a_conflict(sysadmin, monkeypatch):
    # Simulate the other administrator's row appearing between the lookup and the insert.
    manager = CalendarDay.objects

    class _Lagging:
        def select_for_update(self):
            return self

        def filter(self, **lookup):
            manager.create(date=NEW_YEAR_2027, is_workday=True)
            return manager.none()

    monkeypatch.setattr(CalendarDay, "objects", _Lagging(), raising=False)
    with pytest.raises(Conflict) as caught:
        services.set_calendar_day(actor=sysadmin, day=NEW_YEAR_2027, is_workday=False)
    assert caught.value.code == "calendar_day_exists"


# --- calendar_status --------------------------------------------------------------------------


def test_calendar_status(sysadmin):
    services.set_calendar_day(actor=sysadmin, day=NATIONAL_DAY_2025, is_workday=True)
    services.set_calendar_day(actor=sysadmin, day=NEW_YEAR_2027, is_workday=False)
    services.set_calendar_day(actor=sysadmin, day=date(2027, 2, 6), is_workday=False)
    services.set_calendar_day(actor=sysadmin, day=date(2028, 1, 1), is_workday=False)
    services.set_calendar_year(actor=sysadmin, year=2027, source="通知", complete=True)
    services.set_calendar_year(actor=sysadmin, year=2028, source="", complete=False)
    assert services.calendar_status([2025, 2026, 2027, 2028, 2029]) == [
        {"year": 2025, "covered_by": "package", "entries": 1},
        {"year": 2026, "covered_by": "package", "entries": 0},
        {"year": 2027, "covered_by": "administrator", "entries": 2},
        {"year": 2028, "covered_by": None, "entries": 1},
        {"year": 2029, "covered_by": None, "entries": 0},
    ]


def test_calendar_status_keeps_the_order_asked_for(db):
    assert [s["year"] for s in services.calendar_status([2030, 2025])] == [2030, 2025]
    assert services.calendar_status([]) == []
