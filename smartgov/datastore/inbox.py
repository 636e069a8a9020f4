"""Workbench to-dos of the data store: a resource whose latest delivery failed or had rows
rejected waits for its provider's data officers to fix the file and deliver again."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from smartgov.accounts.scope import has_city_scope, has_perm, restrict
from smartgov.catalog.models import Resource, ResourceStatus
from smartgov.core.workbench import InboxItem, register_inbox_source
from smartgov.datastore.models import Delivery, DeliveryStatus
from smartgov.datastore.permissions import Perm

SOURCE = "ingestion"
MAX_ITEMS = 200


def _link(delivery_id: int) -> str:
    try:
        return reverse("portal:datastore_delivery", args=[delivery_id])
    except NoReverseMatch:  # the portal is not installed
        return ""


def pending_for(user) -> list[InboxItem]:
    """Published resources in the officer's scope whose latest delivery needs a corrected file.
    The data bureau's city-wide officers follow every department on the 数据归集 page instead."""
    if getattr(user, "kind", "") != "staff" or not has_perm(user, Perm.DELIVER):
        return []
    if has_city_scope(user, Perm.DELIVER):
        return []
    latest = Delivery.objects.filter(resource=OuterRef("pk")).order_by("-started_at", "-id")
    resources = (
        restrict(Resource.objects.all(), user, Perm.DELIVER)
        .filter(status=ResourceStatus.PUBLISHED)
        .annotate(
            delivery_id=Subquery(latest.values("pk")[:1]),
            delivery_status=Subquery(latest.values("status")[:1]),
            delivery_rejected=Subquery(latest.values("rejected")[:1]),
            delivered_at=Subquery(latest.values("started_at")[:1]),
        )
        .filter(delivery_status__in=[DeliveryStatus.FAILED, DeliveryStatus.PARTIALLY_REJECTED])
        .order_by("delivered_at", "id")[:MAX_ITEMS]
    )
    items = []
    for resource in resources:
        if resource.delivery_status == DeliveryStatus.FAILED:
            title = _("Delivery refused: %(name)s") % {"name": resource.name}
        else:
            title = _("%(count)s rows rejected: %(name)s") % {
                "count": resource.delivery_rejected,
                "name": resource.name,
            }
        items.append(
            InboxItem(
                title=title,
                source=SOURCE,
                link=_link(resource.delivery_id),
                kind="datastore_rejected",
                kind_label=_("Correct and deliver again"),
                created_at=resource.delivered_at,
            )
        )
    return items


def register() -> None:
    from django.utils.translation import gettext_lazy

    register_inbox_source(SOURCE, pending_for, label=gettext_lazy("Data ingestion"))
