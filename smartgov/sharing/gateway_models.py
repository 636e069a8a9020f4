"""The gateway's own small table: the rate-limit window of each grant.

One row per grant, updated with a single atomic UPSERT per call (SQLite and PostgreSQL both
support ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``), so the limit holds across worker
processes without counting the call log.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GatewayRateWindow(models.Model):
    """Calls of one grant in the current and the previous minute (a sliding-window estimate)."""

    grant_id_ref = models.IntegerField(_("grant"), primary_key=True)
    window_start = models.BigIntegerField(_("window (unix minute)"))
    count = models.IntegerField(_("calls in the window"), default=0)
    previous_count = models.IntegerField(_("calls in the previous window"), default=0)

    class Meta:
        app_label = "sharing"
        verbose_name = _("gateway rate window")
        verbose_name_plural = _("gateway rate windows")

    def __str__(self) -> str:
        return f"grant {self.grant_id_ref}: {self.count} in minute {self.window_start}"
