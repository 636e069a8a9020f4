"""``smartgov quality run [--resource ID]``: check the quality of published resources (cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartgov.datastore import quality


class Command(BaseCommand):
    help = (
        "Data quality. 'run' evaluates the quality rules of every published table resource "
        "(or of one, with --resource) and stores today's department and city scores; run it "
        "nightly from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run"])
        parser.add_argument("--resource", type=int, help="Only this resource (id).")

    def handle(self, *args, action: str, resource: int | None, **options):
        reports = quality.run_all_checks(resource_id=resource, stdout=self.stdout)
        if resource is not None and not reports:
            raise CommandError(f"No published table resource with id {resource} was checked.")
        self.stdout.write(self.style.SUCCESS(f"Checked {len(reports)} resources."))
