"""The 7-step lifecycle: open, dispatch, handle, report back, verify/close, rework, return,
extension and deferral, and the refusals (wrong department, wrong state) that change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from smartgov.core.errors import Conflict, InvalidInput, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.governance import clock, services
from smartgov.governance.models import (
    Case,
    CaseEvent,
    CaseRequest,
    CaseStatus,
    EventKind,
    RequestState,
)


def kinds(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


def test_full_lifecycle_from_report_to_close(gov, make_case):
    case = make_case()
    assert case.status == CaseStatus.REPORTED
    assert case.number.startswith("GZ") and len(case.number) == 15
    assert case.grid == gov.grid and case.district == gov.xihu
    case = services.open_case(actor=gov.dispatcher, case=case, comment="属实")
    assert case.status == CaseStatus.PENDING_DISPATCH
    case = services.dispatch_case(actor=gov.dispatcher, case=case, category="0101")
    assert case.status == CaseStatus.DISPATCHED
    assert case.department == gov.city_management  # the category's default department
    assert case.due_at == clock.add_working_time(case.dispatched_at, 4, "hours")
    case = services.accept_case(actor=gov.handler, case=case)
    assert case.handler == gov.handler
    services.add_progress(actor=gov.handler, case=case, comment="已派人前往")
    case = services.report_back(actor=gov.handler, case=case, reply="已补装井盖")
    assert case.status == CaseStatus.HANDLED and case.reply == "已补装井盖"
    assert case.handling_seconds is not None
    case = services.verify_case(actor=gov.inspector, case=case, passed=True, comment="现场已修复")
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert case.closed_on_time is True
    assert Case.objects.get(pk=case.pk).verified_by == gov.inspector
    assert kinds(case) == [
        EventKind.REPORTED,
        EventKind.OPENED,
        EventKind.DISPATCHED,
        EventKind.ACCEPTED,
        EventKind.PROGRESS,
        EventKind.HANDLED,
        EventKind.VERIFIED,
    ]
    events = CaseEvent.objects.filter(case=case)
    assert events.get(kind=EventKind.VERIFIED).actor == gov.inspector
    assert events.get(kind=EventKind.OPENED).comment == "属实"
    actions = set(
        AuditRecord.objects.filter(object_id=str(case.pk)).values_list("action", flat=True)
    )
    assert {
        "governance.case.report",
        "governance.case.dispatch",
        "governance.case.verify",
    } <= actions


def test_dispatch_uses_the_district_rule(gov, make_case):
    case = make_case(description="路灯不亮")
    case = services.dispatch_case(actor=gov.dispatcher, case=case, category="0102")
    assert case.department == gov.city_management  # the 西湖区 rule; no default department
    assert case.due_at == clock.add_working_time(case.dispatched_at, 2, "days")


def test_dispatch_without_a_department_is_refused_without_change(gov, make_case, org):
    case = make_case()
    case.district = gov.org["shangcheng"].region
    case.street = None
    case.save()
    with pytest.raises(InvalidInput) as info:
        services.dispatch_case(actor=gov.dispatcher, case=case, category="0102")
    assert info.value.code == "no_department"
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and case.department is None


def test_handler_of_another_department_is_refused_and_nothing_changes(gov, make_case):
    case = make_case(until="dispatched")
    before = kinds(case)
    for call in (
        lambda: services.report_back(actor=gov.other_handler, case=case, reply="办好了"),
        lambda: services.return_case(actor=gov.other_handler, case=case, reason="不归我们"),
        lambda: services.add_progress(actor=gov.other_handler, case=case, comment="处理中"),
        lambda: services.request_extension(
            actor=gov.other_handler, case=case, amount=2, reason="需要时间"
        ),
    ):
        with pytest.raises(PermissionDeniedError) as info:
            call()
        assert info.value.code == "case_not_assigned"
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.department == gov.city_management
    assert kinds(case) == before


def test_roles_without_the_permission_are_refused(gov, make_case):
    case = make_case()
    with pytest.raises(PermissionDeniedError) as info:
        services.dispatch_case(actor=gov.handler, case=case, category="0101")
    assert info.value.code == "permission_denied"
    with pytest.raises(PermissionDeniedError):
        services.cancel_case(actor=gov.agent, case=case, reason="无效")
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED


def test_transition_not_allowed_from_the_current_state(gov, make_case):
    case = make_case(until="handled")
    with pytest.raises(Conflict) as info:
        services.report_back(actor=gov.handler, case=case, reply="再报一次")
    assert info.value.code == "invalid_transition"
    case = make_case(until="closed", description="另一处井盖缺失")
    with pytest.raises(Conflict) as info:
        services.dispatch_case(actor=gov.dispatcher, case=case, category="0101")
    assert info.value.code == "invalid_transition"
    assert info.value.detail == {"status": "closed", "action": "dispatch"}
    with pytest.raises(Conflict):
        services.verify_case(actor=gov.inspector, case=case, passed=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_rework_when_verification_fails(gov, make_case):
    case = make_case(until="handled")
    with pytest.raises(InvalidInput) as info:
        services.verify_case(actor=gov.inspector, case=case, passed=False)
    assert info.value.code == "comment_required"
    case = services.verify_case(actor=gov.inspector, case=case, passed=False, comment="井盖未固定")
    assert case.status == CaseStatus.DISPATCHED and case.rework_count == 1
    assert case.handled_at is None
    case = services.report_back(actor=gov.handler, case=case, reply="已固定")
    case = services.verify_case(actor=gov.inspector, case=case, passed=True)
    assert case.status == CaseStatus.CLOSED
    assert EventKind.REWORK in kinds(case)


def test_return_to_the_dispatcher_and_redispatch_marks_the_correction(gov, make_case):
    gov.suggest.set("0101", 0.5)  # below the threshold: waits in the queue
    case, _ = services.report_case(
        actor=gov.agent,
        channel="hotline",
        description="小区门口餐馆卫生差",
        reporter_phone="13900002222",
        lon=120.13,
        lat=30.28,
    )
    assert case.status == CaseStatus.REPORTED and case.suggestions[0]["code"] == "0101"
    case = services.dispatch_case(actor=gov.dispatcher, case=case)  # takes the suggestion
    assert case.category == gov.manhole
    case = services.return_case(actor=gov.handler, case=case, reason="不属于城管，属于食品安全")
    assert case.status == CaseStatus.PENDING_DISPATCH and case.department is None
    assert case.due_at is None and case.return_count == 1
    case = services.dispatch_case(actor=gov.dispatcher, case=case, category="2001")
    assert case.department == gov.market and case.dispatch_count == 2
    correction = CaseEvent.objects.filter(case=case, kind=EventKind.CLASSIFIED).last()
    assert correction.data["corrected"] is True
    assert correction.data["from"] == "0101" and correction.data["to"] == "2001"
    # A dispatched case can be re-dispatched to another department directly.
    case = services.dispatch_case(
        actor=gov.dispatcher, case=case, department=gov.city_management, category="0101"
    )
    assert case.department == gov.city_management
    assert EventKind.REDISPATCHED in kinds(case)


def test_cancel_as_invalid(gov, make_case):
    case = make_case()
    with pytest.raises(InvalidInput) as info:
        services.cancel_case(actor=gov.dispatcher, case=case, reason="  ")
    assert info.value.code == "reason_required"
    case = services.cancel_case(actor=gov.dispatcher, case=case, reason="骚扰电话")
    assert case.status == CaseStatus.CANCELLED


def test_extension_pauses_the_clock_and_moves_the_deadline(gov, make_case):
    case = make_case(until="dispatched")
    due = case.due_at
    request = services.request_extension(
        actor=gov.handler, case=case, amount=3, reason="需采购配件"
    )
    case.refresh_from_db()
    assert case.paused_at is not None and request.unit == "hours"
    with pytest.raises(Conflict) as info:
        services.request_extension(actor=gov.handler, case=case, amount=1, reason="再延")
    assert info.value.code == "request_pending"
    with pytest.raises(PermissionDeniedError):
        services.decide_request(actor=gov.handler, request=request, approve=True)
    request = services.decide_request(actor=gov.dispatcher, request=request, approve=True)
    assert request.state == RequestState.APPROVED
    case.refresh_from_db()
    assert case.paused_at is None and case.extension_count == 1
    assert case.due_at >= clock.add_working_time(due, 3, "hours")
    with pytest.raises(Conflict) as info:
        services.decide_request(actor=gov.dispatcher, request=request, approve=False, comment="x")
    assert info.value.code == "request_decided"
    assert EventKind.EXTENSION_APPROVED in kinds(case)


def test_extension_bad_amount_and_rejection(gov, make_case):
    case = make_case(until="dispatched")
    for amount in (0, -1, 10_000, "2"):
        with pytest.raises(InvalidInput) as info:
            services.request_extension(actor=gov.handler, case=case, amount=amount, reason="r")
        assert info.value.code == "extension_amount"
    request = services.request_extension(actor=gov.handler, case=case, amount=2, reason="r")
    with pytest.raises(InvalidInput):
        services.decide_request(actor=gov.dispatcher, request=request, approve=False)
    services.decide_request(
        actor=gov.dispatcher, request=request, approve=False, comment="不予延期"
    )
    case.refresh_from_db()
    assert case.paused_at is None and case.extension_count == 0
    assert EventKind.EXTENSION_REJECTED in kinds(case)


def test_deferral_stops_the_clock_until_its_date(gov, make_case):
    case = make_case(until="dispatched")
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as info:
        services.request_deferral(actor=gov.handler, case=case, until=today, reason="r")
    assert info.value.code == "deferral_date"
    request = services.request_deferral(
        actor=gov.handler, case=case, until=today + timedelta(days=10), reason="需财政资金"
    )
    services.decide_request(actor=gov.dispatcher, request=request, approve=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.DEFERRED and case.paused_at is not None
    # Nothing happens before the date; on it, the sweep resumes the case.
    assert services.check_deadlines()["resumed"] == 0
    later = timezone.now() + timedelta(days=11)
    result = services.check_deadlines(now=later)
    assert result["resumed"] == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.paused_at is None
    assert case.paused_seconds > 0
    assert EventKind.RESUMED in kinds(case)


def test_report_back_closes_a_pending_request(gov, make_case):
    case = make_case(until="dispatched")
    services.request_extension(actor=gov.handler, case=case, amount=2, reason="r")
    services.report_back(actor=gov.handler, case=case, reply="提前办好")
    assert CaseRequest.objects.get(case=case).state == RequestState.REJECTED
    assert Case.objects.get(pk=case.pk).paused_at is None


def test_supervision_note(gov, make_case):
    case = make_case(until="dispatched")
    event = services.supervise_case(actor=gov.dispatcher, case=case, comment="请加快处理")
    assert event.kind == EventKind.SUPERVISED
    with pytest.raises(PermissionDeniedError):
        services.supervise_case(actor=gov.handler, case=case, comment="x")
