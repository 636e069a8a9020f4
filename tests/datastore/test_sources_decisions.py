"""Deciding source conflicts (一数一源): the state machine, its events and audit, the
workbench to-dos of the holder, the source and the data bureau, visibility, the command."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.core.workcalendar import add_working_days
from smartgov.datastore import selectors, sources
from smartgov.datastore import sources_inbox as inbox
from smartgov.datastore.models import ConflictStatus, SourceConflict, SourceScan
from tests.datastore import sources_fixtures
from tests.datastore.conftest import citizen_id
from tests.datastore.sources_fixtures import insured, push

element = sources_fixtures.element
holder = sources_fixtures.holder
insurance = sources_fixtures.insurance
loaded = sources_fixtures.loaded


@pytest.fixture
def mismatch(loaded):
    return SourceConflict.objects.get(key_value=citizen_id(2))


def test_notify_holder_then_the_holders_correction_resolves_it(
    mismatch, data_admin, other_officer, officer, insurance, django_capture_on_commit_callbacks
):
    sources.notify_holder(actor=data_admin, conflict_id=mismatch.pk, comment="以户籍为准")
    mismatch.refresh_from_db()
    assert (mismatch.status, mismatch.resolver, mismatch.resolution_note) == (
        ConflictStatus.HOLDER_NOTIFIED,
        data_admin,
        "以户籍为准",
    )
    record = AuditRecord.objects.get(action="datastore.conflict.notify_holder")
    assert record.before["status"] == "open" and record.after["status"] == "holder_notified"

    # The holder's officer has a to-do with a deadline; the source's officer has none.
    [item] = inbox.pending_for(other_officer)
    assert "社会保险参保信息" in item.title and "1" in item.title
    assert item.deadline == add_working_days(mismatch.status_changed_at, 5)
    assert f"holder_id={mismatch.holder_id}" in item.link
    assert inbox.pending_for(officer) == []

    with django_capture_on_commit_callbacks(execute=True):
        push(insurance, other_officer, [insured(1), insured(2), insured(3), insured(9)])
    mismatch.refresh_from_db()
    assert mismatch.status == ConflictStatus.RESOLVED
    assert list(mismatch.events.values_list("action", "actor")) == [
        ("detect", None),
        ("notify_holder", data_admin.pk),
        ("resolve", None),
    ]
    assert inbox.pending_for(other_officer) == []


def test_report_a_source_error_goes_to_the_sources_inbox(mismatch, data_admin, officer):
    sources.report_source_error(actor=data_admin, conflict_id=mismatch.pk)
    [item] = inbox.pending_for(officer)
    assert item.kind == "sources_source_error" and "户籍人口" in item.title
    # From there the data bureau may still ask the holder instead.
    sources.notify_holder(actor=data_admin, conflict_id=mismatch.pk)
    assert inbox.pending_for(officer) == []


def test_dismiss_needs_a_reason_and_can_be_reopened(mismatch, data_admin):
    with pytest.raises(InvalidInput) as refused:
        sources.dismiss_conflict(actor=data_admin, conflict_id=mismatch.pk, reason=" ")
    assert refused.value.code == "reason_required"
    sources.dismiss_conflict(actor=data_admin, conflict_id=mismatch.pk, reason="曾用名")
    with pytest.raises(Conflict) as refused:
        sources.notify_holder(actor=data_admin, conflict_id=mismatch.pk)
    assert refused.value.code == "invalid_transition"
    sources.reopen_conflict(actor=data_admin, conflict_id=mismatch.pk, comment="再核")
    mismatch.refresh_from_db()
    assert mismatch.status == ConflictStatus.OPEN
    assert list(mismatch.events.values_list("action", flat=True)) == [
        "detect",
        "dismiss",
        "reopen",
    ]


def test_only_the_data_bureau_decides_and_nothing_changes(mismatch, other_officer, officer):
    for actor in (other_officer, officer):
        with pytest.raises(PermissionDeniedError):
            sources.dismiss_conflict(actor=actor, conflict_id=mismatch.pk, reason="我方正确")
    mismatch.refresh_from_db()
    assert mismatch.status == ConflictStatus.OPEN and mismatch.events.count() == 1
    assert not AuditRecord.objects.filter(action__startswith="datastore.conflict").exists()


def test_officers_see_the_conflicts_of_their_side_and_comment(
    mismatch, other_officer, officer, org, data_admin
):
    from smartgov.catalog.permissions import DATA_OFFICER
    from tests.conftest import make_staff

    stranger = make_staff("binjiang", org["xihu"], DATA_OFFICER, "department")
    assert set(selectors.visible_conflicts(other_officer)) == set(SourceConflict.objects.all())
    assert set(selectors.visible_conflicts(officer)) == set(SourceConflict.objects.all())
    assert not selectors.visible_conflicts(stranger).exists()
    with pytest.raises(NotFound):
        sources.comment_conflict(actor=stranger, conflict_id=mismatch.pk, comment="?")
    event = sources.comment_conflict(
        actor=other_officer, conflict_id=mismatch.pk, comment="参保人自述已改名"
    )
    assert event.to_status == ConflictStatus.OPEN
    with pytest.raises(InvalidInput):
        sources.comment_conflict(actor=other_officer, conflict_id=mismatch.pk, comment="")


def test_search_filters(loaded, data_admin, org, holder):
    def keys(**filters):
        found = selectors.search_conflicts(data_admin, selectors.ConflictFilter(**filters))
        return sorted(c.key_value for c in found)

    assert keys(kind="missing_in_source") == [citizen_id(9)]
    assert keys(status="unresolved", element_id=loaded.pk) == [citizen_id(2), citizen_id(9)]
    assert keys(department_id=org["shangcheng"].pk) == [citizen_id(2), citizen_id(9)]
    assert keys(department_id=org["xihu"].pk) == []
    assert keys(key=citizen_id(2), holder_id=holder.pk) == [citizen_id(2)]
    with pytest.raises(InvalidInput) as refused:
        keys(status="lost")
    assert refused.value.code == "unknown_status"


def test_the_data_bureau_sees_open_conflicts_to_decide(loaded, data_admin):
    [item] = inbox.pending_for(data_admin)
    assert item.kind == "sources_decision" and "2" in item.title and item.deadline is None


def test_the_command_scans_one_or_every_element(loaded, capsys):
    call_command("sources", "scan", "--element", "citizen_name")
    assert "citizen_name: 1 holders compared" in capsys.readouterr().out
    call_command("sources", "scan")
    assert SourceScan.objects.filter(trigger="command").count() == 2
    with pytest.raises(CommandError):
        call_command("sources", "scan", "--element", "nope")
