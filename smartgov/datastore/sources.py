"""One data element, one source (一数一源): compare holders' copies with the authoritative source,
keep the conflicts, and let the data bureau decide what happens to each.

A scan joins each holder's current rows with the source's current rows on the subject key, in
one SQL statement per holder (db.differences_sql): values that differ after trimming, and keys
the source lacks. It then reconciles the findings with the conflicts already recorded for the
holder: a conflict still found is touched (last seen) or updated when its values changed, a new
one is added, and an open one no longer found is closed as resolved by the data. Scans of one
element are serialised by locking the element's row, and a partial unique index keeps one
unresolved conflict per holder and key, so a re-scan never duplicates.

Conflict lifecycle (one function per transition, table in ``TRANSITIONS``)::

    open ──notify_holder──▶ holder_notified ──(holder corrects its data)──▶ resolved
      │  ──report_source──▶ source_reported ──(source corrects its data)──▶ resolved
      │  ──dismiss────────▶ dismissed ──reopen──▶ open
      └──(the data agrees again)──────────────────────────────────────────▶ resolved

Every decision is audited and leaves a ``ConflictEvent`` (actor, time, comment, both values):
the conflict's timeline. The holder's data officers find the conflicts they are asked to
correct in their workbench, the source's officers the ones reported as source errors
(datastore/sources_inbox.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from smartgov.accounts.scope import require_perm
from smartgov.catalog import elements as catalog_elements
from smartgov.catalog import selectors as catalog_selectors
from smartgov.catalog.models import DataElement, SourceHolder
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput, NotFound
from smartgov.datastore import db, selectors
from smartgov.datastore.models import (
    ACTIVE,
    UNRESOLVED,
    ConflictAction,
    ConflictEvent,
    ConflictKind,
    ConflictStatus,
    ScanTrigger,
    SourceConflict,
    SourceScan,
    StoreTable,
)
from smartgov.datastore.permissions import Perm

logger = logging.getLogger(__name__)

# Differences one scan records per holder. More means the holder's field is probably not a
# copy of the element at all; the scan then keeps the first ones by key and closes nothing.
SCAN_LIMIT = 50_000
BATCH = 1000
VALUE_LIMIT = 1000

# transition -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    ConflictAction.NOTIFY_HOLDER: (
        frozenset({ConflictStatus.OPEN, ConflictStatus.SOURCE_REPORTED}),
        ConflictStatus.HOLDER_NOTIFIED,
    ),
    ConflictAction.REPORT_SOURCE: (
        frozenset({ConflictStatus.OPEN, ConflictStatus.HOLDER_NOTIFIED}),
        ConflictStatus.SOURCE_REPORTED,
    ),
    ConflictAction.DISMISS: (ACTIVE, ConflictStatus.DISMISSED),
    ConflictAction.REOPEN: (frozenset({ConflictStatus.DISMISSED}), ConflictStatus.OPEN),
    # Taken by scans only: the holder's value agrees with the source again.
    ConflictAction.RESOLVE: (ACTIVE, ConflictStatus.RESOLVED),
}


# --- Scanning -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    key: str
    kind: str
    holder_value: str
    authoritative_value: str
    rows: int


def _as_text(data_type: str, value) -> str:
    """A compared value as stored in a conflict (the same text on SQLite and PostgreSQL)."""
    if value is None:
        return ""
    if data_type == "boolean":
        return "true" if bool(int(value)) else "false"
    if data_type == "decimal":
        return str(Decimal(str(value)).normalize())
    if data_type == "datetime":
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:VALUE_LIMIT]


def _column_names(table: StoreTable) -> dict[str, str]:
    return {column["name"]: column["data_type"] for column in table.schema}


def differences(
    *,
    holder: SourceHolder,
    holder_table: StoreTable,
    element: DataElement,
    source_table: StoreTable,
    limit: int | None = None,
) -> tuple[list[Difference], bool]:
    """The holder's keys whose value differs from the source's (or that the source lacks),
    at most ``limit`` (default SCAN_LIMIT) of them by key order, and whether there were more."""
    limit = SCAN_LIMIT if limit is None else limit
    source_types = _column_names(source_table)
    holder_types = _column_names(holder_table)
    value_type = source_types[element.source_field]
    sql = db.differences_sql(
        holder_table=holder_table.table_name,
        holder_key=holder.key_field,
        holder_value=holder.field,
        source_table=source_table.table_name,
        source_key=element.source_key_field,
        source_value=element.source_field,
        key_class=catalog_elements.key_class(element.key_type),
        value_class=catalog_elements.value_class(value_type),
        report_missing=holder.report_missing,
    )
    holder_type = holder_types[holder.field]
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit + 1])
        rows = cursor.fetchall()
    found = [
        Difference(
            key=str(key)[:255],
            kind=ConflictKind.MISSING_IN_SOURCE if missing else ConflictKind.MISMATCH,
            holder_value=_as_text(holder_type, held),
            authoritative_value="" if missing else _as_text(value_type, authoritative),
            rows=count,
        )
        for key, held, authoritative, count, missing in rows[:limit]
    ]
    return found, len(rows) > limit


@dataclass
class _Tally:
    found: int = 0
    created: int = 0
    changed: int = 0
    resolved: int = 0
    reopened: int = 0


def _event(conflict: SourceConflict, action: str, from_status: str, now, comment="", actor=None):
    return ConflictEvent(
        conflict=conflict,
        action=action,
        from_status=from_status,
        to_status=conflict.status,
        actor=actor,
        comment=comment,
        holder_value=conflict.holder_value,
        authoritative_value=conflict.authoritative_value,
        created_at=now,
    )


def _reconcile(
    element: DataElement,
    holder: SourceHolder,
    found: list[Difference],
    *,
    complete: bool,
    now,
    tally: _Tally,
) -> None:
    """Bring the holder's recorded conflicts in line with what the scan found."""
    existing = {
        c.key_value: c
        for c in SourceConflict.objects.filter(holder=holder, status__in=UNRESOLVED).only(
            *("id", "key_value", "kind", "status", "holder_rows"),
            *("holder_value", "authoritative_value"),
        )
    }
    new, changed, seen, events = [], [], [], []
    for difference in found:
        conflict = existing.pop(difference.key, None)
        values = (difference.kind, difference.holder_value, difference.authoritative_value)
        if conflict is None:
            new.append(
                SourceConflict(
                    element=element,
                    holder=holder,
                    kind=difference.kind,
                    key_value=difference.key,
                    holder_value=difference.holder_value,
                    authoritative_value=difference.authoritative_value,
                    holder_rows=difference.rows,
                    first_seen=now,
                    last_seen=now,
                    status=ConflictStatus.OPEN,
                    status_changed_at=now,
                    resolver=None,
                )
            )
            continue
        before = (conflict.kind, conflict.holder_value, conflict.authoritative_value)
        if before == values and conflict.holder_rows == difference.rows:
            seen.append(conflict.pk)
            continue
        conflict.kind, conflict.holder_value, conflict.authoritative_value = values
        conflict.holder_rows = difference.rows
        conflict.last_seen = now
        if before != values:
            from_status = conflict.status
            if conflict.status == ConflictStatus.DISMISSED:
                # The dismissal was about other values: the new ones need a new decision.
                conflict.status = ConflictStatus.OPEN
                conflict.status_changed_at = now
                tally.reopened += 1
                events.append(_event(conflict, ConflictAction.REOPEN, from_status, now))
            else:
                events.append(_event(conflict, ConflictAction.CHANGE, from_status, now))
            tally.changed += 1
        changed.append(conflict)
    tally.found += len(found)
    if new:
        SourceConflict.objects.bulk_create(new, batch_size=BATCH)
        events += [_event(c, ConflictAction.DETECT, "", now) for c in new]
        tally.created += len(new)
    if changed:
        SourceConflict.objects.bulk_update(
            changed,
            [
                "kind",
                "holder_value",
                "authoritative_value",
                "holder_rows",
                "last_seen",
                "status",
                "status_changed_at",
            ],
            batch_size=BATCH,
        )
    for start in range(0, len(seen), BATCH):
        SourceConflict.objects.filter(pk__in=seen[start : start + BATCH]).update(last_seen=now)
    if complete:
        # Agreeing again: the holder or the source corrected its data. Dismissed conflicts
        # keep their decision.
        gone = [c for c in existing.values() if c.status in ACTIVE]
        for conflict in gone:
            from_status = conflict.status
            conflict.status = ConflictStatus.RESOLVED
            events.append(_event(conflict, ConflictAction.RESOLVE, from_status, now))
        ids = [c.pk for c in gone]
        for start in range(0, len(ids), BATCH):
            SourceConflict.objects.filter(pk__in=ids[start : start + BATCH]).update(
                status=ConflictStatus.RESOLVED, status_changed_at=now, resolver=None
            )
        tally.resolved += len(gone)
    ConflictEvent.objects.bulk_create(events, batch_size=BATCH)


