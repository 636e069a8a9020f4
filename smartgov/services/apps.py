from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "smartgov.services"
    label = "services"
    verbose_name = _("Government services")

    def ready(self) -> None:
        from smartgov.core.demo import register_demo_loader
        from smartgov.services import inbox, permissions, portal_entries
        from smartgov.services.demo import load_demo_services

        permissions.register()
        portal_entries.register()
        inbox.register()
        register_demo_loader("services", load_demo_services, after=("catalog", "licenses"))
