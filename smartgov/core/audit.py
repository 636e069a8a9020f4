"""Writing and verifying the hash-chained audit log.

Each record's hash is SM3 over a canonical JSON of its content and the previous record's hash,
so altering, deleting or inserting any row breaks the chain at that row. ``record`` must run
inside the transaction of the change it describes; it locks the chain head so appends are
serialised and the chain stays linear under concurrent writers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from smartgov.core import context
from smartgov.core.crypto import sm2_public_from_private, sm2_sign, sm2_verify, sm3_hex
from smartgov.core.models import AuditCheckpoint, AuditHead, AuditRecord

GENESIS_HASH = "0" * 64
UTC_TZ = UTC

HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "request_id",
    "source_ip",
    "channel",
    "prev_hash",
)


def _json_default(value: Any):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def _portable_numbers(value: Any) -> Any:
    """Floats as every database returns them: PostgreSQL's jsonb gives 1e+20 back as an
    integer and -0.0 as 0.0, and neither database stores NaN or infinity as JSON."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == 0:
            return 0.0
        if abs(value) >= 1e16:  # Python writes these with an exponent; all are integral
            return int(value)
        return value
    if isinstance(value, dict):
        return {key: _portable_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_portable_numbers(item) for item in value]
    return value


def to_jsonable(value: Any) -> Any:
    """Round-trip through JSON so what is hashed is exactly what the database stores."""
    if value is None:
        return None
    return _portable_numbers(
        json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))
    )


def canonical_bytes(fields: dict[str, Any]) -> bytes:
    return json.dumps(
        fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    ).encode("utf-8")


def compute_hash(fields: dict[str, Any]) -> str:
    return sm3_hex(canonical_bytes({name: fields[name] for name in HASHED_FIELDS}))


def _time_text(moment: datetime) -> str:
    # Microsecond UTC ISO text: identical on SQLite and PostgreSQL after a round trip.
    return moment.astimezone(UTC_TZ).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Plain-JSON view of a model instance for before/after (concrete fields; FKs as ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if getattr(field, "audit_exclude", False) or field.name in {"password"}:
            continue
        data[field.attname if field.is_relation else field.name] = field.value_from_object(instance)
    return to_jsonable(data)


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one audit record in the current transaction (opens one if there is none)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    ctx = context.current()
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_name = getattr(actor, "username", "") if actor is not None else "system"
    # No savepoint: a failure here must undo the change being audited anyway, and the two
    # extra statements (SAVEPOINT, RELEASE) were a fifth of a small change's queries.
    with transaction.atomic(savepoint=False):
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            id=1, defaults={"seq": 0, "last_hash": GENESIS_HASH}
        )
        fields: dict[str, Any] = {
            "seq": head.seq + 1,
            "created_at": _time_text(timezone.now()),
            "actor_id": actor_id,
            "actor_name": actor_name or "",
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "object_repr": object_repr[:255],
            "before": to_jsonable(before),
            "after": to_jsonable(after),
            "request_id": ctx.request_id,
            "source_ip": ctx.source_ip,
            "channel": ctx.channel,
            "prev_hash": head.last_hash,
        }
        digest = compute_hash(fields)
        entry = AuditRecord.objects.create(
            **{**fields, "created_at": datetime.fromisoformat(fields["created_at"])},
            hash=digest,
        )
        AuditHead.objects.filter(id=1).update(seq=fields["seq"], last_hash=digest)
        interval = settings.AUDIT_CHECKPOINT_INTERVAL
        if interval > 0 and fields["seq"] % interval == 0:
            _sign_checkpoint(fields["seq"], digest)
    return entry


# --- Signed checkpoints ---------------------------------------------------------------------


def _checkpoint_message(seq: int, record_hash: str, signed_at: datetime) -> bytes:
    return f"smartgov-audit-checkpoint|{seq}|{record_hash}|{_time_text(signed_at)}".encode()


@lru_cache(maxsize=1)
def signing_public_key() -> str:
    return sm2_public_from_private(settings.AUDIT_SIGNING_KEY)


def _sign_checkpoint(seq: int, record_hash: str) -> AuditCheckpoint:
    signed_at = datetime.fromisoformat(_time_text(timezone.now()))
    public_key = signing_public_key()
    signature = sm2_sign(
        settings.AUDIT_SIGNING_KEY,
        _checkpoint_message(seq, record_hash, signed_at),
        public_key=public_key,
    )
    return AuditCheckpoint.objects.create(
        seq=seq,
        record_hash=record_hash,
        signed_at=signed_at,
        public_key=public_key,
        signature=signature,
    )


