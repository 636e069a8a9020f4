"""Password login with lockout, password change, logout, unlock."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from smartgov.accounts.models import User, UserKind
from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import access
from smartgov.accounts.services.users import _apply_password
from smartgov.core import audit
from smartgov.core.errors import InvalidInput, NotAuthenticated

# Hash checked when the login name is unknown, so timing does not reveal which names exist.
_DUMMY_HASH = None


def _dummy_check(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password("smartgov-dummy-password")
    from django.contrib.auth.hashers import check_password

    check_password(password, _DUMMY_HASH)


def authenticate_password(*, username: str, password: str) -> User:
    """Check a login; count failures and lock the account after too many in a row.

    Raises NotAuthenticated with code ``login_failed`` (unknown name or wrong password, not
    distinguished), ``account_locked`` or ``account_inactive``.
    """
    user = User.objects.filter(username__iexact=(username or "").strip()).first()
    if user is None or user.kind == UserKind.APP:
        _dummy_check(password or "")
        raise NotAuthenticated("login_failed", "Wrong login name or password.")
    now = timezone.now()
    if user.is_locked(now):
        raise NotAuthenticated(
            "account_locked",
            "The account is locked after repeated failed logins; try again later or ask a "
            "security administrator to unlock it.",
            detail={"locked_until": user.locked_until.isoformat()},
        )
    if not user.check_password(password or ""):
        _record_failure(user, now)
        raise NotAuthenticated("login_failed", "Wrong login name or password.")
    if not user.is_active:
        raise NotAuthenticated("account_inactive", "This account has been deactivated.")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=now)
        audit.record(actor=user, action="accounts.login", obj=user)
    user.failed_logins, user.locked_until, user.last_login = 0, None, now
    return user


def _record_failure(user: User, now) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        after = {"failed_logins": user.failed_logins}
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
            locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=locked_until, failed_logins=0)
            after = {"locked_until": locked_until.isoformat()}
            audit.record(actor=None, action="accounts.lockout", obj=user, after=after)
        else:
            audit.record(actor=None, action="accounts.login_failed", obj=user, after=after)


def record_logout(*, user: User) -> None:
    audit.record(actor=user, action="accounts.logout", obj=user)


@transaction.atomic
def change_password(*, user: User, old_password: str, new_password: str) -> User:
    """The account holder changes their own password; the old one must be right."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password or ""):
        raise InvalidInput("wrong_password", "The current password is wrong.")
    if old_password == new_password:
        raise InvalidInput("password_unchanged", "The new password must differ from the old one.")
    _apply_password(user, new_password)
    user.save(update_fields=["password", "password_changed_at"])
    audit.record(actor=user, action="accounts.password_change", obj=user)
    return user


@transaction.atomic
def unlock_user(*, actor: User, user_id: int) -> User:
    """A security administrator lifts a lockout."""
    user = access(User.objects.select_for_update(), actor, Perm.UNLOCK_USER, pk=user_id)
    before = {"locked_until": user.locked_until.isoformat() if user.locked_until else None}
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins"])
    audit.record(
        actor=actor, action="accounts.unlock", obj=user, before=before, after={"locked_until": None}
    )
    return user
