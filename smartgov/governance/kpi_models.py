"""The KPIs' daily rollup of settled (closed) cases, and the days waiting to be recomputed.

A closed case rarely changes again (a rating, a reopening), so its figures are summed once per
due day × dimension × key × department × district; the KPI queries read these sums plus the
few cases still open straight from ``Case`` (their overdue state depends on the clock). A
save of a case that is or was closed marks its due day(s) dirty; the next KPI query
recomputes them (kpi.refresh_rollup).
"""

from __future__ import annotations

from django.db import models

from smartgov.accounts.scope import ScopeFields
from smartgov.core.models import Department, Region


class KpiRollup(models.Model):
    day = models.DateField()  # the due day, Asia/Shanghai
    # kpi.GROUPS for a day's row; "m:" + the group for a month's row (day = the 1st), the sum of
    # the month's day rows, so that a year reads 12 rows per key instead of 365.
    dim = models.CharField(max_length=12)
    key = models.BigIntegerField(null=True)  # the group's id (None = not assigned)
    department = models.ForeignKey(
        Department, on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    district = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    cases_due = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    overdue_multiple = models.IntegerField(default=0)
    rework = models.IntegerField(default=0)
    extensions = models.IntegerField(default=0)
    handling_total = models.BigIntegerField(default=0)
    handling_count = models.IntegerField(default=0)
    satisfied_count = models.IntegerField(default=0)
    rated_count = models.IntegerField(default=0)
    repeat_count = models.IntegerField(default=0)

    scope_fields = ScopeFields(department="department", region="district")

    class Meta:
        indexes = [models.Index(fields=["dim", "day"], name="gov_kpi_rollup_dim_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.dim} {self.key}"


class KpiDirtyDay(models.Model):
    day = models.DateField(unique=True)

    def __str__(self) -> str:
        return str(self.day)


class KpiDirtyMonth(models.Model):
    """A month whose monthly rollup rows (dim "m:<dim>") are to be summed again from its days."""

    month = models.DateField(unique=True)  # the first day

    def __str__(self) -> str:
        return str(self.month)
