"""``smartgov audit verify``: check the audit log's hash chain end to end."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartgov.core.audit import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. 'verify' walks the hash chain and names the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action: str, **options):
        result = verify_chain()
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit chain intact: {result.checked} records, last #{result.last_seq}."
                )
            )
            return
        broken = result.broken
        raise CommandError(
            f"Audit chain BROKEN at record #{broken.seq}: {broken.reason}. "
            f"{result.checked} records before it verified."
        )
