from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatastoreConfig(AppConfig):
    name = "smartgov.datastore"
    label = "datastore"
    verbose_name = _("Data store")

    def ready(self) -> None:
        from smartgov.core.demo import register_demo_loader
        from smartgov.datastore import inbox, permissions
        from smartgov.datastore.quality_demo import load_demo_quality

        permissions.register()
        inbox.register()
        register_demo_loader("quality", load_demo_quality, after=("catalog", "datastore"))
