"""Data quality (数据质量) use cases: the rules of a resource, quality checks and their reports,
and the daily score snapshots of departments and the city.

Rules come in two origins. *Derived* rules follow the catalog metadata and exist without anyone
creating them (materialised on first use, kept in step by ``ensure_default_rules``): required
fields → completeness, key fields → uniqueness, update cycle → timeliness, and the acceptance
rate of recent deliveries. They can be re-weighted, given another threshold or disabled, not
deleted. *Explicit* rules (completeness, validity, uniqueness, consistency) are added, edited,
disabled and deleted by the provider's data officers (department scope) and the data bureau
(city scope), with ``datastore.manage_quality``.

A check (``evaluate``) runs every enabled rule over the current rows (see quality_checks.py) and
stores a QualityReport: score = weighted mean of the rules' scores (a rule's score is the share
of checked rows that pass, in per cent; it passes when that reaches its threshold; a rule
with nothing to check does not count, and a resource without current rows has no score). A
department's score is the mean of the latest scores of its published resources, the city's the
mean over all published resources; both are kept per day in QualitySnapshot for the history.
Checks run after every successful delivery (on commit), nightly (``smartgov quality run``) and on
demand (``run_quality_check``).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from statistics import fmean

from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from smartgov.accounts.scope import access
from smartgov.catalog.models import RECORD_FORMATS, Resource, ResourceStatus
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput
from smartgov.datastore import db, quality_rules
from smartgov.datastore.models import (
    CheckTrigger,
    QualityReport,
    QualityRule,
    QualitySnapshot,
    RuleOrigin,
    StoreTable,
)
from smartgov.datastore.permissions import Perm
from smartgov.datastore.quality_checks import (
    due_at,
    evaluate_rules,
    weighted_score,
    with_delivery_times,
)
from smartgov.datastore.quality_rules import DEFAULT_RULE_FIELDS, RULE_FIELDS

logger = logging.getLogger(__name__)


# --- Rules --------------------------------------------------------------------------------


def ensure_default_rules(resource: Resource) -> None:
    """Create, adjust and remove the derived rules so they follow the catalog metadata
    (idempotent; a derived rule's weight, threshold and switch are kept)."""
    wanted = quality_rules.derived_rules(resource)
    existing = {
        rule.derived_from: rule
        for rule in QualityRule.objects.filter(resource=resource, origin=RuleOrigin.DEFAULT)
    }
    if set(existing) == set(wanted) and all(
        existing[basis].fields == values["fields"] for basis, values in wanted.items()
    ):
        return
    with transaction.atomic():
        for basis, rule in existing.items():
            if basis not in wanted:
                rule.delete()
            elif rule.fields != wanted[basis]["fields"]:
                rule.fields = wanted[basis]["fields"]
                rule.save(update_fields=["fields", "updated_at"])
        for basis, values in wanted.items():
            if basis not in existing:
                QualityRule.objects.get_or_create(
                    resource=resource,
                    origin=RuleOrigin.DEFAULT,
                    derived_from=basis,
                    defaults={
                        **values,
                        "threshold": quality_rules.DEFAULT_THRESHOLD[values["kind"]],
                    },
                )


def _quality_resource(actor, resource_id: int, perm: str) -> Resource:
    return access(Resource.objects.select_related("provider"), actor, perm, pk=resource_id)


def rules_of(actor, resource_id: int) -> list[QualityRule]:
    """The resource's rules, derived ones first (materialised here on first read)."""
    resource = _quality_resource(actor, resource_id, Perm.VIEW_QUALITY)
    if resource.holds_records:
        ensure_default_rules(resource)
    return list(
        QualityRule.objects.filter(resource=resource)
        .select_related("target_resource")
        .order_by("origin", "id")  # "default" before "explicit"
    )


def _same_rule_exists(resource: Resource, cleaned: dict, kind: str, exclude=None) -> bool:
    others = QualityRule.objects.filter(
        resource=resource, kind=kind, origin=RuleOrigin.EXPLICIT
    ).exclude(pk=exclude)
    return any(
        rule.fields == cleaned["fields"]
        and rule.params == cleaned["params"]
        and rule.target_resource_id
        == (cleaned["target_resource"].pk if cleaned["target_resource"] else None)
        and rule.target_field == cleaned["target_field"]
        for rule in others
    )


SNAPSHOT_FIELDS = [
    "resource",
    "kind",
    "origin",
    "fields",
    "params",
    "target_resource",
    "target_field",
    "weight",
    "threshold",
    "enabled",
    "note",
]


def _rule_snapshot(rule: QualityRule) -> dict:
    return audit.snapshot(rule, fields=SNAPSHOT_FIELDS)


def create_rule(*, actor, resource_id: int, kind: str, **values) -> QualityRule:
    """Add an explicit rule to a resource the actor manages the quality of."""
    with transaction.atomic():
        resource = access(
            Resource.objects.select_for_update(), actor, Perm.MANAGE_QUALITY, pk=resource_id
        )
        if not resource.holds_records:
            raise InvalidInput(
                "not_a_table", gettext_noop("Only resources that hold records have quality rules.")
            )
        cleaned = quality_rules.check_rule(resource, kind, values)
        if _same_rule_exists(resource, cleaned, kind):
            raise Conflict("rule_exists", gettext_noop("The resource already has this rule."))
        rule = QualityRule.objects.create(
            resource=resource, kind=kind, origin=RuleOrigin.EXPLICIT, created_by=actor, **cleaned
        )
        audit.record(
            actor=actor,
            action="datastore.quality.rule.create",
            obj=rule,
            after=_rule_snapshot(rule),
        )
    return rule


def _managed_rule(actor, rule_id: int) -> QualityRule:
    return access(
        QualityRule.objects.select_for_update().select_related("resource"),
        actor,
        Perm.MANAGE_QUALITY,
        pk=rule_id,
    )


def update_rule(*, actor, rule_id: int, changes: dict) -> QualityRule:
    """Change a rule; a derived rule only changes its weight, threshold, switch and note."""
    with transaction.atomic():
        rule = _managed_rule(actor, rule_id)
        unknown = sorted(set(changes) - set(RULE_FIELDS))
        if unknown:
            raise InvalidInput(
                "unknown_rule_change",
                gettext_noop("These rule attributes cannot be changed."),
                detail={"unknown": unknown},
            )
        before = _rule_snapshot(rule)
        current = {
            "fields": rule.fields,
            "params": rule.params,
            "target_resource_id": rule.target_resource_id,
            "target_field": rule.target_field,
            "weight": rule.weight,
            "threshold": rule.threshold,
            "enabled": rule.enabled,
            "note": rule.note,
        }
        if rule.origin == RuleOrigin.DEFAULT:
            fixed = sorted(
                name
                for name in set(changes) - set(DEFAULT_RULE_FIELDS)
                if changes[name] != current[name]
            )
            if fixed:
                raise Conflict(
                    "default_rule_fixed",
                    gettext_noop(
                        "A rule derived from the fields changes only its weight, "
                        "threshold, switch and note."
                    ),
                    detail={"fixed": fixed},
                )
            cleaned = quality_rules.check_settings(rule.kind, {**current, **changes})
        else:
            cleaned = quality_rules.check_rule(rule.resource, rule.kind, {**current, **changes})
            if _same_rule_exists(rule.resource, cleaned, rule.kind, exclude=rule.pk):
                raise Conflict("rule_exists", gettext_noop("The resource already has this rule."))
        for name, value in cleaned.items():
            setattr(rule, name, value)
        rule.save()
        audit.record(
            actor=actor,
            action="datastore.quality.rule.update",
            obj=rule,
            before=before,
            after=_rule_snapshot(rule),
        )
    return rule


def delete_rule(*, actor, rule_id: int) -> None:
    """Delete an explicit rule (derived rules are disabled instead). Reports keep its results."""
    with transaction.atomic():
        rule = _managed_rule(actor, rule_id)
        if rule.origin == RuleOrigin.DEFAULT:
            raise Conflict(
                "default_rule_not_deletable",
                gettext_noop("A rule derived from the fields cannot be deleted; disable it."),
            )
        before = _rule_snapshot(rule)
        audit.record(actor=actor, action="datastore.quality.rule.delete", obj=rule, before=before)
        rule.delete()


# --- Checks -------------------------------------------------------------------------------


def _require_checkable(resource: Resource) -> None:
    if not resource.holds_records:
        raise InvalidInput(
            "not_a_table", gettext_noop("Only resources that hold records have quality rules.")
        )
    if resource.status != ResourceStatus.PUBLISHED:
        raise Conflict(
            "resource_not_published",
            gettext_noop("Quality is checked for published resources."),
            detail={"status": resource.status},
        )


def evaluate(
    resource: Resource, *, trigger: str, actor=None, refresh: bool = True
) -> QualityReport:
    """Run the resource's enabled rules over its current rows and store the report (no
    permission check: callers decide). ``refresh`` updates today's score snapshots."""
    ensure_default_rules(resource)
    clock = time.monotonic()
    now = timezone.now()
    with db.consistent_reads():
        table = StoreTable.objects.filter(resource=resource).first()
        rules = list(
            QualityRule.objects.filter(resource=resource, enabled=True)
            .select_related("target_resource")
            .order_by("origin", "id")
        )
        results, rows = evaluate_rules(resource, table, rules, now=now)
    # A resource without current rows has no data to score (its timeliness still shows).
    score = weighted_score(results) if rows else None
    with transaction.atomic():
        report = QualityReport.objects.create(
            resource=resource,
            created_at=now,
            trigger=trigger,
            actor=actor,
            version=table.version if table else 0,
            rows=rows,
            score=None if score is None else Decimal(str(score)),
            rules_passed=sum(1 for r in results if r.passed is True),
            rules_failed=sum(1 for r in results if r.passed is False),
            duration_ms=int((time.monotonic() - clock) * 1000),
            results=[r.as_dict() for r in results],
        )
        if actor is not None:
            audit.record(
                actor=actor,
                action="datastore.quality.check",
                obj=report,
                after={
                    "resource_id": resource.pk,
                    "version": report.version,
                    "score": report.score,
                    "rules_passed": report.rules_passed,
                    "rules_failed": report.rules_failed,
                },
            )
        if refresh:
            refresh_snapshots(department_ids={resource.provider_id}, day=timezone.localdate(now))
    return report


def run_quality_check(*, actor, resource_id: int) -> QualityReport:
    """Check a resource now, on demand (its provider's officers, the data bureau)."""
    resource = _quality_resource(actor, resource_id, Perm.MANAGE_QUALITY)
    _require_checkable(resource)
    return evaluate(resource, trigger=CheckTrigger.MANUAL, actor=actor)


def check_after_delivery(resource_id: int) -> None:
    """Runs on commit of a successful delivery. A failure is logged, never raised: the
    delivery is stored whatever its check does."""
    try:
        resource = Resource.objects.get(pk=resource_id)
        if resource.status == ResourceStatus.PUBLISHED:
            evaluate(resource, trigger=CheckTrigger.DELIVERY)
    except Exception:
        logger.exception("Quality check after a delivery to resource %s failed", resource_id)


def run_all_checks(*, resource_id: int | None = None, stdout=None) -> list[QualityReport]:
    """Check every published table resource (or one): the nightly run. Snapshots are
    refreshed once at the end; a resource whose check fails is logged and skipped."""
    resources = Resource.objects.filter(
        status=ResourceStatus.PUBLISHED, format__in=RECORD_FORMATS
    ).select_related("provider")
    if resource_id is not None:
        resources = resources.filter(pk=resource_id)
    reports = []
    for resource in resources.order_by("id"):
        try:
            report = evaluate(resource, trigger=CheckTrigger.SCHEDULE, refresh=False)
        except Exception:
            logger.exception("Quality check of resource %s failed", resource.pk)
            if stdout is not None:
                stdout.write(f"{resource.code} {resource.name}: failed (see the log)\n")
            continue
        reports.append(report)
        if stdout is not None:
            score = "—" if report.score is None else f"{report.score}"
            stdout.write(
                f"{resource.code} {resource.name}: score {score}, {report.rows} rows, "
                f"{report.duration_ms} ms\n"
            )
    refresh_snapshots(department_ids=None)
    return reports


# --- Scores -------------------------------------------------------------------------------


def published_tables():
    return Resource.objects.filter(status=ResourceStatus.PUBLISHED, format__in=RECORD_FORMATS)


def with_latest_score(resources):
    """Resources annotated with ``quality_score`` and ``quality_at`` of their latest report."""
    latest = QualityReport.objects.filter(resource=OuterRef("pk")).order_by("-created_at", "-id")
    return resources.annotate(
        quality_score=Subquery(
            latest.values("score")[:1], output_field=DecimalField(max_digits=5, decimal_places=2)
        ),
        quality_at=Subquery(latest.values("created_at")[:1]),
    )


def mean_score(scores: list) -> Decimal | None:
    if not scores:
        return None
    return Decimal(str(round(fmean(float(s) for s in scores), 2)))


def refresh_snapshots(*, department_ids: set[int] | None, day: date | None = None) -> None:
    """Store today's score of the given departments (None: all providers) and of the city."""
    day = day or timezone.localdate()
    now = timezone.now()
    resources = list(with_delivery_times(with_latest_score(published_tables())))
    scores: dict[int | None, list] = defaultdict(list)
    overdue: dict[int | None, int] = defaultdict(int)
    providers = set()
    for resource in resources:
        providers.add(resource.provider_id)
        deadline = due_at(resource)
        late = deadline is not None and deadline < now
        for key in (resource.provider_id, None):
            if resource.quality_score is not None:
                scores[key].append(resource.quality_score)
            overdue[key] += int(late)
    targets = providers if department_ids is None else set(department_ids)
    with transaction.atomic():
        for department_id in [*sorted(targets), None]:
            QualitySnapshot.objects.update_or_create(
                department_id=department_id,
                day=day,
                defaults={
                    "score": mean_score(scores[department_id]),
                    "resources": len(scores[department_id]),
                    "overdue": overdue[department_id],
                },
            )
