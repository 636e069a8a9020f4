"""The "who read my data" card on the citizen / enterprise home page."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smartgov.portal.home_cards import HomeCard, register_home_card


def _summary(user) -> str:
    from smartgov.sharing import metering

    since = timezone.now() - timedelta(days=30)
    count = metering.reads_of(user).filter(created_at__gte=since).count()
    return ngettext(
        "%(count)d read in the last 30 days", "%(count)d reads in the last 30 days", count
    ) % {"count": count}


def register() -> None:
    register_home_card(
        HomeCard(
            code="sharing.my_reads",
            title=_("Who read my data"),
            url_name="portal:sharing_my_reads",
            description=_("Departments that looked up your records through the platform."),
            order=60,
            summary=_summary,
        )
    )
