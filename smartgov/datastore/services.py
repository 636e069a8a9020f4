"""Data-store use cases: the per-resource table, and deliveries into it (files and API pushes).

A delivery runs in one transaction: valid rows are stored as version N of the resource, invalid
rows go to the rejection report, and any delivery-level error (bad encoding, unknown columns,
file too large, resource not published, not the provider) rolls everything back. The failure is
then recorded — as a failed Delivery and its audit record — outside the rolled-back transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from smartgov.accounts.scope import require_perm, restrict
from smartgov.catalog.models import Resource, ResourceStatus
from smartgov.core import audit
from smartgov.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDeniedError,
    SmartgovError,
)
from smartgov.datastore import db, quality, readers, sources
from smartgov.datastore.ingest import (
    TableWriter,
    feed_csv,
    record_rows,
    tabular_rows,
    validated_chunks,
)
from smartgov.datastore.models import Delivery, DeliveryMode, DeliveryStatus, StoreTable
from smartgov.datastore.permissions import Perm
from smartgov.datastore.validation import Rejected, build_checker

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


def _file_kind(stream, filename: str) -> str:
    """The file's format by its name, once it is known to be within the size limit."""
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
    return kind


def _file_rows(stream, kind: str, schema: list[dict]):
    if kind == "xlsx":
        return tabular_rows(*readers.read_xlsx(stream), schema)
    records = readers.read_json_array(stream) if kind == "json" else readers.read_ndjson(stream)
    return record_rows(records, schema)


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
    if not resource.holds_records:
        raise _Refused(
            resource,
            InvalidInput(
                "not_a_table",
                gettext_noop(
                    "Only resources that hold records (tables, spatial data, interfaces, "
                    "streams) store delivered rows."
                ),
            ),
        )
    return resource


class _Refused(Exception):
    def __init__(self, resource: Resource, error: SmartgovError) -> None:
        super().__init__(str(error))
        self.resource = resource
        self.error = error


def _deliver(
    *, actor, resource_id: int, source: str, mode: str, feed: Callable[[TableWriter], None]
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
            writer = TableWriter(table=table, version=version, delivery=delivery)
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
            transaction.on_commit(lambda: sources.scan_after_delivery(resource.pk), robust=True)
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

    def feed(writer: TableWriter) -> None:
        kind = _file_kind(stream, filename)
        if kind == "csv":
            feed_csv(writer, stream)
            return
        for chunk in validated_chunks(writer, _file_rows(stream, kind, writer.table.schema)):
            writer.write(chunk)

    return _deliver(actor=actor, resource_id=resource_id, source=filename, mode=mode, feed=feed)


def push_records(
    *, actor, resource_id: int, mode: str, records: list, deletes: list | None = None
) -> Delivery:
    """A department system pushes a batch of records (and keys to delete) to a resource."""

    def feed(writer: TableWriter) -> None:
        schema = writer.table.schema
        rows = record_rows(enumerate(records, start=1), schema)
        for chunk in validated_chunks(writer, rows):
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


# --- Exports -----------------------------------------------------------------------------


def record_export(*, actor, table: StoreTable, version: int | None, format: str) -> None:
    """Audit an export of a resource's rows in clear values (checked by selectors.export_table
    before the first byte is streamed)."""
    audit.record(
        actor=actor,
        action="datastore.export",
        obj=table.resource,
        after={
            "resource_id": table.resource_id,
            "version": table.version if version is None else version,
            "current": version is None,
            "format": format,
        },
    )
