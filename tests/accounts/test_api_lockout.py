"""Login lockout through the real login page, and unlocking through the API."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from smartgov.accounts import services
from smartgov.accounts.models import User
from smartgov.core.errors import NotAuthenticated
from smartgov.core.models import AuditRecord
from tests.conftest import PASSWORD

WRONG = "Wrong-Passw0rd!"


def login_page(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def lock_out(client: Client, username: str) -> None:
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = login_page(client, username, WRONG)
        assert response.status_code == 200  # the form again, with an error
        assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account(client, xihu_staff):
    lock_out(client, "xihu_staff")
    xihu_staff.refresh_from_db()
    assert xihu_staff.is_locked()

    # Even the right password is refused while locked.
    response = login_page(client, "xihu_staff", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    with pytest.raises(NotAuthenticated) as caught:
        services.authenticate_password(username="xihu_staff", password=PASSWORD)
    assert caught.value.code == "account_locked"

    failures = AuditRecord.objects.filter(
        action="accounts.login_failed", object_id=str(xihu_staff.pk)
    )
    assert failures.count() == settings.LOGIN_MAX_FAILURES - 1
    lockout = AuditRecord.objects.get(action="accounts.lockout", object_id=str(xihu_staff.pk))
    assert lockout.after["locked_until"]
    assert PASSWORD not in str(lockout.after) and WRONG not in str(lockout.after)


def test_fewer_failures_do_not_lock_and_a_success_resets_the_count(client, xihu_staff):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        login_page(client, "xihu_staff", WRONG)
    response = login_page(client, "xihu_staff", PASSWORD)
    assert response.status_code == 302
    xihu_staff.refresh_from_db()
    assert xihu_staff.failed_logins == 0 and not xihu_staff.is_locked()


def test_unknown_login_name_is_not_distinguished(client, db):
    with pytest.raises(NotAuthenticated) as caught:
        services.authenticate_password(username="nobody", password=WRONG)
    assert caught.value.code == "login_failed"


def test_security_admin_unlocks(client, secadmin, xihu_staff, bearer):
    lock_out(client, "xihu_staff")
    response = client.post(f"/api/v1/users/{xihu_staff.pk}/unlock", **bearer(secadmin))
    assert response.status_code == 200
    assert response.json()["locked"] is False
    xihu_staff.refresh_from_db()
    assert not xihu_staff.is_locked() and xihu_staff.failed_logins == 0
    assert AuditRecord.objects.filter(action="accounts.unlock", actor_id=secadmin.pk).exists()
    assert login_page(Client(), "xihu_staff", PASSWORD).status_code == 302


@pytest.mark.parametrize("actor_fixture", ["sysadmin", "auditor", "shangcheng_staff"])
def test_unlock_needs_the_permission(request, client, xihu_staff, bearer, actor_fixture):
    actor = request.getfixturevalue(actor_fixture)
    lock_out(client, "xihu_staff")
    locked_until = User.objects.get(pk=xihu_staff.pk).locked_until
    response = client.post(f"/api/v1/users/{xihu_staff.pk}/unlock", **bearer(actor))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert User.objects.get(pk=xihu_staff.pk).locked_until == locked_until
    assert not AuditRecord.objects.filter(action="accounts.unlock").exists()


def test_unlock_unknown_user_is_not_found(client, secadmin, bearer):
    response = client.post("/api/v1/users/999999/unlock", **bearer(secadmin))
    assert response.status_code == 404
