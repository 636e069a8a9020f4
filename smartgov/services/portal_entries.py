"""The services app's navigation entries and citizen home card (registered in ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext


def register() -> None:
    from smartgov.portal.home_cards import HomeCard, register_home_card
    from smartgov.portal.navigation import NavEntry, register_nav
    from smartgov.services.permissions import Perm

    register_nav(
        NavEntry(gettext_lazy("Service hall"), "portal:services_hall", icon="building", order=20)
    )
    register_nav(
        NavEntry(
            gettext_lazy("Service items"),
            "portal:services_staff_items",
            icon="list-details",
            order=35,
            kinds=("staff",),
            permission=Perm.MANAGE_ITEMS,
        )
    )

    def summary(user) -> str | None:
        from smartgov.services.models import ItemStatus, ServiceItem

        published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
        count = published.count()
        if not count:
            return None
        zero = published.filter(visits=0).count()
        return ngettext(
            "%(count)d service, %(zero)d with zero visits",
            "%(count)d services, %(zero)d with zero visits",
            count,
        ) % {"count": count, "zero": zero}

    register_home_card(
        HomeCard(
            code="services.hall",
            title=gettext_lazy("Service hall"),
            url_name="portal:services_hall",
            description=gettext_lazy(
                "Find a service and read its guide: conditions, materials, time limits."
            ),
            order=20,
            summary=summary,
        )
    )
