"""KPIs of the governance loop (考核统计): per department, street, district, agent, inspector
or category, per period, with city totals and day/week/month series for the charts.

Which cases count: a case belongs to a period by its **due date** (the day, in Asia/Shanghai,
its handling deadline falls on) — the cases *due* in the period, as the GB/T 30428 evaluation
counts them. Cancelled and merged cases are left out; cases never dispatched have no due date
and do not count yet.

Per group:

- ``cases_due`` — cases due in the period
- ``handled`` — of these, reported back (or closed)
- ``on_time`` — closed on time (``Case.closed_on_time``)
- ``overdue`` — closed late, or still open after the deadline
- ``overdue_multiple`` — closed (or still open now) after more than twice the time limit
  (end − dispatch > 2 × (due − dispatch))
- ``rework`` — rework rounds (verification failed); ``extensions`` — extensions granted
- ``avg_handling_hours`` — mean working time from dispatch to report back
- ``satisfaction_rate`` — satisfied / cases with a rating or a revisit
- ``repeat_rate`` — repeat complaints / cases due

Speed: one aggregate query per request over the covering index ``gov_case_kpi_cover`` (led by
``due_at``, holding every column read here), so at a million cases the database scans an
index range instead of the table; the day of a deadline is computed with the database's own
date functions (no per-row Python). Measured in ``bench/cases.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Func, Q, QuerySet, Sum
from django.db.models.signals import post_delete, post_init, post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import has_city_scope, require_perm, restrict
from smartgov.core.errors import InvalidInput
from smartgov.core.models import Department, Region
from smartgov.core.tables import table_csv, table_xlsx
from smartgov.governance.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    EventKind,
    KpiDirtyDay,
    KpiDirtyMonth,
    KpiRollup,
)
from smartgov.governance.permissions import Perm

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Asia/Shanghai has kept UTC+8 without daylight saving since 1991: the day of a UTC time is
# the date of time + 8 h, which the databases compute natively.
SHANGHAI_OFFSET_HOURS = 8
MAX_PERIOD_DAYS = 366 * 3
OVERDUE_MULTIPLE = 2

# group_by → (Case field holding the key, label)
GROUPS: dict[str, tuple[str, str]] = {
    "department": ("department_id", _("Department")),
    "street": ("street_id", _("Street")),
    "district": ("district_id", _("District")),
    "agent": ("recorded_by_id", _("Agent")),
    "inspector": ("verified_by_id", _("Inspector")),
    "category": ("category_id", _("Category")),
}
INTERVALS = ("day", "week", "month")
METRICS = (
    "cases_due",
    "handled",
    "on_time",
    "overdue",
    "overdue_multiple",
    "rework",
    "extensions",
    "avg_handling_hours",
    "satisfaction_rate",
    "repeat_rate",
)
_COUNTS = (
    "cases_due",
    "handled",
    "on_time",
    "overdue",
    "overdue_multiple",
    "rework",
    "extensions",
    "handling_total",
    "handling_count",
    "satisfied_count",
    "rated_count",
    "repeat_count",
)
_EXCLUDED = (CaseStatus.CANCELLED, CaseStatus.MERGED)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=SHANGHAI)

    @property
    def end_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=SHANGHAI)


DEFAULT_PERIOD_DAYS = 30


def default_period(today: date | None = None) -> Period:
    """The last 30 days up to today (Asia/Shanghai): on the first of a month "this month"
    would be a single day, and a leader opening the page wants a month's figures."""
    today = today or timezone.localdate(timezone=SHANGHAI)
    return Period(today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)


