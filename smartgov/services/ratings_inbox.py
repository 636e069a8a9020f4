"""Workbench to-dos of 好差评: open rectifications to answer (perm rectify, with their due
date as the deadline) and answered ones to revisit (perm revisit), in the user's scope."""

from __future__ import annotations

from datetime import datetime, time

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartgov.accounts.scope import has_perm, restrict
from smartgov.core.workbench import InboxItem, register_inbox_source
from smartgov.services.permissions import Perm
from smartgov.services.rating_models import Rectification, RectificationStatus

SOURCE = "services_ratings"
MAX_ITEMS = 200


def _link(pk: int) -> str:
    try:
        return reverse("portal:services_rectification", args=[pk])
    except NoReverseMatch:
        return f"/api/v1/services/rectifications?id={pk}"


def _end_of(day) -> datetime:
    return datetime.combine(day, time(23, 59), tzinfo=timezone.get_current_timezone())


def _items(user, perm: str, status: str, title: str, kind: str, label: str) -> list[InboxItem]:
    if not has_perm(user, perm):
        return []
    queryset = (
        restrict(Rectification.objects.all(), user, perm)
        .filter(status=status)
        .select_related("rating__application__item")
        .order_by("due_date", "pk")[:MAX_ITEMS]
    )
    result = []
    for rectification in queryset:
        application = rectification.rating.application
        result.append(
            InboxItem(
                title=title % {"number": application.number, "item": application.item.name},
                source=SOURCE,
                link=_link(rectification.pk),
                deadline=_end_of(rectification.due_date) if status == "open" else None,
                kind=kind,
                kind_label=label,
                created_at=rectification.created_at,
            )
        )
    return result


def pending_for(user) -> list[InboxItem]:
    return _items(
        user,
        Perm.RECTIFY,
        RectificationStatus.OPEN,
        _("Answer the bad rating of %(number)s: %(item)s"),
        "services_rectification",
        _("Rectification to answer"),
    ) + _items(
        user,
        Perm.REVISIT,
        RectificationStatus.ANSWERED,
        _("Revisit the applicant of %(number)s: %(item)s"),
        "services_revisit",
        _("Rectification to revisit"),
    )


def register() -> None:
    from django.utils.translation import gettext_lazy

    register_inbox_source(SOURCE, pending_for, label=gettext_lazy("Service ratings"))
    register_nav_entries()


def register_nav_entries() -> None:
    """The staff's menu entries of 差评整改 and 政务服务统计."""
    from django.utils.translation import gettext_lazy

    from smartgov.portal.navigation import NavEntry, register_nav

    register_nav(
        NavEntry(
            gettext_lazy("Rectifications"),
            "portal:services_rectifications",
            icon="message-report",
            order=37,
            kinds=("staff",),
            permission=Perm.RECTIFY,
        )
    )
    register_nav(
        NavEntry(
            gettext_lazy("Service statistics"),
            "portal:services_stats",
            icon="chart-bar",
            order=38,
            kinds=("staff",),
            permission=Perm.VIEW_STATS,
        )
    )
