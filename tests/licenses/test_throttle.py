"""The public verification limit per client address (licenses/throttle.py)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from smartgov.core.errors import Throttled
from smartgov.licenses.throttle import check_verify_rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings):
    settings.SMARTGOV_VERIFY_RATE_PER_MINUTE = 3
    cache.clear()
    yield 3
    cache.clear()


def test_limit_per_address_and_minute(limit):
    now = 1_800_000_000.0  # a minute's start
    for _ in range(limit):
        check_verify_rate("10.0.0.1", now=now)
    with pytest.raises(Throttled) as caught:
        check_verify_rate("10.0.0.1", now=now + 5)
    assert caught.value.code == "verify_rate_limited"
    assert caught.value.detail == {"limit_per_minute": 3, "retry_after": 55}
    check_verify_rate("10.0.0.2", now=now)  # another address has its own count
    check_verify_rate("10.0.0.1", now=now + 60)  # the next minute starts afresh


def test_zero_turns_the_limit_off(settings):
    settings.SMARTGOV_VERIFY_RATE_PER_MINUTE = 0
    for _ in range(500):
        check_verify_rate("10.0.0.9")


def test_api_and_page_answer_429(client, limit):
    for _ in range(limit):
        assert client.get("/api/v1/licenses/verify", {"code": "x"}).status_code == 200
    response = client.get("/api/v1/licenses/verify", {"code": "x"})
    assert response.status_code == 429
    assert response.json()["code"] == "verify_rate_limited"
    page = client.get("/licenses/verify/", {"code": "x"})
    assert page.status_code == 429
    assert "<code>verify_rate_limited</code>" in page.content.decode()
    assert client.get("/licenses/verify/").status_code == 200  # the empty form is not counted
