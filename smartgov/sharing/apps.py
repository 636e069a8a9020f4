from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "smartgov.sharing"
    label = "sharing"
    verbose_name = _("Data sharing")

    def ready(self) -> None:
        from smartgov.core.demo import register_demo_loader
        from smartgov.sharing import inbox, metering_home, metering_permissions, permissions
        from smartgov.sharing.demo import load_demo_sharing

        permissions.register()
        metering_permissions.register()
        metering_home.register()
        inbox.register()
        register_demo_loader("sharing", load_demo_sharing, after=("datastore",))
