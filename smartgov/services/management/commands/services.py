"""``smartgov services``: maintenance actions of government services (一网通办).

smartgov services deadlines                    # warnings, ended suspensions (run from cron)
smartgov services deadlines --now 2026-03-04T15:00+08:00
smartgov services rectifications               # open rectifications past their due date (cron)
smartgov services stats-rollup                 # rebuild the statistics' daily rollup (bulk loads)

Each action is a sub-command with its own arguments; add one by adding a parser in
``add_arguments`` and a ``_<action>`` method (dashes become underscores).
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from smartgov.core.errors import SmartgovError


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now is not a date and time: {value}") from exc
    if moment.tzinfo is None:
        raise CommandError("--now needs a time zone, e.g. 2026-03-04T15:00+08:00")
    return moment


class Command(BaseCommand):
    help = (
        "Government services. 'deadlines' resumes suspensions whose end day has come and sets "
        "the yellow and red time-limit warnings of applications in approval and of their "
        "steps (idempotent; run it every few minutes from cron). 'rectifications' lists the "
        "open rectifications of bad ratings past their due date, per department; "
        "'stats-rollup' rebuilds the statistics' daily rollup from the applications and "
        "ratings (after a bulk import)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        deadlines = actions.add_parser(
            "deadlines", help="Time-limit warnings of applications and steps; end suspensions."
        )
        deadlines.add_argument(
            "--now", help="Count as if it were this moment (ISO 8601, with a time zone)."
        )
        rectifications = actions.add_parser(
            "rectifications", help="Open rectifications past their due date."
        )
        rectifications.add_argument(
            "--now", help="Count as if it were this moment (ISO 8601, with a time zone)."
        )
        actions.add_parser("stats-rollup", help="Rebuild the statistics' daily rollup.")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action.replace('-', '_')}")(options)
        except SmartgovError as exc:
            detail = exc.detail
            if isinstance(detail, dict):
                detail = ", ".join(f"{key}={value}" for key, value in detail.items())
            detail = f" ({detail})" if detail else ""
            raise CommandError(f"{exc.message} [{exc.code}]{detail}") from exc

    def _deadlines(self, options) -> None:
        from smartgov.services.timelimits import check_deadlines

        counts = check_deadlines(now=_moment(options.get("now")))
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['checked']} applications in approval checked: {counts['yellow']} "
                f"yellow and {counts['red']} red warnings raised, {counts['cleared']} cleared; "
                f"{counts['resumed']} suspensions ended."
            )
        )

    def _rectifications(self, options) -> None:
        from smartgov.services.ratings import check_rectification_deadlines

        report = check_rectification_deadlines(now=_moment(options.get("now")))
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

    def _stats_rollup(self, options) -> None:
        from smartgov.services.stats import rebuild_rollup

        rows = rebuild_rollup()
        self.stdout.write(f"{rows} rollup row(s) written")
