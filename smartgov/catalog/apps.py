from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "smartgov.catalog"
    label = "catalog"
    verbose_name = _("Data resource catalog")

    def ready(self) -> None:
        from smartgov.catalog import inbox, permissions
        from smartgov.catalog.demo import load_demo_catalog
        from smartgov.core.demo import register_demo_loader

        permissions.register()
        inbox.register()
        register_demo_loader("catalog", load_demo_catalog, after=("accounts",))
