"""Workbench to-dos of the data store: deliveries overdue against the resource's update cycle,
for the provider's data officers (the data bureau sees the overdue counts on the quality page).
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from smartgov.accounts.scope import has_city_scope, has_perm, restrict
from smartgov.core.workbench import InboxItem, register_inbox_source
from smartgov.datastore.permissions import Perm
from smartgov.datastore.quality import published_tables
from smartgov.datastore.quality_selectors import overdue_deliveries

SOURCE = "quality"
MAX_ITEMS = 200


def _link(resource_id: int) -> str:
    try:
        return reverse("portal:catalog_detail", args=[resource_id])
    except NoReverseMatch:  # the portal is not installed
        return ""


def pending_for(user) -> list[InboxItem]:
    """Overdue deliveries of the resources the user delivers for (department-level scopes)."""
    if getattr(user, "kind", "") != "staff" or not has_perm(user, Perm.DELIVER):
        return []
    if has_city_scope(user, Perm.DELIVER):
        return []
    resources = restrict(published_tables(), user, Perm.DELIVER)
    return [
        InboxItem(
            title=_("Deliver data: %(name)s") % {"name": item.resource.name},
            source=SOURCE,
            link=_link(item.resource.pk),
            deadline=item.deadline,
            kind="delivery_overdue",
            kind_label=_("Overdue delivery"),
            created_at=item.last_delivery_at,
        )
        for item in overdue_deliveries(resources)[:MAX_ITEMS]
    ]


def register() -> None:
    from django.utils.translation import gettext_lazy

    register_inbox_source(SOURCE, pending_for, label=gettext_lazy("Delivery deadlines"))
