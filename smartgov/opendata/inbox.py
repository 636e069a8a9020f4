"""Workbench to-dos of open data: developers' applications waiting for the provider department
(or the data bureau) to decide."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from smartgov.accounts.scope import has_perm, restrict
from smartgov.core.workbench import InboxItem, register_inbox_source
from smartgov.core.workcalendar import add_working_days
from smartgov.opendata.models import ApplicationStatus, OpenApplication
from smartgov.opendata.permissions import Perm

SOURCE = "opendata"
DECIDE_WORKING_DAYS = 5  # an application is decided within 5 working days
MAX_ITEMS = 200


def _link(application: OpenApplication) -> str:
    try:
        return reverse("portal:open_application", args=[application.pk])
    except NoReverseMatch:  # the portal is not installed
        return ""


def pending_for(user) -> list[InboxItem]:
    """Pending applications for the resources of the departments in the user's scope."""
    if getattr(user, "kind", "") != "staff" or not has_perm(user, Perm.DECIDE_APPLICATION):
        return []
    pending = (
        restrict(OpenApplication.objects.all(), user, Perm.DECIDE_APPLICATION)
        .filter(status=ApplicationStatus.PENDING)
        .select_related("resource", "applicant")
        .order_by("created_at", "id")[:MAX_ITEMS]
    )
    return [
        InboxItem(
            title=_("Open-data application: %(name)s for %(resource)s")
            % {"name": a.applicant.display_name, "resource": a.resource.name},
            source=SOURCE,
            link=_link(a),
            deadline=add_working_days(a.created_at, DECIDE_WORKING_DAYS),
            kind="opendata_application",
            kind_label=_("Open-data application"),
            created_at=a.created_at,
        )
        for a in pending
    ]


def register() -> None:
    from django.utils.translation import gettext_lazy

    register_inbox_source(SOURCE, pending_for, label=gettext_lazy("Open data"))
