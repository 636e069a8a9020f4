"""Time limits in approval: suspension and extension decided by a supervisor, the due-date
arithmetic over weekends, yellow / red warnings (idempotent), the deadlines command."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartgov.accounts.services import grant_initial_role
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.services import applications as apps
from smartgov.services import approval
from smartgov.services.application_models import Application, ApplicationStatus
from smartgov.services.approval_selectors import clock, supervision
from smartgov.services.permissions import APPROVER, SERVICE_SUPERVISOR
from smartgov.services.workflow_models import TaskStatus, TimeRequestStatus
from tests.conftest import make_staff
from tests.services.approval_fixtures import *  # noqa: F403 (fixtures)
from tests.services.approval_fixtures import accepted, tasks_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2025, 3, 7, 10, 0, tzinfo=SHANGHAI)  # working days: Mar 10-14, 17-21


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 3, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def moment(monkeypatch):
    """Set the platform's clock (django.utils.timezone.now) to a moment."""

    def set_to(value: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: value)

    return set_to


@pytest.fixture
def in_approval(citizen, make_published, desk, moment):
    """Accepted on Friday 7 March 2025: promised 5 → due Fri 14 March; review (3) → Wed 12."""
    moment(FRIDAY)
    item = make_published()
    application = accepted(citizen, item, desk)
    assert application.due_date == date(2025, 3, 14)
    review = tasks_of(application)[1]
    assert review.due_date == date(2025, 3, 12)
    return application


def fresh(application) -> Application:
    return Application.objects.select_related("item").get(pk=application.pk)


def test_suspension_over_a_weekend_moves_the_due_dates(
    in_approval,
    approver,
    supervisor,
    moment,
):
    number = in_approval.number
    review = tasks_of(in_approval)[1]
    request = approval.request_time(
        actor=approver, number=number, kind="suspend", days=2, reason="需专家评审"
    )
    assert request.status == TimeRequestStatus.PENDING and request.task == review
    assert fresh(in_approval).status == ApplicationStatus.ACCEPTED  # the clock still runs
    approval.decide_time_request(actor=supervisor, request_id=request.pk, approve=True)
    application = fresh(in_approval)
    assert application.status == ApplicationStatus.SUSPENDED and application.paused_at
    request.refresh_from_db()
    assert request.ends_on == date(2025, 3, 11)  # Friday + 2 working days = Tuesday
    assert clock(application)["paused"] and clock(application)["suspended_until"] == date(
        2025, 3, 11
    )
    with pytest.raises(Conflict) as err:  # steps stand still during a suspension
        approval.complete_task(actor=approver, task_id=review.pk)
    assert err.value.code == "transition_not_allowed"
    assert approval.check_deadlines(now=at(10))["resumed"] == 0  # Monday: still suspended
    counts = approval.check_deadlines(now=at(11))  # Tuesday: the end day
    assert counts["resumed"] == 1
    application = fresh(in_approval)
    assert application.status == ApplicationStatus.ACCEPTED and application.paused_at is None
    assert application.paused_days == 2
    assert application.due_date == date(2025, 3, 18)  # Fri 14 + 2 working days over the weekend
    review.refresh_from_db()
    assert review.due_date == date(2025, 3, 14)  # Wed 12 + 2
    request.refresh_from_db()
    assert request.status == TimeRequestStatus.ENDED and request.ended_at
    assert approval.check_deadlines(now=at(11))["resumed"] == 0  # idempotent
    assert [e.kind for e in application.events.filter(kind__in=["suspend", "resume"])] == [
        "suspend",
        "resume",
    ]
    assert application.events.get(kind="resume").data["paused_days"] == 2


def test_early_resume_counts_the_days_the_clock_stood(
    in_approval,
    approver,
    supervisor,
    moment,
    other_approver,
):
    request = approval.request_time(
        actor=approver, number=in_approval.number, kind="suspend", days=10, reason="现场核查"
    )
    approval.decide_time_request(actor=supervisor, request_id=request.pk, approve=True)
    moment(at(10, 15))  # Monday: one working day later
    with pytest.raises(NotFound):
        approval.resume_application(actor=other_approver, number=in_approval.number)
    approval.resume_application(actor=approver, number=in_approval.number, comment="已核查")
    application = fresh(in_approval)
    assert application.paused_days == 1 and application.due_date == date(2025, 3, 17)
    with pytest.raises(Conflict) as err:
        approval.resume_application(actor=approver, number=in_approval.number)
    assert err.value.code == "transition_not_allowed"


