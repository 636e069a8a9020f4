"""Rate limit per grant: a sliding-window estimate kept in one row per grant.

Each call runs one ``INSERT ... ON CONFLICT (grant) DO UPDATE ... RETURNING`` (SQLite 3.35+
and PostgreSQL), which both databases execute atomically, so every worker process sees the
same counts; nothing counts the call log. The estimate is Cloudflare's: calls in the current
minute plus the previous minute's calls weighted by the part of it still inside the last 60 s.
Refused calls count too (a client hammering past its limit stays limited).
"""

from __future__ import annotations

import math
import time

from django.db import connection

from smartgov.sharing.gateway_models import GatewayRateWindow

WINDOW_SECONDS = 60

_TABLE = GatewayRateWindow._meta.db_table
# The SET expressions read the row as it was; "excluded" is the row that was to be inserted.
_UPSERT = (
    f"INSERT INTO {_TABLE} (grant_id_ref, window_start, count, previous_count) "  # noqa: S608
    "VALUES (%s, %s, 1, 0) ON CONFLICT (grant_id_ref) DO UPDATE SET "
    f"previous_count = CASE WHEN {_TABLE}.window_start = excluded.window_start "
    f"THEN {_TABLE}.previous_count "
    f"WHEN {_TABLE}.window_start = excluded.window_start - 1 THEN {_TABLE}.count ELSE 0 END, "
    f"count = CASE WHEN {_TABLE}.window_start = excluded.window_start "
    f"THEN {_TABLE}.count + 1 ELSE 1 END, "
    "window_start = excluded.window_start "
    "RETURNING count, previous_count"
)


def hit(cursor, grant_id: int, limit: int, now: float | None = None) -> int | None:
    """Count one call of the grant; None when it is within ``limit`` per minute, else the
    seconds to wait (for Retry-After)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    cursor.execute(_UPSERT, [grant_id, window])
    count, previous = cursor.fetchone()
    elapsed = now - window * WINDOW_SECONDS
    estimate = count + previous * (WINDOW_SECONDS - elapsed) / WINDOW_SECONDS
    if estimate <= limit:
        return None
    if count > limit:
        return max(1, math.ceil(WINDOW_SECONDS - elapsed))
    # Over only because of the previous minute: wait until enough of it has slid out.
    needed = (estimate - limit) * WINDOW_SECONDS / max(previous, 1)
    return max(1, min(math.ceil(needed), math.ceil(WINDOW_SECONDS - elapsed)))


def reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_TABLE}")  # noqa: S608
