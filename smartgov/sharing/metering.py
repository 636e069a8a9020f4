"""Metering (计量) of the sharing gateway, read from the call log: calls, errors, records
returned and latency per resource, provider, consumer and day, and a data subject's view of
who read their records ("who read my data").

Scopes: the data bureau (``sharing.view_usage`` in a whole-city scope) sees every call; a
department's officers see the calls that read their department's resources (who uses their
data) and the calls their department's apps made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Avg, Count, FloatField, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_noop

from smartgov.accounts.models import UserKind
from smartgov.accounts.scope import _grants, _memberships, require_perm
from smartgov.catalog.models import Field, Resource
from smartgov.core.crypto import blind_index
from smartgov.core.errors import InvalidInput, PermissionDeniedError
from smartgov.core.models import Department
from smartgov.core.tree import subtree_q
from smartgov.sharing.metering_permissions import Perm
from smartgov.sharing.models import CallLog, ConsumerApp, Grant

GROUPS = ("resource", "provider", "consumer", "day")
MAX_DAYS = 366
MAX_GROUPS = 100
_GROUP_FIELD = {
    "resource": "resource_id_ref",
    "provider": "provider_id_ref",
    "consumer": "consumer_id_ref",
    "day": "day",
}


@dataclass(frozen=True)
class UsageFilter:
    date_from: date | None = None
    date_to: date | None = None
    resource_id: int | None = None
    provider_id: int | None = None
    consumer_id: int | None = None


def scope_departments(actor, perm: str = Perm.VIEW_USAGE) -> list[int] | None:
    """Ids of the departments whose usage the actor sees (None: every department)."""
    ids: set[int] = set()
    for membership in _memberships(actor):
        if not _grants(membership, str(perm)):
            continue
        department = membership.department
        if membership.scope == "city":
            return None
        if membership.scope == "department":
            ids.add(department.pk)
            continue
        if membership.scope == "department_tree":
            condition = subtree_q(department.path)
        else:
            condition = subtree_q(department.region.path, field="region__path")
        ids.update(Department.objects.filter(condition).values_list("pk", flat=True))
    return sorted(ids)


def visible_calls(actor) -> QuerySet[CallLog]:
    """The calls the actor may meter: all (data bureau), or those of its departments' data
    (as provider) and of its departments' apps (as consumer)."""
    require_perm(actor, Perm.VIEW_USAGE)
    departments = scope_departments(actor)
    calls = CallLog.objects.all()
    if departments is None:
        return calls
    return calls.filter(Q(provider_id_ref__in=departments) | Q(consumer_id_ref__in=departments))


def _period(filters: UsageFilter) -> tuple[date, date]:
    today = timezone.localdate()
    date_to = filters.date_to or today
    date_from = filters.date_from or date_to - timedelta(days=29)
    if date_from > date_to:
        raise InvalidInput(
            "invalid_period", gettext_noop("The start of the period is after its end.")
        )
    if (date_to - date_from).days >= MAX_DAYS:
        raise InvalidInput(
            "period_too_long",
            gettext_noop("A period covers at most 366 days."),
            detail={"max_days": MAX_DAYS},
        )
    return date_from, date_to


def _bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(date_from, time.min, tzinfo=zone)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def filtered_calls(actor, filters: UsageFilter) -> tuple[QuerySet[CallLog], date, date]:
    date_from, date_to = _period(filters)
    start, end = _bounds(date_from, date_to)
    calls = visible_calls(actor).filter(created_at__gte=start, created_at__lt=end)
    if filters.resource_id is not None:
        calls = calls.filter(resource_id_ref=filters.resource_id)
    if filters.provider_id is not None:
        calls = calls.filter(provider_id_ref=filters.provider_id)
    if filters.consumer_id is not None:
        calls = calls.filter(consumer_id_ref=filters.consumer_id)
    return calls, date_from, date_to


