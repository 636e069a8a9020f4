"""Service statistics (政务服务统计) per item, department or month over a period, with totals;
CSV and XLSX downloads.

What counts, per group (a period is a range of local days, Asia/Shanghai, both ends included):

- ``applications`` — applications submitted in the period (online or at the counter)
- ``accepted`` — accepted (受理) in the period; ``completed`` — completed (办结: approved or
  denied, ``completed_at`` set) in the period; ``on_time`` — of these, on time
- ``overdue`` — completed late in the period, plus applications still running (status
  accepted) whose due date fell in the period and has passed (``overdue_open``, read live)
- ``immediate_rate`` (即办率) — completions of immediate items (即办件) on the day they were
  accepted / completions
- ``compression_ratio`` (承诺时限压缩比) — 1 − Σ promised / Σ legal limits over the group's
  items that have a legal limit
- ``zero_visit`` — items needing no visit in person / items (``zero_visit_items``, ``items``)
- ``online_share`` — applications submitted online / applications
- ``avg_handling_days`` — mean working days from acceptance to completion
- ``satisfaction`` — ratings of level 4 or 5 / ratings given in the period

"The group's items" are the items (implementation codes) with any activity in the group and
period; each is described by its published version (else its latest).

Speed: the counts come from the daily rollup ``ServiceStatsDay`` (day × item code ×
department × channel), one grouped query over an index range; the running overdue ones from
``Application`` through the (status, due_date) index. The rollup is kept current by the
subscribers below (``register()``): each event adds its counts to its day's row with F()
updates in the publisher's transaction, so a rolled-back action leaves no trace. Bulk imports
bypass the events and call ``rebuild_rollup()`` (``smartgov services stats-rollup``).
Measured in ``bench/services.py``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Func, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import has_city_scope, require_perm, restrict
from smartgov.core import events
from smartgov.core.errors import InvalidInput
from smartgov.core.models import Department
from smartgov.core.tables import table_csv, table_xlsx
from smartgov.services import applications, ratings
from smartgov.services.application_models import Application, ApplicationStatus, Channel
from smartgov.services.models import HandlingKind, ItemStatus, ServiceItem
from smartgov.services.permissions import Perm
from smartgov.services.rating_models import Rating
from smartgov.services.stats_models import ServiceStatsDay

GROUPS: dict[str, str] = {
    "item": _("Service item"),
    "department": _("Department"),
    "month": _("Month"),
}
MAX_PERIOD_DAYS = 366 * 3
# Asia/Shanghai has kept UTC+8 without daylight saving since 1991.
SHANGHAI_OFFSET_HOURS = 8
COUNTS = (
    "submitted",
    "accepted",
    "completed",
    "on_time",
    "late",
    "immediate",
    "handling_days_total",
    "handling_count",
    "rated",
    "satisfied",
)


# --- periods ------------------------------------------------------------------------------


def default_period(today: date | None = None) -> tuple[date, date]:
    """The twelve calendar months up to today (the current one so far)."""
    today = today or timezone.localdate()
    month, year = today.month - 11, today.year
    if month < 1:
        month, year = month + 12, year - 1
    return date(year, month, 1), today


def _as_date(value, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return timezone.localdate(value)
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


def parse_period(date_from, date_to) -> tuple[date, date]:
    start, end = _as_date(date_from, "date_from"), _as_date(date_to, "date_to")
    default_start, default_end = default_period()
    if start is None and end is None:
        return default_start, default_end
    start = start or end.replace(day=1)
    end = end or max(start, default_end)
    if end < start:
        raise InvalidInput(
            "invalid_period",
            "The end of the period is before its start.",
            detail={"date_from": start.isoformat(), "date_to": end.isoformat()},
        )
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(
            "period_too_long",
            "A period may span at most three years.",
            detail={"days": (end - start).days + 1},
        )
    return start, end


def check_group(group_by: str) -> str:
    if group_by not in GROUPS:
        raise InvalidInput(
            "invalid_group_by",
            "Unknown group_by: use item, department or month.",
            detail={"group_by": str(group_by)[:40], "allowed": list(GROUPS)},
        )
    return group_by


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def _month_key(value) -> str:
    if isinstance(value, str):
        return value[:7]
    return value.strftime("%Y-%m")


# --- the query ----------------------------------------------------------------------------


def _new_group() -> dict:
    return {**dict.fromkeys(COUNTS, 0), "online": 0, "overdue_open": 0, "codes": set()}


def _add(target: dict, row: dict) -> None:
    for name in COUNTS:
        target[name] += int(row.get(name) or 0)
    target["online"] += int(row.get("online") or 0)
    target["overdue_open"] += int(row.get("overdue_open") or 0)
    target["codes"] |= row.get("codes") or set()


def _ratio(numerator, denominator, digits: int = 4):
    return round(numerator / denominator, digits) if denominator else None


def _items_by_code(codes) -> dict[str, dict]:
    """Per implementation code, its published version (else the latest) as a dict."""
    found: dict[str, dict] = {}
    rows = (
        ServiceItem.objects.filter(implementation_code__in=list(codes))
        .order_by("implementation_code", "-version")
        .values("implementation_code", "name", "status", "legal_days", "promised_days", "visits")
    )
    for row in rows:
        code = row["implementation_code"]
        if code not in found or (
            row["status"] == ItemStatus.PUBLISHED and found[code]["status"] != ItemStatus.PUBLISHED
        ):
            found[code] = row
    return found


def _metrics(group: dict, items: dict[str, dict]) -> dict:
    known = [items[code] for code in group["codes"] if code in items]
    limited = [i for i in known if i["legal_days"] and i["promised_days"] is not None]
    legal = sum(i["legal_days"] for i in limited)
    promised = sum(i["promised_days"] for i in limited)
    zero_visit_items = sum(1 for i in known if i["visits"] == 0)
    return {
        "applications": group["submitted"],
        "accepted": group["accepted"],
        "completed": group["completed"],
        "on_time": group["on_time"],
        "overdue": group["late"] + group["overdue_open"],
        "overdue_completed": group["late"],
        "overdue_open": group["overdue_open"],
        "immediate_completed": group["immediate"],
        "immediate_rate": _ratio(group["immediate"], group["completed"]),
        "items": len(known),
        "compression_ratio": round(1 - promised / legal, 4) if legal else None,
        "zero_visit_items": zero_visit_items,
        "zero_visit": _ratio(zero_visit_items, len(known)),
        "online": group["online"],
        "online_share": _ratio(group["online"], group["submitted"]),
        "avg_handling_days": _ratio(group["handling_days_total"], group["handling_count"], 2),
        "rated": group["rated"],
        "satisfied": group["satisfied"],
        "satisfaction": _ratio(group["satisfied"], group["rated"]),
    }


_SUMS = {name: Sum(name) for name in COUNTS}
COMPLETED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.DENIED)


def _rollup_rows(actor, start: date, end: date, department_id, by_month: bool):
    queryset = restrict(
        ServiceStatsDay.objects.filter(day__gte=start, day__lte=end), actor, Perm.VIEW_STATS
    ).order_by()
    if department_id is not None:
        queryset = queryset.filter(department_id=department_id)
    fields = ["item_code", "department_id", "channel"]
    if by_month:
        queryset = queryset.annotate(month=TruncMonth("day"))
        fields.append("month")
    return queryset.values(*fields).annotate(**_SUMS)


def _open_overdue_rows(actor, start: date, end: date, department_id, today: date, by_month):
    last = min(end, today - timedelta(days=1))
    if last < start:
        return []
    queryset = restrict(
        Application.objects.filter(
            status=ApplicationStatus.ACCEPTED, due_date__gte=start, due_date__lte=last
        ),
        actor,
        Perm.VIEW_STATS,
    ).order_by()
    if department_id is not None:
        queryset = queryset.filter(item__department_id=department_id)
    fields = ["item__implementation_code", "item__department_id"]
    if by_month:
        queryset = queryset.annotate(month=TruncMonth("due_date"))
        fields.append("month")
    return queryset.values(*fields).annotate(n=Count("id"))


def _labels(group_by: str, keys, items: dict[str, dict]) -> dict:
    if group_by == "item":
        return {code: (items.get(code) or {}).get("name") or code for code in keys}
    if group_by == "department":
        return dict(Department.objects.filter(pk__in=list(keys)).values_list("pk", "name"))
    return {key: key for key in keys}


def statistics(
    actor,
    *,
    group_by: str = "department",
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    department_id: int | None = None,
    now: datetime | None = None,
) -> dict:
    """The statistics table: ``rows`` (key, label and the metrics per group, largest first;
    every month of the period for ``month``) and ``totals`` over the user's scope (a
    department user sees their department, a city-scope user the whole city)."""
    require_perm(actor, Perm.VIEW_STATS)
    check_group(group_by)
    start, end = parse_period(date_from, date_to)
    if department_id not in (None, ""):
        try:
            department_id = int(department_id)
        except (TypeError, ValueError):
            raise InvalidInput("invalid_department", "The department is given by its id.") from None
    else:
        department_id = None
    today = timezone.localdate(now) if now else timezone.localdate()
    by_month = group_by == "month"
    field = {"item": "item_code", "department": "department_id", "month": "month"}[group_by]
    groups: dict = {}
    for row in _rollup_rows(actor, start, end, department_id, by_month):
        key = _month_key(row["month"]) if by_month else row[field]
        counts = {name: row[name] for name in COUNTS}
        counts["online"] = row["submitted"] if row["channel"] == Channel.ONLINE else 0
        counts["codes"] = {row["item_code"]}
        _add(groups.setdefault(key, _new_group()), counts)
    for row in _open_overdue_rows(actor, start, end, department_id, today, by_month):
        code = row["item__implementation_code"]
        key = {
            "item": code,
            "department": row["item__department_id"],
            "month": _month_key(row["month"]) if by_month else None,
        }[group_by]
        _add(groups.setdefault(key, _new_group()), {"overdue_open": row["n"], "codes": {code}})
    if by_month:
        for month in _months(start, end):
            groups.setdefault(_month_key(month), _new_group())
    total = _new_group()
    for group in groups.values():
        _add(total, group)
    items = _items_by_code(total["codes"])
    labels = _labels(group_by, list(groups), items)
    rows = [
        {"key": key, "label": labels.get(key) or str(key), **_metrics(group, items)}
        for key, group in groups.items()
    ]
    if by_month:
        rows.sort(key=lambda row: row["key"])
    else:
        rows.sort(key=lambda row: (-row["applications"], -row["completed"], str(row["label"])))
    return {
        "group_by": group_by,
        "date_from": start,
        "date_to": end,
        "department_id": department_id,
        "city_scope": has_city_scope(actor, Perm.VIEW_STATS),
        "rows": rows,
        "totals": _metrics(total, items),
    }


def departments_for(actor):
    """The departments the user's statistics may be narrowed to (for the filter)."""
    ids = restrict(ServiceStatsDay.objects.all(), actor, Perm.VIEW_STATS).values("department_id")
    return Department.objects.filter(pk__in=ids).order_by("path")


