"""A resource's data: rows as of a version (masked, paged), versions, diffs and exports."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from smartgov.catalog.models import Resource
from smartgov.core.errors import InvalidInput
from smartgov.datastore import exports, selectors, services
from smartgov.portal.forms_datastore import DataViewForm, DiffForm
from smartgov.portal.services import PAGE_SIZE, paginate
from smartgov.portal.views.datastore.display import FieldMasks, resource_tabs, with_badges

DIFF_SHOWN = 100  # rows shown per section of a diff (the counts cover every row)
MAX_PAGE = 10**9


class _KnownPage(Sequence):
    """One page of rows already read by the selector, posing as the whole list so Django's
    Paginator (and the pagination partial) can number the pages."""

    def __init__(self, count: int, rows: list) -> None:
        self.count, self.rows = count, rows

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        return self.rows if isinstance(index, slice) else self.rows[index]


def _records_page(request, resource: Resource, version, filters):
    """One page of masked-to-be rows from the selector, numbered like ``paginate`` numbers
    querysets (past the last page: the last page)."""
    raw = request.GET.get("page") or "1"
    # Capped so the OFFSET stays within a BIGINT whatever is typed into the address bar.
    number = min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1

    def read(number: int) -> dict:
        return selectors.read_records(
            request.user,
            resource.pk,
            version=version,
            filters=filters,
            page=number,
            page_size=PAGE_SIZE,
        )

    records = read(number)
    last = max((records["count"] + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if number > last:
        number = last
        records = read(number)
    paginator = Paginator(_KnownPage(records["count"], records["rows"]), PAGE_SIZE)
    page = paginator.page(number)
    page.page_range_elided = list(
        paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)
    )
    return records, page


@login_required
@require_GET
def resource_data(request, pk: int):
    """Rows of a resource as of the current or a chosen version, masked, paged."""
    resource = selectors.readable_resource(request.user, pk)
    table = selectors.store_table(resource)
    masks = FieldMasks(resource, table.schema if table else None)
    keys = [(name, masks.label(name)) for name in (table.key_names if table else [])]
    form = DataViewForm(request.GET or None, latest=table.version if table else 0, keys=keys)
    version, filters, status = None, {}, 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        version, filters = form.cleaned_data["version"], form.key_filters()
    read, page = {"count": 0, "version": 0}, None
    if table is not None and status == 200:
        try:
            read, page = _records_page(request, resource, version, filters)
        except InvalidInput as exc:
            form.add_error("version" if exc.code == "unknown_version" else None, exc.message)
            status = 400
    if page is not None:
        page.object_list = [masks.row(record) for record in page.object_list]
    return render(
        request,
        "portal/datastore/data.html",
        {
            "resource": resource,
            "table": table,
            "form": form,
            "columns": masks.columns(),
            "page": page,
            "count": read["count"],
            "version": version,
            "shown_version": read.get("version") or 0,
            "filtered": bool(filters),
            "export_formats": list(exports.FORMATS),
            "tab": "data",
            **resource_tabs(request.user, resource),
        },
        status=status,
    )


@login_required
@require_GET
def resource_versions(request, pk: int):
    """Each stored version (a delivery that wrote rows) with its counts, and a diff form."""
    resource = selectors.readable_resource(request.user, pk)
    table = selectors.store_table(resource)
    versions = (
        selectors.deliveries(request.user, pk)
        .filter(version__isnull=False)
        .select_related("actor")
        .order_by("-version")
    )
    page = paginate(request, versions)
    page.object_list = with_badges(page.object_list)
    latest = table.version if table else 0
    form = DiffForm(initial={"from_version": max(latest - 1, 0), "to_version": latest})
    return render(
        request,
        "portal/datastore/versions.html",
        {
            "resource": resource,
            "table": table,
            "page": page,
            "form": form,
            "tab": "versions",
            **resource_tabs(request.user, resource),
        },
    )


def _diff_cells(masks: FieldMasks, change: dict) -> list[dict]:
    old, new = change["old"], change["new"]
    return [
        {
            "label": masks.label(name),
            "old": masks.show(name, old.get(name)),
            "new": masks.show(name, new.get(name)),
            "changed": old.get(name) != new.get(name),
        }
        for name in masks.names
    ]


@login_required
@require_GET
def resource_diff(request, pk: int):
    """Rows added, changed (old → new) and removed between two versions, masked."""
    resource = selectors.readable_resource(request.user, pk)
    table = selectors.store_table(resource)
    masks = FieldMasks(resource, table.schema if table else None)
    form = DiffForm(request.GET)
    result, status = None, 200
    if form.is_valid():
        try:
            result = selectors.diff(
                request.user,
                pk,
                from_version=form.cleaned_data["from_version"],
                to_version=form.cleaned_data["to_version"],
            )
        except InvalidInput as exc:
            form.add_error(None, exc.message)
            status = 400
    else:
        status = 400
    sections = {}
    if result is not None:
        sections = {
            "added": [masks.row(r) for r in result["added"][:DIFF_SHOWN]],
            "removed": [masks.row(r) for r in result["removed"][:DIFF_SHOWN]],
            "changed": [_diff_cells(masks, c) for c in result["changed"][:DIFF_SHOWN]],
        }
    return render(
        request,
        "portal/datastore/diff.html",
        {
            "resource": resource,
            "table": table,
            "form": form,
            "result": result,
            "counts": (result or {}).get("counts", {}),
            "sections": sections,
            "columns": masks.columns(),
            "shown": DIFF_SHOWN,
            "tab": "versions",
            **resource_tabs(request.user, resource),
        },
        status=status,
    )


def _version_param(request) -> int | None:
    raw = request.GET.get("version", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInput(
            "unknown_version", "The resource has no such version.", detail={"version": raw}
        )
    return int(raw)


@login_required
@require_GET
def resource_export(request, pk: int):
    """Stream the rows (current or ?version=) as CSV, JSON, XLSX or Parquet; audited."""
    format = request.GET.get("format", "csv")
    if format not in exports.FORMATS:
        raise InvalidInput(
            "unknown_export_format",
            "Export formats are csv, json, xlsx and parquet.",
            detail={"format": format},
        )
    version = _version_param(request)
    table = selectors.export_table(request.user, pk, version=version)
    services.record_export(actor=request.user, table=table, version=version, format=format)
    content_type, extension = exports.FORMATS[format]
    response = StreamingHttpResponse(
        exports.WRITERS[format](table, version), content_type=content_type
    )
    suffix = f"-v{version}" if version is not None else ""
    response["Content-Disposition"] = content_disposition_header(
        True, f"{table.resource.name}{suffix}.{extension}"
    )
    return response