def _store_table(resource_id: int) -> StoreTable | None:
    return StoreTable.objects.filter(resource_id=resource_id).first()


def scan_element(
    *,
    actor,
    element_id: int,
    trigger: str = ScanTrigger.MANUAL,
    resource_id: int | None = None,
    holder_ids: list[int] | None = None,
) -> SourceScan:
    """Compare the element's holders (or the given ones) with its source and record the
    conflicts. ``actor`` None is the platform itself (after a delivery, the command line)."""
    if actor is not None:
        require_perm(actor, Perm.RESOLVE_CONFLICT)
    clock = time.monotonic()
    with transaction.atomic():
        element = (
            DataElement.objects.select_for_update()
            .select_related("source_resource")
            .filter(pk=element_id)
            .first()
        )
        if element is None:
            raise NotFound("element_not_found", "No such data element.")
        holders = list(element.holders.select_related("resource").order_by("id"))
        if holder_ids is not None:
            holders = [h for h in holders if h.pk in set(holder_ids)]
        now = timezone.now()
        scan = SourceScan(
            element=element,
            trigger=trigger,
            resource_id=resource_id,
            actor=actor,
            started_at=now,
        )
        notes: list[dict] = []
        tally = _Tally()
        problems = catalog_selectors.element_problems(element, holders)
        source_table = _store_table(element.source_resource_id)
        if None in problems:
            notes.append({"holder_id": None, "reason": problems[None][0]})
        elif source_table is None or not db.has_current_rows(source_table.table_name):
            # Nothing to compare with yet: recorded conflicts stay as they are.
            notes.append({"holder_id": None, "reason": "source_empty"})
        elif not {element.source_field, element.source_key_field} <= set(
            _column_names(source_table)
        ):
            notes.append({"holder_id": None, "reason": "source_not_delivered"})
        else:
            for holder in holders:
                if holder.pk in problems:
                    notes.append({"holder_id": holder.pk, "reason": problems[holder.pk][0]})
                    continue
                holder_table = _store_table(holder.resource_id)
                if holder_table is not None and not {holder.field, holder.key_field} <= set(
                    _column_names(holder_table)
                ):
                    # The table follows the holder's new fields at its next delivery.
                    notes.append({"holder_id": holder.pk, "reason": "holder_not_delivered"})
                    continue
                found, truncated = ([], False)
                if holder_table is not None:
                    found, truncated = differences(
                        holder=holder,
                        holder_table=holder_table,
                        element=element,
                        source_table=source_table,
                    )
                if truncated:
                    notes.append({"holder_id": holder.pk, "reason": "truncated"})
                _reconcile(element, holder, found, complete=not truncated, now=now, tally=tally)
                scan.holders += 1
        for name in ("found", "created", "changed", "resolved", "reopened"):
            setattr(scan, name, getattr(tally, name))
        scan.notes = notes
        scan.duration_ms = int((time.monotonic() - clock) * 1000)
        scan.save()
        audit.record(
            actor=actor,
            action="datastore.sources.scan",
            obj=scan,
            after={
                "element": element.code,
                "trigger": trigger,
                "resource_id": resource_id,
                "holders": scan.holders,
                "found": scan.found,
                "created": scan.created,
                "changed": scan.changed,
                "resolved": scan.resolved,
                "reopened": scan.reopened,
                "notes": notes,
            },
        )
    return scan