# --- the rollup ---------------------------------------------------------------------------


class LocalDay(Func):
    """The local (Asia/Shanghai) date of a timestamp, computed by the database."""

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"date({column}, '+{SHANGHAI_OFFSET_HOURS} hours')", params

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"(({column}) AT TIME ZONE 'Asia/Shanghai')::date", params


def _day(value) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _bump(application: Application, moment: datetime, **deltas) -> None:
    """Add ``deltas`` to the row of ``moment``'s local day for the application's item,
    department and channel (created when missing; F() so concurrent events add up)."""
    deltas = {name: value for name, value in deltas.items() if value}
    if not deltas:
        return
    item = application.item
    key = {
        "day": timezone.localdate(moment),
        "item_code": item.implementation_code,
        "department_id": item.department_id,
        "channel": application.channel,
    }
    changes = {name: F(name) + value for name, value in deltas.items()}
    if ServiceStatsDay.objects.filter(**key).update(**changes):
        return
    ServiceStatsDay.objects.bulk_create([ServiceStatsDay(**key)], ignore_conflicts=True)
    ServiceStatsDay.objects.filter(**key).update(**changes)


def on_submitted(*, application: Application, **_kwargs) -> None:
    if application.submitted_at is not None:
        _bump(application, application.submitted_at, submitted=1)