def parse_period(start: date | str | None, end: date | str | None) -> Period:
    """Validate a period; with neither end given, the last 30 days."""
    default = default_period()

    def as_date(value, name):
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput(
                "invalid_date",
                "Dates must be given as YYYY-MM-DD.",
                detail={"field": name, "value": str(value)[:40]},
            ) from None

    start_day = as_date(start, "start")
    end_day = as_date(end, "end")
    if start_day is None and end_day is None:
        return default
    if start_day is None:
        start_day = end_day.replace(day=1)
    if end_day is None:
        end_day = max(start_day, default.end)
    if end_day < start_day:
        raise InvalidInput(
            "invalid_period",
            "The end of the period is before its start.",
            detail={"start": start_day.isoformat(), "end": end_day.isoformat()},
        )
    if (end_day - start_day).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(
            "period_too_long",
            "A period may span at most three years.",
            detail={"days": (end_day - start_day).days + 1},
        )
    return Period(start_day, end_day)


def check_group(group_by: str) -> str:
    if group_by not in GROUPS:
        raise InvalidInput(
            "invalid_group_by",
            "Unknown group_by: use department, street, district, agent, inspector or category.",
            detail={"group_by": str(group_by)[:40], "allowed": list(GROUPS)},
        )
    return group_by


# --- the query --------------------------------------------------------------------------


class _OverdueMultiple(Func):
    """True when the case took (or, still open, has taken) more than twice its time limit:
    end − dispatched > 2 × (due − dispatched), in each database's native time arithmetic."""

    def __init__(self, now: datetime):
        from django.db.models import BooleanField, Value

        super().__init__(Value(now), output_field=BooleanField())

    def as_sqlite(self, compiler, connection, **extra):
        now_sql, params = compiler.compile(self.source_expressions[0])
        t = Case._meta.db_table
        sql = (
            f"(julianday(COALESCE({t}.closed_at, {now_sql})) - julianday({t}.dispatched_at)"
            f" > {OVERDUE_MULTIPLE} * (julianday({t}.due_at) - julianday({t}.dispatched_at)))"
        )
        return sql, params

    def as_postgresql(self, compiler, connection, **extra):
        now_sql, params = compiler.compile(self.source_expressions[0])
        t = Case._meta.db_table
        sql = (
            f"((COALESCE({t}.closed_at, {now_sql}) - {t}.dispatched_at)"
            f" > {OVERDUE_MULTIPLE} * ({t}.due_at - {t}.dispatched_at))"
        )
        return sql, params

    def as_sql(self, compiler, connection, **extra):  # other databases: same as PostgreSQL
        return self.as_postgresql(compiler, connection, **extra)


class _DueDay(Func):
    """The local (Asia/Shanghai) date of due_at as an ISO string, computed by the database."""

    def __init__(self):
        from django.db.models import CharField

        super().__init__(F("due_at"), output_field=CharField())

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"date({column}, '+{SHANGHAI_OFFSET_HOURS} hours')", params

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"to_char({column} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')", params


def _cases(user, period: Period, district: Region | None) -> QuerySet:
    require_perm(user, Perm.SUPERVISE)
    queryset = Case.objects.filter(
        due_at__gte=period.start_at, due_at__lt=period.end_before
    ).exclude(status__in=_EXCLUDED)
    if district is not None:
        queryset = queryset.filter(district=district)
    return restrict(queryset, user, Perm.SUPERVISE).order_by()


def _aggregates(now: datetime) -> dict:
    open_statuses = [str(s) for s in OPEN_STATUSES]
    return {
        "cases_due": Count("*"),
        "handled": Count(
            "due_at", filter=Q(handled_at__isnull=False) | Q(status=CaseStatus.CLOSED)
        ),
        "on_time": Count("due_at", filter=Q(closed_on_time=True)),
        "overdue": Count(
            "due_at",
            filter=Q(closed_on_time=False)
            | Q(closed_on_time__isnull=True, status__in=open_statuses, due_at__lt=now),
        ),
        "overdue_multiple": Count(
            "due_at",
            filter=Q(dispatched_at__isnull=False)
            & (Q(closed_at__isnull=False) | Q(status__in=open_statuses))
            & Q(_OverdueMultiple(now)),
        ),
        "rework": Sum("rework_count"),
        "extensions": Sum("extension_count"),
        "handling_total": Sum("handling_seconds"),
        "handling_count": Count("handling_seconds"),
        "satisfied_count": Count("due_at", filter=Q(satisfied=True)),
        "rated_count": Count("satisfied"),
        "repeat_count": Count("due_at", filter=Q(is_repeat=True)),
    }


