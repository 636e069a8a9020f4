"""The working-day calendar's administrator entries: dates that differ from the weekday rule,
and years whose State Council schedule has been entered in full.

The calendar in ``core`` caches these entries per process; every change here clears that cache
once the transaction commits, so a rolled-back change never leaks into deadlines.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count

from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import require_perm
from smartgov.core import audit, workcalendar
from smartgov.core.errors import Conflict, InvalidInput, NotFound
from smartgov.core.models import CalendarDay, CalendarYear

MIN_YEAR = 2000
MAX_YEAR = 2100
_DAY_FIELDS = ["date", "is_workday", "name"]
_YEAR_FIELDS = ["year", "source", "complete"]


def _check_year(year: int) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(
            "year_out_of_range",
            "The year must be between 2000 and 2100.",
            detail={"year": year, "min": MIN_YEAR, "max": MAX_YEAR},
        )
    return year


def _check_day(day: date) -> date:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise InvalidInput("invalid_date", "A calendar entry needs a date (without a time).")
    _check_year(day.year)
    return day


def _check_text(value: str, *, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise InvalidInput(
            f"{field}_too_long",
            "The text is too long.",
            detail={"field": field, "max_length": max_length},
        )
    return value


def _save_new(instance, *, code: str, message: str) -> None:
    # Two administrators entering the same date at once: the unique constraint decides.
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise Conflict(code, message) from exc


@transaction.atomic
def set_calendar_day(*, actor, day: date, is_workday: bool, name: str = "") -> CalendarDay:
    """Enter or correct one date: a holiday, or an adjusted working day (调休)."""
    require_perm(actor, Perm.MANAGE_CALENDAR)
    day = _check_day(day)
    if not isinstance(is_workday, bool):
        raise InvalidInput("invalid_is_workday", "State whether the date is a working day.")
    name = _check_text(name, field="name", max_length=64)
    entry = CalendarDay.objects.select_for_update().filter(date=day).first()
    before = audit.snapshot(entry, _DAY_FIELDS) if entry is not None else None
    if entry is not None and (entry.is_workday, entry.name) == (is_workday, name):
        return entry  # nothing changes: nothing to record
    created = entry is None
    if created:
        entry = CalendarDay(date=day)
    entry.is_workday = is_workday
    entry.name = name
    entry.updated_by = actor.username
    if created:
        _save_new(
            entry,
            code="calendar_day_exists",
            message="This date was entered at the same time by someone else; try again.",
        )
    else:
        entry.save()
    audit.record(
        actor=actor,
        action="core.calendar_day.create" if created else "core.calendar_day.update",
        obj=entry,
        before=before,
        after=audit.snapshot(entry, _DAY_FIELDS),
    )
    transaction.on_commit(workcalendar.invalidate_cache)
    return entry


@transaction.atomic
def delete_calendar_day(*, actor, day: date) -> None:
    """Remove a date's entry, so the package or the weekday rule decides it again."""
    require_perm(actor, Perm.MANAGE_CALENDAR)
    day = _check_day(day)
    entry = CalendarDay.objects.select_for_update().filter(date=day).first()
    if entry is None:
        raise NotFound(
            "not_found", "There is no calendar entry for this date.", detail={"date": str(day)}
        )
    before = audit.snapshot(entry, _DAY_FIELDS)
    object_id, object_repr = str(entry.pk), str(entry)
    entry.delete()
    audit.record(
        actor=actor,
        action="core.calendar_day.delete",
        object_type=CalendarDay._meta.label_lower,
        object_id=object_id,
        object_repr=object_repr,
        before=before,
    )
    transaction.on_commit(workcalendar.invalidate_cache)


@transaction.atomic
def set_calendar_year(*, actor, year: int, source: str, complete: bool) -> CalendarYear:
    """Record where a year's schedule comes from and whether it has been entered in full."""
    require_perm(actor, Perm.MANAGE_CALENDAR)
    year = _check_year(year)
    source = _check_text(source, field="source", max_length=255)
    if not isinstance(complete, bool):
        raise InvalidInput("invalid_complete", "State whether the year is complete.")
    if complete and not source:
        raise InvalidInput(
            "source_required",
            "Name the State Council notice the schedule comes from before marking the year "
            "complete.",
        )
    entry = CalendarYear.objects.select_for_update().filter(year=year).first()
    before = audit.snapshot(entry, _YEAR_FIELDS) if entry is not None else None
    if entry is not None and (entry.source, entry.complete) == (source, complete):
        return entry
    created = entry is None
    if created:
        entry = CalendarYear(year=year)
    entry.source = source
    entry.complete = complete
    entry.updated_by = actor.username
    if created:
        _save_new(
            entry,
            code="calendar_year_exists",
            message="This year was entered at the same time by someone else; try again.",
        )
    else:
        entry.save()
    audit.record(
        actor=actor,
        action="core.calendar_year.create" if created else "core.calendar_year.update",
        obj=entry,
        before=before,
        after=audit.snapshot(entry, _YEAR_FIELDS),
    )
    transaction.on_commit(workcalendar.invalidate_cache)
    return entry


def calendar_status(years: list[int]) -> list[dict]:
    """For each year: who covers its schedule (package, administrator or nobody) and how
    many dates administrators have entered. Read from the database, not the cache."""
    years = list(years)
    complete = set(
        CalendarYear.objects.filter(year__in=years, complete=True).values_list("year", flat=True)
    )
    counts = dict(
        CalendarDay.objects.filter(date__year__in=years)
        .values("date__year")
        .annotate(entries=Count("id"))
        .values_list("date__year", "entries")
    )
    status = []
    for year in years:
        if year in workcalendar.PACKAGE_YEARS:
            covered_by = "package"
        elif year in complete:
            covered_by = "administrator"
        else:
            covered_by = None
        status.append({"year": year, "covered_by": covered_by, "entries": counts.get(year, 0)})
    return status