def test_extension_up_to_the_legal_limit(in_approval, approver, supervisor):
    number = in_approval.number
    review = tasks_of(in_approval)[1]
    with pytest.raises(InvalidInput) as err:  # legal 20 − promised 5 = 15 at most
        approval.request_time(actor=approver, number=number, kind="extend", days=16, reason="复杂")
    assert err.value.code == "extension_exceeds_legal_limit"
    assert err.value.detail["max_days"] == 15 and err.value.detail["legal_days"] == 20
    request = approval.request_time(
        actor=approver, number=number, kind="extend", days=3, reason="需补充调查"
    )
    with pytest.raises(Conflict) as err:
        approval.request_time(actor=approver, number=number, kind="extend", days=1, reason="再延")
    assert err.value.code == "time_request_pending"
    approval.decide_time_request(
        actor=supervisor, request_id=request.pk, approve=True, comment="同意"
    )
    application = fresh(in_approval)
    assert application.extended_days == 3
    assert application.due_date == date(2025, 3, 19)  # Fri 14 + 3 working days
    review.refresh_from_db()
    assert review.due_date == date(2025, 3, 17)  # Wed 12 + 3
    assert clock(application)["max_extension_days"] == 12
    with pytest.raises(InvalidInput) as err:
        approval.request_time(actor=approver, number=number, kind="extend", days=13, reason="再延")
    assert err.value.detail["max_days"] == 12
    with pytest.raises(Conflict) as err:
        approval.decide_time_request(actor=supervisor, request_id=request.pk, approve=False)
    assert err.value.code == "time_request_decided"
    assert AuditRecord.objects.filter(action="services.time_request.decide").count() == 1
    assert AuditRecord.objects.filter(action="services.application.extend").count() == 1


def test_item_without_a_legal_limit_cannot_be_extended(
    citizen,
    make_published,
    desk,
    approver,
):
    item = make_published(legal_days=None)
    application = accepted(citizen, item, desk)
    with pytest.raises(InvalidInput) as err:
        approval.request_time(
            actor=approver, number=application.number, kind="extend", days=1, reason="复杂"
        )
    assert err.value.detail["max_days"] == 0 and err.value.detail["legal_days"] is None


def test_time_request_refusals(org, in_approval, approver, supervisor, other_approver):
    number = in_approval.number
    for values, code in (
        ({"kind": "pause", "days": 1}, "time_request_kind_invalid"),
        ({"kind": "suspend", "days": 0}, "days_invalid"),
        ({"kind": "suspend", "days": 251}, "days_invalid"),
    ):
        with pytest.raises(InvalidInput) as err:
            approval.request_time(actor=approver, number=number, reason="理由", **values)
        assert err.value.code == code
    with pytest.raises(InvalidInput) as err:
        approval.request_time(actor=approver, number=number, kind="suspend", days=1, reason=" ")
    assert err.value.code == "reason_required"
    with pytest.raises(NotFound):  # another department's approver
        approval.request_time(
            actor=other_approver, number=number, kind="suspend", days=1, reason="理由"
        )
    first_step = tasks_of(in_approval)[0]  # 受理, done at acceptance: not an active step
    for task_id in (first_step.pk, "abc"):
        with pytest.raises(PermissionDeniedError) as err:
            approval.request_time(
                actor=approver, number=number, kind="suspend", days=1, reason="x", task_id=task_id
            )
        assert err.value.code == "not_a_handler"
    with pytest.raises(PermissionDeniedError) as err:  # a supervisor handles no step
        approval.request_time(actor=supervisor, number=number, kind="suspend", days=1, reason="x")
    assert err.value.code == "not_a_handler"
    # A supervisor who is also an approver cannot decide their own request.
    both = make_staff("both", org["xihu_bureau"], SERVICE_SUPERVISOR, "department")
    grant_initial_role(user=both, department=org["xihu_bureau"], role_code=APPROVER)
    request = approval.request_time(
        actor=both, number=number, kind="suspend", days=1, reason="理由"
    )
    with pytest.raises(PermissionDeniedError) as err:
        approval.decide_time_request(actor=both, request_id=request.pk, approve=True)
    assert err.value.code == "own_time_request"
    with pytest.raises(PermissionDeniedError):  # an approver is no supervisor
        approval.decide_time_request(actor=approver, request_id=request.pk, approve=True)
    other_supervisor = make_staff(
        "sc_supervisor", org["shangcheng_bureau"], SERVICE_SUPERVISOR, "department"
    )
    with pytest.raises(NotFound):
        approval.decide_time_request(actor=other_supervisor, request_id=request.pk, approve=True)
    assert [r.pk for r in supervision(supervisor)["pending_requests"]] == [request.pk]
    assert supervision(other_supervisor)["pending_count"] == 0
    approval.decide_time_request(
        actor=supervisor, request_id=request.pk, approve=False, comment="理由不足"
    )
    request.refresh_from_db()
    assert request.status == TimeRequestStatus.REJECTED and request.decided_by == supervisor
    application = fresh(in_approval)
    assert application.status == ApplicationStatus.ACCEPTED and application.paused_at is None
    assert application.events.last().kind == "time_request_rejected"