def _finish(row: dict) -> dict:
    """Turn the raw sums of one row into the published metrics."""
    for name in _COUNTS:
        row[name] = int(row.get(name) or 0)
    due = row["cases_due"]
    row["avg_handling_hours"] = (
        round(row["handling_total"] / row["handling_count"] / 3600, 2)
        if row["handling_count"]
        else None
    )
    row["satisfaction_rate"] = (
        round(row["satisfied_count"] / row["rated_count"], 4) if row["rated_count"] else None
    )
    row["repeat_rate"] = round(row["repeat_count"] / due, 4) if due else None
    row["on_time_rate"] = round(row["on_time"] / due, 4) if due else None
    return row


def _labels(group_by: str, keys: list) -> dict:
    keys = [k for k in keys if k is not None]
    if not keys:
        return {}
    if group_by == "department":
        return dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by in ("street", "district"):
        return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "category":
        return {
            pk: f"{code} {name}"
            for pk, code, name in Category.objects.filter(pk__in=keys).values_list(
                "pk", "code", "name"
            )
        }
    users = (
        get_user_model().objects.filter(pk__in=keys).values_list("pk", "display_name", "username")
    )
    return {pk: display or username for pk, display, username in users}


@dataclass
class KpiResult:
    group_by: str
    period: Period
    rows: list[dict]
    totals: dict
    city_scope: bool


def kpi_rows(
    *,
    user,
    group_by: str,
    start: date | str | None = None,
    end: date | str | None = None,
    district: Region | None = None,
    now: datetime | None = None,
) -> list[dict]:
    """One row per group (key, label and the metrics), largest ``cases_due`` first; the row
    with key None collects cases without that attribute (e.g. not yet verified)."""
    return kpi_table(
        user=user, group_by=group_by, start=start, end=end, district=district, now=now
    ).rows


MONTH_PREFIX = "m:"


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _period_q(dim: str, period: Period, *, months: bool = True) -> Q:
    """Day rows for the period's partial months, month rows for the whole months inside."""
    days = Q(dim=dim, day__gte=period.start, day__lte=period.end)
    if not months:
        return days
    first_full = period.start if period.start.day == 1 else _next_month(period.start)
    after_end = period.end + timedelta(days=1)
    end_full = after_end if after_end.day == 1 else period.end.replace(day=1)
    if first_full >= end_full:
        return days
    return (
        Q(dim=dim, day__gte=period.start, day__lt=first_full)
        | Q(dim=dim, day__gte=end_full, day__lte=period.end)
        | Q(dim=MONTH_PREFIX + dim, day__gte=first_full, day__lt=end_full)
    )


def _settled(
    user, period: Period, district: Region | None, dim: str, *, months: bool = True
) -> QuerySet:
    """The rollup rows of closed cases due in the period, restricted to the user's scope."""
    require_perm(user, Perm.SUPERVISE)
    queryset = KpiRollup.objects.filter(_period_q(dim, period, months=months))
    if district is not None:
        queryset = queryset.filter(district=district)
    return restrict(queryset, user, Perm.SUPERVISE).order_by()


def _live(user, period: Period, district: Region | None) -> QuerySet:
    """The cases due in the period that are still open (read from Case: their overdue state
    moves with the clock)."""
    return _cases(user, period, district).filter(status__in=[str(s) for s in OPEN_STATUSES])


_SUMS = {f"s_{name}": Sum(name) for name in _COUNTS}


def _add(target: dict, row: dict, prefix: str = "") -> None:
    for name in _COUNTS:
        target[name] = target.get(name, 0) + int(row.get(prefix + name) or 0)


