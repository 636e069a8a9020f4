from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "smartgov.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from smartgov.core.demo import register_demo_loader
        from smartgov.opendata import inbox, permissions
        from smartgov.opendata.demo import load_demo_opendata

        permissions.register()
        inbox.register()
        register_demo_loader("opendata", load_demo_opendata, after=("datastore",))
