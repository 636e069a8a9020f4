"""Permission codes and built-in roles of the data resource catalog."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.permissions import Perm as AccountsPerm
from smartgov.core.permissions import (
    BuiltinRole,
    extend_role,
    register_permissions,
    register_role,
)


class Perm(models.TextChoices):
    MANAGE_RESOURCE = "catalog.manage_resource", _("Register and edit catalog resources")
    REVIEW_RESOURCE = "catalog.review_resource", _("Review and publish catalog resources")
    MANAGE_ELEMENTS = (
        "catalog.manage_elements",
        _("Keep the register of data elements and their authoritative sources"),
    )
    VIEW_ELEMENTS = "catalog.view_elements", _("Read the register of authoritative sources")


DATA_OFFICER = "data_officer"
DATA_ADMIN = "data_admin"


def register() -> None:
    # Reading published entries needs no permission code: every staff member may search them.
    register_permissions(Perm, city_wide={Perm.REVIEW_RESOURCE, Perm.MANAGE_ELEMENTS})
    register_role(
        BuiltinRole(
            code=DATA_OFFICER,
            name="Data officer",
            description="Registers the department's data resources in the catalog, describes "
            "their fields and submits them for review.",
            permissions=frozenset({Perm.MANAGE_RESOURCE, AccountsPerm.USE_WORKBENCH}),
            default_scope="department",
        )
    )
    register_role(
        BuiltinRole(
            code=DATA_ADMIN,
            name="Data administrator",
            description="Data bureau: reviews, publishes and withdraws catalog resources of "
            "every department.",
            permissions=frozenset(
                {Perm.MANAGE_RESOURCE, Perm.REVIEW_RESOURCE, AccountsPerm.USE_WORKBENCH}
            ),
            default_scope="city",
        )
    )
    # One data element, one source (一数一源): the data bureau keeps the register (city scope);
    # data officers read it.
    extend_role(DATA_OFFICER, {Perm.VIEW_ELEMENTS})
    extend_role(DATA_ADMIN, {Perm.MANAGE_ELEMENTS, Perm.VIEW_ELEMENTS})