def _check_interval(interval: str) -> str:
    if interval not in INTERVALS:
        raise InvalidInput(
            "invalid_interval",
            "Unknown interval: use day, week or month.",
            detail={"interval": str(interval)[:40]},
        )
    return interval


def _table_result(user, group_by, period, district, live_by_key: dict) -> KpiResult:
    merged: dict = {}
    for row in _settled(user, period, district, group_by).values("key").annotate(**_SUMS):
        _add(merged.setdefault(row["key"], {}), row, "s_")
    for key, counts in live_by_key.items():
        _add(merged.setdefault(key, {}), counts)
    labels = _labels(group_by, list(merged))
    rows = []
    for key, counts in merged.items():
        if not counts.get("cases_due"):
            continue  # a month row patched down to nothing
        row = _finish({"key": key, **counts})
        row["label"] = labels.get(key, "") if key is not None else ""
        rows.append(row)
    rows.sort(key=lambda r: (-r["cases_due"], r["label"]))
    totals = {name: sum(r[name] for r in rows) for name in _COUNTS}
    return KpiResult(
        group_by=group_by,
        period=period,
        rows=rows,
        totals=_finish(totals),
        city_scope=has_city_scope(user, Perm.SUPERVISE),
    )


def _series_points(user, period, interval, district, live_by_day: dict) -> list[dict]:
    buckets: dict[date, dict] = {}
    day = period.start
    while day <= period.end:
        buckets.setdefault(_bucket(day, interval), {name: 0 for name in _COUNTS})
        day += timedelta(days=1)
    # Every closed case is in the rollup once per dimension; "district" has the fewest rows.
    settled = (
        _settled(user, period, district, "district", months=False).values("day").annotate(**_SUMS)
    )
    for row in settled:
        _add(buckets[_bucket(_as_date(row["day"]), interval)], row, "s_")
    for due_day, counts in live_by_day.items():
        target = buckets.get(_bucket(due_day, interval))
        if target is not None:
            _add(target, counts)
    return [{"bucket": key.isoformat(), **_finish(values)} for key, values in buckets.items()]


def _live_rows(user, period, district, now, *, field: str | None, by_day: bool):
    """The open cases' figures per key and/or due day: {(key, day): counts}."""
    queryset = _live(user, period, district)
    names = {}
    if field is not None:
        names["key"] = F(field)
    if by_day:
        queryset = queryset.annotate(due_day=_DueDay())
    values = queryset.values(*(["due_day"] if by_day else []), **names)
    result = {}
    for row in values.annotate(**_aggregates(now)):
        day = _as_date(row["due_day"]) if by_day else None
        result[(row.get("key"), day)] = {name: int(row.get(name) or 0) for name in _COUNTS}
    return result


def _fold(rows: dict, index: int) -> dict:
    folded: dict = {}
    for parts, counts in rows.items():
        _add(folded.setdefault(parts[index], {}), counts)
    return folded


def kpi_table(
    *,
    user,
    group_by: str,
    start: date | str | None = None,
    end: date | str | None = None,
    district: Region | None = None,
    now: datetime | None = None,
) -> KpiResult:
    """The rows of ``kpi_rows`` with the totals over them (the user's whole scope)."""
    check_group(group_by)
    period = parse_period(start, end)
    now = now or timezone.now()
    refresh_rollup()
    live = _live_rows(user, period, district, now, field=GROUPS[group_by][0], by_day=False)
    return _table_result(user, group_by, period, district, _fold(live, 0))


