from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "smartgov.services"
    label = "services"
    verbose_name = _("Government services")

    def ready(self) -> None:
        from smartgov.services import permissions

        permissions.register()
