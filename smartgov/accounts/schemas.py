"""API schemas for accounts, tokens, memberships and roles."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from smartgov.accounts.scope import permissions_of


class MembershipRead(Schema):
    id: int
    department_id: int
    department_name: str
    role: str
    role_name: str
    scope: str
    title: str

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_role(obj) -> str:
        return obj.role.code

    @staticmethod
    def resolve_role_name(obj) -> str:
        return obj.role.name


class UserRead(Schema):
    id: int
    username: str
    kind: str
    display_name: str
    citizen_id_masked: str
    credit_code: str | None
    legal_representative: str
    phone: str
    email: str
    is_active: bool
    locked: bool
    date_joined: datetime

    @staticmethod
    def resolve_locked(obj) -> bool:
        return obj.is_locked()


class MeRead(UserRead):
    permissions: list[str]
    memberships: list[MembershipRead]

    @staticmethod
    def resolve_permissions(obj) -> list[str]:
        return sorted(permissions_of(obj))

    @staticmethod
    def resolve_memberships(obj):
        return list(obj.memberships.select_related("department", "role"))


class StaffCreate(Schema):
    username: str
    name: str
    password: str | None = None
    phone: str = ""
    email: str = ""


class CitizenRegister(Schema):
    username: str
    real_name: str
    citizen_id: str
    password: str
    phone: str = ""
    email: str = ""


class EnterpriseRegister(Schema):
    username: str
    name: str
    credit_code: str
    legal_representative: str
    password: str
    phone: str = ""
    email: str = ""


class UserUpdate(Schema):
    display_name: str | None = None
    phone: str | None = None
    email: str | None = None
    legal_representative: str | None = None


class PasswordChange(Schema):
    old_password: str
    new_password: str


class TokenCreate(Schema):
    name: str
    expires_at: datetime | None = None


class TokenRead(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenRead):
    token: str


class MembershipCreate(Schema):
    user_id: int
    department_id: int
    role: str
    scope: str | None = None
    title: str = ""


class RoleRead(Schema):
    id: int
    code: str
    name: str
    description: str
    permissions: list[str]
    builtin: bool


class RoleCreate(Schema):
    code: str
    name: str
    description: str = ""
    permissions: list[str]
