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
    MANAGE_QUALITY = "datastore.manage_quality", _("Manage quality rules and run quality checks")
    VIEW_QUALITY = "datastore.view_quality", _("Read quality reports and scores")


def register() -> None:
    register_permissions(Perm, city_wide={Perm.RESOLVE_CONFLICT})
    # The provider's data officers deliver and read their own resources (department scope);
    # data-bureau administrators read (and may deliver) for every department (city scope).
    # Quality: officers keep the rules of their own resources, the data bureau everyone's.
    quality = {Perm.MANAGE_QUALITY, Perm.VIEW_QUALITY}
    extend_role(DATA_OFFICER, {Perm.DELIVER, Perm.VIEW_DATA, *quality})
    extend_role(DATA_ADMIN, {Perm.DELIVER, Perm.VIEW_DATA, *quality})
    # One data element, one source (一数一源): the data bureau decides conflicts.
    extend_role(DATA_ADMIN, {Perm.RESOLVE_CONFLICT})
