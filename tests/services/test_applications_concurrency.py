"""Application numbers stay distinct and gapless under concurrent submissions (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from smartgov.services.applications import next_application_number


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_concurrent_numbers_are_distinct_on_postgresql(live_db):
    numbers, errors = [], []
    now = timezone.now()

    def take():
        try:
            with transaction.atomic():
                numbers.append(next_application_number(now))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(int(n[-5:]) for n in numbers) == list(range(1, 9))
    assert all(n.startswith("BJ" + timezone.localdate(now).strftime("%Y%m%d")) for n in numbers)