def _bucket(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _as_date(value) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def kpi_series(
    *,
    user,
    start: date | str | None = None,
    end: date | str | None = None,
    interval: str = "day",
    district: Region | None = None,
    now: datetime | None = None,
) -> list[dict]:
    """The metrics per day, week (starting Monday) or month of the due date, for the charts;
    every bucket of the period is present (zeros where nothing was due)."""
    _check_interval(interval)
    period = parse_period(start, end)
    now = now or timezone.now()
    refresh_rollup()
    live = _live_rows(user, period, district, now, field=None, by_day=True)
    return _series_points(user, period, interval, district, _fold(live, 1))


def kpi_page(
    *,
    user,
    group_by: str,
    start: date | str | None = None,
    end: date | str | None = None,
    interval: str = "day",
    district: Region | None = None,
    now: datetime | None = None,
) -> tuple[KpiResult, list[dict]]:
    """The KPI page's table and chart series together: the open cases are read once, per
    key and due day, and folded both ways."""
    check_group(group_by)
    _check_interval(interval)
    period = parse_period(start, end)
    now = now or timezone.now()
    refresh_rollup()
    live = _live_rows(user, period, district, now, field=GROUPS[group_by][0], by_day=True)
    table = _table_result(user, group_by, period, district, _fold(live, 0))
    return table, _series_points(user, period, interval, district, _fold(live, 1))


# --- the rollup -------------------------------------------------------------------------


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, SHANGHAI).date()


def mark_dirty(days) -> None:
    days = {day for day in days if day is not None}
    if days:
        KpiDirtyDay.objects.bulk_create(
            [KpiDirtyDay(day=day) for day in days], ignore_conflicts=True
        )


_ROW_KEY = ("dim", "key", "department_id", "district_id")
# A day whose rows change in more places than this has its month summed again from its days
# instead of being patched row by row.
MAX_MONTH_PATCHES = 60


def _recompute_day(day: date, now: datetime) -> dict:
    """Recompute a day's rows, writing only the rows that changed; returns the change per row
    key (dim, key, department, district) → {metric: difference} for the month rows."""
    start_at = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    closed = Case.objects.filter(
        status=CaseStatus.CLOSED, due_at__gte=start_at, due_at__lt=start_at + timedelta(days=1)
    ).order_by()
    old = {
        tuple(row[k] for k in _ROW_KEY): row
        for row in KpiRollup.objects.filter(dim__in=list(GROUPS), day=day).values(
            "id", *_ROW_KEY, *_COUNTS
        )
    }
    # One grouped read over every dimension's column, folded into the six dimensions here.
    fields = sorted({field for field, _label in GROUPS.values()} | {"department_id"})
    new: dict = {}
    for row in closed.values(*fields).annotate(**_aggregates(now)):
        counts = {name: int(row.get(name) or 0) for name in _COUNTS}
        for dim, (field, _label) in GROUPS.items():
            target = new.setdefault((dim, row[field], row["department_id"], row["district_id"]), {})
            for name, value in counts.items():
                target[name] = target.get(name, 0) + value
    delta, created, gone = {}, [], []
    for row_key in old.keys() | new.keys():
        before, after = old.get(row_key), new.get(row_key)
        change = {
            name: (after or {}).get(name, 0) - (before or {}).get(name, 0) for name in _COUNTS
        }
        if not any(change.values()):
            continue
        delta[row_key] = change
        if after is None:
            gone.append(before["id"])
        elif before is None:
            dim, key, department_id, district_id = row_key
            created.append(
                KpiRollup(
                    day=day,
                    dim=dim,
                    key=key,
                    department_id=department_id,
                    district_id=district_id,
                    **after,
                )
            )
        else:
            KpiRollup.objects.filter(pk=before["id"]).update(**after)
    if gone:
        KpiRollup.objects.filter(pk__in=gone).delete()
    KpiRollup.objects.bulk_create(created, batch_size=2000)
    return delta


