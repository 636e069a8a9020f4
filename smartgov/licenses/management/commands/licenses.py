"""``smartgov licenses expire``: mark e-licenses whose validity has ended as expired (daily)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from smartgov.licenses import services


class Command(BaseCommand):
    help = (
        "E-licenses. 'expire' marks valid and suspended licenses whose valid-until date has "
        "passed as expired (audited); run it daily. Verification refuses such licenses by date "
        "on its own, so this keeps the status truthful."
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
        count = services.expire_licenses(today=day)
        self.stdout.write(self.style.SUCCESS(f"{count} licenses expired."))
