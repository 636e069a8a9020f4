"""Workbench to-dos of the catalog: reviews waiting for the data bureau, resources returned to
their providers for changes."""

from __future__ import annotations

from django.db.models import Max, OuterRef, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from smartgov.accounts.scope import has_city_scope, has_perm, restrict
from smartgov.catalog.models import Resource, ResourceRevision, ResourceStatus, RevisionAction
from smartgov.catalog.permissions import Perm
from smartgov.core.workbench import InboxItem, register_inbox_source
from smartgov.core.workcalendar import add_working_days

SOURCE = "catalog"
REVIEW_WORKING_DAYS = 5  # the data bureau reviews a submitted resource within 5 working days
MAX_ITEMS = 200


def _link(resource: Resource) -> str:
    try:
        return reverse("portal:catalog_detail", args=[resource.pk])
    except NoReverseMatch:  # the portal is not installed
        return ""


def _reviews(user) -> list[InboxItem]:
    submitted = (
        restrict(Resource.objects.all(), user, Perm.REVIEW_RESOURCE)
        .filter(status=ResourceStatus.SUBMITTED)
        .annotate(
            submitted_at=Max(
                "revisions__created_at", filter=Q(revisions__action=RevisionAction.SUBMIT)
            )
        )
        .order_by("submitted_at", "id")[:MAX_ITEMS]
    )
    return [
        InboxItem(
            title=_("Review data resource: %(name)s") % {"name": resource.name},
            source=SOURCE,
            link=_link(resource),
            deadline=add_working_days(resource.submitted_at, REVIEW_WORKING_DAYS)
            if resource.submitted_at
            else None,
            kind="catalog_review",
            kind_label=_("Catalog review"),
            created_at=resource.submitted_at,
        )
        for resource in submitted
    ]


def _returned(user) -> list[InboxItem]:
    """Drafts whose latest step was a rejection, for the officers of the provider (the data
    bureau's city-wide managers are not the providers)."""
    if has_city_scope(user, Perm.MANAGE_RESOURCE):
        return []
    latest = ResourceRevision.objects.filter(resource=OuterRef("pk")).order_by("-number")
    returned = (
        restrict(Resource.objects.all(), user, Perm.MANAGE_RESOURCE)
        .filter(status=ResourceStatus.DRAFT)
        .annotate(
            last_action=Subquery(latest.values("action")[:1]),
            returned_at=Subquery(latest.values("created_at")[:1]),
        )
        .filter(last_action=RevisionAction.REJECT)
        .order_by("returned_at", "id")[:MAX_ITEMS]
    )
    return [
        InboxItem(
            title=_("Returned for changes: %(name)s") % {"name": resource.name},
            source=SOURCE,
            link=_link(resource),
            kind="catalog_returned",
            kind_label=_("Returned resource"),
            created_at=resource.returned_at,
        )
        for resource in returned
    ]


def pending_for(user) -> list[InboxItem]:
    """The catalog's to-dos for ``user``."""
    items: list[InboxItem] = []
    if getattr(user, "kind", "") != "staff":
        return items
    if has_perm(user, Perm.REVIEW_RESOURCE):
        items.extend(_reviews(user))
    if has_perm(user, Perm.MANAGE_RESOURCE):
        items.extend(_returned(user))
    return items


def register() -> None:
    from django.utils.translation import gettext_lazy

    register_inbox_source(SOURCE, pending_for, label=gettext_lazy("Data resource catalog"))
