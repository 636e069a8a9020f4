"""Creating and changing accounts of every kind."""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from smartgov.accounts.models import User, UserKind
from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import access, require_perm
from smartgov.core import audit
from smartgov.core.crypto import blind_index, encrypt_field
from smartgov.core.errors import Conflict, InvalidInput
from smartgov.core.validators import (
    check_citizen_id,
    check_credit_code,
    check_mobile,
    mask_citizen_id,
)

_USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,150}$")
EDITABLE_FIELDS = ("display_name", "phone", "email", "legal_representative")


def _check_username(username: str) -> str:
    username = (username or "").strip()
    if not _USERNAME_RE.match(username):
        raise InvalidInput(
            "username_format",
            "A login name has 3–150 letters, digits or . _ @ - characters.",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("username_taken", "This login name is already taken.")
    return username


def _check_name(name: str, *, code: str = "name_required") -> str:
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise InvalidInput(code, "A name of 1–128 characters is required.")
    return name


def _apply_password(user: User, password: str | None) -> None:
    if password is None:
        user.set_unusable_password()
        return
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            "password_weak", " ".join(exc.messages), detail={"reasons": exc.messages}
        ) from exc
    user.set_password(password)
    user.password_changed_at = timezone.now()


def _save_new(user: User) -> User:
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise Conflict("account_exists", "An account with this identity already exists.") from exc
    return user


def citizen_index(citizen_id: str) -> str:
    return blind_index(citizen_id, purpose="citizen_id")


@transaction.atomic
def create_citizen(
    *,
    actor: User | None,
    username: str,
    real_name: str,
    citizen_id: str,
    password: str | None,
    phone: str = "",
    email: str = "",
) -> User:
    """Register a citizen: real name and a valid citizen ID, unique across the platform."""
    citizen_id = check_citizen_id(citizen_id)
    index = citizen_index(citizen_id)
    if User.objects.filter(citizen_id_index=index).exists():
        raise Conflict("citizen_exists", "An account with this citizen ID already exists.")
    user = User(
        username=_check_username(username),
        kind=UserKind.CITIZEN,
        display_name=_check_name(real_name),
        citizen_id_encrypted=encrypt_field(citizen_id),
        citizen_id_index=index,
        citizen_id_masked=mask_citizen_id(citizen_id),
        phone=check_mobile(phone) if phone else "",
        email=email,
    )
    _apply_password(user, password)
    _save_new(user)
    audit.record(
        actor=actor or user, action="accounts.user.create", obj=user, after=audit.snapshot(user)
    )
    return user


@transaction.atomic
def create_enterprise(
    *,
    actor: User | None,
    username: str,
    name: str,
    credit_code: str,
    legal_representative: str,
    password: str | None,
    phone: str = "",
    email: str = "",
) -> User:
    """Register an enterprise account by its unified social credit code."""
    credit_code = check_credit_code(credit_code)
    if User.objects.filter(credit_code=credit_code).exists():
        raise Conflict("enterprise_exists", "An account with this credit code already exists.")
    user = User(
        username=_check_username(username),
        kind=UserKind.ENTERPRISE,
        display_name=_check_name(name),
        credit_code=credit_code,
        legal_representative=_check_name(legal_representative, code="legal_rep_required"),
        phone=check_mobile(phone) if phone else "",
        email=email,
    )
    _apply_password(user, password)
    _save_new(user)
    audit.record(
        actor=actor or user, action="accounts.user.create", obj=user, after=audit.snapshot(user)
    )
    return user


@transaction.atomic
def create_staff(
    *,
    actor: User | None,
    username: str,
    name: str,
    password: str | None,
    phone: str = "",
    email: str = "",
) -> User:
    """Create a staff account (roles are assigned separately, by a security administrator)."""
    if actor is not None:
        require_perm(actor, Perm.MANAGE_USER)
    user = User(
        username=_check_username(username),
        kind=UserKind.STAFF,
        display_name=_check_name(name),
        phone=check_mobile(phone) if phone else "",
        email=email,
    )
    _apply_password(user, password)
    _save_new(user)
    audit.record(actor=actor, action="accounts.user.create", obj=user, after=audit.snapshot(user))
    return user


@transaction.atomic
def create_app_account(*, actor: User | None, username: str, name: str) -> User:
    """A machine client: it has no password and authenticates with API tokens."""
    if actor is not None:
        require_perm(actor, Perm.MANAGE_USER)
    user = User(
        username=_check_username(username), kind=UserKind.APP, display_name=_check_name(name)
    )
    user.set_unusable_password()
    _save_new(user)
    audit.record(actor=actor, action="accounts.user.create", obj=user, after=audit.snapshot(user))
    return user


def find_citizen_by_id(citizen_id: str) -> User | None:
    """The citizen account holding this ID, found through the blind index."""
    citizen_id = check_citizen_id(citizen_id)
    return User.objects.filter(citizen_id_index=citizen_index(citizen_id)).first()


@transaction.atomic
def update_user(*, actor: User, user_id: int, changes: dict) -> User:
    """Edit an account's contact details; ``actor`` needs manage_user over the account."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            "unknown_fields",
            "These fields cannot be changed here.",
            detail={"fields": sorted(unknown)},
        )
    user = access(User.objects.select_for_update(), actor, Perm.MANAGE_USER, pk=user_id)
    before = audit.snapshot(user, list(changes))
    if "display_name" in changes:
        user.display_name = _check_name(changes["display_name"])
    if "phone" in changes:
        user.phone = check_mobile(changes["phone"]) if changes["phone"] else ""
    if "email" in changes:
        user.email = (changes["email"] or "").strip()
    if "legal_representative" in changes:
        if user.kind != UserKind.ENTERPRISE:
            raise InvalidInput("not_enterprise", "Only enterprises have a legal representative.")
        user.legal_representative = _check_name(changes["legal_representative"])
    user.save()
    audit.record(
        actor=actor,
        action="accounts.user.update",
        obj=user,
        before=before,
        after=audit.snapshot(user, list(changes)),
    )
    return user


@transaction.atomic
def deactivate_user(*, actor: User, user_id: int) -> User:
    """Switch an account off: it can no longer log in and its tokens stop working."""
    user = access(User.objects.select_for_update(), actor, Perm.MANAGE_USER, pk=user_id)
    if user.pk == actor.pk:
        raise Conflict("cannot_deactivate_self", "You cannot deactivate your own account.")
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="accounts.user.deactivate",
        obj=user,
        before={"is_active": True},
        after={"is_active": False},
    )
    return user


@transaction.atomic
def reactivate_user(*, actor: User, user_id: int) -> User:
    user = access(User.objects.select_for_update(), actor, Perm.MANAGE_USER, pk=user_id)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="accounts.user.reactivate",
        obj=user,
        before={"is_active": False},
        after={"is_active": True},
    )
    return user


@transaction.atomic
def set_password(*, actor: User, user_id: int, password: str) -> User:
    """An administrator sets a new password (e.g. after identity checks at a counter)."""
    user = access(User.objects.select_for_update(), actor, Perm.MANAGE_USER, pk=user_id)
    _apply_password(user, password)
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["password", "password_changed_at", "failed_logins", "locked_until"])
    audit.record(actor=actor, action="accounts.user.set_password", obj=user)
    return user
