"""Conflict detection (一数一源): scans after deliveries, re-scans, missing keys, limits."""

from __future__ import annotations

import pytest
from django.db import connection

from smartgov.catalog import elements
from smartgov.core.errors import PermissionDeniedError, SmartgovError
from smartgov.core.models import AuditRecord
from smartgov.datastore import sources
from smartgov.datastore.models import (
    ConflictEvent,
    ConflictKind,
    ConflictStatus,
    SourceConflict,
    SourceScan,
    StoreTable,
)
from tests.datastore import sources_fixtures
from tests.datastore.conftest import citizen_id, person
from tests.datastore.sources_fixtures import insured, push

element = sources_fixtures.element
holder = sources_fixtures.holder
insurance = sources_fixtures.insurance
loaded = sources_fixtures.loaded


def _conflicts(**filters):
    return {
        c.key_value: (c.kind, c.holder_value, c.authoritative_value, c.status)
        for c in SourceConflict.objects.filter(**filters)
    }


def test_deliveries_to_either_side_scan_and_record_both_values(loaded, holder):
    assert _conflicts() == {
        citizen_id(2): (ConflictKind.MISMATCH, "李二", "张2", ConflictStatus.OPEN),
        citizen_id(9): (ConflictKind.MISSING_IN_SOURCE, "张9", "", ConflictStatus.OPEN),
    }
    # The source's delivery found nothing (no holder rows yet); the holder's found two.
    scans = list(SourceScan.objects.order_by("id"))
    assert [(s.trigger, s.found, s.created) for s in scans] == [
        ("delivery", 0, 0),
        ("delivery", 2, 2),
    ]
    conflict = SourceConflict.objects.get(key_value=citizen_id(2))
    assert conflict.holder == holder and conflict.element == loaded
    assert list(conflict.events.values_list("action", flat=True)) == ["detect"]
    assert AuditRecord.objects.filter(action="datastore.sources.scan").count() == 2


def test_rescan_never_duplicates_and_closes_what_agrees_again(
    loaded, insurance, other_officer, django_capture_on_commit_callbacks
):
    first = SourceConflict.objects.get(key_value=citizen_id(2))
    scan = sources.scan_element(actor=None, element_id=loaded.pk, trigger="command")
    assert (scan.found, scan.created, scan.changed, scan.resolved) == (2, 0, 0, 0)
    assert SourceConflict.objects.count() == 2
    first.refresh_from_db()
    assert first.last_seen == scan.started_at and first.first_seen < scan.started_at

    # The holder corrects 李二 and gets 张4 wrong: one resolved by the data, one new.
    with django_capture_on_commit_callbacks(execute=True):
        push(
            insurance,
            other_officer,
            [insured(1), insured(2), insured(4, name="王四"), insured(9)],
        )
    assert _conflicts(status__in=["open"]) == {
        citizen_id(4): (ConflictKind.MISMATCH, "王四", "张4", ConflictStatus.OPEN),
        citizen_id(9): (ConflictKind.MISSING_IN_SOURCE, "张9", "", ConflictStatus.OPEN),
    }
    first.refresh_from_db()
    assert first.status == ConflictStatus.RESOLVED and first.resolver is None
    assert list(first.events.values_list("action", "to_status")) == [
        ("detect", "open"),
        ("resolve", "resolved"),
    ]
    # The same key differing again later is a new conflict; the resolved one stays as it was.
    with django_capture_on_commit_callbacks(execute=True):
        push(insurance, other_officer, [insured(2, name="李二")])
    assert SourceConflict.objects.filter(key_value=citizen_id(2)).count() == 2


