"""``smartgov audit verify``: check the audit log's hash chain end to end."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartgov.core.audit import checkpoint_now, verify_chain


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' walks the hash chain and its signed checkpoints and names the "
        "first broken link; 'checkpoint' signs the current chain head with the platform key."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint"])

    def handle(self, *args, action: str, **options):
        if action == "checkpoint":
            checkpoint = checkpoint_now()
            if checkpoint is None:
                self.stdout.write("The audit log is empty; nothing to sign.")
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Signed checkpoint at record #{checkpoint.seq} ({checkpoint.record_hash})."
                    )
                )
            return
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
