"""Administrator-entered working-day calendar data for years a package does not cover."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """Marks a year's holiday schedule as complete once an administrator has entered it."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"),
        max_length=255,
        help_text=_("The State Council notice the schedule comes from."),
    )
    complete = models.BooleanField(_("complete"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One date whose status differs from the weekday rule: a holiday, or an adjusted workday."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        help_text=_("Checked for an adjusted working day (调休) on a weekend."),
    )
    name = models.CharField(_("name"), max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"
