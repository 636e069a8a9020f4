"""Intake's cost and its per-process cache: the statements of one automatic dispatch, the case
written once with its final state, and the cache seeing changes to the rules, categories and
grids (through the ORM at once, from elsewhere by its fingerprint or its maximum age)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartgov.core.audit import verify_chain
from smartgov.core.models import AuditRecord, Department, DepartmentKind
from smartgov.governance import config_cache, intake
from smartgov.governance.models import Case, CaseEvent, CaseStatus, DispatchRule, EventKind, Grid
from tests.governance.conftest import INSIDE
from tests.governance.test_intake import hotline


def test_an_automatic_dispatch_takes_a_dozen_statements_and_one_insert_of_the_case(gov):
    gov.suggest.set("0101", 0.95)
    hotline(gov, reporter_phone="13900002222", description="预热")  # warm the cache
    with CaptureQueriesContext(connection) as captured:
        case, created = hotline(gov)
    sql = [q["sql"] for q in captured.captured_queries]
    assert created and case.status == CaseStatus.DISPATCHED and case.auto_dispatched
    case_table = Case._meta.db_table
    assert sum(1 for s in sql if s.startswith(f'INSERT INTO "{case_table}"')) == 1
    assert not any(s.startswith(f'UPDATE "{case_table}"') for s in sql)
    event_inserts = [s for s in sql if s.startswith(f'INSERT INTO "{CaseEvent._meta.db_table}"')]
    assert len(event_inserts) == 1  # four events, one statement
    assert len(sql) <= 13, sql
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.department, stored.due_at) == (
        CaseStatus.DISPATCHED,
        gov.city_management,
        case.due_at,
    )
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        EventKind.REPORTED,
        EventKind.CLASSIFIED,
        EventKind.OPENED,
        EventKind.DISPATCHED,
    ]
    audit = AuditRecord.objects.filter(object_id=str(case.pk), action="governance.case.report")
    assert audit.get().after["status"] == CaseStatus.DISPATCHED
    assert verify_chain().ok


def test_a_rule_saved_through_the_orm_applies_to_the_next_intake(gov, settings):
    settings.GOVERNANCE_CACHE_SECONDS = 3600  # only the save's signal can drop the cache
    gov.suggest.set("0102", 0.95)  # streetlights: the 西湖区 rule → 城管局
    first, _ = hotline(gov, description="路灯不亮一")
    assert first.department == gov.city_management
    rule = DispatchRule.objects.get(category=gov.streetlight, region=gov.xihu)
    rule.department = gov.market
    rule.save()
    second, _ = hotline(gov, description="路灯不亮二")
    assert second.department == gov.market


def test_rows_changed_without_signals_are_seen_by_the_fingerprint(gov):
    gov.suggest.set("0102", 0.95)
    first, _ = hotline(gov, description="路灯不亮一")
    assert first.department == gov.city_management  # the 西湖区 rule
    DispatchRule.objects.bulk_create(  # no post_save: a new row count in the fingerprint
        [DispatchRule(category=gov.streetlight, region=gov.street, department=gov.market)]
    )
    second, _ = hotline(gov, description="路灯不亮二")
    assert second.department == gov.market  # the street's rule wins over the district's


def test_an_edit_in_place_from_elsewhere_is_seen_after_the_maximum_age(gov, settings):
    gov.suggest.set("0102", 0.95)
    hotline(gov, description="路灯不亮一")
    other = Department.objects.create(
        name="西湖区路灯管理所", kind=DepartmentKind.BUREAU, region=gov.xihu, parent=gov.org["xihu"]
    )
    config_cache.cache.rules()  # the department's save dropped the cache: the rules again
    # An update() changes neither a count nor updated_at, and sends no signal.
    DispatchRule.objects.filter(category=gov.streetlight).update(department=other)
    second, _ = hotline(gov, description="路灯不亮二")
    assert second.department == gov.city_management  # still the cached rule
    settings.GOVERNANCE_CACHE_MAX_AGE = 0
    third, _ = hotline(gov, description="路灯不亮三")
    assert third.department == other


def test_a_deactivated_grid_no_longer_places_reports(gov):
    case, _ = hotline(gov, description="井盖缺失一")
    assert case.grid == gov.grid
    Grid.objects.filter(pk=gov.grid.pk).update(active=False)  # no signal, no new count
    config_cache.cache.clear()  # what the maximum age does
    case, _ = hotline(gov, description="井盖缺失二")
    assert case.grid is None and case.district == gov.xihu  # from the address only


def test_grid_index_finds_boxes_and_centres_across_cells(gov):
    index = config_cache.GridIndex([gov.grid])
    assert index.containing_box(*INSIDE) == [gov.grid]
    assert index.containing_box(120.2, 30.28) == []
    assert index.centred_in(120.125, 30.275, 120.135, 30.285) == [gov.grid]
    assert index.centred_in(120.2, 30.2, 120.3, 30.3) == []


def test_bad_input_is_refused_before_anything_is_written(gov):
    gov.suggest.set("0101", 0.95)
    before = (Case.objects.count(), CaseEvent.objects.count(), AuditRecord.objects.count())
    with pytest.raises(intake.InvalidInput):
        hotline(gov, category_code="9999")
    assert (Case.objects.count(), CaseEvent.objects.count(), AuditRecord.objects.count()) == before
