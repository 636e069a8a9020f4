"""好差评: rating an ended application once (online and at the counter), the rectification a
bad rating opens, its answer and revisit, deadlines, the inbox and the bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from smartgov.core import events
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.core.workcalendar import add_working_days
from smartgov.services import applications as apps
from smartgov.services import ratings, ratings_inbox
from smartgov.services.application_models import ApplicationEvent, ApplicationStatus
from smartgov.services.permissions import APPROVER, FRONT_DESK, SERVICE_SUPERVISOR
from smartgov.services.rating_models import Rating, Rectification, RectificationStatus
from tests.conftest import make_staff
from tests.services.test_applications import submit


def complete(application, *, on_time=True, handling_days=2, at=None, status="approved"):
    """What the approval step does at the end (approval.complete_task): completion fields,
    then applications.ENDED."""
    application.status = status
    application.completed_at = at or timezone.now()
    application.on_time = on_time
    application.handling_days = handling_days
    application.save()
    events.publish(apps.ENDED, application=application, actor=None)
    return application


@pytest.fixture
def approver(org):
    return make_staff("approver", org["xihu_bureau"], APPROVER, "department")


@pytest.fixture
def other_approver(org):
    return make_staff("sc_approver", org["shangcheng_bureau"], APPROVER, "department")


@pytest.fixture
def supervisor(org):
    return make_staff("supervisor", org["xihu_bureau"], SERVICE_SUPERVISOR, "department")


@pytest.fixture
def ended(citizen, item, license, desk):
    application = submit(citizen, item)
    apps.accept_application(actor=desk, number=application.number)
    application.refresh_from_db()
    return complete(application)


def bad_rating(citizen, application, **overrides):
    values = {
        "actor": citizen,
        "number": application.number,
        "level": 1,
        "indicators": ["handling_time", "service_attitude"],
        "comment": "等了很久",
    }
    values.update(overrides)
    return ratings.rate_application(**values)


def test_indicators_have_codes_and_translated_labels():
    codes = [entry["code"] for entry in ratings.INDICATORS]
    assert len(codes) == len(set(codes)) >= 8
    assert {"guide_accurate", "one_time_notice", "service_attitude"} <= set(codes)
    from django.utils import translation

    with translation.override("zh-hans"):
        labels = [str(entry["label"]) for entry in ratings.INDICATORS]
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels)
        assert str(ratings.LEVEL_LABELS[5]) == "非常满意"


def test_good_rating_online(citizen, ended):
    received = []

    def listener(**payload):
        received.append(payload)

    events.subscribe(ratings.RATED, listener)
    try:
        rating = ratings.rate_application(
            actor=citizen,
            number=ended.number,
            level=5,
            indicators=["service_attitude", "guide_accurate", "guide_accurate"],
            comment=" 很快 ",
        )
    finally:
        events.unsubscribe(ratings.RATED, listener)
    assert rating.level == 5 and rating.channel == "online" and rating.comment == "很快"
    assert rating.indicators == ["guide_accurate", "service_attitude"]  # catalogue order, once
    assert rating.department_id == ended.item.department_id and rating.rated_by == citizen
    assert not Rectification.objects.exists()
    assert received and received[0]["rating"] == rating
    event = ApplicationEvent.objects.get(application=ended, kind="rate")
    assert event.data["level"] == 5
    assert AuditRecord.objects.filter(action="services.rating.create").count() == 1
    assert ratings.rating_for(citizen, ended.number) == rating


def test_one_rating_per_application(citizen, ended):
    ratings.rate_application(actor=citizen, number=ended.number, level=4)
    with pytest.raises(Conflict) as exc:
        ratings.rate_application(actor=citizen, number=ended.number, level=1, comment="x")
    assert exc.value.code == "already_rated" and exc.value.status == 409
    assert Rating.objects.count() == 1 and not Rectification.objects.exists()


def test_running_application_cannot_be_rated(citizen, item, license, desk):
    application = submit(citizen, item)
    with pytest.raises(Conflict) as exc:
        ratings.rate_application(actor=citizen, number=application.number, level=5)
    assert exc.value.code == "not_ratable"
    apps.accept_application(actor=desk, number=application.number)
    with pytest.raises(Conflict):
        ratings.rate_application(actor=citizen, number=application.number, level=5)
    assert not Rating.objects.exists()


def test_refused_application_can_be_rated(citizen, item, license, desk):
    application = submit(citizen, item)
    apps.refuse_application(actor=desk, number=application.number, reason="不属于本部门")
    rating = bad_rating(citizen, application, level=2)
    assert rating.rectification.status == RectificationStatus.OPEN


def test_only_the_applicant_rates_online(ended, org):
    from smartgov.accounts import services as account_services

    other = account_services.create_citizen(
        actor=None,
        username="lisi",
        real_name="李四",
        citizen_id="110105198001010016",
        password="Str0ng-Passw0rd!",
        phone="13800138001",
    )
    with pytest.raises(NotFound):
        ratings.rate_application(actor=other, number=ended.number, level=5)
    with pytest.raises(NotFound):
        ratings.rating_for(other, ended.number)
    assert not Rating.objects.exists()


def test_counter_rating_by_front_desk(ended, desk, other_desk, citizen):
    with pytest.raises(NotFound):
        ratings.rate_application(actor=other_desk, number=ended.number, level=5, channel="counter")
    with pytest.raises(PermissionDeniedError):
        ratings.rate_application(actor=citizen, number=ended.number, level=5, channel="counter")
    rating = ratings.rate_application(actor=desk, number=ended.number, level=3, channel="counter")
    assert rating.channel == "counter" and rating.rated_by == desk


@pytest.mark.parametrize(
    "values, code",
    [
        ({"level": 0}, "invalid_level"),
        ({"level": 6}, "invalid_level"),
        ({"level": "x"}, "invalid_level"),
        ({"level": True}, "invalid_level"),
        ({"level": 4, "indicators": ["nonsense"]}, "unknown_indicator"),
        ({"level": 4, "indicators": "guide_accurate"}, "invalid_indicators"),
        ({"level": 4, "comment": "长" * 1001}, "comment_too_long"),
        ({"level": 1}, "reason_required"),
        ({"level": 4, "channel": "fax"}, "invalid_channel"),
    ],
)
def test_bad_input(citizen, ended, values, code):
    with pytest.raises(InvalidInput) as exc:
        ratings.rate_application(actor=citizen, number=ended.number, **values)
    assert exc.value.code == code
    assert not Rating.objects.exists()


def test_bad_rating_opens_rectification_answer_and_revisit(
    citizen, ended, approver, other_approver, supervisor
):
    rating = bad_rating(citizen, ended)
    rectification = rating.rectification
    assert rectification.department_id == ended.item.department_id
    assert rectification.status == RectificationStatus.OPEN
    assert rectification.due_date == add_working_days(timezone.localdate(), 15)
    assert AuditRecord.objects.filter(action="services.rectification.open").exists()
    assert list(ratings.rectifications_for(approver)) == [rectification]
    assert not ratings.rectifications_for(other_approver).exists()
    assert not ratings.rectifications_for(citizen).exists()

    with pytest.raises(NotFound):
        ratings.answer_rectification(
            actor=other_approver, rectification_id=rectification.pk, answer="已整改"
        )
    with pytest.raises(PermissionDeniedError):
        ratings.answer_rectification(
            actor=supervisor, rectification_id=rectification.pk, answer="已整改"
        )
    with pytest.raises(InvalidInput) as exc:
        ratings.answer_rectification(actor=approver, rectification_id=rectification.pk, answer=" ")
    assert exc.value.code == "answer_required"
    with pytest.raises(Conflict):  # nothing to revisit before the answer
        ratings.revisit_rectification(
            actor=supervisor, rectification_id=rectification.pk, satisfied=True
        )
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.OPEN and not rectification.answer

    ratings.answer_rectification(
        actor=approver, rectification_id=rectification.pk, answer="已约谈窗口人员并优化流程"
    )
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.ANSWERED
    assert rectification.answered_by == approver
    # The applicant sees the answer with their rating.
    seen = ratings.rating_for(citizen, ended.number)
    assert seen.rectification.answer == "已约谈窗口人员并优化流程"
    with pytest.raises(Conflict):
        ratings.answer_rectification(
            actor=approver, rectification_id=rectification.pk, answer="again"
        )

    with pytest.raises(InvalidInput) as exc:
        ratings.revisit_rectification(
            actor=supervisor, rectification_id=rectification.pk, satisfied=False
        )
    assert exc.value.code == "comment_required"
    ratings.revisit_rectification(
        actor=supervisor, rectification_id=rectification.pk, satisfied=True, comment="满意"
    )
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.CLOSED
    assert rectification.revisit_satisfied is True and rectification.revisited_by == supervisor
    kinds = list(ApplicationEvent.objects.filter(application=ended).values_list("kind", flat=True))
    assert kinds[-3:] == ["rate", "rectification_answered", "rectification_revisited"]
    assert len(ratings.rectification_history(rectification)) == 2


def test_unsatisfied_revisit_reopens(citizen, ended, approver, supervisor):
    rectification = bad_rating(citizen, ended).rectification
    first_due = rectification.due_date
    ratings.answer_rectification(actor=approver, rectification_id=rectification.pk, answer="整改")
    later = timezone.now() + timedelta(days=10)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        ratings.revisit_rectification(
            actor=supervisor,
            rectification_id=rectification.pk,
            satisfied=False,
            comment="仍不满意",
        )
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.OPEN
    assert rectification.answer == "" and rectification.revisit_satisfied is False
    assert rectification.due_date == add_working_days(timezone.localdate(later), 15)
    assert rectification.due_date > first_due
    # The first answer stays on the timeline; a second answer is taken.
    history = ratings.rectification_history(rectification)
    assert history[0].comment == "整改" and history[1].data["satisfied"] is False
    ratings.answer_rectification(actor=approver, rectification_id=rectification.pk, answer="再整改")
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.ANSWERED


def test_deadlines_and_status_filter(citizen, ended, approver):
    rectification = bad_rating(citizen, ended).rectification
    assert ratings.check_rectification_deadlines()["overdue"] == 0
    after = timezone.now() + timedelta(days=40)
    report = ratings.check_rectification_deadlines(now=after)
    assert report["overdue"] == 1 and report["open"] == 1
    assert report["rectifications"][0]["number"] == ended.number
    assert report["per_department"] == {ended.item.department.name: 1}
    Rectification.objects.filter(pk=rectification.pk).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )
    assert list(ratings.rectifications_for(approver, status="overdue")) == [rectification]
    assert list(ratings.rectifications_for(approver, status="open")) == [rectification]
    assert not ratings.rectifications_for(approver, status="closed").exists()
    with pytest.raises(InvalidInput):
        ratings.rectifications_for(approver, status="bogus")


def test_inbox_items(citizen, ended, approver, supervisor, other_approver):
    rectification = bad_rating(citizen, ended).rectification
    items = ratings_inbox.pending_for(approver)
    assert [i.kind for i in items] == ["services_rectification"]
    assert items[0].deadline.date() == rectification.due_date
    assert ended.number in items[0].title
    assert ratings_inbox.pending_for(other_approver) == []
    assert ratings_inbox.pending_for(supervisor) == []
    ratings.answer_rectification(actor=approver, rectification_id=rectification.pk, answer="好")
    assert ratings_inbox.pending_for(approver) == []
    assert [i.kind for i in ratings_inbox.pending_for(supervisor)] == ["services_revisit"]


def test_front_desk_role_exists():
    assert FRONT_DESK and ApplicationStatus.APPROVED in ratings.RATABLE_STATUSES


def test_rectifications_command(citizen, ended):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    bad_rating(citizen, ended)
    out = io.StringIO()
    later = (timezone.now() + timedelta(days=40)).isoformat()
    call_command("services", "rectifications", "--now", later, stdout=out)
    text = out.getvalue()
    assert "1 open rectification(s), 1 overdue" in text and ended.number in text
    with pytest.raises(CommandError):
        call_command("services", "rectifications", "--now", "2026-01-01T00:00")
