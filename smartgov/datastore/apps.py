from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatastoreConfig(AppConfig):
    name = "smartgov.datastore"
    label = "datastore"
    verbose_name = _("Data store")

    def ready(self) -> None:
        from smartgov.core.demo import register_demo_loader
        from smartgov.datastore import inbox, permissions, quality_inbox, sources_inbox
        from smartgov.datastore.demo import load_demo_records
        from smartgov.datastore.quality_demo import load_demo_quality
        from smartgov.datastore.sources_demo import load_demo_sources

        permissions.register()
        inbox.register()
        quality_inbox.register()
        sources_inbox.register()
        register_demo_loader("datastore", load_demo_records, after=("catalog",))
        register_demo_loader("quality", load_demo_quality, after=("catalog", "datastore"))
        register_demo_loader("sources", load_demo_sources, after=("datastore",))
