from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatastoreConfig(AppConfig):
    name = "smartgov.datastore"
    label = "datastore"
    verbose_name = _("Data store")

    def ready(self) -> None:
        from smartgov.datastore import inbox, permissions

        permissions.register()
        inbox.register()
