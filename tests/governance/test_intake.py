"""Intake from every channel, automatic classification and dispatch, and the bad input of the
issue: missing text, 100 KB of text, coordinates outside the city, unknown categories, double
submission, repeated external ids (also when two arrive at once)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from smartgov.core.crypto import decrypt_field
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.governance import intake, services
from smartgov.governance.models import Case, CaseAttachment, CaseEvent, CaseStatus, EventKind
from tests.governance.conftest import CALLER_PHONE, INSIDE, OUTSIDE_CITY

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def hotline(gov, **extra):
    values = {
        "actor": gov.agent,
        "channel": "hotline",
        "description": "文三路12号门口井盖缺失",
        "reporter_name": "王先生",
        "reporter_phone": CALLER_PHONE,
        "address": "西湖区文三路12号",
        "lon": INSIDE[0],
        "lat": INSIDE[1],
    }
    values.update(extra)
    return services.report_case(**values)


def test_hotline_intake_stores_the_phone_encrypted_with_a_blind_index(gov):
    case, created = hotline(gov)
    assert created and case.channel == "hotline" and case.recorded_by == gov.agent
    assert case.reporter_phone_encrypted and CALLER_PHONE not in case.reporter_phone_encrypted
    assert decrypt_field(case.reporter_phone_encrypted) == CALLER_PHONE
    assert case.reporter_phone_index == intake.phone_index(CALLER_PHONE)
    assert case.title.startswith("文三路12号")
    assert services.case_for_reporter(number=case.number, phone=CALLER_PHONE) == case
    with pytest.raises(NotFound):
        services.case_for_reporter(number=case.number, phone="13900009999")
    event = CaseEvent.objects.get(case=case, kind=EventKind.REPORTED)
    assert event.actor == gov.agent and event.data["channel"] == "hotline"


def test_confident_classification_dispatches_automatically(gov):
    gov.suggest.set("0101", 0.93)
    case, _ = hotline(gov)
    assert case.status == CaseStatus.DISPATCHED and case.auto_dispatched
    assert case.category == gov.manhole and case.department == gov.city_management
    assert case.confidence == pytest.approx(0.93)
    assert case.due_at is not None
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        EventKind.REPORTED,
        EventKind.CLASSIFIED,
        EventKind.OPENED,
        EventKind.DISPATCHED,
    ]


def test_unsure_classification_waits_for_the_dispatcher_with_suggestions(gov):
    gov.suggest.set("0101", 0.79)  # threshold 0.8
    case, _ = hotline(gov)
    assert case.status == CaseStatus.REPORTED and case.department is None
    assert case.category is None
    assert case.suggestions == [
        {"category": gov.manhole.pk, "code": "0101", "name": "井盖", "score": 0.79}
    ]


def test_confident_but_no_department_waits_too(gov):
    gov.suggest.set("0102", 0.99)  # streetlights: only a 西湖区 rule
    case, _ = hotline(gov, lon=None, lat=None, address="")
    assert case.status == CaseStatus.REPORTED and case.category == gov.streetlight


def test_citizen_portal_with_photos(gov, citizen):
    case, _ = services.report_case(
        actor=citizen,
        channel="portal",
        description="路边垃圾堆积无人清理",
        lon=INSIDE[0],
        lat=INSIDE[1],
        attachments=[("photo.png", PNG)],
    )
    assert case.reporter == citizen and case.reporter_name == "张三"
    assert decrypt_field(case.reporter_phone_encrypted) == "13800138000"
    attachment = CaseAttachment.objects.get(case=case)
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)
    assert attachment.event.kind == EventKind.REPORTED
    assert attachment.file.name.startswith("governance/")
    with attachment.file.open("rb") as handle:
        assert handle.read() == PNG


def test_grid_worker_with_a_category_is_dispatched_by_the_rules(gov):
    case, _ = services.report_case(
        actor=gov.inspector,
        channel="grid",
        description="路灯不亮",
        category_code="0102",
        lon=INSIDE[0],
        lat=INSIDE[1],
    )
    assert case.status == CaseStatus.DISPATCHED and case.department == gov.city_management
    assert case.recorded_by == gov.inspector


def test_other_systems_are_idempotent_by_external_id(gov):
    first, created = services.report_case(
        actor=None,
        channel="iot",
        description="液位传感器报警：窨井水位超限",
        source_system="iot",
        external_id="alert-42",
        lon=INSIDE[0],
        lat=INSIDE[1],
    )
    again, created_again = services.report_case(
        actor=None,
        channel="iot",
        description="液位传感器报警：窨井水位超限",
        source_system="iot",
        external_id="alert-42",
    )
    assert created and not created_again and again.pk == first.pk
    assert Case.objects.filter(external_id="alert-42").count() == 1
    with pytest.raises(InvalidInput) as info:
        services.report_case(actor=None, channel="system", description="x")
    assert info.value.code == "external_id_required"


def test_a_racing_duplicate_external_id_returns_the_one_case(gov, monkeypatch):
    first, _ = services.report_case(
        actor=None,
        channel="system",
        description="外部系统工单",
        source_system="city-app",
        external_id="T-1",
    )
    # The second request's look-up ran before the first committed: it misses the case and
    # runs into the unique constraint instead.
    monkeypatch.setattr(intake, "existing_case", lambda *args: None)
    again, created = services.report_case(
        actor=None,
        channel="system",
        description="外部系统工单",
        source_system="city-app",
        external_id="T-1",
    )
    assert not created and again.pk == first.pk
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_concurrent_duplicates_on_postgresql(live_db, gov):
    results, errors = [], []

    def submit():
        try:
            results.append(
                services.report_case(
                    actor=None,
                    channel="system",
                    description="并发工单",
                    source_system="s",
                    external_id="same",
                )
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({case.pk for case, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_case_numbers_count_up_per_day(gov):
    numbers = [hotline(gov, description=f"第{i}处井盖缺失")[0].number for i in range(3)]
    assert len(set(numbers)) == 3
    assert [int(n[-5:]) for n in numbers] == [1, 2, 3]
    assert len({n[:10] for n in numbers}) == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"description": ""}, "text_required"),
        ({"description": "   "}, "text_required"),
        ({"description": "井" * 100_000}, "text_too_long"),
        ({"lon": OUTSIDE_CITY[0], "lat": OUTSIDE_CITY[1]}, "outside_city"),
        ({"lon": 120.1, "lat": None}, "coordinates_incomplete"),
        ({"lon": "east", "lat": 30.2}, "coordinates_invalid"),
        ({"category_code": "9999"}, "unknown_category"),
        ({"category_code": "01"}, "unknown_category"),  # a major class
        ({"reporter_phone": "12345"}, "phone_format"),
        ({"reporter_phone": ""}, "caller_phone_required"),
        ({"channel": "fax"}, "unknown_channel"),
        ({"attachments": [("evil.exe", b"MZ\x90\x00")]}, "attachment_type"),
        ({"title": "标" * 201}, "title_too_long"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_recorded(gov, changes, code):
    with pytest.raises(InvalidInput) as info:
        hotline(gov, **changes)
    assert info.value.code == code
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_attachment_size_limit(gov, settings):
    settings.GOVERNANCE_ATTACHMENT_MAX_BYTES = 50
    with pytest.raises(InvalidInput) as info:
        hotline(gov, attachments=[("big.png", PNG)])
    assert info.value.code == "attachment_too_large"


def test_double_submission_is_refused(gov):
    case, _ = hotline(gov)
    with pytest.raises(Conflict) as info:
        hotline(gov)
    assert info.value.code == "duplicate_submission"
    assert info.value.detail["case"] == case.number
    assert Case.objects.count() == 1


def test_who_may_report_on_which_channel(gov, citizen):
    with pytest.raises(PermissionDeniedError):
        services.report_case(
            actor=citizen, channel="hotline", description="x", reporter_phone=CALLER_PHONE
        )
    with pytest.raises(PermissionDeniedError):
        services.report_case(actor=gov.handler, channel="grid", description="x")
    with pytest.raises(PermissionDeniedError) as info:
        services.report_case(actor=None, channel="portal", description="x")
    assert info.value.code == "login_required"
    with pytest.raises(PermissionDeniedError):
        services.report_case(actor=citizen, channel="system", description="x", external_id="1")
    assert Case.objects.count() == 0


def test_repeat_complaint_same_phone_same_category(gov):
    first, _ = hotline(gov, category_code="0101", auto_process=False)
    assert not first.is_repeat
    second, _ = hotline(gov, description="井盖还是没修", category_code="0101", auto_process=False)
    assert second.is_repeat
    other, _ = hotline(
        gov,
        description="井盖又丢了",
        category_code="0101",
        reporter_phone="13900003333",
        auto_process=False,
    )
    assert not other.is_repeat


def test_anonymous_hotline_call(gov):
    case, _ = hotline(gov, reporter_phone="", reporter_name="", anonymous=True)
    assert case.anonymous and case.reporter_phone_index == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_concurrent_intake_gets_distinct_numbers_on_postgresql(live_db, gov):
    numbers, errors = [], []

    def submit(i):
        try:
            case, _ = services.report_case(
                actor=None,
                channel="system",
                description=f"并发工单{i}",
                source_system="s",
                external_id=f"n-{i}",
            )
            numbers.append(case.number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(numbers)) == 8
    assert sorted(int(n[-5:]) for n in numbers) == list(range(1, 9))
