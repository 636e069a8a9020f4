from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "smartgov.services"
    label = "services"
    verbose_name = _("Government services")

    def ready(self) -> None:
        from smartgov.core.demo import register_demo_loader
        from smartgov.services import (
            bundles,
            fees,
            inbox,
            permissions,
            portal_entries,
            ratings_inbox,
            stats,
        )
        from smartgov.services.demo import load_demo_services

        permissions.register()
        portal_entries.register()
        inbox.register()
        fees.subscribe()  # applications.ACCEPTED: the item's fees become the application's
        bundles.subscribe()  # applications.ENDED: a bundle application completes
        ratings_inbox.register()
        stats.register()  # the statistics' rollup follows the application events
        register_demo_loader("services", load_demo_services, after=("catalog", "licenses"))
