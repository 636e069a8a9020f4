"""Merging duplicates, the reporter's rating and reopening, the hotline revisit, and the
deadline sweep's warnings and escalations."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartgov.core.errors import Conflict, InvalidInput, PermissionDeniedError
from smartgov.governance import services
from smartgov.governance.models import (
    Case,
    CaseEvent,
    CaseFeedback,
    CaseStatus,
    EventKind,
    WarningLevel,
)
from tests.governance.conftest import CALLER_PHONE

SH = ZoneInfo("Asia/Shanghai")


def events(case, kind):
    return CaseEvent.objects.filter(case=case, kind=kind)


def test_merge_duplicates_and_inform_their_reporters_on_close(gov, make_case):
    main = make_case(until="dispatched")
    dup1 = make_case(description="文三路井盖没了", reporter_phone="13900004444")
    dup2 = make_case(description="井盖丢失有人摔倒", reporter_phone="13900005555")
    main = services.merge_cases(actor=gov.dispatcher, main=main, duplicates=[dup1, dup2.pk])
    dup1.refresh_from_db()
    assert dup1.status == CaseStatus.MERGED and dup1.main_case == main
    assert dup1.due_at is None
    assert events(main, EventKind.MERGED).get().data["duplicates"] == [dup1.pk, dup2.pk]
    services.report_back(actor=gov.handler, case=main, reply="井盖已补装")
    services.verify_case(actor=gov.inspector, case=main, passed=True)
    for dup in (dup1, dup2):
        notified = events(dup, EventKind.NOTIFIED).get()
        assert notified.data["main_number"] == main.number
        assert Case.objects.get(pk=dup.pk).reply == "井盖已补装"


def test_merge_refusals(gov, make_case):
    main = make_case(until="closed")
    dup = make_case(description="另一个")
    with pytest.raises(Conflict) as info:
        services.merge_cases(actor=gov.dispatcher, main=main, duplicates=[dup])
    assert info.value.code == "invalid_transition"
    other = make_case(description="第三个")
    with pytest.raises(InvalidInput) as info:
        services.merge_cases(actor=gov.dispatcher, main=other, duplicates=[other])
    assert info.value.code == "merge_into_itself"
    with pytest.raises(PermissionDeniedError):
        services.merge_cases(actor=gov.handler, main=other, duplicates=[dup])
    assert Case.objects.get(pk=dup.pk).status == CaseStatus.REPORTED


def test_rating_only_by_the_reporter_and_once_per_closing(gov, citizen):
    case, _ = services.report_case(
        actor=citizen,
        channel="portal",
        description="路灯坏了",
        category_code="0101",
        auto_process=False,
        lon=120.13,
        lat=30.28,
    )
    case = services.dispatch_case(actor=gov.dispatcher, case=case, category="0101")
    case = services.report_back(actor=gov.handler, case=case, reply="已修好")
    with pytest.raises(Conflict):  # not closed yet
        services.rate_case(actor=citizen, case=case, level=5)
    case = services.verify_case(actor=gov.inspector, case=case, passed=True)
    with pytest.raises(PermissionDeniedError) as info:
        services.rate_case(actor=gov.agent, case=case, level=1)
    assert info.value.code == "not_reporter"
    for level in (0, 6, "5", True):
        with pytest.raises(InvalidInput):
            services.rate_case(actor=citizen, case=case, level=level)
    case = services.rate_case(actor=citizen, case=case, level=4, comment="满意")
    assert case.rating == 4 and case.satisfied is True
    with pytest.raises(Conflict) as info:
        services.rate_case(actor=citizen, case=case, level=5)
    assert info.value.code == "already_rated"
    assert CaseFeedback.objects.filter(case=case).count() == 1


def test_rating_by_number_and_phone(gov, make_case):
    case = make_case(until="closed")
    with pytest.raises(PermissionDeniedError):
        services.rate_case(actor=None, case=case, level=2, phone="13900009999")
    case = services.rate_case(actor=None, case=case, level=2, phone=CALLER_PHONE)
    assert case.rating == 2 and case.satisfied is False


def test_reopen_within_the_window_at_most_twice(gov, make_case):
    case = make_case(until="closed")
    with pytest.raises(PermissionDeniedError):
        services.reopen_case(actor=gov.other_handler, case=case, reason="没修好")
    case = services.reopen_case(actor=None, case=case, reason="没修好", phone=CALLER_PHONE)
    assert case.status == CaseStatus.PENDING_DISPATCH and case.reopen_count == 1
    assert case.closed_at is None and case.due_at is None
    for _ in range(1):
        case = services.dispatch_case(actor=gov.dispatcher, case=case)
        case = services.report_back(actor=gov.handler, case=case, reply="再修")
        case = services.verify_case(actor=gov.inspector, case=case, passed=True)
        case = services.reopen_case(actor=None, case=case, reason="还是坏", phone=CALLER_PHONE)
    case = services.dispatch_case(actor=gov.dispatcher, case=case)
    case = services.report_back(actor=gov.handler, case=case, reply="彻底修好")
    case = services.verify_case(actor=gov.inspector, case=case, passed=True)
    with pytest.raises(Conflict) as info:
        services.reopen_case(actor=None, case=case, reason="again", phone=CALLER_PHONE)
    assert info.value.code == "reopen_limit"


def test_reopen_window_passed(gov, make_case):
    case = make_case(until="closed")
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=8))
    with pytest.raises(Conflict) as info:
        services.reopen_case(actor=None, case=case, reason="没修好", phone=CALLER_PHONE)
    assert info.value.code == "reopen_window_passed"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_hotline_revisit_records_satisfaction(gov, make_case):
    case = make_case(until="closed")
    with pytest.raises(PermissionDeniedError):
        services.record_revisit(actor=gov.handler, case=case, level=5)
    case = services.record_revisit(
        actor=gov.agent, case=case, level=None, reached=False, comment="无人接听"
    )
    assert case.satisfied is None
    case = services.record_revisit(actor=gov.agent, case=case, level=5)
    assert case.satisfied is True
    with pytest.raises(Conflict) as info:
        services.record_revisit(actor=gov.agent, case=case, level=1)
    assert info.value.code == "already_revisited"


def at(*args):
    return datetime(*args, tzinfo=SH)


def test_check_deadlines_warns_then_escalates_idempotently(gov, make_case):
    case = make_case(until="dispatched")
    # Dispatched Tuesday 4 March 2025 09:00 with four working hours: due 14:30.
    Case.objects.filter(pk=case.pk).update(
        dispatched_at=at(2025, 3, 4, 9, 0), due_at=at(2025, 3, 4, 14, 30)
    )
    assert services.check_deadlines(now=at(2025, 3, 4, 10, 0))["yellow"] == 0
    result = services.check_deadlines(now=at(2025, 3, 4, 13, 50))  # 40 of 240 minutes left
    assert result["yellow"] == 1
    assert Case.objects.get(pk=case.pk).warning == WarningLevel.YELLOW
    assert services.check_deadlines(now=at(2025, 3, 4, 13, 55))["yellow"] == 0
    result = services.check_deadlines(now=at(2025, 3, 4, 15, 0))
    assert result["red"] == 1 and result["escalated_head"] == 1
    case.refresh_from_db()
    assert case.warning == WarningLevel.RED and case.escalation_level == 1
    # Overdue by the whole limit again (four working hours) → the district.
    result = services.check_deadlines(now=at(2025, 3, 5, 14, 0))
    assert result["escalated_district"] == 1
    escalation = events(case, EventKind.ESCALATED).last()
    assert escalation.data["to"] == "district"
    assert escalation.department == gov.org["xihu"]
    again = services.check_deadlines(now=at(2025, 3, 6, 14, 0))
    assert again["red"] == again["escalated_head"] == again["escalated_district"] == 0
    assert events(case, EventKind.WARNED).count() == 2
    assert events(case, EventKind.ESCALATED).count() == 2


def test_paused_cases_are_not_warned(gov, make_case):
    case = make_case(until="dispatched")
    services.request_extension(actor=gov.handler, case=case, amount=2, reason="等待配件")
    result = services.check_deadlines(now=timezone.now() + timedelta(days=30))
    assert result["red"] == 0
    assert Case.objects.get(pk=case.pk).warning == WarningLevel.NONE


def test_deadlines_command(gov, make_case, capsys):
    case = make_case(until="dispatched")
    Case.objects.filter(pk=case.pk).update(
        dispatched_at=at(2025, 3, 4, 9, 0), due_at=at(2025, 3, 4, 14, 30)
    )
    call_command("governance", "deadlines", "--now", "2025-03-04T15:00+08:00")
    out = capsys.readouterr().out
    assert "red" in out
    assert Case.objects.get(pk=case.pk).warning == WarningLevel.RED


def test_deadlines_command_refuses_a_bad_moment(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="time zone"):
        call_command("governance", "deadlines", "--now", "2025-03-04T15:00")
    with pytest.raises(CommandError, match="not a date"):
        call_command("governance", "deadlines", "--now", "yesterday")