@transaction.atomic
def checkpoint_now() -> AuditCheckpoint | None:
    """Sign the current chain head (``smartgov audit checkpoint``); None for an empty chain."""
    head = AuditHead.objects.select_for_update().filter(id=1).first()
    if head is None or head.seq == 0:
        return None
    existing = AuditCheckpoint.objects.filter(seq=head.seq).first()
    return existing or _sign_checkpoint(head.seq, head.last_hash)


def _verify_checkpoints() -> ChainBreak | None:
    """Every checkpoint must carry the platform key's valid signature over the hash that the
    record at its sequence number still has."""
    public_key = signing_public_key()
    hashes = dict(
        AuditRecord.objects.filter(seq__in=AuditCheckpoint.objects.values("seq")).values_list(
            "seq", "hash"
        )
    )
    for checkpoint in AuditCheckpoint.objects.order_by("seq").iterator():
        message = _checkpoint_message(checkpoint.seq, checkpoint.record_hash, checkpoint.signed_at)
        if checkpoint.public_key != public_key or not sm2_verify(
            public_key, message, checkpoint.signature
        ):
            return ChainBreak(
                checkpoint.seq, "its signed checkpoint is not signed by the platform key (forged)"
            )
        if hashes.get(checkpoint.seq) != checkpoint.record_hash:
            return ChainBreak(
                checkpoint.seq,
                "differs from the signed checkpoint taken at this record (chain rewritten)",
            )
    return None


def record_fields(entry: AuditRecord) -> dict[str, Any]:
    """The hashed fields of a stored record, as they were when hashed."""
    return {
        "seq": entry.seq,
        "created_at": _time_text(entry.created_at),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
        "source_ip": entry.source_ip,
        "channel": entry.channel,
        "prev_hash": entry.prev_hash,
    }


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str
    record_id: int | None = None

    def describe(self) -> str:
        return f"record #{self.seq}: {self.reason}"


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    last_seq: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chain(*, batch_size: int = 2000) -> VerifyResult:
    """Walk the chain in sequence order; report the first record that does not link.

    A deleted record is named by its own (missing) sequence number. The chain head is read
    before the walk, so records appended meanwhile are not mistaken for a truncated tail, and
    again after it, since a genuine append moves the head in its own transaction: a record the
    head does not count was inserted around ``record``.
    """
    head_at_start = AuditHead.objects.filter(id=1).first()
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    hash_at_head = GENESIS_HASH

    def broken(seq: int, reason: str, record_id: int | None = None) -> VerifyResult:
        return VerifyResult(checked, last_seq, ChainBreak(seq, reason, record_id))

    queryset = AuditRecord.objects.order_by("seq")
    for entry in queryset.iterator(chunk_size=batch_size):
        if entry.seq < expected_seq:
            return broken(entry.seq, f"sequence number repeats (expected {expected_seq})", entry.pk)
        if entry.seq > expected_seq:
            reason = (
                f"records #{expected_seq}..#{entry.seq - 1} are missing (deleted)"
                if entry.seq - 1 > expected_seq
                else f"record #{expected_seq} is missing (deleted)"
            )
            return broken(expected_seq, reason)
        if entry.prev_hash != expected_prev:
            return broken(entry.seq, "does not link to the previous record", entry.pk)
        if compute_hash(record_fields(entry)) != entry.hash:
            return broken(entry.seq, "content does not match its hash (altered)", entry.pk)
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
        last_seq = entry.seq
        if head_at_start is not None and entry.seq == head_at_start.seq:
            hash_at_head = entry.hash
    if head_at_start is not None:
        if last_seq < head_at_start.seq:
            return broken(
                last_seq + 1,
                f"the chain head expects record #{head_at_start.seq}; records after "
                f"#{last_seq} are missing (deleted)",
            )
        if hash_at_head != head_at_start.last_hash:
            return broken(
                head_at_start.seq,
                "does not match the hash kept in the chain head (replaced)",
            )
    head_now = AuditHead.objects.filter(id=1).first()
    head_seq = head_now.seq if head_now is not None else 0
    if last_seq > head_seq:
        extra = f"#{head_seq + 1}" + (f"..#{last_seq}" if last_seq > head_seq + 1 else "")
        return broken(
            head_seq + 1,
            f"the chain head counts {head_seq} records; {extra} were not appended through "
            "the audit log (inserted)",
        )
    checkpoint_break = _verify_checkpoints()
    if checkpoint_break is not None:
        return VerifyResult(checked, last_seq, checkpoint_break)
    return VerifyResult(checked, last_seq, None)
