"""Data-store use cases: the per-resource table, and deliveries into it (files and API pushes).

A delivery runs in one transaction: valid rows are stored as version N of the resource, invalid
rows go to the rejection report, and any delivery-level error (bad encoding, unknown columns,
file too large, resource not published, not the provider) rolls everything back. The failure is
then recorded — as a failed Delivery and its audit record — outside the rolled-back transaction.
"""

# SQL here names tables and columns: field names match catalog's FIELD_NAME_RE and are quoted
# with db.q(); every value is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from smartgov.accounts.scope import require_perm, restrict
from smartgov.catalog.models import Resource, ResourceFormat, ResourceStatus
from smartgov.core import audit
from smartgov.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDeniedError,
    SmartgovError,
)
from smartgov.datastore import db, quality, readers
from smartgov.datastore.models import Delivery, DeliveryMode, DeliveryStatus, Rejection, StoreTable
from smartgov.datastore.permissions import Perm
from smartgov.datastore.validation import Rejected, build_checker, canonical

CHUNK_ROWS = 5000
LOOKUP_BATCH = 2000
REJECTION_BATCH = 1000
VALUE_LIMIT = 200
DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024
FILE_FORMATS = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}


# --- The table ----------------------------------------------------------------------------


def schema_of(resource: Resource) -> list[dict]:
    """The columns a resource's fields call for, in field order."""
    return [
        {
            "name": f.name,
            "data_type": f.data_type,
            "is_key": f.is_key,
            "required": f.required,
            "max_length": f.max_length,
            "enum_values": list(f.enum_values or []),
        }
        for f in resource.fields.order_by("position", "id")
    ]


def ensure_table(resource: Resource) -> StoreTable:
    """The resource's table, created on first use and migrated when its fields changed.

    Called by every delivery (so the table appears at the first delivery after publication);
    the catalog may call it on publication too. Runs in the caller's transaction.
    """
    schema = schema_of(resource)
    table = StoreTable.objects.select_for_update().filter(resource=resource).first()
    if table is None:
        name = f"ds_{resource.pk}"
        db.create_table(name, schema)
        return StoreTable.objects.create(resource=resource, table_name=name, schema=schema)
    if table.schema != schema:
        migrate_table(table=table, schema=schema)
    return table


def migrate_table(*, table: StoreTable, schema: list[dict]) -> StoreTable:
    """Follow a new field list: add columns for new optional fields, refuse unsafe changes."""
    old = {c["name"]: c for c in table.schema}
    new = {c["name"]: c for c in schema}
    has_rows = db.has_rows(table.table_name)
    reasons: list[str] = []
    for name, column in new.items():
        before = old.get(name)
        if before is not None and before["data_type"] != column["data_type"]:
            reasons.append(
                f"field {name}: type changed from {before['data_type']} to {column['data_type']}"
            )
        if before is None and column["required"] and has_rows:
            reasons.append(f"field {name}: a new required field cannot be added to stored rows")
    if {n for n, c in old.items() if c["is_key"]} != {n for n, c in new.items() if c["is_key"]}:
        reasons.append("the key fields changed")
    dropped = [name for name in old if name not in new]
    for name in dropped:
        if db.column_has_data(table.table_name, name):
            reasons.append(f"field {name}: removed but its column holds data")
    if reasons:
        raise Conflict(
            "schema_change_refused",
            gettext_noop("The resource's stored table cannot follow its changed fields."),
            detail={"reasons": reasons},
        )
    for name in dropped:
        db.drop_column(table.table_name, name)
    for name, column in new.items():
        if name not in old:
            db.add_column(table.table_name, name, column["data_type"])
    table.schema = schema
    table.save(update_fields=["schema", "updated_at"])
    return table


# --- Delivery ----------------------------------------------------------------------------


