from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "smartgov.governance"
    label = "governance"
    verbose_name = _("Governance (12345 and city-management cases)")

    def ready(self) -> None:
        from smartgov.core.demo import register_demo_loader
        from smartgov.governance import config_cache, inbox, kpi, permissions
        from smartgov.governance.demo import load_demo_governance

        permissions.register()
        inbox.register()
        kpi.connect_signals()
        config_cache.connect_signals()
        register_demo_loader("governance", load_demo_governance, after=("accounts",))
