"""Workbench to-dos of one data element, one source (一数一源): corrections the data bureau asked
a holder's department for, values reported as errors in a source, and open conflicts waiting
for the data bureau's decision. One item per holder or element, not per conflict."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Min
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from smartgov.accounts.scope import has_city_scope, has_perm, restrict
from smartgov.catalog.models import DataElement, Resource, SourceHolder
from smartgov.core.workbench import InboxItem, register_inbox_source
from smartgov.core.workcalendar import add_working_days
from smartgov.datastore.models import ConflictStatus, SourceConflict
from smartgov.datastore.permissions import Perm

SOURCE = "sources"
CORRECTION_WORKING_DAYS = 5  # a department corrects reported values within 5 working days
MAX_ITEMS = 200


def _link(**filters) -> str:
    try:
        return reverse("portal:conflicts") + "?" + urlencode(filters)
    except NoReverseMatch:  # the portal is not installed
        return ""


def _grouped(conflicts, by: str):
    return (
        conflicts.values(by)
        .annotate(n=Count("id"), since=Min("status_changed_at"), seen=Min("first_seen"))
        .order_by("since")[:MAX_ITEMS]
    )


def _corrections(user) -> list[InboxItem]:
    """Holder departments: conflicts the data bureau asked them to correct."""
    resources = restrict(Resource.objects.all(), user, Perm.DELIVER).values("pk")
    conflicts = SourceConflict.objects.filter(
        status=ConflictStatus.HOLDER_NOTIFIED, holder__resource__in=resources
    )
    rows = list(_grouped(conflicts, "holder_id"))
    holders = SourceHolder.objects.select_related("element", "resource").in_bulk(
        [row["holder_id"] for row in rows]
    )
    items = []
    for row in rows:
        holder = holders[row["holder_id"]]
        items.append(
            InboxItem(
                title=_(
                    "Correct %(resource)s: %(count)s values of %(element)s differ from the "
                    "authoritative source"
                )
                % {
                    "resource": holder.resource.name,
                    "count": row["n"],
                    "element": holder.element.name,
                },
                source=SOURCE,
                link=_link(holder_id=holder.pk, status=ConflictStatus.HOLDER_NOTIFIED),
                deadline=add_working_days(row["since"], CORRECTION_WORKING_DAYS),
                kind="sources_correction",
                kind_label=_("Data correction"),
                created_at=row["since"],
            )
        )
    return items


def _source_checks(user) -> list[InboxItem]:
    """Source departments: values the data bureau reported as errors in their resource."""
    resources = restrict(Resource.objects.all(), user, Perm.DELIVER).values("pk")
    conflicts = SourceConflict.objects.filter(
        status=ConflictStatus.SOURCE_REPORTED, element__source_resource__in=resources
    )
    rows = list(_grouped(conflicts, "element_id"))
    found = DataElement.objects.select_related("source_resource").in_bulk(
        [row["element_id"] for row in rows]
    )
    return [
        InboxItem(
            title=_("Check %(resource)s: %(count)s values of %(element)s reported as errors")
            % {
                "resource": found[row["element_id"]].source_resource.name,
                "count": row["n"],
                "element": found[row["element_id"]].name,
            },
            source=SOURCE,
            link=_link(element_id=row["element_id"], status=ConflictStatus.SOURCE_REPORTED),
            deadline=add_working_days(row["since"], CORRECTION_WORKING_DAYS),
            kind="sources_source_error",
            kind_label=_("Authoritative data check"),
            created_at=row["since"],
        )
        for row in rows
    ]


def _decisions(user) -> list[InboxItem]:
    """The data bureau: open conflicts waiting for a decision, per element."""
    rows = list(_grouped(SourceConflict.objects.filter(status=ConflictStatus.OPEN), "element_id"))
    found = DataElement.objects.in_bulk([row["element_id"] for row in rows])
    return [
        InboxItem(
            title=_("Decide %(count)s conflicts of %(element)s")
            % {"count": row["n"], "element": found[row["element_id"]].name},
            source=SOURCE,
            link=_link(element_id=row["element_id"], status=ConflictStatus.OPEN),
            kind="sources_decision",
            kind_label=_("Source conflicts"),
            created_at=row["seen"],
        )
        for row in rows
    ]


def pending_for(user) -> list[InboxItem]:
    """The to-dos of one data element, one source for ``user``."""
    items: list[InboxItem] = []
    if getattr(user, "kind", "") != "staff":
        return items
    if has_perm(user, Perm.RESOLVE_CONFLICT):
        items.extend(_decisions(user))
    # The data bureau's city-wide deliverers are not the departments asked to correct.
    if has_perm(user, Perm.DELIVER) and not has_city_scope(user, Perm.DELIVER):
        items.extend(_corrections(user))
        items.extend(_source_checks(user))
    return items


def register() -> None:
    from django.utils.translation import gettext_lazy

    register_inbox_source(SOURCE, pending_for, label=gettext_lazy("One data element, one source"))
