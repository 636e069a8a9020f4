"""Account use cases. Split by aggregate: users, login, roles and memberships, tokens."""

from smartgov.accounts.services.calendar import (
    calendar_status,
    delete_calendar_day,
    set_calendar_day,
    set_calendar_year,
)
from smartgov.accounts.services.departments import create_department, update_department
from smartgov.accounts.services.login import (
    authenticate_password,
    change_password,
    record_logout,
    unlock_user,
)
from smartgov.accounts.services.oidc import (
    delete_client,
    list_clients,
    register_client,
    rotate_client_secret,
)
from smartgov.accounts.services.roles import (
    assign_role,
    create_role,
    grant_initial_role,
    remove_membership,
    sync_builtin_roles,
    update_role,
)
from smartgov.accounts.services.tokens import (
    authenticate_token,
    create_token,
    revoke_token,
)
from smartgov.accounts.services.users import (
    create_app_account,
    create_citizen,
    create_enterprise,
    create_staff,
    deactivate_user,
    find_citizen_by_id,
    reactivate_user,
    set_password,
    update_user,
)

__all__ = [
    "assign_role",
    "authenticate_password",
    "authenticate_token",
    "calendar_status",
    "change_password",
    "create_app_account",
    "create_citizen",
    "create_department",
    "create_enterprise",
    "create_role",
    "create_staff",
    "create_token",
    "deactivate_user",
    "delete_calendar_day",
    "delete_client",
    "find_citizen_by_id",
    "grant_initial_role",
    "list_clients",
    "reactivate_user",
    "record_logout",
    "register_client",
    "remove_membership",
    "revoke_token",
    "rotate_client_secret",
    "set_calendar_day",
    "set_calendar_year",
    "set_password",
    "sync_builtin_roles",
    "unlock_user",
    "update_department",
    "update_role",
    "update_user",
]
