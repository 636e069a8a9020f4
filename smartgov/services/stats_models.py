"""The daily rollup of the service statistics (see stats.py): one row per local day
(Asia/Shanghai), item implementation code, department and channel.

Each count sits on the day of its own event: ``submitted`` on the submission day, ``accepted``
on the acceptance day, ``completed`` / ``on_time`` / ``late`` / ``immediate`` / handling days
on the completion day, ``rated`` / ``satisfied`` on the rating day. The rows are kept current
by the event subscribers in stats.py and rebuilt from scratch by ``stats.rebuild_rollup``.
"""

from __future__ import annotations

from django.db import models

from smartgov.accounts.scope import ScopeFields
from smartgov.core.models import Department


class ServiceStatsDay(models.Model):
    """One day's counts of one item (implementation code) in one department and channel."""

    day = models.DateField()
    item_code = models.CharField(max_length=64)
    department = models.ForeignKey(
        Department, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    channel = models.CharField(max_length=16)
    submitted = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)  # completed after the due date
    immediate = models.IntegerField(default=0)  # immediate items completed on acceptance day
    handling_days_total = models.BigIntegerField(default=0)
    handling_count = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)  # ratings of level 4 or 5

    scope_fields = ScopeFields(department="department")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "item_code", "department", "channel"],
                name="services_stats_day_unique",
            )
        ]
        indexes = [models.Index(fields=["department", "day"], name="services_stats_dept_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.item_code} {self.channel}"
