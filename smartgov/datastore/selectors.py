"""Read queries of the data store: deliveries, rejections, rows as of a version, diffs."""

# SQL here names tables and columns: field names match catalog's FIELD_NAME_RE and are quoted
# with db.q(); every value is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_noop

from smartgov.accounts.scope import access, require_perm, restrict, scope_filter
from smartgov.catalog import selectors as catalog_selectors
from smartgov.catalog.models import Resource
from smartgov.core.errors import InvalidInput, NotFound
from smartgov.core.models import Department
from smartgov.core.tree import subtree_q
from smartgov.datastore import db
from smartgov.datastore.models import (
    ACTIVE,
    ConflictEvent,
    ConflictKind,
    ConflictStatus,
    Delivery,
    Rejection,
    SourceConflict,
    SourceScan,
    StoreTable,
)
from smartgov.datastore.permissions import Perm
from smartgov.datastore.validation import Rejected, build_checker, output

BATCH_ROWS = 5000
DIFF_LIMIT = 1000


def readable_resource(actor, resource_id: int) -> Resource:
    """A resource whose data the actor may read (provider's officers, data bureau)."""
    return access(Resource.objects.all(), actor, Perm.VIEW_DATA, pk=resource_id)


def store_table(resource: Resource) -> StoreTable | None:
    return StoreTable.objects.filter(resource=resource).first()


def deliveries(actor, resource_id: int) -> QuerySet[Delivery]:
    resource = readable_resource(actor, resource_id)
    return Delivery.objects.filter(resource=resource).order_by("-started_at", "-id")


def get_delivery(actor, delivery_id: int) -> Delivery:
    return access(
        Delivery.objects.select_related("resource"), actor, Perm.VIEW_DATA, pk=delivery_id
    )


def rejections(actor, delivery_id: int) -> QuerySet[Rejection]:
    delivery = get_delivery(actor, delivery_id)
    return Rejection.objects.filter(delivery=delivery).order_by("row_number", "id")


def visible_deliveries(actor) -> QuerySet[Delivery]:
    require_perm(actor, Perm.VIEW_DATA)
    return restrict(Delivery.objects.all(), actor, Perm.VIEW_DATA)


def row_count(table: StoreTable, version: int | None = None) -> int:
    """How many rows are valid at ``version`` (None = current rows)."""
    where, params = db.as_of(version)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {db.q(table.table_name)} WHERE {where}", params)
        return cursor.fetchone()[0]


def _check_version(table: StoreTable | None, version: int | None) -> None:
    if version is not None and (version < 0 or table is None or version > table.version):
        raise InvalidInput(
            "unknown_version",
            "The resource has no such version.",
            detail={"version": version, "latest": table.version if table else 0},
        )


def _converters(table: StoreTable):
    return [output(c["data_type"]) for c in table.schema]


def iter_rows(
    table: StoreTable, version: int | None = None, *, batch: int = BATCH_ROWS
) -> Iterator[list]:
    """Rows valid at ``version`` (None = current) as lists of JSON-friendly values, read in
    key-set pages by row id so memory stays flat whatever the table's size."""
    names = [c["name"] for c in table.schema]
    convert = _converters(table)
    cols = ", ".join(db.q(n) for n in names)
    where, params = db.as_of(version)
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT _row_id, {cols} FROM {db.q(table.table_name)} "
                f"WHERE {where} AND _row_id > %s ORDER BY _row_id LIMIT %s",
                [*params, last, batch],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        last = rows[-1][0]
        for row in rows:
            yield [f(v) for f, v in zip(convert, row[1:], strict=True)]


