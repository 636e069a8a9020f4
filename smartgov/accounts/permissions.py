"""Permission codes and built-in roles of the foundation (core, accounts, portal)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.core.permissions import BuiltinRole, register_permissions, register_role


class Perm(models.TextChoices):
    MANAGE_REGION = "core.manage_region", _("Manage regions")
    MANAGE_DEPARTMENT = "core.manage_department", _("Manage departments")
    MANAGE_CALENDAR = "core.manage_calendar", _("Manage the working-day calendar")
    VIEW_AUDIT = "core.view_audit", _("Read the audit log")
    VIEW_USER = "accounts.view_user", _("View accounts")
    MANAGE_USER = "accounts.manage_user", _("Create and edit accounts")
    MANAGE_ROLE = "accounts.manage_role", _("Define roles")
    ASSIGN_ROLE = "accounts.assign_role", _("Assign roles to staff")
    UNLOCK_USER = "accounts.unlock_user", _("Unlock accounts")
    MANAGE_TOKEN = "accounts.manage_token", _("Revoke other users' API tokens")
    MANAGE_OIDC_CLIENT = "accounts.manage_oidc_client", _("Register single sign-on clients")
    USE_WORKBENCH = "portal.use_workbench", _("Use the staff workbench")


SYSTEM_ADMIN = "system_admin"
SECURITY_ADMIN = "security_admin"
AUDITOR = "auditor"
STAFF = "staff"
PLATFORM_ADMIN_GROUP = "platform_admin"


def register() -> None:
    register_permissions(
        Perm,
        city_wide={
            Perm.MANAGE_REGION,
            Perm.MANAGE_CALENDAR,
            Perm.MANAGE_ROLE,
            Perm.MANAGE_OIDC_CLIENT,
        },
    )
    register_role(
        BuiltinRole(
            code=SYSTEM_ADMIN,
            name="System administrator",
            description="Runs the platform: accounts, departments, regions, calendar, "
            "single sign-on clients. Cannot assign roles or read the audit log.",
            permissions=frozenset(
                {
                    Perm.MANAGE_REGION,
                    Perm.MANAGE_DEPARTMENT,
                    Perm.MANAGE_CALENDAR,
                    Perm.VIEW_USER,
                    Perm.MANAGE_USER,
                    Perm.MANAGE_OIDC_CLIENT,
                    Perm.USE_WORKBENCH,
                }
            ),
            default_scope="city",
            exclusive_group=PLATFORM_ADMIN_GROUP,
        )
    )
    register_role(
        BuiltinRole(
            code=SECURITY_ADMIN,
            name="Security administrator",
            description="Defines roles, assigns them to staff, unlocks accounts and revokes "
            "tokens. Cannot create accounts or read the audit log.",
            permissions=frozenset(
                {
                    Perm.VIEW_USER,
                    Perm.MANAGE_ROLE,
                    Perm.ASSIGN_ROLE,
                    Perm.UNLOCK_USER,
                    Perm.MANAGE_TOKEN,
                    Perm.USE_WORKBENCH,
                }
            ),
            default_scope="city",
            exclusive_group=PLATFORM_ADMIN_GROUP,
        )
    )
    register_role(
        BuiltinRole(
            code=AUDITOR,
            name="Security auditor",
            description="Reads and verifies the audit log, including the administrators' "
            "actions. Changes nothing.",
            permissions=frozenset({Perm.VIEW_AUDIT, Perm.VIEW_USER, Perm.USE_WORKBENCH}),
            default_scope="city",
            exclusive_group=PLATFORM_ADMIN_GROUP,
        )
    )
    register_role(
        BuiltinRole(
            code=STAFF,
            name="Staff member",
            description="Works in a department: the workbench and the department's own data.",
            permissions=frozenset({Perm.USE_WORKBENCH}),
            default_scope="department",
        )
    )
