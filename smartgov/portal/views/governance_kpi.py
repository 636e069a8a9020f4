"""The governance KPI page (考核统计): figures per department, street, district, agent,
inspector or category over a period, a chart per day/week/month, CSV and XLSX downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from smartgov.accounts.scope import require_perm
from smartgov.core.errors import InvalidInput, SmartgovError
from smartgov.governance import kpi
from smartgov.governance.permissions import Perm

DOWNLOADS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
INTERVAL_LABELS = [("day", _("Per day")), ("week", _("Per week")), ("month", _("Per month"))]


def _choice(request, name: str, allowed, default: str) -> str:
    value = request.GET.get(name, default)
    return value if value in allowed else default


@login_required
@require_GET
def kpi_page(request):
    """考核统计: the table with totals, a chart over time and a chart per group."""
    require_perm(request.user, Perm.SUPERVISE)
    group_by = _choice(request, "group_by", kpi.GROUPS, "department")
    interval = _choice(request, "interval", kpi.INTERVALS, "day")
    start, end = request.GET.get("start"), request.GET.get("end")
    error = None
    try:
        result, series = kpi.kpi_page(
            user=request.user, group_by=group_by, start=start, end=end, interval=interval
        )
    except InvalidInput as exc:
        error = exc.message
        result, series = kpi.kpi_page(user=request.user, group_by=group_by, interval=interval)
    top = result.rows[:15]
    chart = {
        "buckets": [point["bucket"] for point in series],
        "due": [point["cases_due"] for point in series],
        "on_time": [point["on_time"] for point in series],
        "overdue": [point["overdue"] for point in series],
        "satisfaction": [
            round(point["satisfaction_rate"] * 100, 1)
            if point["satisfaction_rate"] is not None
            else None
            for point in series
        ],
        "groups": [row["label"] or str(_("(not assigned)")) for row in top],
        "group_on_time": [row["on_time"] for row in top],
        "group_overdue": [row["overdue"] for row in top],
        "group_other": [max(row["cases_due"] - row["on_time"] - row["overdue"], 0) for row in top],
    }
    query = request.GET.copy()
    query["start"], query["end"] = result.period.start.isoformat(), result.period.end.isoformat()
    query["group_by"] = group_by
    query.pop("interval", None)
    return render(
        request,
        "portal/governance/kpi.html",
        {
            "result": result,
            "chart": chart,
            "group_by": group_by,
            "group_label": kpi.GROUPS[group_by][1],
            "groups": [(key, label) for key, (_field, label) in kpi.GROUPS.items()],
            "interval": interval,
            "intervals": INTERVAL_LABELS,
            "download_query": query.urlencode(),
            "error": error,
        },
    )


@login_required
@require_GET
def kpi_download(request, fmt: str):
    """The KPI table as CSV or XLSX (same parameters as the page)."""
    require_perm(request.user, Perm.SUPERVISE)
    if fmt not in DOWNLOADS:
        return HttpResponse(status=404)
    try:
        result = kpi.kpi_table(
            user=request.user,
            group_by=request.GET.get("group_by", "department"),
            start=request.GET.get("start"),
            end=request.GET.get("end"),
        )
    except SmartgovError as exc:
        return HttpResponse(
            exc.message, status=exc.status, content_type="text/plain; charset=utf-8"
        )
    body = kpi.kpi_csv(result) if fmt == "csv" else kpi.kpi_xlsx(result)
    response = HttpResponse(body, content_type=DOWNLOADS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{kpi.download_name(result, fmt)}"'
    return response
