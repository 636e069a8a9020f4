"""API of the governance KPIs under /api/v1/governance/kpi (JSON, CSV or XLSX) and
/api/v1/governance/kpi/series (for charts). Handlers parse, call kpi, and return."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from smartgov.core.errors import InvalidInput
from smartgov.core.models import Region
from smartgov.governance import kpi

router = Router(tags=["governance"])

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class KpiQuery(Schema):
    group_by: str = "department"
    start: str | None = None
    end: str | None = None
    district: str | None = None  # region id or GB/T 2260 code
    format: str = "json"


class SeriesQuery(Schema):
    start: str | None = None
    end: str | None = None
    interval: str = "day"
    district: str | None = None


class KpiMetrics(Schema):
    cases_due: int
    handled: int
    on_time: int
    overdue: int
    overdue_multiple: int
    rework: int
    extensions: int
    avg_handling_hours: float | None
    satisfaction_rate: float | None
    repeat_rate: float | None
    on_time_rate: float | None


class KpiRow(KpiMetrics):
    key: int | None
    label: str


class KpiRead(Schema):
    group_by: str
    start: str
    end: str
    city_scope: bool
    rows: list[KpiRow]
    totals: KpiMetrics


class SeriesPoint(KpiMetrics):
    bucket: str


class SeriesRead(Schema):
    interval: str
    start: str
    end: str
    points: list[SeriesPoint]


def _district(value: str | None) -> Region | None:
    if not value:
        return None
    lookup = {"pk": int(value)} if value.isdigit() and len(value) < 6 else {"code": value}
    region = Region.objects.filter(**lookup).first()
    if region is None:
        raise InvalidInput(
            "unknown_district", "No region with this id or code.", detail={"district": value}
        )
    return region


@router.get(
    "/governance/kpi",
    response=KpiRead,
    summary="Case KPIs per department, street, district, agent, inspector or category over a "
    "period (cases due, handled, on time, overdue, rework, extensions, handling time, "
    "satisfaction, repeat complaints) with totals; format=json|csv|xlsx",
)
def read_kpi(request: HttpRequest, query: Query[KpiQuery]):
    if query.format not in ("json", *FORMATS):
        raise InvalidInput(
            "invalid_format",
            "format must be json, csv or xlsx.",
            detail={"format": query.format[:20]},
        )
    result = kpi.kpi_table(
        user=request.auth,
        group_by=query.group_by,
        start=query.start,
        end=query.end,
        district=_district(query.district),
    )
    if query.format in FORMATS:
        body = kpi.kpi_csv(result) if query.format == "csv" else kpi.kpi_xlsx(result)
        response = HttpResponse(body, content_type=FORMATS[query.format])
        name = kpi.download_name(result, query.format)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return {
        "group_by": result.group_by,
        "start": result.period.start.isoformat(),
        "end": result.period.end.isoformat(),
        "city_scope": result.city_scope,
        "rows": result.rows,
        "totals": result.totals,
    }


@router.get(
    "/governance/kpi/series",
    response=SeriesRead,
    summary="The KPI metrics per day, week or month of the due date (for charts)",
)
def read_series(request: HttpRequest, query: Query[SeriesQuery]):
    period = kpi.parse_period(query.start, query.end)
    points = kpi.kpi_series(
        user=request.auth,
        start=period.start,
        end=period.end,
        interval=query.interval,
        district=_district(query.district),
    )
    return {
        "interval": query.interval,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "points": points,
    }
