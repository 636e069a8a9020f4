from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensesConfig(AppConfig):
    name = "smartgov.licenses"
    label = "licenses"
    verbose_name = _("E-licenses")

    def ready(self) -> None:
        from smartgov.core.demo import register_demo_loader
        from smartgov.licenses import permissions, portal
        from smartgov.licenses.demo import load_demo_licenses

        permissions.register()
        portal.register()
        register_demo_loader("licenses", load_demo_licenses, after=("accounts",))
