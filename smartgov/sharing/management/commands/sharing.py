"""``smartgov sharing expire``: mark grants whose period has ended as expired (daily cron)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from smartgov.sharing import services


class Command(BaseCommand):
    help = (
        "Data sharing. 'expire' marks active grants whose valid-until date has passed as "
        "expired (audited); run it daily from cron. The gateway refuses such grants by date "
        "on its own, so this keeps the lists truthful rather than the data safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["expire"])
        parser.add_argument("--today", help="Count as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, action: str, today: str | None, **options):
        day = None
        if today:
            try:
                day = date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today is not a date: {today}") from exc
        count = services.expire_grants(today=day)
        self.stdout.write(self.style.SUCCESS(f"{count} grants expired."))