def scan_after_delivery(resource_id: int) -> list[SourceScan]:
    """After a delivery to a resource: scan the elements it is the source of, and the holders
    it provides. Runs after the delivery's commit; a failing scan is logged, never raised, so
    the delivery stands."""
    plans: dict[int, list[int] | None] = dict.fromkeys(
        DataElement.objects.filter(source_resource_id=resource_id).values_list("pk", flat=True)
    )
    for element_id, holder_id in SourceHolder.objects.filter(resource_id=resource_id).values_list(
        "element_id", "pk"
    ):
        if element_id in plans and plans[element_id] is None:
            continue
        plans.setdefault(element_id, []).append(holder_id)
    scans = []
    for element_id, holder_ids in plans.items():
        try:
            scans.append(
                scan_element(
                    actor=None,
                    element_id=element_id,
                    trigger=ScanTrigger.DELIVERY,
                    resource_id=resource_id,
                    holder_ids=holder_ids,
                )
            )
        except Exception:
            logger.exception("Source scan of element %s after a delivery failed", element_id)
    return scans


# --- Deciding -----------------------------------------------------------------------------


def _decided(actor, conflict_id: int) -> SourceConflict:
    """The conflict, locked, for the data bureau."""
    require_perm(actor, Perm.RESOLVE_CONFLICT)
    conflict = (
        SourceConflict.objects.select_for_update()
        .select_related("element", "holder")
        .filter(pk=conflict_id)
        .first()
    )
    if conflict is None:
        raise NotFound("not_found", "No such object, or it is outside your data scope.")
    return conflict


