"""The registry of permission codes and built-in roles that every app contributes to.

Permission codes are enum values (``"<app>.<verb>_<object>"``); an app registers its enum and
the built-in roles it needs in its AppConfig.ready(). Roles are stored in accounts.Role; the
built-in ones are synchronised from this registry after each migrate.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

_PERMISSIONS: dict[str, str] = {}
_ROLES: dict[str, BuiltinRole] = {}


@dataclass(frozen=True)
class BuiltinRole:
    code: str
    name: str  # English msgid; shown translated
    description: str
    permissions: frozenset[str]
    default_scope: str = "department"
    # Roles that may never be held together by one person (GB/T 39477 separation of duties).
    exclusive_group: str = ""


def register_permissions(enum_cls: type[Enum]) -> None:
    """Add an app's permission enum (value = code, label = human name) to the registry."""
    for member in enum_cls:
        label = getattr(member, "label", member.name)
        _PERMISSIONS[str(member.value)] = str(label)


def register_role(role: BuiltinRole) -> None:
    unknown = set(role.permissions) - set(_PERMISSIONS)
    if unknown:
        raise ValueError(f"role {role.code} uses unregistered permissions {sorted(unknown)}")
    existing = _ROLES.get(role.code)
    if existing is not None and existing != role:
        raise ValueError(f"role {role.code} registered twice with different definitions")
    _ROLES[role.code] = role


def all_permissions() -> dict[str, str]:
    return dict(sorted(_PERMISSIONS.items()))


def builtin_roles() -> dict[str, BuiltinRole]:
    return dict(_ROLES)


def is_known_permission(code: str) -> bool:
    return code in _PERMISSIONS
