"""Permission codes and the built-in role of e-licenses (电子证照).

* ``licenses.issue`` — an issuing department's staff issue e-licenses of its types.
* ``licenses.manage`` — they suspend, reinstate and revoke their department's licenses, see
  them and their usage log, and rotate the department's signing key.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.permissions import SYSTEM_ADMIN
from smartgov.accounts.permissions import Perm as AccountsPerm
from smartgov.core.permissions import BuiltinRole, extend_role, register_permissions, register_role


class Perm(models.TextChoices):
    ISSUE = "licenses.issue", _("Issue e-licenses of the department's types")
    MANAGE = "licenses.manage", _("Suspend, reinstate and revoke the department's e-licenses")


LICENSE_OFFICER = "license_officer"


def register() -> None:
    register_permissions(Perm)
    register_role(
        BuiltinRole(
            code=LICENSE_OFFICER,
            name="E-license officer",
            description="Issues the department's e-licenses, suspends, reinstates and revokes "
            "them and sees how they are used.",
            permissions=frozenset({Perm.ISSUE, Perm.MANAGE, AccountsPerm.USE_WORKBENCH}),
            default_scope="department",
        )
    )
    extend_role(SYSTEM_ADMIN, {Perm.MANAGE})