def on_accepted(*, application: Application, **_kwargs) -> None:
    if application.accepted_at is not None:
        _bump(application, application.accepted_at, accepted=1)


def _is_immediate(application: Application) -> bool:
    return bool(
        application.item.handling_kind == HandlingKind.IMMEDIATE
        and application.accepted_at is not None
        and timezone.localdate(application.accepted_at)
        == timezone.localdate(application.completed_at)
    )


def on_ended(*, application: Application, **_kwargs) -> None:
    """A completion (approved or denied, ``completed_at`` set) counts; a refusal or a
    withdrawal ends the application without completing it."""
    if application.completed_at is None or application.status not in COMPLETED_STATUSES:
        return
    _bump(
        application,
        application.completed_at,
        completed=1,
        on_time=int(application.on_time is True),
        late=int(application.on_time is False),
        immediate=int(_is_immediate(application)),
        handling_days_total=application.handling_days or 0,
        handling_count=int(application.handling_days is not None),
    )


def on_rated(*, rating: Rating, application: Application, **_kwargs) -> None:
    _bump(
        application,
        rating.rated_at,
        rated=1,
        satisfied=int(rating.level >= ratings.GOOD_LEVEL),
    )


def register() -> None:
    events.subscribe(applications.SUBMITTED, on_submitted)
    events.subscribe(applications.ACCEPTED, on_accepted)
    events.subscribe(applications.ENDED, on_ended)
    events.subscribe(ratings.RATED, on_rated)


