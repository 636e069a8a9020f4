from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatastoreConfig(AppConfig):
    name = "smartgov.datastore"
    label = "datastore"
    verbose_name = _("Data store")

    def ready(self) -> None:
        from smartgov.datastore import permissions

        permissions.register()
        self._register_sources()

    @staticmethod
    def _register_sources() -> None:
        """One data element, one source (一数一源): workbench to-dos and the demo register."""
        from smartgov.core.demo import register_demo_loader
        from smartgov.datastore import inbox
        from smartgov.datastore.sources_demo import load_demo_sources

        inbox.register()
        register_demo_loader("sources", load_demo_sources, after=("datastore",))