@dataclass
class Counts:
    received: int = 0
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rejected: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class _Writer:
    """Writes validated rows of one delivery as version ``version`` of one table."""

    table: StoreTable
    version: int
    delivery: Delivery
    counts: Counts = field(default_factory=Counts)
    # Current rows this delivery kept unchanged (replace mode keeps them; a repeat is a duplicate).
    kept: set = field(default_factory=set)
    rejections: list = field(default_factory=list)

    def __post_init__(self) -> None:
        schema = self.table.schema
        self.names = [c["name"] for c in schema]
        self.key_idx = [i for i, c in enumerate(schema) if c["is_key"]]
        self.canons = [canonical(c["data_type"]) for c in schema]
        self.t = db.q(self.table.table_name)
        cols = ", ".join(db.q(n) for n in self.names)
        self.insert_columns = ["_version_from", *self.names]
        self.select_cols = f"_row_id, _version_from, {cols}" if cols else "_row_id, _version_from"
        self.fresh = not db.has_current_rows(self.table.table_name)

    def key(self, values) -> tuple:
        canons = self.canons
        return tuple(canons[i](values[i]) for i in self.key_idx)

    def reject(self, number: int, name: str, value, code: str, reason: str) -> None:
        text = "" if value is None else str(value)
        self.rejections.append(
            Rejection(
                delivery=self.delivery,
                row_number=number,
                field=name,
                value=text[:VALUE_LIMIT],
                code=code,
                reason=reason,
            )
        )
        if len(self.rejections) >= REJECTION_BATCH:
            self.flush_rejections()

    def flush_rejections(self) -> None:
        if self.rejections:
            Rejection.objects.bulk_create(self.rejections, batch_size=REJECTION_BATCH)
            self.rejections = []

    def _current(self, keys: list[tuple]) -> dict:
        """Current rows for these keys: key -> (row id, version from, canonical values)."""
        found = {}
        key_names = [db.q(self.names[i]) for i in self.key_idx]
        with connection.cursor() as cursor:
            for start in range(0, len(keys), LOOKUP_BATCH):
                batch = keys[start : start + LOOKUP_BATCH]
                if len(key_names) == 1:
                    where = f"{key_names[0]} IN ({', '.join(['%s'] * len(batch))})"
                    params = [k[0] for k in batch]
                else:
                    row = "(" + ", ".join(["%s"] * len(key_names)) + ")"
                    where = f"({', '.join(key_names)}) IN (VALUES {', '.join([row] * len(batch))})"
                    params = [v for k in batch for v in k]
                cursor.execute(
                    f"SELECT {self.select_cols} FROM {self.t} "
                    f"WHERE _version_to IS NULL AND {where}",
                    params,
                )
                for row in cursor.fetchall():
                    values = tuple(c(v) for c, v in zip(self.canons, row[2:], strict=True))
                    found[tuple(values[i] for i in self.key_idx)] = (row[0], row[1], values)
        return found

    def _close(self, cursor, row_ids: list[int]) -> None:
        for start in range(0, len(row_ids), LOOKUP_BATCH):
            batch = row_ids[start : start + LOOKUP_BATCH]
            cursor.execute(
                f"UPDATE {self.t} SET _version_to = %s "
                f"WHERE _row_id IN ({', '.join(['%s'] * len(batch))})",
                [self.version, *batch],
            )

    def write(self, chunk: list[tuple[int, list]]) -> None:
        """Store one chunk of valid rows: insert new keys, version changed rows, keep the rest."""
        if self.fresh:
            # The table had no current rows: every key is new unless it repeats in this
            # delivery, which the unique key index reports; only then look keys up.
            rows = [(self.version, *values) for _, values in chunk]
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    db.insert_rows(cursor, self.table.table_name, self.insert_columns, rows)
            except IntegrityError:
                pass
            else:
                self.counts.inserted += len(rows)
                return
        in_chunk: dict[tuple, int] = {}
        rows = []
        for number, values in chunk:
            key = self.key(values)
            if key in in_chunk:
                self._duplicate(number, key)
                continue
            in_chunk[key] = number
            rows.append((number, key, values))
        current = self._current(list(in_chunk)) if rows else {}
        to_close, to_insert = [], []
        version, canons, counts = self.version, self.canons, self.counts
        for number, key, values in rows:
            existing = current.get(key)
            if existing is None:
                counts.inserted += 1
            else:
                row_id, version_from, old = existing
                if version_from == version or row_id in self.kept:
                    self._duplicate(number, key)
                    continue
                new = tuple(c(v) for c, v in zip(canons, values, strict=True))
                if new == old:
                    counts.unchanged += 1
                    self.kept.add(row_id)
                    continue
                counts.updated += 1
                to_close.append(row_id)
            to_insert.append((version, *values))
        with connection.cursor() as cursor:
            if to_close:
                self._close(cursor, to_close)
            if to_insert:
                db.insert_rows(cursor, self.table.table_name, self.insert_columns, to_insert)

    def _duplicate(self, number: int, key: tuple) -> None:
        self.counts.rejected += 1
        name = ",".join(self.names[i] for i in self.key_idx)
        self.reject(
            number,
            name,
            ",".join(str(v) for v in key),
            "duplicate_key",
            gettext_noop("duplicate key in this delivery"),
        )

    def delete(self, number: int, values: list) -> None:
        key = tuple(self.canons[i](values[j]) for j, i in enumerate(self.key_idx))
        existing = self._current([key]).get(key)
        if existing is None:
            self.counts.rejected += 1
            self.reject(
                number,
                ",".join(self.names[i] for i in self.key_idx),
                ",".join(str(v) for v in key),
                "key_not_found",
                gettext_noop("No current row has this key."),
            )
            return
        with connection.cursor() as cursor:
            self._close(cursor, [existing[0]])
        self.counts.deleted += 1

    def close_missing(self) -> None:
        """Replace mode: close every current row this delivery neither wrote nor kept."""
        last = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    f"SELECT _row_id FROM {self.t} WHERE _version_to IS NULL "
                    "AND _version_from < %s AND _row_id > %s ORDER BY _row_id LIMIT %s",
                    [self.version, last, LOOKUP_BATCH],
                )
                ids = [row[0] for row in cursor.fetchall()]
                if not ids:
                    return
                last = ids[-1]
                gone = [i for i in ids if i not in self.kept]
                if gone:
                    self._close(cursor, gone)
                    self.counts.deleted += len(gone)


