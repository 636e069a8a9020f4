"""``smartgov services``: maintenance actions of the government services.

smartgov services rectifications    # open rectifications past their due date (run from cron)
smartgov services stats-rollup      # rebuild the statistics' daily rollup (after bulk loads)

Each action is a sub-command with its own arguments; add one by adding a parser in
``add_arguments`` and a ``_<action>`` method.
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Government services. 'rectifications' lists the open rectifications of bad ratings "
        "past their due date, per department; 'stats-rollup' rebuilds the statistics' daily "
        "rollup from the applications and ratings (after a bulk import)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        rectifications = actions.add_parser(
            "rectifications", help="Open rectifications past their due date."
        )
        rectifications.add_argument(
            "--now", help="Count as if it were this moment (ISO 8601, with a time zone)."
        )
        actions.add_parser("stats-rollup", help="Rebuild the statistics' daily rollup.")

    def handle(self, *args, action, **options):
        getattr(self, "_" + action.replace("-", "_"))(**options)

    def _rectifications(self, now=None, **options):
        from smartgov.services.ratings import check_rectification_deadlines

        moment = None
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError:
                raise CommandError("--now must be an ISO 8601 time with a time zone") from None
            if moment.tzinfo is None:
                raise CommandError("--now must carry a time zone")
        report = check_rectification_deadlines(now=moment)
        self.stdout.write(
            f"{report['today']}: {report['open']} open rectification(s), "
            f"{report['overdue']} overdue"
        )
        for department, count in sorted(report["per_department"].items()):
            self.stdout.write(f"  {department}: {count}")
        for row in report["rectifications"]:
            self.stdout.write(
                f"  {row['number']} {row['department']} due {row['due_date']} "
                f"({row['days_late']} day(s) late)"
            )

    def _stats_rollup(self, **options):
        from smartgov.services.stats import rebuild_rollup

        rows = rebuild_rollup()
        self.stdout.write(f"{rows} rollup row(s) written")
