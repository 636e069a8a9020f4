"""Daily numbers such as GZ20261201 00001: a counter row per local day, bumped in SQL.

A model with ``day`` (unique date) and ``last`` (integer) columns holds the counters. One
``UPDATE … SET last = last + 1 … RETURNING last`` hands out the next number; the row stays
locked until the caller's transaction commits, so concurrent callers queue on it (PostgreSQL's
row lock, SQLite's write lock) and numbers have no gaps and no collisions.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from smartgov.core.errors import Conflict


def _bump(model: type[models.Model], day: date) -> int | None:
    """The day's counter plus one (None: no row for the day yet)."""
    quote = connection.ops.quote_name
    table, last, day_column = quote(model._meta.db_table), quote("last"), quote("day")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {last} = {last} + 1 WHERE {day_column} = %s RETURNING {last}",  # noqa: S608
            [connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def next_daily_number(
    model: type[models.Model], *, prefix: str, at: datetime, failure_message: str
) -> str:
    """``prefix`` + local date (yyyymmdd) + the day's five-digit counter."""
    day = timezone.localdate(at)
    for _attempt in range(3):
        last = _bump(model, day)
        if last is not None:
            return f"{prefix}{day:%Y%m%d}{last:05d}"
        try:
            with transaction.atomic():
                model.objects.create(day=day, last=1)
            return f"{prefix}{day:%Y%m%d}00001"
        except IntegrityError:
            continue  # another caller created the day's row first: bump it
    raise Conflict("number_taken", failure_message)