class Median(Aggregate):
    """PostgreSQL's continuous median (percentile_cont(0.5) WITHIN GROUP)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _round(value) -> float | None:
    return round(float(value), 2) if value is not None else None


def _median(calls: QuerySet[CallLog], field: str | None, key) -> float | None:
    """Median latency of one group (a sorted read of the group's latencies, middle rows)."""
    if field == "day":
        start, end = _bounds(date.fromisoformat(key), date.fromisoformat(key))
        group = calls.filter(created_at__gte=start, created_at__lt=end)
    elif field is None:
        group = calls
    else:
        group = calls.filter(**{field: key})
    total = group.count()
    if not total:
        return None
    values = list(
        group.order_by("latency_ms").values_list("latency_ms", flat=True)[
            (total - 1) // 2 : total // 2 + 1
        ]
    )
    return sum(values) / len(values)


def usage(actor, *, group_by: str = "resource", filters: UsageFilter | None = None) -> dict:
    """Statistics of the visible calls in the period, one row per group, largest first
    (days in order), with totals: calls, errors (status >= 400), records returned, average
    and median latency in ms."""
    if group_by not in GROUPS:
        raise InvalidInput(
            "unknown_group",
            gettext_noop("Group by resource, provider, consumer or day."),
            detail={"allowed": list(GROUPS)},
        )
    calls, date_from, date_to = filtered_calls(actor, filters or UsageFilter())
    metrics = {
        "calls": Count("id"),
        "errors": Count("id", filter=Q(status__gte=400)),
        "records": Sum("result_count"),
        "avg_latency_ms": Avg("latency_ms"),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        metrics["p50_latency_ms"] = Median("latency_ms")
    if group_by == "day":
        zone = ZoneInfo(settings.TIME_ZONE)
        grouped = (
            calls.annotate(day=TruncDate("created_at", tzinfo=zone))
            .values("day")
            .annotate(**metrics)
            .order_by("day")
        )
    else:
        field = _GROUP_FIELD[group_by]
        grouped = calls.values(field).annotate(**metrics).order_by("-calls", field)[:MAX_GROUPS]
    rows = []
    for entry in grouped:
        key = entry.get(_GROUP_FIELD[group_by])
        rows.append(
            {
                "key": key.isoformat() if isinstance(key, date) else key,
                "label": "",
                "calls": entry["calls"],
                "errors": entry["errors"],
                "records": entry["records"] or 0,
                "avg_latency_ms": round(entry["avg_latency_ms"] or 0, 2),
                "p50_latency_ms": _round(entry.get("p50_latency_ms")),
            }
        )
    _label(rows, group_by)
    if not postgres:
        # SQLite has no percentile aggregate: the middle rows of each group's sorted latencies.
        field = _GROUP_FIELD[group_by]
        for row in rows:
            row["p50_latency_ms"] = _round(_median(calls, field, row["key"]))
    totals = calls.aggregate(**metrics)
    overall = totals.get("p50_latency_ms") if postgres else _median(calls, None, None)
    return {
        "group_by": group_by,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "rows": rows,
        "totals": {
            "calls": totals["calls"],
            "errors": totals["errors"],
            "records": totals["records"] or 0,
            "avg_latency_ms": round(totals["avg_latency_ms"] or 0, 2),
            "p50_latency_ms": _round(overall),
        },
    }


def _label(rows: list[dict], group_by: str) -> None:
    keys = [r["key"] for r in rows if r["key"] is not None]
    if group_by == "resource":
        names = {
            pk: f"{name} ({code})"
            for pk, name, code in Resource.objects.filter(pk__in=keys).values_list(
                "pk", "name", "code"
            )
        }
    elif group_by in ("provider", "consumer"):
        names = dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    else:
        names = {}
    for row in rows:
        row["label"] = names.get(row["key"], row["key"] if group_by == "day" else "—")


def daily_series(actor, filters: UsageFilter | None = None) -> dict:
    """Calls and errors per day of the period, every day present (for the chart)."""
    result = usage(actor, group_by="day", filters=filters)
    by_day = {r["key"]: r for r in result["rows"]}
    day = date.fromisoformat(result["date_from"])
    end = date.fromisoformat(result["date_to"])
    days, calls, errors = [], [], []
    while day <= end:
        row = by_day.get(day.isoformat())
        days.append(day.isoformat())
        calls.append(row["calls"] if row else 0)
        errors.append(row["errors"] if row else 0)
        day += timedelta(days=1)
    return {"days": days, "calls": calls, "errors": errors}


# --- who read my data -----------------------------------------------------------------------


def subject_hash_of(user) -> str:
    """The call log's subject hash of a citizen's ID or an enterprise's credit code."""
    if user.kind == UserKind.CITIZEN and user.citizen_id_index:
        return user.citizen_id_index
    if user.kind == UserKind.ENTERPRISE and user.credit_code:
        return blind_index(user.credit_code, purpose="credit_code")
    raise PermissionDeniedError(
        "not_a_data_subject",
        gettext_noop("Only citizens and enterprises have records read about them."),
    )


def reads_of(user) -> QuerySet[CallLog]:
    """Answered gateway calls whose lookup key was the user's citizen ID or credit code."""
    return CallLog.objects.filter(
        subject_hash=subject_hash_of(user), status=200, result_count__gt=0
    ).order_by("-created_at", "-id")


def describe_reads(calls) -> list[dict]:
    """The page's calls with the reading department and app, the resource, the grant's
    purpose and the labels of the fields returned."""
    calls = list(calls)
    departments = dict(
        Department.objects.filter(pk__in={c.consumer_id_ref for c in calls}).values_list(
            "pk", "name"
        )
    )
    apps = dict(
        ConsumerApp.objects.filter(pk__in={c.app_id_ref for c in calls}).values_list("pk", "name")
    )
    resources = dict(
        Resource.objects.filter(pk__in={c.resource_id_ref for c in calls}).values_list("pk", "name")
    )
    purposes = dict(
        Grant.objects.filter(pk__in={c.grant_id_ref for c in calls}).values_list("pk", "purpose")
    )
    labels = {
        (resource_id, name): label
        for resource_id, name, label in Field.objects.filter(
            resource_id__in={c.resource_id_ref for c in calls}
        ).values_list("resource_id", "name", "label")
    }
    out = []
    for call in calls:
        names = [n for n in call.fields.split(",") if n]
        out.append(
            {
                "id": call.pk,
                "time": call.created_at,
                "department": departments.get(call.consumer_id_ref, "—"),
                "app": apps.get(call.app_id_ref, "—"),
                "resource": resources.get(call.resource_id_ref, "—"),
                "purpose": purposes.get(call.grant_id_ref, ""),
                "fields": [labels.get((call.resource_id_ref, n), n) for n in names],
            }
        )
    return out
