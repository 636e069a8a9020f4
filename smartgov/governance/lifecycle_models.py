"""Rows only the lifecycle uses: the per-day counter behind case numbers."""

from __future__ import annotations

from django.db import models


class CaseSequence(models.Model):
    """The last case number handed out on one (local) day: GZ + yyyymmdd + this counter.

    A counter row, bumped with ``UPDATE … SET last = last + 1``, numbers cases without gaps
    from races: concurrent intakes queue on the row lock (PostgreSQL) or the write lock
    (SQLite) instead of colliding on the case number's unique index.
    """

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} #{self.last}"


def _exclude_from_audit() -> None:
    # The reporter's phone stays out of the audit log (encrypted text and blind index alike).
    from smartgov.governance.models import Case

    for name in ("reporter_phone_encrypted", "reporter_phone_index"):
        Case._meta.get_field(name).audit_exclude = True