def read_records(
    actor,
    resource_id: int,
    *,
    version: int | None = None,
    filters: dict | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict:
    """One page of the resource's rows as of a version, optionally filtered by key fields."""
    resource = readable_resource(actor, resource_id)
    table = store_table(resource)
    _check_version(table, version)
    page, page_size = max(page, 1), min(max(page_size, 1), 500)
    if table is None:
        return {"version": 0, "count": 0, "page": page, "columns": [], "rows": []}
    names = [c["name"] for c in table.schema]
    where, params = db.as_of(version)
    for name, value in (filters or {}).items():
        column = next((c for c in table.schema if c["name"] == name and c["is_key"]), None)
        if column is None:
            raise InvalidInput(
                "unknown_filter", "Filter by key fields only.", detail={"field": name}
            )
        try:
            stored = build_checker({**column, "required": True})(value)
        except Rejected:
            # A value the column cannot hold matches no row (and must not reach the SQL:
            # PostgreSQL refuses to compare a BIGINT column with "abc").
            where += " AND 1 = 0"
            continue
        where += f" AND {db.q(name)} = %s"
        params = [*params, stored]
    t = db.q(table.table_name)
    cols = ", ".join(db.q(n) for n in names)
    convert = _converters(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {t} WHERE {where}", params)
        count = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT {cols} FROM {t} WHERE {where} ORDER BY _row_id LIMIT %s OFFSET %s",
            [*params, page_size, (page - 1) * page_size],
        )
        rows = [
            dict(zip(names, (f(v) for f, v in zip(convert, row, strict=True)), strict=True))
            for row in cursor.fetchall()
        ]
    return {
        "version": version if version is not None else table.version,
        "count": count,
        "page": page,
        "columns": names,
        "rows": rows,
    }


def diff(actor, resource_id: int, *, from_version: int, to_version: int) -> dict:
    """Rows added, changed (old and new values) and removed between two versions, by key."""
    resource = readable_resource(actor, resource_id)
    table = store_table(resource)
    _check_version(table, from_version)
    _check_version(table, to_version)
    if table is None:
        return {
            "from_version": from_version,
            "to_version": to_version,
            "added": [],
            "changed": [],
            "removed": [],
            "truncated": False,
        }
    names = [c["name"] for c in table.schema]
    keys = [c["name"] for c in table.schema if c["is_key"]]
    convert = _converters(table)
    t = db.q(table.table_name)
    cols = ", ".join(db.q(n) for n in names)
    low, high = sorted((from_version, to_version))

    def fetch(where: str, params: list) -> dict:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {cols} FROM {t} WHERE {where} ORDER BY _row_id", params)
            out = {}
            for row in cursor.fetchall():
                record = dict(
                    zip(names, (f(v) for f, v in zip(convert, row, strict=True)), strict=True)
                )
                out[tuple(record[k] for k in keys)] = record
            return out

    # Rows valid at ``high`` written after ``low``; rows valid at ``low`` closed by ``high``.
    newer = fetch(
        "_version_from > %s AND _version_from <= %s AND (_version_to IS NULL OR _version_to > %s)",
        [low, high, high],
    )
    older = fetch(
        "_version_from <= %s AND _version_to IS NOT NULL "
        "AND _version_to > %s AND _version_to <= %s",
        [low, low, high],
    )
    if from_version > to_version:
        newer, older = older, newer
    added = [row for key, row in newer.items() if key not in older]
    removed = [row for key, row in older.items() if key not in newer]
    changed = [
        {"key": dict(zip(keys, key, strict=True)), "old": older[key], "new": row}
        for key, row in newer.items()
        if key in older and older[key] != row
    ]
    truncated = max(len(added), len(removed), len(changed)) > DIFF_LIMIT
    return {
        "from_version": from_version,
        "to_version": to_version,
        "counts": {"added": len(added), "changed": len(changed), "removed": len(removed)},
        "added": added[:DIFF_LIMIT],
        "changed": changed[:DIFF_LIMIT],
        "removed": removed[:DIFF_LIMIT],
        "truncated": truncated,
    }


def export_table(actor, resource_id: int, *, version: int | None = None) -> StoreTable:
    """The table to export (checks permission and version before any byte is streamed)."""
    resource = readable_resource(actor, resource_id)
    table = store_table(resource)
    _check_version(table, version)
    if table is None:
        raise InvalidInput("no_data", "No data has been delivered to this resource yet.")
    return table


# --- One data element, one source (一数一源): conflicts ----------------------------


def readable_resources(actor) -> QuerySet[Resource] | None:
    """Resources whose data the actor reads (None: every resource)."""
    require_perm(actor, Perm.VIEW_DATA)
    condition = scope_filter(Resource, actor, Perm.VIEW_DATA)
    if condition is None:
        return None
    return Resource.objects.filter(condition)


def visible_conflicts(actor) -> QuerySet[SourceConflict]:
    """The data bureau sees every conflict; a department's officers the ones where their
    resource is the holder or the source."""
    resources = readable_resources(actor)
    conflicts = SourceConflict.objects.all()
    if resources is not None:
        ids = resources.values("pk")
        conflicts = conflicts.filter(
            Q(holder__resource__in=ids) | Q(element__source_resource__in=ids)
        )
    return conflicts


@dataclass(frozen=True)
class ConflictFilter:
    element_id: int | None = None
    department_id: int | None = None  # the holder's provider and its sub-departments
    resource_id: int | None = None  # the holding resource
    holder_id: int | None = None
    status: str | None = None  # a status, or "unresolved" (open and waiting)
    kind: str | None = None
    key: str | None = None  # the key, exactly


def search_conflicts(actor, filters: ConflictFilter | None = None) -> QuerySet[SourceConflict]:
    filters = filters or ConflictFilter()
    conflicts = visible_conflicts(actor).select_related(
        "element__source_resource__provider", "holder__resource__provider", "resolver"
    )
    if filters.element_id is not None:
        conflicts = conflicts.filter(element_id=filters.element_id)
    if filters.holder_id is not None:
        conflicts = conflicts.filter(holder_id=filters.holder_id)
    if filters.resource_id is not None:
        conflicts = conflicts.filter(holder__resource_id=filters.resource_id)
    if filters.department_id is not None:
        department = Department.objects.filter(pk=filters.department_id).first()
        if department is None:
            return conflicts.none()
        conflicts = conflicts.filter(
            subtree_q(department.path, field="holder__resource__provider__path")
        )
    if filters.status == "unresolved":
        conflicts = conflicts.filter(status__in=ACTIVE)
    elif filters.status:
        if filters.status not in ConflictStatus.values:
            raise InvalidInput(
                "unknown_status",
                gettext_noop("Unknown conflict status."),
                detail={"value": filters.status, "allowed": [*ConflictStatus.values, "unresolved"]},
            )
        conflicts = conflicts.filter(status=filters.status)
    if filters.kind:
        if filters.kind not in ConflictKind.values:
            raise InvalidInput(
                "unknown_kind",
                gettext_noop("Unknown conflict kind."),
                detail={"value": filters.kind, "allowed": ConflictKind.values},
            )
        conflicts = conflicts.filter(kind=filters.kind)
    if filters.key:
        conflicts = conflicts.filter(key_value=filters.key.strip())
    return conflicts.order_by("-last_seen", "-id")


def get_conflict(actor, conflict_id: int, *, with_timeline: bool = False) -> SourceConflict:
    """One visible conflict; ``with_timeline`` adds its events, oldest first, as ``timeline``."""
    conflict = (
        visible_conflicts(actor)
        .select_related(
            "element__source_resource__provider", "holder__resource__provider", "resolver"
        )
        .filter(pk=conflict_id)
        .first()
    )
    if conflict is None:
        raise NotFound("not_found", "No such object, or it is outside your data scope.")
    if with_timeline:
        conflict.timeline = list(
            ConflictEvent.objects.filter(conflict=conflict)
            .select_related("actor")
            .order_by("created_at", "id")
        )
    return conflict


def conflict_counts(element_ids=None) -> dict[tuple[int, int], dict[str, int]]:
    """(element id, holder id) -> conflicts per status, for the register's pages."""
    rows = SourceConflict.objects.exclude(status=ConflictStatus.RESOLVED)
    if element_ids is not None:
        rows = rows.filter(element_id__in=list(element_ids))
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for element_id, holder_id, status, n in (
        rows.values_list("element_id", "holder_id", "status").annotate(n=Count("id")).order_by()
    ):
        counts.setdefault((element_id, holder_id), {})[status] = n
    return counts


def scans(actor, element_id: int) -> QuerySet[SourceScan]:
    """An element's comparisons, latest first (readers of the register)."""
    element = catalog_selectors.get_element(actor, element_id)
    return SourceScan.objects.filter(element=element).order_by("-started_at", "-id")
