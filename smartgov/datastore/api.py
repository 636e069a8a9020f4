"""Data-store API: deliver files and pushes, read history, rejections, rows, diffs and exports.
Handlers parse, call one service or selector, and return."""

import csv
import io

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from smartgov.core.errors import InvalidInput
from smartgov.datastore import exports, quality, quality_selectors, selectors, services, sources
from smartgov.datastore.schemas import (
    ConflictComment,
    ConflictDecision,
    ConflictDetail,
    ConflictDismissal,
    ConflictEventRead,
    ConflictRead,
    DeliveryRead,
    DepartmentScoreRead,
    DiffRead,
    OverdueRead,
    QualityReportRead,
    QualityReportSummary,
    QualityRuleCreate,
    QualityRuleRead,
    QualityRuleUpdate,
    QualitySnapshotRead,
    RecordsPage,
    RecordsPush,
    RejectionRead,
    ScanRead,
)

router = Router(tags=["datastore"])

_RESERVED = {"version", "page", "page_size"}


@router.post(
    "/datastore/resources/{resource_id}/deliveries",
    response={201: DeliveryRead},
    summary="Deliver a CSV (UTF-8 or GB18030), XLSX, JSON or NDJSON file (mode replace|upsert)",
)
def deliver_file(
    request: HttpRequest, resource_id: int, file: File[UploadedFile], mode: Form[str] = "upsert"
):
    delivery = services.deliver_file(
        actor=request.auth,
        resource_id=resource_id,
        stream=file,
        filename=file.name or "",
        mode=mode,
    )
    return Status(201, delivery)


@router.post(
    "/datastore/resources/{resource_id}/records",
    response={201: DeliveryRead},
    summary="Push a batch of records (upsert or replace) and keys to delete",
)
def push_records(request: HttpRequest, resource_id: int, payload: RecordsPush):
    delivery = services.push_records(
        actor=request.auth,
        resource_id=resource_id,
        mode=payload.mode,
        records=payload.records,
        deletes=payload.deletes,
    )
    return Status(201, delivery)


@router.get(
    "/datastore/resources/{resource_id}/deliveries",
    response=list[DeliveryRead],
    summary="Delivery history of a resource",
)
@paginate(PageNumberPagination, page_size=20)
def list_deliveries(request: HttpRequest, resource_id: int):
    return selectors.deliveries(request.auth, resource_id)


@router.get("/datastore/deliveries/{delivery_id}", response=DeliveryRead, summary="One delivery")
def read_delivery(request: HttpRequest, delivery_id: int):
    return selectors.get_delivery(request.auth, delivery_id)


@router.get(
    "/datastore/deliveries/{delivery_id}/rejections",
    response=list[RejectionRead],
    summary="The rejection report of a delivery",
)
@paginate(PageNumberPagination, page_size=100)
def list_rejections(request: HttpRequest, delivery_id: int):
    return [
        {**row, "reason": gettext(row["reason"])}
        for row in selectors.rejections(request.auth, delivery_id).values(
            "row_number", "field", "value", "code", "reason"
        )
    ]


