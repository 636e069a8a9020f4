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
    applicants = ("citizen", "enterprise")
    register_nav(
        NavEntry(
            gettext_lazy("My service applications"),
            "portal:services_my_applications",
            icon="file-text",
            order=21,
            kinds=applicants,
        )
    )
    # 一件事 bundles are reached from the service hall (its header), not the top bar, which
    # already holds nine entries for a citizen.
    for label, url_name, order, perm in (
        (gettext_lazy("Counter intake"), "portal:services_counter", 23, Perm.INTAKE),
        (gettext_lazy("Acceptance"), "portal:services_acceptance", 24, Perm.ACCEPT),
        (gettext_lazy("My approval tasks"), "portal:services_tasks", 25, Perm.APPROVE),
        (gettext_lazy("Time-limit supervision"), "portal:services_supervision", 26, Perm.SUPERVISE),
    ):
        register_nav(
            NavEntry(
                label, url_name, icon="clipboard", order=order, kinds=("staff",), permission=perm
            )
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
