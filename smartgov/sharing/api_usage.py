"""API of the gateway's metering under /api/v1/sharing/usage and a data subject's view of
who read their records under /api/v1/sharing/me/reads. Handlers parse, call one selector,
and return."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from smartgov.sharing import metering

router = Router(tags=["sharing"])


class UsageQuery(Schema):
    group_by: str = "resource"
    date_from: date | None = None
    date_to: date | None = None
    resource_id: int | None = None
    provider_id: int | None = None
    consumer_id: int | None = None


class UsageRow(Schema):
    key: int | str | None
    label: str
    calls: int
    errors: int
    records: int
    avg_latency_ms: float
    p50_latency_ms: float | None


class UsageTotals(Schema):
    calls: int
    errors: int
    records: int
    avg_latency_ms: float
    p50_latency_ms: float | None


class UsageRead(Schema):
    group_by: str
    date_from: date
    date_to: date
    rows: list[UsageRow]
    totals: UsageTotals


class SubjectReadRead(Schema):
    id: int
    time: datetime
    department: str
    app: str
    resource: str
    purpose: str
    fields: list[str]


def _filters(query: UsageQuery) -> metering.UsageFilter:
    return metering.UsageFilter(
        date_from=query.date_from,
        date_to=query.date_to,
        resource_id=query.resource_id,
        provider_id=query.provider_id,
        consumer_id=query.consumer_id,
    )


@router.get(
    "/sharing/usage",
    response=UsageRead,
    summary="Gateway usage per resource, provider, consumer or day (calls, errors, records, "
    "latency); the data bureau sees every call, a department its data's and its apps' calls",
)
def read_usage(request: HttpRequest, query: Query[UsageQuery]):
    return metering.usage(request.auth, group_by=query.group_by, filters=_filters(query))


@router.get(
    "/sharing/me/reads",
    response=list[SubjectReadRead],
    summary="Who read my data: departments that looked up my citizen ID (or my enterprise's "
    "credit code) through the gateway, when, for what purpose and which fields",
)
@paginate(PageNumberPagination, page_size=20)
def my_reads(request: HttpRequest):
    return _DescribedReads(metering.reads_of(request.auth))


class _DescribedReads:
    """A lazily described queryset: the paginator slices it, only the page is described."""

    def __init__(self, calls) -> None:
        self.calls = calls

    def count(self) -> int:
        return self.calls.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        return metering.describe_reads(self.calls[index])
