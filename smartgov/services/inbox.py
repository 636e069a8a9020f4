"""Workbench to-dos of applications: submitted and resubmitted applications of the items in a
front-desk officer's scope wait to be accepted, refused or sent back for correction."""

from __future__ import annotations

from django.utils.translation import gettext as _

from smartgov.accounts.scope import has_perm, restrict
from smartgov.core.workbench import InboxItem, register_inbox_source
from smartgov.services.application_models import Application, ApplicationStatus
from smartgov.services.permissions import Perm

SOURCE = "services"
MAX_ITEMS = 200


def pending_for(user) -> list[InboxItem]:
    if not has_perm(user, Perm.ACCEPT):
        return []
    waiting = (
        restrict(Application.objects.select_related("item"), user, Perm.ACCEPT)
        .filter(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.RESUBMITTED])
        .order_by("submitted_at", "pk")[:MAX_ITEMS]
    )
    return [
        InboxItem(
            title=_("Accept application %(number)s: %(item)s of %(applicant)s")
            % {"number": a.number, "item": a.item.name, "applicant": a.applicant_name},
            source=SOURCE,
            link="",  # no portal page for applications yet
            kind="services_acceptance",
            kind_label=_("Application to accept"),
            created_at=a.submitted_at,
        )
        for a in waiting
    ]


def register() -> None:
    from django.utils.translation import gettext_lazy

    register_inbox_source(SOURCE, pending_for, label=gettext_lazy("Government services"))
