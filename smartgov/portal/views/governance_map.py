"""The case map (ECharts over the grids' and streets' GeoJSON, no internet tiles) and the
hotspot ranking (duplicates.hotspots), for dispatchers, supervisors and administrators."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from smartgov.accounts.scope import has_perm
from smartgov.core.errors import PermissionDeniedError
from smartgov.governance import categories, duplicates, places, selectors
from smartgov.governance.models import CaseStatus
from smartgov.governance.permissions import Perm
from smartgov.portal.forms_governance import MapFilterForm
from smartgov.portal.views.governance_common import STATUS_COLOUR, WARNING_COLOUR, page

MAX_POINTS = 5000
MAP_PERMS = (Perm.DISPATCH, Perm.SUPERVISE, Perm.CONFIGURE)


def _require_map(user) -> None:
    if not any(has_perm(user, p) for p in MAP_PERMS):
        raise PermissionDeniedError("permission_denied", "You cannot open the case map.")


def _filter_form(request):
    return MapFilterForm(
        request.GET or None,
        statuses=CaseStatus.choices,
        categories=list(categories.minor_categories().order_by("code")),
    )


def _period(data) -> tuple[datetime, datetime]:
    """The filter's period as aware datetimes (default: the last 30 days)."""
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    start = data.get("start") or today - timedelta(days=29)
    end = data.get("end") or today
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


@login_required
@require_GET
def case_map(request):
    _require_map(request.user)
    form = _filter_form(request)
    valid = form.is_valid() if request.GET else True
    data_url = reverse("portal:governance_map_data")
    if request.GET and valid:
        data_url += "?" + request.GET.urlencode()
    return page(
        request,
        "map.html",
        {
            "form": form,
            "data_url": data_url if valid else "",
            "legend": [(label, STATUS_COLOUR[code]) for code, label in CaseStatus.choices],
            "warning_legend": WARNING_COLOUR,
        },
        tab="map",
        status=200 if valid else 400,
    )


@login_required
@require_GET
def map_data(request):
    """GeoJSON of grids and streets and the filtered case points, for the map's script."""
    _require_map(request.user)
    form = _filter_form(request)
    if request.GET and not form.is_valid():
        return JsonResponse(
            {"code": "invalid_filter", "message": "Invalid filter.", "detail": form.errors},
            status=400,
        )
    data = form.cleaned_data if request.GET else {}
    start, end = _period(data)
    cases = selectors.cases_for(request.user).filter(
        created_at__gte=start, created_at__lt=end, lon__isnull=False, lat__isnull=False
    )
    if data.get("status"):
        cases = cases.filter(status=data["status"])
    if data.get("category"):
        cases = cases.filter(category__code=data["category"])
    rows = cases.order_by("-created_at").values_list(
        "pk", "number", "title", "status", "warning", "lon", "lat"
    )[:MAX_POINTS]
    if request.GET.get("points") == "0":  # the hotspot map shows the hotspots alone
        rows = []
    points = [
        {
            "id": pk,
            "number": number,
            "title": title,
            "status": status,
            "status_label": str(CaseStatus(status).label),
            "colour": WARNING_COLOUR.get(warning) or STATUS_COLOUR.get(status, "#206bc4"),
            "value": [lon, lat],
            "url": reverse("portal:governance_case", args=[pk]),
        }
        for pk, number, title, status, warning, lon, lat in rows
    ]
    hotspots = []
    if request.GET.get("hotspots") == "1":
        hotspots = [
            {"label": h["label"], "count": h["count"], "value": [h["center_lon"], h["center_lat"]]}
            for h in duplicates.hotspots(start=start, end=end)
            if h.get("center_lon") is not None
        ]
    return JsonResponse(
        {
            "grids": places.grids_geojson(),
            "streets": places.streets_geojson(),
            "points": points,
            "truncated": len(points) >= MAX_POINTS,
            "hotspots": hotspots,
        }
    )


@login_required
@require_GET
def hotspots(request):
    """Similar cases grouped by text, place and time window, ranked by how many reported."""
    _require_map(request.user)
    form = _filter_form(request)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET and valid else {}
    start, end = _period(data)
    if "start" not in request.GET:
        start = end - timedelta(days=7)
    ranked = duplicates.hotspots(start=start, end=end) if valid else []
    shown_start = timezone.localtime(start).date()
    shown_end = timezone.localtime(end - timedelta(seconds=1)).date()
    map_url = reverse("portal:governance_map_data") + (
        f"?hotspots=1&points=0&start={shown_start.isoformat()}&end={shown_end.isoformat()}"
    )
    return page(
        request,
        "hotspots.html",
        {
            "form": form,
            "hotspots": ranked,
            "start": shown_start,
            "end": shown_end,
            "map_url": map_url,
        },
        tab="hotspots",
        status=200 if valid else 400,
    )


@login_required
@require_GET
def areas(request):
    """The grids' and streets' outlines for the point pickers of the report forms."""
    response = JsonResponse({"grids": places.grids_geojson(), "streets": places.streets_geojson()})
    response["Cache-Control"] = "private, max-age=300"
    return response
