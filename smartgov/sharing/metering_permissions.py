"""Permission code of the gateway's metering, added to the catalog's data roles."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
from smartgov.core.permissions import extend_role, register_permissions


class Perm(models.TextChoices):
    VIEW_USAGE = "sharing.view_usage", _("Read the sharing gateway's usage statistics")


def register() -> None:
    register_permissions(Perm)
    # A department's data officers see who uses their data and what their apps read
    # (department scope); data-bureau administrators see every call (city scope).
    extend_role(DATA_OFFICER, {Perm.VIEW_USAGE})
    extend_role(DATA_ADMIN, {Perm.VIEW_USAGE})
