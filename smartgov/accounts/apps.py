from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "smartgov.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from smartgov.accounts import permissions

        permissions.register()
        post_migrate.connect(_sync_roles, sender=self)
        _register_demo()
        _register_inbox()


def _sync_roles(sender, using="default", **kwargs) -> None:
    # Schema wiring, not a business side effect: built-in roles follow the code after migrate.
    from smartgov.accounts.services.roles import sync_builtin_roles

    sync_builtin_roles(using=using)


def _register_demo() -> None:
    from smartgov.accounts.demo import load_demo
    from smartgov.core.demo import register_demo_loader

    register_demo_loader("accounts", load_demo)


def _register_inbox() -> None:
    from smartgov.accounts.inbox import pending_for
    from smartgov.core.workbench import register_inbox_source

    register_inbox_source("accounts", pending_for, label=_("Platform administration"))
