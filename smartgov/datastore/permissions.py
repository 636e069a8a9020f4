"""Permission codes of the data store, added to the catalog's data roles."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
from smartgov.core.permissions import extend_role, register_permissions


class Perm(models.TextChoices):
    DELIVER = "datastore.deliver", _("Deliver data to the provider's resources")
    VIEW_DATA = "datastore.view_data", _("Read the data stored for resources")


def register() -> None:
    register_permissions(Perm)
    # The provider's data officers deliver and read their own resources (department scope);
    # data-bureau administrators read (and may deliver) for every department (city scope).
    extend_role(DATA_OFFICER, {Perm.DELIVER, Perm.VIEW_DATA})
    extend_role(DATA_ADMIN, {Perm.DELIVER, Perm.VIEW_DATA})