def _validated(
    writer: _Writer, rows: Iterable[tuple[int, list | None, list]]
) -> Iterator[list[tuple[int, list]]]:
    """Check rows (aligned with the schema) and yield chunks of valid ones."""
    checkers = [build_checker(c) for c in writer.table.schema]
    names = writer.names
    counts = writer.counts
    chunk: list[tuple[int, list]] = []
    for number, raw, problems in rows:
        counts.received += 1
        if raw is not None:
            try:
                values = [check(value) for check, value in zip(checkers, raw)]  # noqa: B905
            except Rejected:
                # Slow path, for rejected rows only: report every bad value of the row.
                for index, check in enumerate(checkers):
                    try:
                        check(raw[index])
                    except Rejected as exc:
                        problems.append((names[index], raw[index], exc.code, exc.reason))
        if problems:
            counts.rejected += 1
            for name, value, code, reason in problems:
                writer.reject(number, name, value, code, reason)
            continue
        chunk.append((number, values))
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _tabular_rows(header: list[str], rows, schema: list[dict]):
    """Align header columns with the schema; unknown columns fail the whole delivery."""
    names = [c["name"] for c in schema]
    unknown = [h for h in header if h not in names]
    if unknown or len(set(header)) != len(header):
        raise InvalidInput(
            "unknown_columns",
            gettext_noop("The file has columns the resource does not define (or repeats one)."),
            detail={"unknown": unknown, "fields": names},
        )
    missing = [c["name"] for c in schema if c["required"] and c["name"] not in header]
    if missing:
        raise InvalidInput(
            "missing_columns",
            gettext_noop("The file lacks columns for required fields."),
            detail={"missing": missing},
        )
    positions = [header.index(name) if name in header else None for name in names]
    width = len(header)
    ragged = gettext_noop("The row does not have as many values as the header has columns.")
    aligned = positions == list(range(len(names)))
    for number, row in rows:
        if len(row) != width:
            yield number, None, [("", ",".join(str(v) for v in row), "ragged_row", ragged)]
        elif aligned:
            yield number, row, []
        else:
            yield number, [row[p] if p is not None else None for p in positions], []


