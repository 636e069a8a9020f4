"""Permission codes and built-in roles of service items (事项管理).

* ``services.manage_items`` — a department's item officer drafts and edits its items' guides.
* ``services.publish_items`` — the department's (or the service centre's) approver publishes
  and withdraws item versions.
* ``services.intake`` — front-desk staff take in applications on an applicant's behalf.
* ``services.accept`` — accept, refuse or ask to correct applications of the scope's items.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.permissions import Perm as AccountsPerm
from smartgov.core.permissions import BuiltinRole, register_permissions, register_role


class Perm(models.TextChoices):
    MANAGE_ITEMS = "services.manage_items", _("Draft and edit the department's service items")
    PUBLISH_ITEMS = "services.publish_items", _("Publish and withdraw service items")
    INTAKE = "services.intake", _("Take in applications at the one-window counter")
    ACCEPT = "services.accept", _("Accept, refuse or ask to correct applications")
    APPROVE = "services.approve", _("Handle approval steps of applications")
    SUPERVISE = (
        "services.supervise",
        _("Supervise time limits: decide suspensions and extensions, see warnings"),
    )
    RECTIFY = "services.rectify", _("Answer rectifications of bad ratings")
    REVISIT = "services.revisit", _("Revisit applicants after a rectification")
    VIEW_STATS = "services.view_stats", _("View service statistics")
    MANAGE_BUNDLES = "services.manage_bundles", _("Define and publish 一件事 bundles")


ITEM_OFFICER = "item_officer"
ITEM_PUBLISHER = "item_publisher"
FRONT_DESK = "front_desk"
APPROVER = "approver"
SERVICE_SUPERVISOR = "service_supervisor"


def register() -> None:
    register_permissions(Perm)
    register_role(
        BuiltinRole(
            code=ITEM_OFFICER,
            name="Service-item officer",
            description="Drafts the department's service items: guide, materials, steps and "
            "time limits.",
            permissions=frozenset({Perm.MANAGE_ITEMS, AccountsPerm.USE_WORKBENCH}),
            default_scope="department",
        )
    )
    register_role(
        BuiltinRole(
            code=ITEM_PUBLISHER,
            name="Service-item publisher",
            description="Checks the department's item drafts, publishes and withdraws them.",
            permissions=frozenset(
                {Perm.MANAGE_ITEMS, Perm.PUBLISH_ITEMS, AccountsPerm.USE_WORKBENCH}
            ),
            default_scope="department",
        )
    )
    register_role(
        BuiltinRole(
            code=FRONT_DESK,
            name="Front-desk officer",
            description="Takes in applications at the one-window counter and accepts, refuses "
            "or asks to correct applications of the department's items.",
            permissions=frozenset({Perm.INTAKE, Perm.ACCEPT, AccountsPerm.USE_WORKBENCH}),
            default_scope="department",
        )
    )
    register_role(
        BuiltinRole(
            code=APPROVER,
            name="Approval officer",
            description="Handles the approval steps (review, decision, completion) of the "
            "department's applications and answers rectifications of bad ratings.",
            permissions=frozenset({Perm.APPROVE, Perm.RECTIFY, AccountsPerm.USE_WORKBENCH}),
            default_scope="department",
        )
    )
    register_role(
        BuiltinRole(
            code=SERVICE_SUPERVISOR,
            name="Service supervisor",
            description="Watches time limits and warnings, decides suspensions and "
            "extensions, revisits applicants and reads the service statistics.",
            permissions=frozenset(
                {
                    Perm.SUPERVISE,
                    Perm.REVISIT,
                    Perm.VIEW_STATS,
                    Perm.MANAGE_BUNDLES,
                    AccountsPerm.USE_WORKBENCH,
                }
            ),
            default_scope="department",
        )
    )