def _patch_month(month: date, delta: dict) -> None:
    """Add a day's changes to the month rows (F() updates, so concurrent patches add up; a
    key may end up in two month rows, which the sums do not mind)."""
    for (dim, key, department_id, district_id), change in delta.items():
        match = KpiRollup.objects.filter(
            dim=MONTH_PREFIX + dim,
            day=month,
            **({"key__isnull": True} if key is None else {"key": key}),
            **(
                {"department__isnull": True}
                if department_id is None
                else {"department_id": department_id}
            ),
            **({"district__isnull": True} if district_id is None else {"district_id": district_id}),
        )
        target = match.order_by("id").values_list("id", flat=True).first()
        if target is None:
            KpiRollup.objects.create(
                dim=MONTH_PREFIX + dim,
                day=month,
                key=key,
                department_id=department_id,
                district_id=district_id,
                **change,
            )
        else:
            KpiRollup.objects.filter(pk=target).update(
                **{name: F(name) + value for name, value in change.items() if value}
            )


def _recompute_month(month: date) -> int:
    KpiRollup.objects.filter(dim__in=[MONTH_PREFIX + d for d in GROUPS], day=month).delete()
    grouped = (
        KpiRollup.objects.filter(dim__in=list(GROUPS), day__gte=month, day__lt=_next_month(month))
        .values("dim", "key", "department_id", "district_id")
        .annotate(**_SUMS)
        .order_by()
    )
    rows = [
        KpiRollup(
            day=month,
            dim=MONTH_PREFIX + row["dim"],
            key=row["key"],
            department_id=row["department_id"],
            district_id=row["district_id"],
            **{name: int(row[f"s_{name}"] or 0) for name in _COUNTS},
        )
        for row in grouped
    ]
    KpiRollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def refresh_rollup(*, limit: int | None = None) -> int:
    """Recompute the rollup of every dirty day, then of the months they are in (each in its
    own transaction; a day or month that another process has claimed is left to it: the
    claim is the deletion of its dirty mark). Returns the number of days recomputed."""
    days = list(KpiDirtyDay.objects.order_by("day").values_list("day", flat=True)[:limit])
    now = timezone.now()
    done = 0
    for day in days:
        with transaction.atomic():
            if not KpiDirtyDay.objects.filter(day=day).delete()[0]:
                continue
            delta = _recompute_day(day, now)
            if len(delta) > MAX_MONTH_PATCHES:
                KpiDirtyMonth.objects.bulk_create(
                    [KpiDirtyMonth(month=day.replace(day=1))], ignore_conflicts=True
                )
            else:
                _patch_month(day.replace(day=1), delta)
            done += 1
    for month in list(KpiDirtyMonth.objects.order_by("month").values_list("month", flat=True)):
        with transaction.atomic():
            if KpiDirtyMonth.objects.filter(month=month).delete()[0]:
                _recompute_month(month)
    return done


def rebuild_months() -> int:
    """Sum every month's rows again from the day rows (after a change of the month logic)."""
    months = {
        day.replace(day=1)
        for day in KpiRollup.objects.filter(dim__in=list(GROUPS))
        .values_list("day", flat=True)
        .distinct()
    }
    KpiDirtyMonth.objects.bulk_create(
        [KpiDirtyMonth(month=month) for month in months], ignore_conflicts=True
    )
    refresh_rollup()
    return len(months)


def rebuild_rollup() -> int:
    """Mark every due day of a closed case dirty and recompute (after bulk loads)."""
    KpiRollup.objects.all().delete()
    KpiDirtyMonth.objects.all().delete()
    days = (
        Case.objects.filter(status=CaseStatus.CLOSED, due_at__isnull=False)
        .annotate(due_day=_DueDay())
        .values_list("due_day", flat=True)
        .distinct()
    )
    mark_dirty(_as_date(day) for day in days)
    return refresh_rollup()


# --- downloads --------------------------------------------------------------------------

COLUMNS = [
    ("label", _("Name")),
    ("cases_due", _("Cases due")),
    ("handled", _("Handled")),
    ("on_time", _("On time")),
    ("overdue", _("Overdue")),
    ("overdue_multiple", _("Overdue more than twice the limit")),
    ("rework", _("Rework")),
    ("extensions", _("Extensions")),
    ("avg_handling_hours", _("Average handling time (hours)")),
    ("satisfaction_rate", _("Satisfaction rate")),
    ("repeat_rate", _("Repeat-complaint rate")),
]


