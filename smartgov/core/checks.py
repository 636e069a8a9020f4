"""System checks: warn at start-up about gaps an administrator must fill."""

from __future__ import annotations

from django.core.checks import Warning as CheckWarning
from django.core.checks import register
from django.db import DatabaseError
from django.utils import timezone


@register("smartgov")
def calendar_coverage(app_configs=None, **kwargs):
    """The current and next year need a holiday schedule, or limits count weekdays only."""
    from smartgov.core import workcalendar

    this_year = timezone.localdate().year
    try:
        missing = workcalendar.uncovered_years([this_year, this_year + 1])
    except DatabaseError:  # tables not migrated yet
        return []
    return [
        CheckWarning(
            f"No public-holiday schedule for {year}; working-day limits in {year} count "
            "weekdays only.",
            hint="Enter the year's holidays and adjusted working days in the admin console "
            "(Calendar) and mark the year complete.",
            id="smartgov.W001",
        )
        for year in missing
    ]
