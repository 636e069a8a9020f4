from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "smartgov.sharing"
    label = "sharing"
    verbose_name = _("Data sharing")

    def ready(self) -> None:
        from smartgov.sharing import metering_home, metering_permissions

        metering_permissions.register()
        metering_home.register()
