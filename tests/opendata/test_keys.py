"""Developer keys: issue (developers only), authenticate, revoke, per-minute rate limit with
429 and Retry-After through the CKAN API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from smartgov.core.audit import AuditRecord
from smartgov.core.errors import Conflict, NotAuthenticated, PermissionDeniedError, Throttled
from smartgov.opendata import services
from smartgov.opendata.models import DeveloperKey

pytestmark = pytest.mark.django_db


def test_key_is_hashed_shown_once_and_audited(developer):
    key, secret = services.create_key(actor=developer, name="应用")
    assert secret.startswith("sgo_") and secret not in key.key_hash
    assert services.authenticate_key(secret).pk == key.pk
    assert services.authenticate_key(f"Bearer {secret}").pk == key.pk
    record = AuditRecord.objects.get(action="opendata.key.create")
    assert "key_hash" not in (record.after or {})


def test_staff_cannot_hold_keys(officer):
    with pytest.raises(PermissionDeniedError):
        services.create_key(actor=officer, name="x")
    assert not DeveloperKey.objects.exists()


def test_revoked_key_stops_at_once(developer):
    key, secret = services.create_key(actor=developer, name="应用")
    services.revoke_key(actor=developer, key_id=key.pk)
    with pytest.raises(NotAuthenticated):
        services.authenticate_key(secret)
    with pytest.raises(NotAuthenticated):
        services.authenticate_key("sgo_unknown")


def test_too_many_keys(developer):
    for n in range(services.MAX_KEYS_PER_USER):
        services.create_key(actor=developer, name=f"k{n}")
    with pytest.raises(Conflict):
        services.create_key(actor=developer, name="one more")


def test_rate_limit_window(developer):
    key, _secret = services.create_key(actor=developer, name="应用", rate_per_minute=2)
    now = timezone.now().replace(second=10)
    assert services.check_rate(key, now) == 1
    assert services.check_rate(key, now) == 0
    with pytest.raises(Throttled) as caught:
        services.check_rate(key, now)
    assert caught.value.detail["retry_after"] == 50
    # The next minute starts afresh.
    assert services.check_rate(key, now + timedelta(minutes=1)) == 1


def test_ckan_api_answers_429_with_retry_after(client, developer, resources):
    _key, secret = services.create_key(actor=developer, name="应用", rate_per_minute=3)
    statuses = []
    for _ in range(4):
        response = client.get("/api/3/action/package_list", headers={"Authorization": secret})
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]
    assert 1 <= int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["success"] is False and body["error"]["limit_per_minute"] == 3


def test_downloads_with_a_key_are_limited_too(client, developer, resources):
    _key, secret = services.create_key(actor=developer, name="应用", rate_per_minute=1)
    url = "/open/308001001-000001/download/csv"
    assert client.get(url, headers={"Authorization": secret}).status_code == 200
    response = client.get(url, headers={"Authorization": secret})
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 60
