"""Evaluation of quality rules over a resource's current rows (``_version_to IS NULL``).

One table scan answers every row-wise rule at once: completeness, range and date validity and
the checked counts of all rules are conditional COUNTs of a single aggregate query. Patterns are
matched in Python (``re.fullmatch``) over the column read in key-set pages, so a pattern means
the same on SQLite and PostgreSQL, whose regular-expression dialects differ. Uniqueness groups
the current rows (not for the key itself: its partial unique index already guarantees it);
consistency is an anti-join against the reference resource's current rows. Failing rows are
sampled (keys and checked values, up to SAMPLE_LIMIT per rule) only for rules that failed.

Timeliness compares the latest successful delivery (or the publication, before the first one)
with the update cycle, see ``ALLOWED_AGE``; acceptance is the share of rows that ingestion
accepted over the last ACCEPTANCE_DAYS.
"""

# SQL here names tables and columns: field names match catalog's FIELD_NAME_RE and are quoted
# with db.q(); every value is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from smartgov.catalog.models import Resource, ResourceRevision, RevisionAction, UpdateCycle
from smartgov.core.workcalendar import add_working_days
from smartgov.datastore import db
from smartgov.datastore.models import Delivery, DeliveryStatus, QualityKind, QualityRule, StoreTable
from smartgov.datastore.validation import Rejected, build_checker, output

SAMPLE_LIMIT = 20
STREAM_BATCH = 20_000
ACCEPTANCE_DAYS = 30
SUCCESSFUL = (DeliveryStatus.SUCCEEDED, DeliveryStatus.PARTIALLY_REJECTED)

# Allowed age of the latest delivery per update cycle: (amount, unit). Cycles up to a week count
# working days, because departments deliver on working days (a daily resource delivered on
# Friday is due on Monday, and after a public holiday); real-time feeds run around the clock, and
# longer cycles are calendar periods (a month, a quarter, a year) that holidays do not stretch.
ALLOWED_AGE: dict[str, tuple[int, str]] = {
    UpdateCycle.REALTIME: (1, "calendar_day"),
    UpdateCycle.DAILY: (1, "working_day"),
    UpdateCycle.WEEKLY: (5, "working_day"),
    UpdateCycle.MONTHLY: (31, "calendar_day"),
    UpdateCycle.QUARTERLY: (92, "calendar_day"),
    UpdateCycle.YEARLY: (366, "calendar_day"),
}

TEXT_TYPES = frozenset(db._TEXT_TYPES)
NUMBER_TYPES = frozenset({"integer", "decimal"})
TIME_TYPES = frozenset({"date", "datetime"})


def type_family(data_type: str) -> str:
    """Values of fields in one family can be compared with each other (consistency rules)."""
    return "text" if data_type in TEXT_TYPES else data_type


# --- Timeliness ---------------------------------------------------------------------------


def delivery_deadline(reference: datetime | None, update_cycle: str) -> datetime | None:
    """When the next delivery is due after ``reference`` (None: irregular, or no reference)."""
    allowed = ALLOWED_AGE.get(update_cycle)
    if allowed is None or reference is None:
        return None
    amount, unit = allowed
    if unit == "working_day":
        return add_working_days(reference, amount)
    return reference + timedelta(days=amount)  # calendar days, on purpose (see ALLOWED_AGE)


