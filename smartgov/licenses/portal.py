"""The licenses app's navigation entries and its card on the citizen / enterprise home page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smartgov.portal.home_cards import HomeCard, register_home_card
from smartgov.portal.navigation import NavEntry, register_nav


def _summary(user) -> str:
    from smartgov.licenses import services
    from smartgov.licenses.models import LicenseStatus

    count = services.holder_licenses(user).filter(status=LicenseStatus.VALID).count()
    return ngettext("%(count)d valid e-license", "%(count)d valid e-licenses", count) % {
        "count": count
    }


def register() -> None:
    from smartgov.licenses.permissions import Perm

    register_nav(
        NavEntry(
            _("My e-licenses"),
            "portal:licenses_wallet",
            icon="id",
            order=22,
            kinds=("citizen", "enterprise"),
        )
    )
    register_nav(
        NavEntry(
            _("E-licenses"),
            "portal:licenses_issue",
            icon="id",
            order=38,
            kinds=("staff",),
            permission=Perm.ISSUE,
        )
    )
    register_home_card(
        HomeCard(
            code="licenses.wallet",
            title=_("My e-licenses"),
            url_name="portal:licenses_wallet",
            description=_("Your certificates and licences, ready to show by QR code."),
            order=30,
            summary=_summary,
        )
    )
