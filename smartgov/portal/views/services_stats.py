"""好差评 and statistics pages: the applicant's rating form (and, later, the department's
answer), the staff's rectification list and detail with the answer and revisit forms, and
the statistics page with charts, table and CSV/XLSX downloads.

Reads go through services.ratings / services.stats; every change calls one service, whose
refusals are shown on the page next to the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smartgov.accounts.scope import has_perm, require_perm
from smartgov.core.errors import InvalidInput, SmartgovError
from smartgov.portal.services import paginate
from smartgov.services import ratings, stats
from smartgov.services.permissions import Perm
from smartgov.services.rating_models import RectificationStatus

DOWNLOADS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
STATUS_TABS = [
    ("", "All"),
    ("open", "Waiting for the department"),
    ("overdue", "Overdue"),
    ("answered", "Answered, waiting for the revisit"),
    ("closed", "Closed after the revisit"),
]
# The mouth of the face icon of each level, 非常满意 … 非常不满意 (an SVG path: emoji fonts
# are missing on many office machines).
LEVEL_FACES = {
    5: "M7.5 13.5a4.5 4.5 0 0 0 9 0z",
    4: "M9 14.5a3.5 3.5 0 0 0 6 0",
    3: "M9 15h6",
    2: "M9 16a3.5 3.5 0 0 1 6 0",
    1: "M8 17a4.5 4.5 0 0 1 8 0",
}


def _link(name: str, *args) -> str:
    try:
        return reverse(f"portal:{name}", args=args)
    except NoReverseMatch:  # the other helpers' pages are not installed (yet)
        return ""


# --- the applicant's rating -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rate(request, number: str):
    """好差评: five large buttons, the indicators as checkboxes and a comment; once rated,
    the rating and — for a bad one — the department's answer and the revisit."""
    application = ratings.application_for_rating(request.user, number)
    own = application.applicant_id == request.user.pk
    counter = not own and has_perm(request.user, Perm.INTAKE)
    error, values = None, {"level": None, "indicators": [], "comment": ""}
    if request.method == "POST":
        values = {
            "level": request.POST.get("level"),
            "indicators": request.POST.getlist("indicators"),
            "comment": request.POST.get("comment", ""),
        }
        try:
            ratings.rate_application(
                actor=request.user,
                number=application.number,
                channel="online" if own else "counter",
                **values,
            )
        except SmartgovError as exc:
            error = exc
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("portal:services_rate", number=application.number)
    rating = ratings.rating_for(request.user, application.number)
    rectification = getattr(rating, "rectification", None) if rating else None
    can_rate = rating is None and (own or counter)
    return render(
        request,
        "portal/services/ratings_rate.html",
        {
            "application": application,
            "rating": rating,
            "rating_indicators": ratings.indicator_labels(rating.indicators) if rating else [],
            "rectification": rectification,
            "history": ratings.rectification_history(rectification) if rectification else [],
            "ratable": application.status in ratings.RATABLE_STATUSES,
            "can_rate": can_rate,
            "counter": counter,
            "levels": [
                (level, label, LEVEL_FACES[level])
                for level, label in sorted(ratings.LEVEL_LABELS.items(), reverse=True)
            ],
            "indicators": ratings.INDICATORS,
            "values": values,
            "selected_level": str(values["level"] or ""),
            "error": error,
            "application_link": _link("services_application", application.number)
            if own
            else _link("services_staff_application", application.number),
        },
    )


# --- rectifications (staff) -------------------------------------------------------------


def _require_rectification_staff(user) -> None:
    if not (has_perm(user, Perm.RECTIFY) or has_perm(user, Perm.REVISIT)):
        raise PermissionDenied


