"""Pages of the gateway's metering (共享调用统计) for data officers and the data bureau, and
"who read my data" (谁查看了我的数据) for citizens and enterprises."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from smartgov.accounts.scope import has_city_scope, require_perm
from smartgov.core.errors import SmartgovError
from smartgov.portal.services import paginate
from smartgov.sharing import metering
from smartgov.sharing.metering_permissions import Perm


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def usage(request):
    """共享调用统计: calls per resource, provider, consumer or day, with a daily chart."""
    require_perm(request.user, Perm.VIEW_USAGE)
    group_by = request.GET.get("group_by", "resource")
    if group_by not in metering.GROUPS:
        group_by = "resource"
    filters = metering.UsageFilter(
        date_from=_date(request.GET.get("date_from")), date_to=_date(request.GET.get("date_to"))
    )
    error = None
    try:
        result = metering.usage(request.user, group_by=group_by, filters=filters)
        chart = metering.daily_series(request.user, filters)
    except SmartgovError as exc:
        error = exc.message
        filters = metering.UsageFilter()
        result = metering.usage(request.user, group_by=group_by, filters=filters)
        chart = metering.daily_series(request.user, filters)
    return render(
        request,
        "portal/sharing_usage/usage.html",
        {
            "result": result,
            "chart": chart,
            "group_by": group_by,
            "groups": [
                ("resource", "Resource"),
                ("provider", "Provider department"),
                ("consumer", "Consumer department"),
                ("day", "Day"),
            ],
            "error": error,
            "city_scope": has_city_scope(request.user, Perm.VIEW_USAGE),
        },
    )


@login_required
@require_GET
def my_reads(request):
    """谁查看了我的数据: gateway lookups by the user's citizen ID or credit code."""
    try:
        calls = metering.reads_of(request.user)
    except SmartgovError:
        calls = None
    page = paginate(request, calls) if calls is not None else None
    reads = metering.describe_reads(page.object_list) if page is not None else []
    return render(
        request,
        "portal/sharing_usage/my_reads.html",
        {"page": page, "reads": reads, "subject": calls is not None},
    )
