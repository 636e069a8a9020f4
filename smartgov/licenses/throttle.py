"""A per-client limit on public verifications (亮证核验), so the open endpoint cannot be used
to probe identifiers in bulk.

A fixed one-minute window per client address in Django's cache: the default cache is per
process, so with N server processes the effective limit is up to N times the setting; a shared
cache (Redis) in ``CACHES`` makes it exact. ``SMARTGOV_VERIFY_RATE_PER_MINUTE`` (default 120)
sets the limit; 0 turns it off (the benchmark does).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from smartgov.core.errors import Throttled


def limit_per_minute() -> int:
    return int(getattr(settings, "SMARTGOV_VERIFY_RATE_PER_MINUTE", 120))


def check_verify_rate(client: str, *, now: float | None = None) -> None:
    """Count one verification by ``client``; Throttled (429) past the minute's limit."""
    limit = limit_per_minute()
    if limit <= 0:
        return
    now = time.time() if now is None else now
    minute = int(now // 60)
    key = f"licenses:verify:{client or '-'}:{minute}"
    if cache.add(key, 1, timeout=120):
        used = 1
    else:
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=120)
            used = 1
    if used > limit:
        raise Throttled(
            "verify_rate_limited",
            "Too many verifications from this address; wait a minute and try again.",
            detail={"limit_per_minute": limit, "retry_after": max(1, 60 - int(now % 60))},
        )
