"""``smartgov demo``: set up the demo city (idempotently) and serve it on 127.0.0.1:8000."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import translation

from smartgov.core import context
from smartgov.core.demo import ordered_loaders
from smartgov.core.services import load_regions


class Command(BaseCommand):
    help = "Create the database, load the demo city and its accounts, and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Load data and stop.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, no_serve: bool, host: str, port: int, **options):
        call_command("migrate", interactive=False, verbosity=0)
        # Records written now (audit object names) read in the platform's default language.
        with context.audit_context(channel="demo"), translation.override(settings.LANGUAGE_CODE):
            created = load_regions()
            self.stdout.write(f"regions: {created} new (Zhejiang, GB/T 2260, NBS 2023)")
            for loader in ordered_loaders():
                summary = loader.load(stdout=self.stdout)
                self.stdout.write(f"{loader.code}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo city ready."))
        if not no_serve:
            call_command("serve", host=host, port=port)
