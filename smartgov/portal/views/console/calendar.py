"""Working-day calendar (工作日历): coverage per year, entries, marking a year complete."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import require_perm
from smartgov.core.errors import SmartgovError
from smartgov.core.models import CalendarDay, CalendarYear
from smartgov.portal.forms import CalendarDayForm, CalendarYearForm
from smartgov.portal.services import coverage_rows, paginate

MIN_YEAR, MAX_YEAR = 2000, 2100


def _calendar_services():
    # Imported on use: the calendar services live in accounts and may load after the portal.
    from smartgov.accounts.services import calendar

    return calendar


def _this_year() -> int:
    return timezone.localdate().year


def _check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    return year


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise Http404 from exc


@login_required
@require_GET
def calendar_overview(request):
    """Coverage of this year and next; a loud banner for any year nobody has entered."""
    require_perm(request.user, Perm.MANAGE_CALENDAR)
    this_year = _this_year()
    years = sorted(
        {this_year, this_year + 1}
        | {y for y in CalendarYear.objects.values_list("year", flat=True) if y >= this_year}
    )
    rows = coverage_rows(_calendar_services().calendar_status(years))
    return render(
        request,
        "portal/console/calendar.html",
        {
            "rows": rows,
            "uncovered": [row["year"] for row in rows if not row["covered"]],
            "this_year": this_year,
        },
    )


def _year_context(request, year: int, *, year_form=None, day_form=None):
    status = coverage_rows(_calendar_services().calendar_status([year]))[0]
    record = CalendarYear.objects.filter(year=year).first()
    entries = CalendarDay.objects.filter(date__year=year).order_by("date")
    return {
        "year": year,
        "status": status,
        "uncovered": [] if status["covered"] else [year],
        "record": record,
        "page": paginate(request, entries, 50),
        "year_form": year_form
        or CalendarYearForm(
            initial={"source": record.source, "complete": record.complete} if record else None
        ),
        "day_form": day_form or CalendarDayForm(initial={"day": date(year, 1, 1)}),
    }


@login_required
@require_GET
def calendar_year(request, year: int):
    require_perm(request.user, Perm.MANAGE_CALENDAR)
    _check_year(year)
    return render(request, "portal/console/calendar_year.html", _year_context(request, year))


@login_required
@require_http_methods(["GET", "POST"])
def calendar_day_edit(request, year: int | None = None, day: str | None = None):
    """Add (``year`` given) or edit (``day`` given) one holiday or adjusted working day."""
    require_perm(request.user, Perm.MANAGE_CALENDAR)
    existing = None
    if day is not None:
        existing = CalendarDay.objects.filter(date=_parse_day(day)).first()
        if existing is None:
            raise Http404
        year = existing.date.year
        initial = {
            "day": existing.date,
            "status": "workday" if existing.is_workday else "holiday",
            "name": existing.name,
        }
    else:
        _check_year(year)
        initial = {"day": date(year, 1, 1)}
    form = CalendarDayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if existing is not None and data["day"] != existing.date:
                # Moving an entry to another date: the old date goes back to the default rule.
                _calendar_services().delete_calendar_day(actor=request.user, day=existing.date)
            _calendar_services().set_calendar_day(
                actor=request.user,
                day=data["day"],
                is_workday=data["status"] == "workday",
                name=data["name"],
            )
        except SmartgovError as exc:
            field = {"name_too_long": "name", "year_out_of_range": "day", "invalid_date": "day"}
            form.add_error(field.get(exc.code), exc.message)
        else:
            messages.success(request, _("Calendar entry for %(day)s saved.") % {"day": data["day"]})
            return redirect("portal:admin_calendar_year", year=data["day"].year)
    return render(
        request,
        "portal/console/calendar_day_form.html",
        {"form": form, "year": year, "entry": existing},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def calendar_day_delete(request, day: str):
    require_perm(request.user, Perm.MANAGE_CALENDAR)
    the_day = _parse_day(day)
    try:
        _calendar_services().delete_calendar_day(actor=request.user, day=the_day)
    except SmartgovError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Calendar entry for %(day)s deleted.") % {"day": the_day})
    return redirect("portal:admin_calendar_year", year=the_day.year)


@login_required
@require_POST
def calendar_year_complete(request, year: int):
    """Record the year's source (the State Council notice) and whether it is complete."""
    require_perm(request.user, Perm.MANAGE_CALENDAR)
    _check_year(year)
    form = CalendarYearForm(request.POST)
    if form.is_valid():
        try:
            _calendar_services().set_calendar_year(
                actor=request.user,
                year=year,
                source=form.cleaned_data["source"],
                complete=form.cleaned_data["complete"],
            )
        except SmartgovError as exc:
            form.add_error("source", exc.message)
        else:
            messages.success(request, _("The %(year)s schedule is saved.") % {"year": year})
            return redirect("portal:admin_calendar_year", year=year)
    return render(
        request,
        "portal/console/calendar_year.html",
        _year_context(request, year, year_form=form),
        status=400,
    )
