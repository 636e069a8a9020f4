"""Permission codes and built-in roles of data sharing (共享交换).

Three capabilities, after X-Road's split between the member that asks and the owner that
decides:

* ``sharing.consume`` — a consumer department's staff register their department's apps, ask
  for resources, follow their requests and grants, and object to wrong values.
* ``sharing.provide`` — a provider department's staff decide the provider step of requests
  for their resources, see and revoke the grants on them, and answer objections.
* ``sharing.approve_bureau`` — the data bureau (city-wide only) decides the second step of
  requests for core or important data, and sees and revokes everything.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.permissions import Perm as AccountsPerm
from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
from smartgov.core.permissions import BuiltinRole, extend_role, register_permissions, register_role


class Perm(models.TextChoices):
    CONSUME = "sharing.consume", _("Register the department's apps and request shared data")
    PROVIDE = "sharing.provide", _("Decide requests for the department's data, answer objections")
    APPROVE_BUREAU = (
        "sharing.approve_bureau",
        _("Data bureau: approve requests for core and important data, oversee all sharing"),
    )


DATA_CONSUMER = "data_consumer"


def register() -> None:
    register_permissions(Perm, city_wide={Perm.APPROVE_BUREAU})
    register_role(
        BuiltinRole(
            code=DATA_CONSUMER,
            name="Data-sharing consumer",
            description="Registers the department's application systems, requests other "
            "departments' data for them and follows the grants.",
            permissions=frozenset({Perm.CONSUME, AccountsPerm.USE_WORKBENCH}),
            default_scope="department",
        )
    )
    # A department's data officer both provides (its own resources) and consumes (for its
    # department's systems); the data bureau's administrators do everything, city-wide.
    extend_role(DATA_OFFICER, {Perm.CONSUME, Perm.PROVIDE})
    extend_role(DATA_ADMIN, {Perm.CONSUME, Perm.PROVIDE, Perm.APPROVE_BUREAU})