@login_required
@require_GET
def rectifications(request):
    """差评整改: the rectifications the user answers or revisits, by status."""
    _require_rectification_staff(request.user)
    status = request.GET.get("status") or ""
    if status not in {value for value, _label in STATUS_TABS}:
        status = ""
    listed = ratings.rectifications_for(request.user, status=status or None)
    page = paginate(request, listed)
    today = timezone.localdate()
    for rectification in page.object_list:
        rectification.is_overdue = (
            rectification.status == RectificationStatus.OPEN and rectification.due_date < today
        )
    return render(
        request,
        "portal/services/ratings_rectifications.html",
        {
            "page": page,
            "status": status,
            "tabs": [(value, _(label)) for value, label in STATUS_TABS],
            "overdue_count": ratings.rectifications_for(request.user, status="overdue").count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rectification(request, pk: int):
    """One rectification: the rating, the application, the answers and revisits so far, and
    the answer form (department) or the revisit form (service centre)."""
    _require_rectification_staff(request.user)
    item = ratings.rectification_for(request.user, pk)
    errors: dict[str, SmartgovError] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "answer":
                ratings.answer_rectification(
                    actor=request.user, rectification_id=pk, answer=request.POST.get("answer", "")
                )
                messages.success(request, _("The answer has been saved; the applicant sees it."))
            elif action == "revisit":
                choice = request.POST.get("satisfied")
                if choice not in ("yes", "no"):
                    raise InvalidInput(
                        "invalid_satisfied", "Say whether the applicant is satisfied."
                    )
                ratings.revisit_rectification(
                    actor=request.user,
                    rectification_id=pk,
                    satisfied=choice == "yes",
                    comment=request.POST.get("comment", ""),
                )
                messages.success(request, _("The revisit has been recorded."))
            else:
                raise InvalidInput("invalid_action", "Unknown action.")
        except SmartgovError as exc:
            errors[action if action in ("answer", "revisit") else "answer"] = exc
        else:
            return redirect("portal:services_rectification", pk=pk)
    today = timezone.localdate()
    application = item.rating.application
    return render(
        request,
        "portal/services/ratings_rectification.html",
        {
            "item": item,
            "application": application,
            "rating_indicators": ratings.indicator_labels(item.rating.indicators),
            "level_label": ratings.LEVEL_LABELS[item.rating.level],
            "history": ratings.rectification_history(item),
            "is_overdue": item.status == RectificationStatus.OPEN and item.due_date < today,
            "can_answer": item.status == RectificationStatus.OPEN
            and has_perm(request.user, Perm.RECTIFY),
            "can_revisit": item.status == RectificationStatus.ANSWERED
            and has_perm(request.user, Perm.REVISIT),
            "errors": errors,
            "posted": request.POST,
            "application_link": _link("services_staff_application", application.number),
        },
    )


# --- statistics -------------------------------------------------------------------------


def _query(request) -> dict:
    return {
        "group_by": request.GET.get("group_by") or "department",
        "date_from": request.GET.get("date_from") or None,
        "date_to": request.GET.get("date_to") or None,
        "department_id": request.GET.get("department") or None,
    }


def _percent(value):
    return None if value is None else round(value * 100, 1)


@login_required
@require_GET
def stats_page(request):
    """政务服务统计: key figures, a monthly trend chart, a chart per group, the table with
    totals, and the downloads."""
    require_perm(request.user, Perm.VIEW_STATS)
    query = _query(request)
    if query["group_by"] not in stats.GROUPS:
        query["group_by"] = "department"
    error = None
    try:
        result = stats.statistics(request.user, **query)
    except InvalidInput as exc:
        error = exc.message
        query.update(date_from=None, date_to=None, department_id=None)
        result = stats.statistics(request.user, **query)
    if query["group_by"] == "month":
        monthly = result
    else:
        monthly = stats.statistics(
            request.user,
            group_by="month",
            date_from=result["date_from"],
            date_to=result["date_to"],
            department_id=result["department_id"],
        )
    top = [row for row in result["rows"] if row["applications"] or row["completed"]][:15]
    chart = {
        "months": [row["label"] for row in monthly["rows"]],
        "applications": [row["applications"] for row in monthly["rows"]],
        "completed": [row["completed"] for row in monthly["rows"]],
        "overdue": [row["overdue"] for row in monthly["rows"]],
        "satisfaction": [_percent(row["satisfaction"]) for row in monthly["rows"]],
        "online_share": [_percent(row["online_share"]) for row in monthly["rows"]],
        "groups": [str(row["label"]) for row in top],
        "group_on_time": [row["on_time"] for row in top],
        "group_overdue": [row["overdue"] for row in top],
        "group_applications": [row["applications"] for row in top],
    }
    params = request.GET.copy()
    params["group_by"] = result["group_by"]
    params["date_from"] = result["date_from"].isoformat()
    params["date_to"] = result["date_to"].isoformat()
    params.pop("format", None)
    return render(
        request,
        "portal/services/stats.html",
        {
            "result": result,
            "chart": chart,
            "groups": list(stats.GROUPS.items()),
            "group_label": stats.GROUPS[result["group_by"]],
            "departments": stats.departments_for(request.user),
            "department_id": result["department_id"],
            "download_query": params.urlencode(),
            "error": error,
        },
    )


@login_required
@require_GET
def stats_export(request):
    """The statistics table as CSV or XLSX (?format=, same filters as the page)."""
    require_perm(request.user, Perm.VIEW_STATS)
    fmt = request.GET.get("format", "csv")
    if fmt not in DOWNLOADS:
        return HttpResponse(
            _("The download format is csv or xlsx."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        result = stats.statistics(request.user, **_query(request))
    except SmartgovError as exc:
        return HttpResponse(
            exc.message, status=exc.status, content_type="text/plain; charset=utf-8"
        )
    body = stats.stats_csv(result) if fmt == "csv" else stats.stats_xlsx(result)
    response = HttpResponse(body, content_type=DOWNLOADS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stats.download_name(result, fmt)}"'
    return response