def _transition(conflict: SourceConflict, *, actor, action: str, comment: str) -> SourceConflict:
    sources, target = TRANSITIONS[action]
    if conflict.status not in sources:
        raise Conflict(
            "invalid_transition",
            "This step is not possible in the conflict's current status.",
            detail={"status": conflict.status, "action": str(action)},
        )
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise InvalidInput("comment_too_long", "A remark has at most 2000 characters.")
    before = audit.snapshot(conflict)
    from_status = conflict.status
    now = timezone.now()
    conflict.status = target
    conflict.status_changed_at = now
    conflict.resolver = actor
    conflict.resolution_note = comment
    conflict.save(update_fields=["status", "status_changed_at", "resolver", "resolution_note"])
    ConflictEvent.objects.create(
        conflict=conflict,
        action=action,
        from_status=from_status,
        to_status=target,
        actor=actor,
        comment=comment,
        holder_value=conflict.holder_value,
        authoritative_value=conflict.authoritative_value,
        created_at=now,
    )
    audit.record(
        actor=actor,
        action=f"datastore.conflict.{action}",
        obj=conflict,
        before=before,
        after=audit.snapshot(conflict),
    )
    return conflict


@transaction.atomic
def notify_holder(*, actor, conflict_id: int, comment: str = "") -> SourceConflict:
    """Ask the holder's department to correct its copy (it appears in their workbench)."""
    conflict = _decided(actor, conflict_id)
    return _transition(conflict, actor=actor, action=ConflictAction.NOTIFY_HOLDER, comment=comment)


@transaction.atomic
def report_source_error(*, actor, conflict_id: int, comment: str = "") -> SourceConflict:
    """Mark the authoritative value as the wrong one (it appears in the source's workbench)."""
    conflict = _decided(actor, conflict_id)
    return _transition(conflict, actor=actor, action=ConflictAction.REPORT_SOURCE, comment=comment)


@transaction.atomic
def dismiss_conflict(*, actor, conflict_id: int, reason: str) -> SourceConflict:
    """Accept the difference (e.g. the holder legitimately keeps a historic value)."""
    conflict = _decided(actor, conflict_id)
    if not (reason or "").strip():
        raise InvalidInput("reason_required", "Give the reason for dismissing the conflict.")
    return _transition(conflict, actor=actor, action=ConflictAction.DISMISS, comment=reason)


@transaction.atomic
def reopen_conflict(*, actor, conflict_id: int, comment: str = "") -> SourceConflict:
    """Take a dismissed conflict up again."""
    conflict = _decided(actor, conflict_id)
    return _transition(conflict, actor=actor, action=ConflictAction.REOPEN, comment=comment)


@transaction.atomic
def comment_conflict(*, actor, conflict_id: int, comment: str) -> ConflictEvent:
    """Add a remark to a conflict's timeline: the data bureau, or an officer of the holder or
    the source (e.g. to explain why its value is right)."""
    conflict = selectors.get_conflict(actor, conflict_id)
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput("comment_required", "Write the remark first.")
    if len(comment) > 2000:
        raise InvalidInput("comment_too_long", "A remark has at most 2000 characters.")
    event = ConflictEvent.objects.create(
        conflict=conflict,
        action=ConflictAction.COMMENT,
        from_status=conflict.status,
        to_status=conflict.status,
        actor=actor,
        comment=comment,
        holder_value=conflict.holder_value,
        authoritative_value=conflict.authoritative_value,
        created_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="datastore.conflict.comment",
        obj=conflict,
        after={"comment": comment},
    )
    return event
