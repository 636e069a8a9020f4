"""``smartgov governance``: the governance loop's maintenance actions.

smartgov governance train                      # from the platform's closed cases
smartgov governance train --csv history.csv --text-column 内容 --label-column 分类
smartgov governance evaluate --csv labelled.csv
smartgov governance deadlines                  # warnings and escalations (run from cron)
smartgov governance open311-client create --name 城市大脑   # api_key shown once (also list, revoke)
smartgov governance kpi-rollup                 # recompute the KPIs' daily rollup (after bulk loads)

Each action is a sub-command with its own arguments; add one by adding a parser in
``add_arguments`` and a ``_<action>`` method.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartgov.core.errors import SmartgovError


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


class Command(BaseCommand):
    help = (
        "Governance loop. 'train' trains the case classifier from closed cases or a CSV of "
        "labelled texts and makes it the active model; 'evaluate' prints the active model's "
        "figures on a labelled CSV; 'deadlines' raises the yellow and red warnings and the "
        "escalations that are due and resumes ended deferrals (idempotent; run it every few "
        "minutes from cron)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        train = actions.add_parser(
            "train", help="Train the classifier (closed cases, or --csv) and activate it."
        )
        train.add_argument("--csv", dest="csv_path", help="UTF-8 CSV with a header row.")
        train.add_argument("--text-column", default="text")
        train.add_argument("--label-column", default="label", help="Category code or name per row.")
        train.add_argument(
            "--min-per-class",
            type=int,
            default=5,
            help="Leave out classes with fewer samples than this (default 5).",
        )
        evaluate = actions.add_parser(
            "evaluate", help="Accuracy, macro-F1, per-class figures and the automatic share."
        )
        evaluate.add_argument("--csv", dest="csv_path", required=True)
        evaluate.add_argument("--text-column", default="text")
        evaluate.add_argument("--label-column", default="label")
        deadlines = actions.add_parser(
            "deadlines", help="Warn and escalate overdue cases; resume ended deferrals."
        )
        deadlines.add_argument(
            "--now", help="Count as if it were this moment (ISO 8601, with a time zone)."
        )

        # KPI / Open311 (K): the same actions as 'smartgov open311_client'.
        from smartgov.governance.management.commands.open311_client import (
            Command as Open311ClientCommand,
        )

        clients = actions.add_parser("open311-client", help="Open311 clients (api_key).")
        Open311ClientCommand().add_arguments(clients)
        clients.set_defaults(open311_parser=True)
        actions.add_parser("kpi-rollup", help="Recompute the KPIs' daily rollup of closed cases.")

    def handle(self, *args, action: str, **options):
        if action == "open311-client":
            from smartgov.governance.management.commands.open311_client import (
                Command as Open311ClientCommand,
            )

            command = Open311ClientCommand(stdout=self.stdout, stderr=self.stderr)
            return command.handle(**options)
        try:
            getattr(self, f"_{action.replace('-', '_')}")(options)
        except SmartgovError as exc:
            detail = exc.detail
            if isinstance(detail, dict):
                detail = ", ".join(f"{key}={value}" for key, value in detail.items())
            detail = f" ({detail})" if detail else ""
            raise CommandError(f"{exc.message} [{exc.code}]{detail}") from exc

    def _train(self, options) -> None:
        from smartgov.governance import classify

        model = classify.train(
            csv_path=options["csv_path"],
            actor_name="smartgov governance train",
            min_per_class=options["min_per_class"],
            text_column=options["text_column"],
            label_column=options["label_column"],
        )
        metrics = model.metrics
        self.stdout.write(
            self.style.SUCCESS(
                f"Classifier v{model.version} trained on {model.sample_count} samples "
                f"({model.class_count} classes, source: {model.source}) and activated."
            )
        )
        self.stdout.write(
            f"Held-out ({metrics['held_out']} samples): accuracy {_percent(metrics['accuracy'])}, "
            f"macro-F1 {metrics['macro_f1']:.3f}"
        )
        self.stdout.write(
            f"Auto-dispatch threshold {model.threshold:.3f} (target precision "
            f"{_percent(metrics['target_precision'])}): {_percent(metrics['auto_share'])} of "
            f"cases automatic, {_percent(metrics['auto_accuracy'])} of those right"
        )
        if metrics.get("dropped_classes"):
            self.stdout.write(
                self.style.WARNING(
                    "Left out (too few samples): " + ", ".join(metrics["dropped_classes"])
                )
            )

    def _evaluate(self, options) -> None:
        from smartgov.governance import classify

        result = classify.evaluate(
            csv_path=options["csv_path"],
            text_column=options["text_column"],
            label_column=options["label_column"],
        )
        self.stdout.write(f"Classifier v{result['version']} on {result['samples']} samples")
        self.stdout.write(f"accuracy      {_percent(result['accuracy'])}")
        self.stdout.write(f"macro-F1      {result['macro_f1']:.3f}")
        self.stdout.write(f"threshold     {result['threshold']:.3f}")
        self.stdout.write(
            f"automatic     {_percent(result['auto_share'])} of cases, "
            f"accuracy {_percent(result['auto_accuracy'])}"
        )
        self.stdout.write(f"\n{'class':<6} {'name':<12} precision recall  f1     support")
        for code, row in result["per_class"].items():
            name = row["name"][:10]
            pad = 12 - sum(2 if ord(ch) > 0x2E80 else 1 for ch in name)
            self.stdout.write(
                f"{code:<6} {name}{' ' * max(pad, 1)}{row['precision']:.3f}     "
                f"{row['recall']:.3f}   {row['f1']:.3f}  {row['support']}"
            )

    def _deadlines(self, options) -> None:
        from datetime import datetime

        from smartgov.governance.deadlines import check_deadlines

        moment = None
        if options.get("now"):
            try:
                moment = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now is not a date and time: {options['now']}") from exc
            if moment.tzinfo is None:
                raise CommandError("--now needs a time zone, e.g. 2025-03-04T15:00+08:00")
        counts = check_deadlines(now=moment)
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['checked']} running cases checked: {counts['yellow']} yellow, "
                f"{counts['red']} red warnings; {counts['escalated_head']} escalated to the "
                f"department head, {counts['escalated_district']} to the district; "
                f"{counts['resumed']} deferrals resumed."
            )
        )

    def _kpi_rollup(self, options) -> None:
        from smartgov.governance import kpi

        days = kpi.rebuild_rollup()
        self.stdout.write(self.style.SUCCESS(f"KPI rollup recomputed for {days} days."))