def _table(result: KpiResult) -> list[list]:
    header = [str(GROUPS[result.group_by][1])] + [str(label) for _, label in COLUMNS[1:]]
    lines = [header]
    unassigned = str(_("(not assigned)"))
    for row in result.rows:
        lines.append([row["label"] or unassigned] + [row[name] for name, _ in COLUMNS[1:]])
    lines.append([str(_("Total"))] + [result.totals[name] for name, _ in COLUMNS[1:]])
    return lines


def kpi_csv(result: KpiResult) -> bytes:
    return table_csv(_table(result))


def kpi_xlsx(result: KpiResult) -> bytes:
    return table_xlsx(
        _table(result),
        title="KPI",
        caption=f"{result.period.start.isoformat()} – {result.period.end.isoformat()}",
        first_width=28,
    )


def download_name(result: KpiResult, extension: str) -> str:
    return (
        f"governance-kpi-{result.group_by}-{result.period.start.isoformat()}"
        f"-{result.period.end.isoformat()}.{extension}"
    )


# --- signals: the inspector of a case, and the rollup's dirty days ---------------------


def _verifier_of(case_id: int) -> int | None:
    return (
        CaseEvent.objects.filter(case_id=case_id, kind=EventKind.VERIFIED, actor__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )


def _record_verifier(sender, instance: CaseEvent, created: bool, **kwargs) -> None:
    """Keep ``Case.verified_by`` = the actor of the case's VERIFIED event (the inspector or
    hotline agent who closed it), whatever service wrote the event."""
    if created and instance.kind == EventKind.VERIFIED and instance.actor_id:
        updated = Case.objects.filter(pk=instance.case_id, status=CaseStatus.CLOSED)
        due = updated.values_list("due_at", flat=True).first()
        Case.objects.filter(pk=instance.case_id).update(verified_by_id=instance.actor_id)
        if due is not None:
            mark_dirty([local_day(due)])


def _remember_state(instance: Case) -> None:
    # From __dict__ so that a deferred field is never loaded just for this.
    instance._kpi_before = (instance.__dict__.get("status"), instance.__dict__.get("due_at"))


def _case_post_init(sender, instance: Case, **kwargs) -> None:
    """The status and due date as loaded (or as built), to know at save time whether the case
    was closed and on which day — without a query per save."""
    _remember_state(instance)


def _case_pre_save(sender, instance: Case, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    if instance.status == CaseStatus.CLOSED and instance.verified_by_id is None and instance.pk:
        instance.verified_by_id = _verifier_of(instance.pk)


def _case_post_save(sender, instance: Case, raw: bool = False, **kwargs) -> None:
    """A case that is or was closed changes the rollup of its due day(s)."""
    if raw:
        return
    days = []
    before = getattr(instance, "_kpi_before", None)
    if before and before[0] == CaseStatus.CLOSED and before[1] is not None:
        days.append(local_day(before[1]))
    if instance.status == CaseStatus.CLOSED and instance.due_at is not None:
        days.append(local_day(instance.due_at))
    mark_dirty(days)
    _remember_state(instance)


def _case_post_delete(sender, instance: Case, **kwargs) -> None:
    if instance.status == CaseStatus.CLOSED and instance.due_at is not None:
        mark_dirty([local_day(instance.due_at)])


def connect_signals() -> None:
    post_save.connect(_record_verifier, sender=CaseEvent, dispatch_uid="governance_kpi_verifier")
    post_init.connect(_case_post_init, sender=Case, dispatch_uid="governance_kpi_post_init")
    pre_save.connect(_case_pre_save, sender=Case, dispatch_uid="governance_kpi_pre_save")
    post_save.connect(_case_post_save, sender=Case, dispatch_uid="governance_kpi_post_save")
    post_delete.connect(_case_post_delete, sender=Case, dispatch_uid="governance_kpi_delete")