def test_warnings_yellow_then_red_and_idempotent(
    in_approval, supervisor, django_assert_max_num_queries
):
    review = tasks_of(in_approval)[1]

    def warnings():
        return list(in_approval.events.filter(kind="warning").values_list("data", flat=True))

    counts = approval.check_deadlines(now=at(10))  # Monday: 4 of 5 days left, review 2 of 3
    assert counts["checked"] == 1 and counts["yellow"] == counts["red"] == 0
    assert approval.check_deadlines(now=at(11))["yellow"] == 1  # review: 1 day left
    review.refresh_from_db()
    assert review.warning_level == "yellow"
    assert fresh(in_approval).warning_level == "none"
    counts = approval.check_deadlines(now=at(13))  # Thursday: application 1 left, review late
    assert (counts["yellow"], counts["red"]) == (1, 1)
    review.refresh_from_db()
    assert review.warning_level == "red" and fresh(in_approval).warning_level == "yellow"
    before = len(warnings())
    with django_assert_max_num_queries(4):  # a quiet sweep reads, it does not lock or write
        again = approval.check_deadlines(now=at(13))
    assert (again["yellow"], again["red"], again["cleared"]) == (0, 0, 0)
    assert len(warnings()) == before == 3
    approval.check_deadlines(now=at(15))  # Saturday after the due Friday: overdue
    application = fresh(in_approval)
    assert application.warning_level == "red"
    assert clock(application, today=date(2025, 3, 15))["overdue"] is True
    reds = [w for w in warnings() if w["level"] == "red"]
    assert {w.get("step") for w in reds} == {None, "审查"}
    assert [a.pk for a in supervision(supervisor)["red"]] == [application.pk]


def test_extension_clears_a_warning(in_approval, approver, supervisor, moment):
    approval.check_deadlines(now=at(13))
    assert fresh(in_approval).warning_level == "yellow"
    moment(at(13))
    request = approval.request_time(
        actor=approver, number=in_approval.number, kind="extend", days=5, reason="需补充调查"
    )
    approval.decide_time_request(actor=supervisor, request_id=request.pk, approve=True)
    application = fresh(in_approval)
    assert application.warning_level == "none" and application.due_date == date(2025, 3, 21)
    review = tasks_of(in_approval)[1]
    assert review.warning_level == "none" and review.due_date == date(2025, 3, 19)
    cleared = in_approval.events.filter(kind="warning").last()
    assert cleared.data["level"] == "none" and cleared.data["previous"] in ("yellow", "red")


def test_completion_on_time_and_late(in_approval, approver, moment):
    _first, review, decision = tasks_of(in_approval)
    moment(at(12, 16))
    approval.complete_task(actor=approver, task_id=review.pk)
    decision.refresh_from_db()
    assert decision.due_date == date(2025, 3, 14)  # activated Wed 12, limit 2
    moment(at(17, 11))  # Monday after the due Friday
    approval.complete_task(actor=approver, task_id=decision.pk)
    application = fresh(in_approval)
    assert application.status == ApplicationStatus.APPROVED
    assert application.on_time is False and application.handling_days == 6
    assert clock(application)["remaining_working_days"] == -1


def test_correction_during_approval_moves_the_steps_too(
    in_approval,
    citizen,
    desk,
    moment,
):
    apps.request_correction(actor=desk, number=in_approval.number, items=["补充说明"])
    moment(at(11, 9))  # two working days later (Mon, Tue)
    apps.resubmit_application(actor=citizen, number=in_approval.number)
    application = fresh(in_approval)
    assert application.status == ApplicationStatus.ACCEPTED and application.paused_days == 2
    review = tasks_of(in_approval)[1]
    assert review.status == TaskStatus.ACTIVE and review.due_date == date(2025, 3, 14)


def test_deadlines_command(in_approval):
    out = StringIO()
    call_command("services", "deadlines", "--now", "2025-03-13T09:00+08:00", stdout=out)
    assert "1 applications in approval checked: 1 yellow and 1 red" in out.getvalue()
    out = StringIO()
    call_command("services", "deadlines", "--now", "2025-03-13T09:00+08:00", stdout=out)
    assert "0 yellow and 0 red" in out.getvalue()
    with pytest.raises(Exception, match="time zone"):
        call_command("services", "deadlines", "--now", "2025-03-13T09:00")
