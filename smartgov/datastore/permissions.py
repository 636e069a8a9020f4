"""Permission codes of the data store, added to the catalog's data roles."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
from smartgov.core.permissions import extend_role, register_permissions


class Perm(models.TextChoices):
    DELIVER = "datastore.deliver", _("Deliver data to the provider's resources")
    VIEW_DATA = "datastore.view_data", _("Read the data stored for resources")
    RESOLVE_CONFLICT = (
        "datastore.resolve_conflict",
        _("Decide conflicts between holders of a data element and its authoritative source"),
    )


def register() -> None:
    register_permissions(Perm, city_wide={Perm.RESOLVE_CONFLICT})
    # The provider's data officers deliver and read their own resources (department scope);
    # data-bureau administrators read (and may deliver) for every department (city scope).
    extend_role(DATA_OFFICER, {Perm.DELIVER, Perm.VIEW_DATA})
    extend_role(DATA_ADMIN, {Perm.DELIVER, Perm.VIEW_DATA})
    # One data element, one source (一数一源): the data bureau decides conflicts.
    extend_role(DATA_ADMIN, {Perm.RESOLVE_CONFLICT})
