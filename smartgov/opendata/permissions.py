"""Permission codes of open data: who decides developers' applications."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
from smartgov.core.permissions import extend_role, register_permissions


class Perm(models.TextChoices):
    DECIDE_APPLICATION = (
        "opendata.decide_application",
        _("Approve or reject developers' applications for conditionally open data"),
    )
    MANAGE_PUBLICATION = (
        "opendata.manage_publication",
        _("File open resources under topics and tags"),
    )


def register() -> None:
    register_permissions(Perm)
    # The provider department's data officer decides for its own resources (department
    # scope); the data bureau for every department (city scope).
    extend_role(DATA_OFFICER, {Perm.DECIDE_APPLICATION})
    extend_role(DATA_ADMIN, {Perm.DECIDE_APPLICATION, Perm.MANAGE_PUBLICATION})
