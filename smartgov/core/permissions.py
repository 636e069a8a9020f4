"""The registry of permission codes and built-in roles that every app contributes to.

Permission codes are enum values (``"<app>.<verb>_<object>"``); an app registers its enum and
the built-in roles it needs in its AppConfig.ready(). Roles are stored in accounts.Role; the
built-in ones are synchronised from this registry after each migrate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

_PERMISSIONS: dict[str, object] = {}  # code -> label (lazy: translated when shown)
_ROLES: dict[str, BuiltinRole] = {}
# Permissions other apps add to a built-in role they do not own (see extend_role).
_EXTENSIONS: dict[str, set[str]] = {}
# Permissions over city-wide settings (the calendar, role definitions, SSO clients): they take
# effect only through a membership whose data scope is the whole city.
_CITY_WIDE: set[str] = set()


@dataclass(frozen=True)
class BuiltinRole:
    code: str
    name: str  # English msgid; shown translated
    description: str
    permissions: frozenset[str]
    default_scope: str = "department"
    # Roles that may never be held together by one person (GB/T 39477 separation of duties).
    exclusive_group: str = ""


def register_permissions(enum_cls: type[Enum], *, city_wide=()) -> None:
    """Add an app's permission enum (value = code, label = human name) to the registry.

    ``city_wide`` lists the codes that only a whole-city scope can exercise.
    """
    for member in enum_cls:
        _PERMISSIONS[str(member.value)] = getattr(member, "label", member.name)
    _CITY_WIDE.update(str(code) for code in city_wide)


def register_role(role: BuiltinRole) -> None:
    unknown = set(role.permissions) - set(_PERMISSIONS)
    if unknown:
        raise ValueError(f"role {role.code} uses unregistered permissions {sorted(unknown)}")
    existing = _ROLES.get(role.code)
    if existing is not None and existing != role:
        raise ValueError(f"role {role.code} registered twice with different definitions")
    _ROLES[role.code] = role


def extend_role(code: str, permissions) -> None:
    """Add permission codes to a built-in role registered by another app.

    A later app (datastore) gives an earlier app's role (catalog's data_officer) its own codes
    without editing that app; the extension is merged into ``builtin_roles()``.
    """
    unknown = {str(p) for p in permissions} - set(_PERMISSIONS)
    if unknown:
        raise ValueError(f"role {code} extended with unregistered permissions {sorted(unknown)}")
    _EXTENSIONS.setdefault(code, set()).update(str(p) for p in permissions)


def all_permissions() -> dict[str, str]:
    """Code -> label in the active language."""
    return {code: str(label) for code, label in sorted(_PERMISSIONS.items())}


def builtin_roles() -> dict[str, BuiltinRole]:
    return {
        code: replace(role, permissions=role.permissions | frozenset(_EXTENSIONS[code]))
        if code in _EXTENSIONS
        else role
        for code, role in _ROLES.items()
    }


def is_city_wide(code: str) -> bool:
    return str(code) in _CITY_WIDE


def is_known_permission(code: str) -> bool:
    return code in _PERMISSIONS
