"""Permission codes and built-in roles of the governance loop (12345 / 数字城管).

Who does what, after the GB/T 30428 centres: the hotline and the grid workers record cases,
the command centre's dispatchers open, dispatch and approve extensions, the departments
handle, the inspectors (and the hotline revisit) verify and close, and supervisors watch the
clock and the KPIs.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.permissions import Perm as AccountsPerm
from smartgov.core.permissions import BuiltinRole, register_permissions, register_role


class Perm(models.TextChoices):
    INTAKE = "governance.intake", _("Record cases (hotline, grid workers)")
    DISPATCH = "governance.dispatch", _("Open, dispatch and merge cases, decide extensions")
    HANDLE = "governance.handle", _("Handle the department's cases and report back")
    VERIFY = "governance.verify", _("Verify and close handled cases, revisit reporters")
    SUPERVISE = "governance.supervise", _("Supervise overdue cases and read the KPIs")
    CONFIGURE = "governance.configure", _("Edit categories, grids, dispatch rules; train")


HOTLINE_AGENT = "hotline_agent"
DISPATCHER = "case_dispatcher"
CASE_HANDLER = "case_handler"
INSPECTOR = "grid_inspector"
GOVERNANCE_ADMIN = "governance_admin"


def register() -> None:
    register_permissions(Perm, city_wide={Perm.CONFIGURE})
    workbench = AccountsPerm.USE_WORKBENCH
    roles = [
        (
            HOTLINE_AGENT,
            "Hotline agent",
            "Takes 12345 calls, records cases for callers and revisits them after closing.",
            {Perm.INTAKE, Perm.VERIFY, workbench},
            "department",
        ),
        (
            DISPATCHER,
            "Case dispatcher",
            "Opens or cancels reported cases, dispatches them to departments, merges "
            "duplicates and decides extension and deferral requests.",
            {Perm.INTAKE, Perm.DISPATCH, Perm.SUPERVISE, workbench},
            "region_tree",
        ),
        (
            CASE_HANDLER,
            "Case handler",
            "Handles the cases dispatched to the department and reports back.",
            {Perm.HANDLE, workbench},
            "department",
        ),
        (
            INSPECTOR,
            "Grid inspector",
            "Patrols the grids, reports problems, and verifies handled cases on the spot.",
            {Perm.INTAKE, Perm.VERIFY, workbench},
            "region_tree",
        ),
        (
            GOVERNANCE_ADMIN,
            "Governance administrator",
            "Edits the category tree, the grids and the dispatch rules, trains the "
            "classifier and reads every KPI.",
            {Perm.CONFIGURE, Perm.SUPERVISE, Perm.DISPATCH, workbench},
            "city",
        ),
    ]
    for code, name, description, permissions, scope in roles:
        register_role(
            BuiltinRole(
                code=code,
                name=name,
                description=description,
                permissions=frozenset(permissions),
                default_scope=scope,
            )
        )
