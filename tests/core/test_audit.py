"""The hash-chained audit log: chaining, transactions, tamper detection, append-only triggers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from smartgov.core import audit
from smartgov.core.context import audit_context
from smartgov.core.models import AuditHead, AuditRecord, CalendarDay

ROWS = 5


class _Actor:
    pk = 42
    username = "auditor_of_tests"


def _append(n: int = ROWS) -> list[AuditRecord]:
    return [
        audit.record(
            actor=_Actor(),
            action="test.change",
            object_type="test.thing",
            object_id=str(i),
            object_repr=f"第{i}号",
            before={"value": i - 1},
            after={"value": i, "名称": "西湖区"},
        )
        for i in range(1, n + 1)
    ]


def _drop_append_only_triggers() -> None:
    """Let a test play the attacker with direct table access (rolled back with the test)."""
    statements = {
        "sqlite": [
            "DROP TRIGGER core_auditrecord_no_update",
            "DROP TRIGGER core_auditrecord_no_delete",
        ],
        "postgresql": ["DROP TRIGGER core_auditrecord_append_only ON core_auditrecord"],
    }[connection.vendor]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _broken_seq() -> int | None:
    result = audit.verify_chain()
    return result.broken.seq if result.broken else None


# --- chaining ---------------------------------------------------------------------------------


def test_records_form_a_chain(db):
    entries = _append()
    stored = list(AuditRecord.objects.order_by("seq"))
    assert [e.seq for e in stored] == list(range(1, ROWS + 1))
    assert stored[0].prev_hash == audit.GENESIS_HASH
    for previous, entry in pairwise(stored):
        assert entry.prev_hash == previous.hash
    assert len({e.hash for e in stored}) == ROWS
    head = AuditHead.objects.get(id=1)
    assert (head.seq, head.last_hash) == (ROWS, entries[-1].hash)
    result = audit.verify_chain()
    assert result.ok
    assert (result.checked, result.last_seq) == (ROWS, ROWS)


def test_record_fields(db):
    with audit_context(request_id="req-1", source_ip="10.0.0.8", channel="api"):
        entry = audit.record(actor=_Actor(), action="test.change", after={"a": 1})
    entry.refresh_from_db()
    assert entry.actor_id == 42
    assert entry.actor_name == "auditor_of_tests"
    assert (entry.request_id, entry.source_ip, entry.channel) == ("req-1", "10.0.0.8", "api")
    system = audit.record(actor=None, action="test.system")
    assert (system.actor_id, system.actor_name) == (None, "system")


def test_record_of_a_model_instance(db):
    day = CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    entry = audit.record(actor=None, action="test.create", obj=day, after=audit.snapshot(day))
    assert entry.object_type == "core.calendarday"
    assert entry.object_id == str(day.pk)
    assert entry.after["date"] == "2027-01-01"
    assert entry.after["name"] == "元旦"
    assert audit.verify_chain().ok


def test_empty_log_verifies(db):
    result = audit.verify_chain()
    assert result.ok
    assert (result.checked, result.last_seq) == (0, 0)


def test_a_rolled_back_change_leaves_no_audit_record(db):
    _append(2)
    head_before = AuditHead.objects.values_list("seq", "last_hash").get(id=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        day = CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False)
        audit.record(actor=None, action="test.create", obj=day, after=audit.snapshot(day))
        assert AuditRecord.objects.count() == 3
        raise RuntimeError("the change fails after the audit record was written")
    assert not CalendarDay.objects.exists()
    assert AuditRecord.objects.count() == 2
    assert AuditHead.objects.values_list("seq", "last_hash").get(id=1) == head_before
    # The next record reuses the rolled-back sequence number and the chain stays intact.
    assert audit.record(actor=None, action="test.after").seq == 3
    assert audit.verify_chain().ok


def test_hash_is_stable_across_a_database_round_trip(db):
    shanghai = ZoneInfo("Asia/Shanghai")
    before = {
        "name": "杭州市西湖区人民政府",
        "amount": Decimal("12345.6700"),
        "at": datetime(2025, 10, 1, 8, 30, 15, 123456, tzinfo=shanghai),
        "on": date(2025, 10, 8),
        "nested": {"街道": ["北山街道", "西溪街道"], "depth": {"level": 3, "ok": True}},
        "empty": {},
        "none": None,
        "ratio": 0.25,
        "quote": 'say "你好"\n\t\\',
    }
    after = {**before, "amount": Decimal("-0.01"), "list": [1, "二", None, [3.5]]}
    entry = audit.record(actor=_Actor(), action="test.types", before=before, after=after)
    stored = AuditRecord.objects.get(pk=entry.pk)
    assert stored.hash == entry.hash
    assert audit.compute_hash(audit.record_fields(stored)) == stored.hash
    assert stored.before["amount"] == "12345.6700"
    assert stored.before["nested"]["街道"] == ["北山街道", "西溪街道"]
    assert stored.before["at"] == "2025-10-01T08:30:15.123456+08:00"
    assert audit.verify_chain().ok


@pytest.mark.parametrize(
    "number",
    [0.1, 1.0, 1e-7, 123456.789, 1e15 + 0.5, 1e16, 1e20, -1.5e300, -0.0, 2**70, -(2**63)],
)
def test_numbers_keep_their_hash_across_a_database_round_trip(db, number):
    entry = audit.record(actor=None, action="test.number", after={"n": number, "l": [number]})
    stored = AuditRecord.objects.get(pk=entry.pk)
    assert stored.after == entry.after
    assert stored.after["n"] == number
    assert audit.verify_chain().ok


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_are_stored_as_text(db, number):
    entry = audit.record(actor=None, action="test.number", after={"n": number})
    assert isinstance(AuditRecord.objects.get(pk=entry.pk).after["n"], str)
    assert audit.verify_chain().ok


def test_created_at_keeps_microseconds_and_utc(db):
    entry = audit.record(actor=None, action="test.time")
    stored = AuditRecord.objects.get(pk=entry.pk)
    assert stored.created_at == entry.created_at
    assert stored.created_at.utcoffset().total_seconds() == 0
    assert audit.compute_hash(audit.record_fields(stored)) == stored.hash


def test_a_different_time_changes_the_hash(db):
    entry = audit.record(actor=None, action="test.time")
    fields = audit.record_fields(AuditRecord.objects.get(pk=entry.pk))
    fields["created_at"] = datetime(2025, 1, 1, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert audit.compute_hash(fields) != entry.hash


# --- the append-only triggers -----------------------------------------------------------------


def test_orm_update_of_an_audit_record_is_refused(db):
    _append(3)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(seq=2).update(action="forged")
    assert AuditRecord.objects.get(seq=2).action == "test.change"


def test_saving_a_changed_audit_record_is_refused(db):
    entry = _append(1)[0]
    entry.after = {"value": "forged"}
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    assert AuditRecord.objects.get(seq=1).after["value"] == 1


def test_orm_delete_of_audit_records_is_refused(db):
    _append(3)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(seq=3).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.get(seq=1).delete()
    assert AuditRecord.objects.count() == 3
    assert audit.verify_chain().ok


def test_raw_sql_update_is_refused(db):
    _append(2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditrecord SET action = 'forged'")
    assert set(AuditRecord.objects.values_list("action", flat=True)) == {"test.change"}


# --- tamper detection -------------------------------------------------------------------------


def test_altered_after_json_in_a_middle_record_is_detected(db):
    _append()
    _drop_append_only_triggers()
    AuditRecord.objects.filter(seq=3).update(after={"value": 3, "名称": "上城区"})
    result = audit.verify_chain()
    assert not result.ok
    assert result.broken.seq == 3
    assert "altered" in result.broken.reason
    assert result.broken.record_id == AuditRecord.objects.get(seq=3).pk
    assert (result.checked, result.last_seq) == (2, 2)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("actor_name", "someone_else"),
        ("actor_id", 7),
        ("action", "test.other"),
        ("object_id", "99"),
        ("before", None),
        ("source_ip", "1.2.3.4"),
        ("created_at", datetime(2020, 1, 1, tzinfo=UTC)),
    ],
)
def test_any_altered_field_is_detected(db, field, value):
    _append()
    _drop_append_only_triggers()
    AuditRecord.objects.filter(seq=2).update(**{field: value})
    assert _broken_seq() == 2


def test_a_rehashed_altered_record_breaks_the_next_link(db):
    _append()
    _drop_append_only_triggers()
    forged = AuditRecord.objects.get(seq=3)
    forged.after = {"value": "forged"}
    forged.hash = audit.compute_hash(audit.record_fields(forged))
    forged.save()
    result = audit.verify_chain()
    assert result.broken.seq == 4
    assert "link" in result.broken.reason


def test_a_deleted_middle_record_is_detected(db):
    _append()
    _drop_append_only_triggers()
    AuditRecord.objects.filter(seq=3).delete()
    result = audit.verify_chain()
    assert result.broken.seq == 3
    assert "missing" in result.broken.reason
    assert result.checked == 2


def test_deleted_consecutive_records_are_named_from_the_first(db):
    _append()
    _drop_append_only_triggers()
    AuditRecord.objects.filter(seq__in=[2, 3]).delete()
    result = audit.verify_chain()
    assert result.broken.seq == 2
    assert "#2..#3" in result.broken.reason


def test_a_deleted_first_record_is_detected(db):
    _append()
    _drop_append_only_triggers()
    AuditRecord.objects.filter(seq=1).delete()
    assert _broken_seq() == 1


def test_a_forged_record_appended_without_the_head_is_detected(db):
    """Linked and correctly hashed, yet caught: every genuine append moves the chain head."""
    entries = _append()
    _drop_append_only_triggers()
    fields = audit.record_fields(entries[-1])
    fields.update(
        seq=ROWS + 1, action="test.forged", after={"value": "forged"}, prev_hash=entries[-1].hash
    )
    AuditRecord.objects.create(
        **{**fields, "created_at": datetime.now(UTC)},
        hash="",
    )
    forged = AuditRecord.objects.get(seq=ROWS + 1)
    AuditRecord.objects.filter(pk=forged.pk).update(
        hash=audit.compute_hash(audit.record_fields(forged))
    )
    result = audit.verify_chain()
    assert not result.ok
    assert result.broken.seq == ROWS + 1
    assert "inserted" in result.broken.reason


def test_a_forged_record_that_does_not_link_is_detected(db):
    _append()
    AuditRecord.objects.create(
        seq=ROWS + 1,
        created_at=datetime.now(UTC),
        action="test.forged",
        prev_hash="f" * 64,
        hash="e" * 64,
    )
    assert _broken_seq() == ROWS + 1


def test_a_forged_record_in_a_gap_is_detected(db):
    _append()
    _drop_append_only_triggers()
    original = AuditRecord.objects.get(seq=3)
    AuditRecord.objects.filter(seq=3).delete()
    fields = audit.record_fields(original)
    fields["after"] = {"value": "forged"}
    AuditRecord.objects.create(
        **{**fields, "created_at": original.created_at},
        hash=audit.compute_hash(fields),
    )
    result = audit.verify_chain()
    assert result.broken.seq == 4
    assert "link" in result.broken.reason


def test_a_deleted_last_record_is_detected_through_the_head(db):
    _append()
    _drop_append_only_triggers()
    AuditRecord.objects.filter(seq=ROWS).delete()
    result = audit.verify_chain()
    assert not result.ok
    assert result.broken.seq == ROWS
    assert "missing" in result.broken.reason
    assert result.checked == ROWS - 1


def test_a_replaced_last_record_is_detected_through_the_head(db):
    entries = _append()
    _drop_append_only_triggers()
    AuditRecord.objects.filter(seq=ROWS).delete()
    fields = audit.record_fields(entries[-1])
    fields["after"] = {"value": "forged"}
    AuditRecord.objects.create(
        **{**fields, "created_at": entries[-1].created_at}, hash=audit.compute_hash(fields)
    )
    assert _broken_seq() == ROWS


# --- the command ------------------------------------------------------------------------------


def test_audit_verify_command_reports_an_intact_chain(db, capsys):
    _append()
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "intact" in out
    assert f"{ROWS} records" in out
    assert f"#{ROWS}" in out


def test_audit_verify_command_fails_naming_the_broken_record(db):
    _append()
    _drop_append_only_triggers()
    AuditRecord.objects.filter(seq=4).update(actor_name="someone_else")
    with pytest.raises(CommandError, match=r"BROKEN at record #4\b") as caught:
        call_command("audit", "verify")
    assert "altered" in str(caught.value)


def test_audit_verify_command_names_a_deleted_record(db):
    _append()
    _drop_append_only_triggers()
    AuditRecord.objects.filter(seq=2).delete()
    with pytest.raises(CommandError, match=r"record #2\b"):
        call_command("audit", "verify")