def _record_rows(records: Iterable[tuple[int, object]], schema: list[dict]):
    """Align JSON records with the schema; unknown fields reject the record."""
    names = [c["name"] for c in schema]
    known = set(names)
    for number, record in records:
        if not isinstance(record, dict):
            yield (
                number,
                None,
                [("", "", "not_an_object", gettext_noop("A record must be a JSON object."))],
            )
            continue
        problems = [
            (key, record[key], "unknown_field", gettext_noop("The resource has no such field."))
            for key in record
            if key not in known
        ]
        yield number, [record.get(name) for name in names], problems


def _max_upload_bytes() -> int:
    return int(getattr(settings, "DATASTORE_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _file_size(stream) -> int:
    size = getattr(stream, "size", None)
    if size is None:
        position = stream.tell()
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(position)
    return size


def _file_rows(stream, filename: str, schema: list[dict]):
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kind = FILE_FORMATS.get(suffix)
    if kind is None:
        raise InvalidInput(
            "unknown_file_format",
            gettext_noop("Deliver a CSV, XLSX, JSON or NDJSON file."),
            detail={"filename": filename},
        )
    if _file_size(stream) > _max_upload_bytes():
        raise InvalidInput(
            "file_too_large",
            gettext_noop("The file is larger than the configured upload limit."),
            detail={"limit_bytes": _max_upload_bytes()},
        )
    stream.seek(0)
    if kind == "csv":
        return _tabular_rows(*readers.read_csv(stream), schema)
    if kind == "xlsx":
        return _tabular_rows(*readers.read_xlsx(stream), schema)
    records = readers.read_json_array(stream) if kind == "json" else readers.read_ndjson(stream)
    return _record_rows(records, schema)


def _department_of(actor, resource: Resource):
    memberships = list(actor.memberships.all()) if actor is not None else []
    for membership in memberships:
        if membership.department_id == resource.provider_id:
            return membership.department_id
    return memberships[0].department_id if memberships else None


def _target(actor, resource_id: int) -> Resource:
    """The resource the actor may deliver to; refusals the provider should see are raised as
    SmartgovErrors carrying the resource so the failure can be recorded."""
    require_perm(actor, Perm.DELIVER)
    resource = Resource.objects.select_for_update().filter(pk=resource_id).first()
    in_scope = (
        resource is not None
        and restrict(Resource.objects.filter(pk=resource_id), actor, Perm.DELIVER).exists()
    )
    if resource is None or (not in_scope and resource.status != ResourceStatus.PUBLISHED):
        raise NotFound("not_found", "No such object, or it is outside your data scope.")
    if not in_scope:
        raise _Refused(
            resource,
            PermissionDeniedError(
                "not_provider",
                gettext_noop("Only the provider department delivers data to a resource."),
            ),
        )
    if resource.status != ResourceStatus.PUBLISHED:
        raise _Refused(
            resource,
            Conflict(
                "resource_not_published",
                gettext_noop("Data can be delivered only to a published resource."),
                detail={"status": resource.status},
            ),
        )
    if resource.format != ResourceFormat.TABLE:
        raise _Refused(
            resource,
            InvalidInput("not_a_table", gettext_noop("Only table resources store delivered rows.")),
        )
    return resource


class _Refused(Exception):
    def __init__(self, resource: Resource, error: SmartgovError) -> None:
        super().__init__(str(error))
        self.resource = resource
        self.error = error


def _deliver(
    *, actor, resource_id: int, source: str, mode: str, feed: Callable[[_Writer], None]
) -> Delivery:
    started = timezone.now()
    clock = time.monotonic()
    resource = None
    try:
        with transaction.atomic():
            try:
                resource = _target(actor, resource_id)
            except _Refused as refused:
                resource = refused.resource
                raise refused.error from None
            if mode not in DeliveryMode.values:
                raise InvalidInput(
                    "unknown_mode",
                    gettext_noop("The mode is replace or upsert."),
                    detail={"mode": mode},
                )
            table = ensure_table(resource)
            version = table.version + 1
            delivery = Delivery.objects.create(
                resource=resource,
                actor=actor,
                department_id=_department_of(actor, resource),
                source=source[:255],
                mode=mode,
                status=DeliveryStatus.SUCCEEDED,
                version=version,
                started_at=started,
                finished_at=started,
            )
            writer = _Writer(table=table, version=version, delivery=delivery)
            feed(writer)
            if mode == DeliveryMode.REPLACE:
                writer.close_missing()
            writer.flush_rejections()
            for name, value in writer.counts.as_dict().items():
                setattr(delivery, name, value)
            delivery.status = (
                DeliveryStatus.PARTIALLY_REJECTED
                if writer.counts.rejected
                else DeliveryStatus.SUCCEEDED
            )
            delivery.finished_at = timezone.now()
            delivery.duration_ms = int((time.monotonic() - clock) * 1000)
            delivery.save()
            table.version = version
            table.save(update_fields=["version", "updated_at"])
            audit.record(
                actor=actor,
                action="datastore.delivery",
                obj=delivery,
                after=_summary(delivery),
            )
            transaction.on_commit(lambda pk=resource.pk: quality.check_after_delivery(pk))
        return delivery
    except Exception as exc:
        if resource is not None:
            _record_failure(
                actor=actor,
                resource=resource,
                source=source,
                mode=mode,
                started=started,
                clock=clock,
                error=exc,
            )
        raise


def _summary(delivery: Delivery) -> dict:
    return {
        "resource_id": delivery.resource_id,
        "source": delivery.source,
        "mode": delivery.mode,
        "status": delivery.status,
        "version": delivery.version,
        "received": delivery.received,
        "inserted": delivery.inserted,
        "updated": delivery.updated,
        "deleted": delivery.deleted,
        "unchanged": delivery.unchanged,
        "rejected": delivery.rejected,
        "error_code": delivery.error_code,
    }


@transaction.atomic
def _record_failure(*, actor, resource, source, mode, started, clock, error) -> Delivery:
    """Keep the failed delivery (and its audit record) after its transaction rolled back."""
    if isinstance(error, SmartgovError):
        code, message = error.code, str(error.raw_message)
    else:
        code, message = "internal_error", "An internal error occurred; it has been logged."
    delivery = Delivery.objects.create(
        resource=resource,
        actor=actor,
        department_id=_department_of(actor, resource),
        source=source[:255],
        mode=mode if mode in DeliveryMode.values else DeliveryMode.UPSERT,
        status=DeliveryStatus.FAILED,
        started_at=started,
        finished_at=timezone.now(),
        duration_ms=int((time.monotonic() - clock) * 1000),
        error_code=code,
        error_message=message,
    )
    audit.record(actor=actor, action="datastore.delivery", obj=delivery, after=_summary(delivery))
    return delivery


def deliver_file(*, actor, resource_id: int, stream, filename: str, mode: str) -> Delivery:
    """Deliver a CSV, XLSX, JSON or NDJSON file (binary stream) to a published resource."""

    def feed(writer: _Writer) -> None:
        rows = _file_rows(stream, filename, writer.table.schema)
        for chunk in _validated(writer, rows):
            writer.write(chunk)

    return _deliver(actor=actor, resource_id=resource_id, source=filename, mode=mode, feed=feed)


def push_records(
    *, actor, resource_id: int, mode: str, records: list, deletes: list | None = None
) -> Delivery:
    """A department system pushes a batch of records (and keys to delete) to a resource."""

    def feed(writer: _Writer) -> None:
        schema = writer.table.schema
        rows = _record_rows(enumerate(records, start=1), schema)
        for chunk in _validated(writer, rows):
            writer.write(chunk)
        key_columns = [c for c in schema if c["is_key"]]
        checkers = [build_checker(c) for c in key_columns]
        for number, key in enumerate(deletes or [], start=1):
            if not isinstance(key, dict):
                key = {key_columns[0]["name"]: key} if len(key_columns) == 1 else {}
            writer.counts.received += 1
            try:
                values = [
                    check(key.get(c["name"]))
                    for check, c in zip(checkers, key_columns, strict=True)
                ]
            except Rejected as exc:
                writer.counts.rejected += 1
                writer.reject(number, "_delete", key, exc.code, exc.reason)
                continue
            writer.delete(number, values)

    return _deliver(actor=actor, resource_id=resource_id, source="api", mode=mode, feed=feed)
