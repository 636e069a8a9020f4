"""好差评 ratings, rectifications and statistics under /api/v1/services/ (thin: parse, call
ratings / stats, return)."""

from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from smartgov.core.errors import InvalidInput, NotFound
from smartgov.services import ratings, stats

router = Router(tags=["services"])

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class RatingCreate(Schema):
    level: int
    indicators: list[str] = []
    comment: str = ""
    channel: str = "online"


class RectificationRead(Schema):
    id: int
    number: str
    item_name: str
    department_id: int
    department_name: str
    status: str
    due_date: date
    overdue: bool
    level: int
    rating_comment: str
    answer: str
    answered_at: datetime | None
    revisit_satisfied: bool | None
    revisit_comment: str
    revisited_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_number(obj) -> str:
        return obj.rating.application.number

    @staticmethod
    def resolve_item_name(obj) -> str:
        return obj.rating.application.item.name

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.status == "open" and obj.due_date < timezone.localdate()

    @staticmethod
    def resolve_level(obj) -> int:
        return obj.rating.level

    @staticmethod
    def resolve_rating_comment(obj) -> str:
        return obj.rating.comment


class RatingRead(Schema):
    number: str
    level: int
    level_label: str
    indicators: list[str]
    indicator_labels: list[str]
    comment: str
    channel: str
    rated_at: datetime
    rectification: RectificationRead | None = None


class IndicatorRead(Schema):
    code: str
    label: str


class IndicatorsRead(Schema):
    levels: dict[int, str]
    indicators: list[IndicatorRead]


class AnswerIn(Schema):
    answer: str


class RevisitIn(Schema):
    satisfied: bool
    comment: str = ""


class RectificationFilter(Schema):
    status: str | None = None


class StatsQuery(Schema):
    group_by: str = "department"
    date_from: str | None = None
    date_to: str | None = None
    department: int | None = None


class ExportQuery(StatsQuery):
    format: str = "csv"


class StatsMetrics(Schema):
    applications: int
    accepted: int
    completed: int
    on_time: int
    overdue: int
    overdue_completed: int
    overdue_open: int
    immediate_completed: int
    immediate_rate: float | None
    items: int
    compression_ratio: float | None
    zero_visit_items: int
    zero_visit: float | None
    online: int
    online_share: float | None
    avg_handling_days: float | None
    rated: int
    satisfied: int
    satisfaction: float | None


class StatsRow(StatsMetrics):
    key: str | int | None
    label: str


class StatsRead(Schema):
    group_by: str
    date_from: date
    date_to: date
    department_id: int | None
    city_scope: bool
    rows: list[StatsRow]
    totals: StatsMetrics


def rating_out(rating) -> dict:
    rectification = getattr(rating, "rectification", None) if rating.level <= 2 else None
    return {
        "number": rating.application.number,
        "level": rating.level,
        "level_label": str(ratings.LEVEL_LABELS[rating.level]),
        "indicators": rating.indicators,
        "indicator_labels": ratings.indicator_labels(rating.indicators),
        "comment": rating.comment,
        "channel": rating.channel,
        "rated_at": rating.rated_at,
        "rectification": rectification,
    }


@router.get(
    "/services/ratings/indicators",
    response=IndicatorsRead,
    auth=None,
    summary="The five rating levels and the 好差评 indicators",
)
def read_indicators(request: HttpRequest):
    return {
        "levels": {level: str(label) for level, label in ratings.LEVEL_LABELS.items()},
        "indicators": [
            {"code": entry["code"], "label": str(entry["label"])} for entry in ratings.INDICATORS
        ],
    }


@router.post(
    "/services/applications/{number}/rating",
    response={201: RatingRead},
    summary="Rate an ended application (the applicant, or counter staff with channel=counter); "
    "a level of 2 or 1 opens a rectification for the department",
)
def rate(request: HttpRequest, number: str, payload: RatingCreate):
    rating = ratings.rate_application(actor=request.auth, number=number, **payload.dict())
    return Status(201, rating_out(ratings.rating_for(request.auth, rating.application.number)))


@router.get(
    "/services/applications/{number}/rating",
    response=RatingRead,
    summary="The rating of an application, with the department's rectification answer",
)
def read_rating(request: HttpRequest, number: str):
    rating = ratings.rating_for(request.auth, number)
    if rating is None:
        raise NotFound("not_rated", "This application has not been rated yet.")
    return rating_out(rating)


@router.get(
    "/services/rectifications",
    response=list[RectificationRead],
    summary="Rectifications to answer or revisit in your scope (status open, answered, closed "
    "or overdue)",
)
@paginate(PageNumberPagination, page_size=20)
def list_rectifications(request: HttpRequest, filters: Query[RectificationFilter]):
    return ratings.rectifications_for(request.auth, status=filters.status)


@router.post(
    "/services/rectifications/{rectification_id}/answer",
    response=RectificationRead,
    summary="The department's answer to a bad rating (perm services.rectify)",
)
def answer(request: HttpRequest, rectification_id: int, payload: AnswerIn):
    ratings.answer_rectification(
        actor=request.auth, rectification_id=rectification_id, answer=payload.answer
    )
    return ratings.rectification_for(request.auth, rectification_id)


@router.post(
    "/services/rectifications/{rectification_id}/revisit",
    response=RectificationRead,
    summary="The revisit: satisfied closes the rectification, unsatisfied reopens it "
    "(perm services.revisit)",
)
def revisit(request: HttpRequest, rectification_id: int, payload: RevisitIn):
    ratings.revisit_rectification(
        actor=request.auth,
        rectification_id=rectification_id,
        satisfied=payload.satisfied,
        comment=payload.comment,
    )
    return ratings.rectification_for(request.auth, rectification_id)


def _statistics(request, query: StatsQuery) -> dict:
    return stats.statistics(
        request.auth,
        group_by=query.group_by,
        date_from=query.date_from,
        date_to=query.date_to,
        department_id=query.department,
    )


@router.get(
    "/services/stats",
    response=StatsRead,
    summary="Service statistics per item, department or month over a period (applications, "
    "accepted, completed, on time, overdue, 即办率, 承诺时限压缩比, zero-visit items, online "
    "share, handling time, satisfaction) with totals",
)
def read_stats(request: HttpRequest, query: Query[StatsQuery]):
    return _statistics(request, query)


@router.get(
    "/services/stats/export",
    summary="The statistics table as CSV or XLSX (same parameters as /services/stats)",
)
def export_stats(request: HttpRequest, query: Query[ExportQuery]):
    if query.format not in FORMATS:
        raise InvalidInput(
            "invalid_format", "format must be csv or xlsx.", detail={"format": query.format[:20]}
        )
    result = _statistics(request, query)
    body = stats.stats_csv(result) if query.format == "csv" else stats.stats_xlsx(result)
    response = HttpResponse(body, content_type=FORMATS[query.format])
    response["Content-Disposition"] = (
        f'attachment; filename="{stats.download_name(result, query.format)}"'
    )
    return response