def with_delivery_times(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    """Resources annotated with ``last_delivery_at`` (latest successful delivery) and
    ``published_at`` (latest approval)."""
    deliveries = Delivery.objects.filter(resource=OuterRef("pk"), status__in=SUCCESSFUL)
    approvals = ResourceRevision.objects.filter(
        resource=OuterRef("pk"), action=RevisionAction.APPROVE
    )
    return resources.annotate(
        last_delivery_at=Subquery(deliveries.order_by("-finished_at").values("finished_at")[:1]),
        published_at=Subquery(approvals.order_by("-created_at").values("created_at")[:1]),
    )


def due_at(resource: Resource) -> datetime | None:
    """The delivery deadline of a resource annotated by ``with_delivery_times``: counted from
    the latest delivery, or from the (re-)publication when that is later."""
    moments = [m for m in (resource.last_delivery_at, resource.published_at) if m is not None]
    return delivery_deadline(max(moments) if moments else None, resource.update_cycle)


# --- Results ------------------------------------------------------------------------------


@dataclass
class RuleResult:
    """The outcome of one rule: rows checked and failed, sampled failures, or why it could not
    be evaluated (``error``: such a rule does not count in the score)."""

    rule_id: int | None
    kind: str
    fields: list[str]
    params: dict
    weight: int
    threshold: float
    target: dict | None = None
    checked: int = 0
    failed: int = 0
    samples: list = field(default_factory=list)
    detail: dict = field(default_factory=dict)
    error: str = ""

    @property
    def ratio(self) -> float | None:
        """Share of checked rows that pass (None: nothing to check, or not evaluated)."""
        if self.error or self.checked == 0:
            return None
        return (self.checked - self.failed) / self.checked

    @property
    def score(self) -> float | None:
        ratio = self.ratio
        return None if ratio is None else round(ratio * 100, 2)

    @property
    def passed(self) -> bool | None:
        score = self.score
        return None if score is None else score >= self.threshold

    def as_dict(self) -> dict:
        return {
            "rule_id": self.rule_id,
            "kind": self.kind,
            "fields": self.fields,
            "params": self.params,
            "target": self.target,
            "weight": self.weight,
            "threshold": self.threshold,
            "checked": self.checked,
            "failed": self.failed,
            "ratio": None if self.ratio is None else round(self.ratio, 6),
            "score": self.score,
            "passed": self.passed,
            "samples": self.samples,
            "detail": self.detail,
            "error": self.error,
        }


def weighted_score(results: list[RuleResult]) -> float | None:
    """Weighted mean of the evaluated rules' scores (None when no rule could be evaluated)."""
    scored = [(r.weight, r.score) for r in results if r.score is not None]
    total = sum(weight for weight, _ in scored)
    if not total:
        return None
    return round(sum(weight * score for weight, score in scored) / total, 2)


def _result(rule: QualityRule) -> RuleResult:
    target = None
    if rule.target_resource_id:
        target = {
            "resource_id": rule.target_resource_id,
            "code": rule.target_resource.code,
            "name": rule.target_resource.name,
            "field": rule.target_field,
        }
    return RuleResult(
        rule_id=rule.pk,
        kind=rule.kind,
        fields=list(rule.fields),
        params=dict(rule.params),
        weight=rule.weight,
        threshold=float(rule.threshold),
        target=target,
    )


def evaluate_rules(
    resource: Resource, table: StoreTable | None, rules: list[QualityRule], *, now: datetime
) -> tuple[list[RuleResult], int]:
    """Evaluate ``rules`` (with ``target_resource`` loaded) against the resource's data now;
    returns the results and the number of current rows."""
    results = [_result(rule) for rule in rules]
    on_rows = []
    for rule, result in zip(rules, results, strict=True):
        if rule.kind == QualityKind.TIMELINESS:
            _timeliness(resource, result, now)
        elif rule.kind == QualityKind.ACCEPTANCE:
            _acceptance(resource, result, now)
        elif table is None:
            result.error = "no_data"
        else:
            on_rows.append((rule, result))
    rows = _Scan(table, now).run(on_rows) if table is not None else 0
    return results, rows


def _timeliness(resource: Resource, result: RuleResult, now: datetime) -> None:
    if resource.update_cycle not in ALLOWED_AGE:
        result.error = "no_update_cycle"
        return
    annotated = with_delivery_times(Resource.objects.filter(pk=resource.pk)).get()
    deadline = due_at(annotated)
    if deadline is None:
        result.error = "not_published"
        return
    result.checked = 1
    result.failed = int(now > deadline)
    amount, unit = ALLOWED_AGE[resource.update_cycle]
    result.detail = {
        "last_delivery_at": _iso(annotated.last_delivery_at),
        "deadline": _iso(deadline),
        "allowed": {"amount": amount, "unit": unit},
    }


def _acceptance(resource: Resource, result: RuleResult, now: datetime) -> None:
    recent = Delivery.objects.filter(
        resource=resource,
        status__in=SUCCESSFUL,
        finished_at__gte=now - timedelta(days=ACCEPTANCE_DAYS),
    )
    totals = recent.aggregate(received=Sum("received"), rejected=Sum("rejected"))
    if not totals["received"]:
        result.error = "no_recent_delivery"
        return
    result.checked, result.failed = totals["received"], totals["rejected"] or 0
    result.detail = {"days": ACCEPTANCE_DAYS, "deliveries": recent.count()}
    if result.failed:
        result.samples = [
            {"delivery_id": pk, "rejected": rejected}
            for pk, rejected in recent.filter(rejected__gt=0)
            .order_by("-finished_at", "-id")
            .values_list("pk", "rejected")[:SAMPLE_LIMIT]
        ]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


# --- The scan over the rows ---------------------------------------------------------------


class _Scan:
    """Plans and runs the queries for the row-level rules of one table."""

    def __init__(self, table: StoreTable, now: datetime) -> None:
        self.table = table
        self.t = db.q(table.table_name)
        self.columns = {c["name"]: c for c in table.schema}
        self.keys = table.key_names
        self.now = now
        self.sqlite = connection.vendor != "postgresql"
        self.aggregates: list[tuple[str, list]] = [("COUNT(*)", [])]
        self.counts: list[tuple[RuleResult, str, int]] = []  # (result, attribute, index)
        self.patterns: list[tuple[RuleResult, str, re.Pattern]] = []
        self.grouped: list[tuple[RuleResult, list[str]]] = []
        self.anti_joins: list[tuple[RuleResult, str, StoreTable, str]] = []
        # Row-wise rules and the condition their failing rows meet (for the samples).
        self.failing: list[tuple[RuleResult, str, list]] = []
        self.rows = 0

    def _count(self, result: RuleResult, attribute: str, sql: str, params=()) -> None:
        self.aggregates.append((sql, list(params)))
        self.counts.append((result, attribute, len(self.aggregates) - 1))

    def _empty(self, name: str) -> str:
        column = db.q(name)
        if self.columns[name]["data_type"] in TEXT_TYPES:
            return f"({column} IS NULL OR {column} = '')"
        return f"{column} IS NULL"

    def run(self, items: list[tuple[QualityRule, RuleResult]]) -> int:
        """Evaluate the rules; returns the number of current rows."""
        for rule, result in items:
            missing = [name for name in rule.fields if name not in self.columns]
            if missing:
                result.error = "field_missing"
                result.detail = {"missing": missing}
                continue
            getattr(self, f"_plan_{rule.kind}")(rule, result)
        self._aggregate()
        if self.patterns:
            self._stream()
        for result, names in self.grouped:
            self._duplicates(result, names)
        for result, name, target, target_field in self.anti_joins:
            self._unmatched(result, name, target, target_field)
        for result, condition, params in self.failing:
            if result.failed and not result.error:
                result.samples = self._sample(result, condition, params)
        return self.rows

    # Planning, one method per kind.

    def _plan_completeness(self, rule: QualityRule, result: RuleResult) -> None:
        names = rule.fields or [c["name"] for c in self.table.schema if c["required"]]
        if not names:
            result.error = "no_required_fields"
            return
        if not rule.fields:
            result.detail = {"fields": names}
        condition = " OR ".join(self._empty(name) for name in names)
        self.counts.append((result, "checked", 0))
        self._count(result, "failed", f"COUNT(CASE WHEN {condition} THEN 1 END)")
        self.failing.append((result, condition, []))

    def _plan_validity(self, rule: QualityRule, result: RuleResult) -> None:
        name = rule.fields[0]
        column = self.columns[name]
        quoted = db.q(name)
        self._count(result, "checked", f"COUNT({quoted})")
        params = rule.params
        if params.get("pattern"):
            if column["data_type"] not in TEXT_TYPES:
                result.error = "rule_not_applicable"
                return
            self.patterns.append((result, name, re.compile(params["pattern"])))
            return
        data_type = column["data_type"]
        value = quoted
        if data_type == "decimal" and self.sqlite:
            value = f"CAST({quoted} AS REAL)"  # SQLite keeps decimals as text
        conditions, values = [], []
        try:
            for key, operator in (("min", "<"), ("max", ">")):
                if params.get(key) not in (None, ""):
                    conditions.append(f"{value} {operator} %s")
                    values.append(self._bound(data_type, params[key]))
        except Rejected:
            result.error = "rule_not_applicable"
            return
        if params.get("not_future") and data_type in TIME_TYPES:
            conditions.append(f"{value} > %s")
            values.append(
                self._bound(data_type, timezone.localdate(self.now))
                if data_type == "date"
                else self._bound(data_type, self.now)
            )
        if not conditions:
            result.error = "rule_not_applicable"
            return
        condition = f"{quoted} IS NOT NULL AND ({' OR '.join(conditions)})"
        self._count(result, "failed", f"COUNT(CASE WHEN {condition} THEN 1 END)", values)
        self.failing.append((result, condition, values))

    def _bound(self, data_type: str, value):
        """A range bound as the column stores it (raises Rejected when it does not parse)."""
        if isinstance(value, (date, datetime)) and data_type == "date":
            value = value.isoformat()[:10]
        stored = build_checker({"data_type": data_type, "required": True})(value)
        if self.sqlite:
            if data_type == "decimal":
                return float(Decimal(stored))
            if data_type == "date":
                return stored.isoformat()
        return stored

    def _plan_uniqueness(self, rule: QualityRule, result: RuleResult) -> None:
        present = " AND ".join(f"{db.q(name)} IS NOT NULL" for name in rule.fields)
        self._count(result, "checked", f"COUNT(CASE WHEN {present} THEN 1 END)")
        if set(rule.fields) == set(self.keys):
            result.detail = {"by_key_index": True}  # the partial unique index guarantees it
            return
        self.grouped.append((result, list(rule.fields)))

    def _plan_consistency(self, rule: QualityRule, result: RuleResult) -> None:
        name = rule.fields[0]
        target = StoreTable.objects.filter(resource_id=rule.target_resource_id).first()
        if target is None:
            result.error = "reference_no_data"
            return
        column = next((c for c in target.schema if c["name"] == rule.target_field), None)
        if column is None or type_family(column["data_type"]) != type_family(
            self.columns[name]["data_type"]
        ):
            result.error = "reference_unavailable"
            return
        self._count(result, "checked", f"COUNT({db.q(name)})")
        self.anti_joins.append((result, name, target, rule.target_field))

    # Running.

    def _aggregate(self) -> None:
        sql = ", ".join(expression for expression, _ in self.aggregates)
        params = [value for _, values in self.aggregates for value in values]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {sql} FROM {self.t} WHERE _version_to IS NULL", params)
            row = cursor.fetchone()
        self.rows = row[0]
        for result, attribute, index in self.counts:
            if not result.error:
                setattr(result, attribute, row[index] or 0)

    def _stream(self) -> None:
        """Match patterns in Python over the columns they test, one key-set page at a time."""
        names = sorted({name for _, name, _ in self.patterns})
        position = {name: i + 1 for i, name in enumerate(names)}
        checks = [
            (result, position[name], pattern.fullmatch) for result, name, pattern in self.patterns
        ]
        failing: dict[int, list[int]] = {id(result): [] for result, _, _ in self.patterns}
        failed = dict.fromkeys(failing, 0)
        cols = ", ".join(db.q(name) for name in names)
        last = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    f"SELECT _row_id, {cols} FROM {self.t} WHERE _version_to IS NULL "
                    "AND _row_id > %s ORDER BY _row_id LIMIT %s",
                    [last, STREAM_BATCH],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                for result, index, match in checks:
                    key = id(result)
                    bad = [
                        row[0] for row in rows if row[index] is not None and not match(row[index])
                    ]
                    if bad:
                        failed[key] += len(bad)
                        ids = failing[key]
                        if len(ids) < SAMPLE_LIMIT:
                            ids.extend(bad[: SAMPLE_LIMIT - len(ids)])
        for result, _name, _pattern in self.patterns:
            result.failed = failed[id(result)]
            ids = failing[id(result)]
            if ids:
                marks = ", ".join(["%s"] * len(ids))
                result.samples = self._sample(result, f"_row_id IN ({marks})", ids)

    def _duplicates(self, result: RuleResult, names: list[str]) -> None:
        """Rows whose values repeat: one grouping pass counts them and picks the first repeated
        values, whose rows are then sampled."""
        cols = ", ".join(db.q(name) for name in names)
        present = " AND ".join(f"{db.q(name)} IS NOT NULL" for name in names)
        groups, rows, first = 0, 0, []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {cols}, COUNT(*) FROM {self.t} WHERE _version_to IS NULL AND {present} "
                f"GROUP BY {cols} HAVING COUNT(*) > 1"
            )
            while batch := cursor.fetchmany(STREAM_BATCH):
                groups += len(batch)
                rows += sum(row[-1] for row in batch)
                if len(first) < SAMPLE_LIMIT:
                    first.extend(row[:-1] for row in batch[: SAMPLE_LIMIT - len(first)])
        result.failed = rows
        result.detail = {"duplicate_values": groups}
        if first:
            if len(names) == 1:
                condition = f"{cols} IN ({', '.join(['%s'] * len(first))})"
                params = [values[0] for values in first]
            else:
                row = "(" + ", ".join(["%s"] * len(names)) + ")"
                condition = f"({cols}) IN (VALUES {', '.join([row] * len(first))})"
                params = [value for values in first for value in values]
            result.samples = self._sample(result, condition, params, order=f"{cols}, _row_id")

    def _unmatched(self, result: RuleResult, name: str, target: StoreTable, target_field: str):
        value = f"{self.t}.{db.q(name)}"
        condition = f"{value} IS NOT NULL AND " + db.not_among_current(
            value,
            target.table_name,
            target_field,
            indexed=target.key_names == [target_field],
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {self.t} WHERE {self.t}._version_to IS NULL AND {condition}"
            )
            result.failed = cursor.fetchone()[0]
        if result.failed:
            result.samples = self._sample(result, condition, [])

    def _sample(self, result: RuleResult, condition: str, params: list, order="_row_id") -> list:
        """Up to SAMPLE_LIMIT failing rows: their key (row id without one) and checked values."""
        names = list(self.keys) or []
        names += [n for n in (result.fields or result.detail.get("fields", [])) if n not in names]
        selected = ", ".join(["_row_id", *(db.q(n) for n in names)])
        convert = [output(self.columns[n]["data_type"]) for n in names]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {selected} FROM {self.t} WHERE {self.t}._version_to IS NULL "
                f"AND {condition} ORDER BY {order} LIMIT %s",
                [*params, SAMPLE_LIMIT],
            )
            rows = cursor.fetchall()
        samples = []
        for row in rows:
            sample = {} if self.keys else {"_row_id": row[0]}
            for name, to_json, value in zip(names, convert, row[1:], strict=True):
                sample[name] = to_json(value)
            samples.append(sample)
        return samples
