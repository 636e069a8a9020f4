from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "smartgov.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from smartgov.portal import home_cards, navigation

        navigation._register_foundation_entries()
        navigation._register_catalog_entries()
        navigation._register_datastore_entries()
        navigation._register_sources_entries()
        navigation._register_quality_entries()
        navigation._register_sharing_entries()
        navigation._register_sharing_usage_entries()
        navigation._register_opendata_entries()
        navigation._register_governance_entries()
        home_cards._register_sharing_cards()
        home_cards._register_governance_cards()
