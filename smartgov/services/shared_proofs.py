"""No proofs through shared data (数据共享免证明): a material marked ``shared_data`` names a
catalog resource and the field that holds the applicant's ID; the platform looks for the
applicant's current row of that resource in the data store.

The read follows the sharing gateway's rules without an HTTP call: the item's department must
hold a usable grant for the resource (``sharing.services.is_usable``) — or be the resource's
provider, which reads its own data directly — the lookup field must be granted, and values
come back masked by each field's rule unless the grant has them in clear. Every lookup leaves a
``CallLog`` row (method ``INTERNAL``, the applicant's ID as a blind index only), so metering and
the applicant's "who read my data" page show it like a gateway call.
"""

from __future__ import annotations

import time

from django.db import connection
from django.utils import timezone

from smartgov.catalog.masking import mask_value
from smartgov.catalog.models import ResourceStatus
from smartgov.core.crypto import blind_index
from smartgov.datastore import db
from smartgov.datastore.models import StoreTable
from smartgov.datastore.validation import Rejected
from smartgov.services.models import ItemMaterial, ProofSource
from smartgov.sharing.gateway_cache import _load_resource
from smartgov.sharing.models import CallLog, Grant, GrantStatus
from smartgov.sharing.services import is_usable

METHOD = "INTERNAL"
SUBJECT_TYPES = ("citizen_id", "credit_code")  # the blind-index purposes the call log uses


def _usable_grant(department, resource) -> Grant | None:
    grants = (
        Grant.objects.select_related("app")
        .filter(consumer=department, resource=resource, status=GrantStatus.ACTIVE)
        .order_by("-id")
    )
    today = timezone.localdate()
    return next((g for g in grants if is_usable(g, today=today)), None)


def _log(*, started, resource, department, grant, path, fields, subject, found: bool) -> None:
    CallLog.objects.create(
        created_at=timezone.now(),
        app_id_ref=grant.app_id if grant else None,
        grant_id_ref=grant.pk if grant else None,
        resource_id_ref=resource.pk,
        consumer_id_ref=department.pk,
        provider_id_ref=resource.provider_id,
        method=METHOD,
        path=path[:255],
        kind="query",
        fields=",".join(fields) if found else "",
        subject_hash=subject,
        result_count=1 if found else 0,
        status=200 if found else 404,
        error_code="" if found else "record_not_found",
        latency_ms=round((time.perf_counter() - started) * 1000, 3),
    )


def find_shared_record(
    *, material: ItemMaterial, holder_id: str, department, reference: str = ""
) -> dict | None:
    """The applicant's current shared record for ``material``: ``{reference, resource,
    fields}`` (fields masked as the grant says), or None when the department may not read the
    resource or no row has the applicant's ID. ``reference`` (an application number) goes into
    the call log's path."""
    resource = material.resource
    name = material.resource_field
    if (
        material.proof_source != ProofSource.SHARED_DATA
        or resource is None
        or not name
        or not holder_id
        or resource.status != ResourceStatus.PUBLISHED
    ):
        return None
    own = resource.provider_id == department.pk
    grant = None if own else _usable_grant(department, resource)
    if grant is None and not own:
        return None
    meta = _load_resource(str(resource.pk))
    column = meta.columns.get(name) if meta is not None else None
    if column is None or meta.table_name is None:
        return None
    granted = list(meta.columns) if own else [n for n in grant.fields if n in meta.columns]
    if name not in granted:
        return None  # the gateway filters on granted fields only
    try:
        key = column.check(holder_id)
    except Rejected:
        return None
    started = time.perf_counter()
    clear = frozenset(meta.columns) if own else frozenset(grant.clear_fields or ())
    columns = [meta.columns[n] for n in granted]
    sql = (
        f"SELECT _row_id, {', '.join(db.q(c.name) for c in columns)} "  # noqa: S608
        f"FROM {db.q(meta.table_name)} WHERE {db.q(name)} = %s AND _version_to IS NULL "
        "ORDER BY _row_id LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    subject = (
        blind_index(key, purpose=column.data_type) if column.data_type in SUBJECT_TYPES else ""
    )
    _log(
        started=started,
        resource=resource,
        department=department,
        grant=grant,
        path=f"/services/shared-proofs/{reference or material.pk}",
        fields=granted,
        subject=subject,
        found=row is not None,
    )
    if row is None:
        return None
    values = {}
    for column_meta, value in zip(columns, row[1:], strict=True):
        value = column_meta.convert(value)
        if column_meta.name not in clear:
            value = mask_value(column_meta.masking, value)
        values[column_meta.name] = value
    version = StoreTable.objects.filter(resource=resource).values_list("version", flat=True).first()
    return {
        "reference": f"{resource.code}#{row[0]}@v{version or 0}"[:200],
        "resource": {"id": resource.pk, "code": resource.code, "name": resource.name},
        "fields": values,
    }