_KEY = ("d", "code", "department_id", "channel")


def _grouped(queryset, moment: str, prefix: str = ""):
    return (
        queryset.order_by()
        .filter(**{f"{moment}__isnull": False})
        .annotate(
            d=LocalDay(moment),
            code=F(f"{prefix}item__implementation_code"),
            department_id_=F(f"{prefix}item__department_id"),
            channel_=F(f"{prefix}channel"),
        )
        .values("d", "code", "department_id_", "channel_")
    )


def _collect(target: dict, rows) -> None:
    for row in rows:
        key = (_day(row.pop("d")), row.pop("code"), row.pop("department_id_"), row.pop("channel_"))
        entry = target.setdefault(key, dict.fromkeys(COUNTS, 0))
        for name, value in row.items():  # n_<count> (the annotations may not shadow fields)
            entry[name[2:]] += int(value or 0)


@transaction.atomic
def rebuild_rollup() -> int:
    """Recompute every rollup row from the applications and ratings (after a bulk import;
    idempotent). Returns the number of rows written."""
    rows: dict = {}
    base = Application.objects.all()
    _collect(rows, _grouped(base, "submitted_at").annotate(n_submitted=Count("id")))
    _collect(rows, _grouped(base, "accepted_at").annotate(n_accepted=Count("id")))
    immediate = Q(item__handling_kind=HandlingKind.IMMEDIATE, d=F("accepted_day"))
    _collect(
        rows,
        _grouped(
            base.filter(status__in=COMPLETED_STATUSES).annotate(
                accepted_day=LocalDay("accepted_at")
            ),
            "completed_at",
        ).annotate(
            n_completed=Count("id"),
            n_on_time=Count("id", filter=Q(on_time=True)),
            n_late=Count("id", filter=Q(on_time=False)),
            n_immediate=Count("id", filter=immediate),
            n_handling_days_total=Sum("handling_days"),
            n_handling_count=Count("handling_days"),
        ),
    )
    _collect(
        rows,
        _grouped(Rating.objects.all(), "rated_at", "application__").annotate(
            n_rated=Count("id"),
            n_satisfied=Count("id", filter=Q(level__gte=ratings.GOOD_LEVEL)),
        ),
    )
    ServiceStatsDay.objects.all().delete()
    ServiceStatsDay.objects.bulk_create(
        [
            ServiceStatsDay(
                day=day, item_code=code, department_id=department_id, channel=channel, **counts
            )
            for (day, code, department_id, channel), counts in rows.items()
        ],
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ServiceStatsDay._meta.db_table}")
    return len(rows)


# --- downloads ----------------------------------------------------------------------------

COLUMNS = [
    ("applications", _("Applications")),
    ("accepted", _("Accepted")),
    ("completed", _("Completed")),
    ("on_time", _("Completed on time")),
    ("overdue", _("Overdue")),
    ("immediate_rate", _("Immediate-completion rate")),
    ("compression_ratio", _("Time-limit compression ratio")),
    ("zero_visit", _("Zero-visit items")),
    ("online_share", _("Online share")),
    ("avg_handling_days", _("Average handling time (working days)")),
    ("satisfaction", _("Satisfaction")),
    ("rated", _("Ratings")),
]


def _table(result: dict) -> list[list]:
    lines = [[str(GROUPS[result["group_by"]])] + [str(label) for _name, label in COLUMNS]]
    for row in result["rows"]:
        lines.append([str(row["label"])] + [row[name] for name, _label in COLUMNS])
    lines.append([str(_("Total"))] + [result["totals"][name] for name, _label in COLUMNS])
    return lines


def stats_csv(result: dict) -> bytes:
    return table_csv(_table(result))


def stats_xlsx(result: dict) -> bytes:
    return table_xlsx(
        _table(result),
        title="Statistics",
        caption=f"{result['date_from'].isoformat()} – {result['date_to'].isoformat()}",
        first_width=32,
    )


def download_name(result: dict, extension: str) -> str:
    return (
        f"services-stats-{result['group_by']}-{result['date_from'].isoformat()}"
        f"-{result['date_to'].isoformat()}.{extension}"
    )