def test_changed_values_update_the_conflict_and_reopen_a_dismissal(
    loaded, data_admin, population, officer, django_capture_on_commit_callbacks
):
    conflict = SourceConflict.objects.get(key_value=citizen_id(2))
    sources.dismiss_conflict(actor=data_admin, conflict_id=conflict.pk, reason="曾用名")
    sources.scan_element(actor=None, element_id=loaded.pk)
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.DISMISSED  # same values: the decision stands

    # The source changes its value: the dismissal was about other values.
    with django_capture_on_commit_callbacks(execute=True):
        push(population, officer, [person(n) for n in (1, 3, 4, 5)] + [person(2, name="张二")])
    conflict.refresh_from_db()
    assert (conflict.status, conflict.authoritative_value) == (ConflictStatus.OPEN, "张二")
    assert list(conflict.events.values_list("action", flat=True)) == [
        "detect",
        "dismiss",
        "reopen",
    ]
    # A key that appears in the source turns a missing key into a mismatch, in place.
    with django_capture_on_commit_callbacks(execute=True):
        push(population, officer, [person(9, name="赵九")], mode="upsert")
    missing = SourceConflict.objects.get(key_value=citizen_id(9))
    assert (missing.kind, missing.authoritative_value) == (ConflictKind.MISMATCH, "赵九")
    assert missing.events.last().action == "change"


def test_values_are_compared_trimmed(loaded, insurance):
    table = StoreTable.objects.get(resource=insurance).table_name
    with connection.cursor() as cursor:  # delivered data is trimmed already: write around it
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(table)} SET name = %s WHERE citizen_id = %s",
            [" 张1\u3000\t", citizen_id(1)],
        )
    scan = sources.scan_element(actor=None, element_id=loaded.pk)
    assert scan.found == 2 and citizen_id(1) not in _conflicts()


def test_missing_keys_are_not_reported_when_the_holder_says_so(loaded, holder, data_admin):
    elements.update_holder(actor=data_admin, holder_id=holder.pk, changes={"report_missing": False})
    scan = sources.scan_element(actor=None, element_id=loaded.pk)
    assert scan.resolved == 1
    assert _conflicts(status="open") == {
        citizen_id(2): (ConflictKind.MISMATCH, "李二", "张2", ConflictStatus.OPEN)
    }


def test_a_holder_repeating_a_key_gives_one_conflict(
    population, insurance, officer, other_officer, element
):
    push(population, officer, [person(1)])
    push(insurance, other_officer, [insured(1, "A1", name="李一"), insured(1, "A2", name="李一")])
    scan = sources.scan_element(actor=None, element_id=element.pk)
    conflict = SourceConflict.objects.get()
    assert scan.found == 1 and conflict.holder_rows == 2


def test_too_many_differences_are_capped_and_close_nothing(loaded, monkeypatch):
    monkeypatch.setattr(sources, "SCAN_LIMIT", 1)
    scan = sources.scan_element(actor=None, element_id=loaded.pk)
    assert scan.found == 1 and scan.resolved == 0
    assert scan.notes == [{"holder_id": loaded.holders.get().pk, "reason": "truncated"}]
    assert SourceConflict.objects.filter(status="open").count() == 2


def test_nothing_is_compared_before_the_source_has_data(
    population, insurance, other_officer, element
):
    push(insurance, other_officer, [insured(1)])
    scan = sources.scan_element(actor=None, element_id=element.pk)
    assert scan.notes == [{"holder_id": None, "reason": "source_empty"}]
    assert not SourceConflict.objects.exists()


def test_a_stale_holder_is_skipped_and_named(loaded, insurance, other_officer, data_admin):
    from smartgov.catalog import services as catalog

    catalog.withdraw_resource(actor=data_admin, resource_id=insurance.pk, reason="调整")
    fields = [f for f in insurance.fields.values() if f["name"] != "name"]
    catalog.set_fields(actor=other_officer, resource_id=insurance.pk, fields=fields)
    scan = sources.scan_element(actor=None, element_id=loaded.pk)
    assert scan.notes[0]["reason"] == "resource_withdrawn"
    assert SourceConflict.objects.filter(status="open").count() == 2  # left as they were


def test_a_failed_delivery_scans_nothing(
    insurance, other_officer, element, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SmartgovError):
        push(insurance, other_officer, [insured(1)], mode="bogus")
    assert not SourceScan.objects.exists()


def test_manual_scan_needs_the_data_bureau(loaded, other_officer):
    with pytest.raises(PermissionDeniedError):
        sources.scan_element(actor=other_officer, element_id=loaded.pk)
    assert SourceScan.objects.count() == 2


def test_events_keep_both_values(loaded):
    event = ConflictEvent.objects.get(conflict__key_value=citizen_id(2))
    assert (event.holder_value, event.authoritative_value) == ("李二", "张2")