@router.get(
    "/datastore/deliveries/{delivery_id}/rejections.csv",
    summary="The rejection report as CSV (UTF-8 with BOM, opens in Excel)",
)
def rejections_csv(request: HttpRequest, delivery_id: int):
    rows = selectors.rejections(request.auth, delivery_id)

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["row_number", "field", "value", "code", "reason"])
        yield "\ufeff" + buffer.getvalue()
        for row in rows.values_list("row_number", "field", "value", "code", "reason").iterator(
            chunk_size=2000
        ):
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([*row[:4], gettext(row[4])])
            yield buffer.getvalue()

    response = StreamingHttpResponse(
        (chunk.encode() for chunk in chunks()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="rejections-{delivery_id}.csv"'
    return response


@router.get(
    "/datastore/resources/{resource_id}/records",
    response=RecordsPage,
    summary="Rows of a resource (current or as of ?version=), paged; filter by key fields",
)
def read_records(
    request: HttpRequest,
    resource_id: int,
    version: int | None = None,
    page: int = 1,
    page_size: int = 50,
):
    filters = {k: v for k, v in request.GET.items() if k not in _RESERVED}
    return selectors.read_records(
        request.auth,
        resource_id,
        version=version,
        filters=filters,
        page=page,
        page_size=page_size,
    )


@router.get(
    "/datastore/resources/{resource_id}/diff",
    response=DiffRead,
    summary="Rows added, changed and removed between two versions",
)
def diff(request: HttpRequest, resource_id: int, from_version: int = 0, to_version: int = 0):
    # ``from`` is a Python keyword: read the query names the documentation uses as well.
    low = _version_parameter(request, "from", from_version)
    high = _version_parameter(request, "to", to_version)
    return selectors.diff(request.auth, resource_id, from_version=low, to_version=high)


def _version_parameter(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(
            "invalid_version",
            "A version is a whole number.",
            detail={"parameter": name, "value": raw[:50]},
        ) from None


@router.get(
    "/datastore/resources/{resource_id}/export",
    summary="Export current rows or a version as csv, json, xlsx or parquet (streamed)",
)
def export(request: HttpRequest, resource_id: int, format: str = "csv", version: int | None = None):
    if format not in exports.FORMATS:
        raise InvalidInput(
            "unknown_export_format",
            "Export formats are csv, json, xlsx and parquet.",
            detail={"format": format},
        )
    table = selectors.export_table(request.auth, resource_id, version=version)
    services.record_export(actor=request.auth, table=table, version=version, format=format)
    content_type, extension = exports.FORMATS[format]
    response = StreamingHttpResponse(
        exports.WRITERS[format](table, version), content_type=content_type
    )
    response["Content-Disposition"] = (
        f'attachment; filename="resource-{resource_id}'
        f'{"-v" + str(version) if version is not None else ""}.{extension}"'
    )
    return response


# --- One data element, one source (一数一源) --------------------------------------------------


class ConflictQuery(Schema):
    element_id: int | None = None
    department_id: int | None = None
    resource_id: int | None = None
    holder_id: int | None = None
    status: str | None = None
    kind: str | None = None
    key: str | None = None


def _detail(request: HttpRequest, conflict_id: int):
    return selectors.get_conflict(request.auth, conflict_id, with_timeline=True)


@router.get(
    "/conflicts",
    response=list[ConflictRead],
    summary="Conflicts between holders of a data element and its authoritative source; "
    "department = the holder's, status = a status or 'unresolved'",
    tags=["conflicts"],
)
@paginate(PageNumberPagination, page_size=20)
def list_conflicts(request: HttpRequest, filters: Query[ConflictQuery]):
    return selectors.search_conflicts(request.auth, selectors.ConflictFilter(**filters.dict()))


@router.get(
    "/conflicts/{conflict_id}",
    response=ConflictDetail,
    summary="One conflict with its timeline",
    tags=["conflicts"],
)
def read_conflict(request: HttpRequest, conflict_id: int):
    return _detail(request, conflict_id)


@router.post(
    "/conflicts/{conflict_id}/notify-holder",
    response=ConflictDetail,
    summary="Ask the holder's department to correct its copy",
    tags=["conflicts"],
)
def notify_holder(request: HttpRequest, conflict_id: int, payload: ConflictDecision):
    sources.notify_holder(actor=request.auth, conflict_id=conflict_id, comment=payload.comment)
    return _detail(request, conflict_id)


@router.post(
    "/conflicts/{conflict_id}/report-source",
    response=ConflictDetail,
    summary="Mark the authoritative value as the error (the source's department corrects it)",
    tags=["conflicts"],
)
def report_source(request: HttpRequest, conflict_id: int, payload: ConflictDecision):
    sources.report_source_error(
        actor=request.auth, conflict_id=conflict_id, comment=payload.comment
    )
    return _detail(request, conflict_id)


@router.post(
    "/conflicts/{conflict_id}/dismiss",
    response=ConflictDetail,
    summary="Accept the difference, with the reason",
    tags=["conflicts"],
)
def dismiss(request: HttpRequest, conflict_id: int, payload: ConflictDismissal):
    sources.dismiss_conflict(actor=request.auth, conflict_id=conflict_id, reason=payload.reason)
    return _detail(request, conflict_id)


@router.post(
    "/conflicts/{conflict_id}/reopen",
    response=ConflictDetail,
    summary="Take a dismissed conflict up again",
    tags=["conflicts"],
)
def reopen(request: HttpRequest, conflict_id: int, payload: ConflictDecision):
    sources.reopen_conflict(actor=request.auth, conflict_id=conflict_id, comment=payload.comment)
    return _detail(request, conflict_id)


@router.post(
    "/conflicts/{conflict_id}/comments",
    response={201: ConflictEventRead},
    summary="Add a remark to the conflict's timeline",
    tags=["conflicts"],
)
def comment(request: HttpRequest, conflict_id: int, payload: ConflictComment):
    event = sources.comment_conflict(
        actor=request.auth, conflict_id=conflict_id, comment=payload.comment
    )
    return Status(201, event)


@router.post(
    "/elements/{element_id}/scan",
    response={201: ScanRead},
    summary="Compare the element's holders with its source now",
    tags=["conflicts"],
)
def scan(request: HttpRequest, element_id: int):
    return Status(201, sources.scan_element(actor=request.auth, element_id=element_id))


@router.get(
    "/elements/{element_id}/scans",
    response=list[ScanRead],
    summary="The element's comparisons, latest first",
    tags=["conflicts"],
)
@paginate(PageNumberPagination, page_size=20)
def list_scans(request: HttpRequest, element_id: int):
    return selectors.scans(request.auth, element_id)


# --- Data quality -------------------------------------------------------------------------


@router.get(
    "/quality/resources/{resource_id}/rules",
    response=list[QualityRuleRead],
    tags=["quality"],
    summary="Quality rules of a resource (derived from its fields, and added by hand)",
)
def list_quality_rules(request: HttpRequest, resource_id: int):
    return quality.rules_of(request.auth, resource_id)


@router.post(
    "/quality/resources/{resource_id}/rules",
    response={201: QualityRuleRead},
    tags=["quality"],
    summary="Add a completeness, validity, uniqueness or consistency rule",
)
def create_quality_rule(request: HttpRequest, resource_id: int, payload: QualityRuleCreate):
    rule = quality.create_rule(actor=request.auth, resource_id=resource_id, **payload.dict())
    return Status(201, rule)


@router.patch(
    "/quality/rules/{rule_id}",
    response=QualityRuleRead,
    tags=["quality"],
    summary="Change a rule (derived rules: weight, threshold, enabled and note only)",
)
def update_quality_rule(request: HttpRequest, rule_id: int, payload: QualityRuleUpdate):
    return quality.update_rule(
        actor=request.auth, rule_id=rule_id, changes=payload.dict(exclude_unset=True)
    )


@router.delete(
    "/quality/rules/{rule_id}",
    response={204: None},
    tags=["quality"],
    summary="Delete a rule added by hand",
)
def delete_quality_rule(request: HttpRequest, rule_id: int):
    quality.delete_rule(actor=request.auth, rule_id=rule_id)
    return Status(204, None)


@router.post(
    "/quality/resources/{resource_id}/checks",
    response={201: QualityReportRead},
    tags=["quality"],
    summary="Check the resource's quality now; returns the new report",
)
def run_quality_check(request: HttpRequest, resource_id: int):
    report = quality.run_quality_check(actor=request.auth, resource_id=resource_id)
    return Status(201, quality_selectors.presented(request.auth, report))


@router.get(
    "/quality/resources/{resource_id}/report",
    response=QualityReportRead,
    tags=["quality"],
    summary="The latest quality report of a resource (404 no_report before the first check)",
)
def latest_quality_report(request: HttpRequest, resource_id: int):
    report = quality_selectors.require_latest_report(request.auth, resource_id)
    return quality_selectors.presented(request.auth, report)


@router.get(
    "/quality/resources/{resource_id}/reports",
    response=list[QualityReportSummary],
    tags=["quality"],
    summary="Quality history of a resource, newest first",
)
@paginate(PageNumberPagination, page_size=50)
def list_quality_reports(request: HttpRequest, resource_id: int):
    return quality_selectors.reports(request.auth, resource_id).defer("results")


@router.get(
    "/quality/departments",
    response=list[DepartmentScoreRead],
    tags=["quality"],
    summary="Department quality scores, ranked (mean of their resources' latest scores)",
)
def department_quality_scores(request: HttpRequest):
    return [
        {
            "department_id": entry.department.pk,
            "department_name": entry.department.name,
            "rank": entry.rank,
            "score": entry.score,
            "resources": entry.resources,
            "scored": entry.scored,
            "overdue": entry.overdue,
        }
        for entry in quality_selectors.department_scores(request.auth)
    ]


@router.get(
    "/quality/departments/{department_id}/history",
    response=list[QualitySnapshotRead],
    tags=["quality"],
    summary="Daily quality score of a department over the last ?days= (default 90)",
)
def department_quality_history(request: HttpRequest, department_id: int, days: int = 90):
    return quality_selectors.score_history(request.auth, department_id=department_id, days=days)


@router.get(
    "/quality/history",
    response=list[QualitySnapshotRead],
    tags=["quality"],
    summary="Daily quality score of the whole city over the last ?days= (city scope)",
)
def city_quality_history(request: HttpRequest, days: int = 90):
    return quality_selectors.score_history(request.auth, days=days)


@router.get(
    "/quality/overdue",
    response=list[OverdueRead],
    tags=["quality"],
    summary="Resources whose delivery is overdue against their update cycle",
)
def overdue_deliveries(request: HttpRequest):
    return [
        {
            "resource_id": item.resource.pk,
            "code": item.resource.code,
            "name": item.resource.name,
            "provider_id": item.resource.provider_id,
            "provider_name": item.resource.provider.name,
            "update_cycle": item.resource.update_cycle,
            "last_delivery_at": item.last_delivery_at,
            "deadline": item.deadline,
        }
        for item in quality_selectors.overdue(request.auth)
    ]
