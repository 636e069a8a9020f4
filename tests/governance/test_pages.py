"""Governance pages with Django's test client: the hotline intake, the dispatcher's queue and
decisions, the department's list and actions, verification, the reporter's side (report, my
cases, follow by number and phone, rating, reopen), the map, hotspots and the configuration.

Each page: the happy path, a refusal for a user without the permission (and nothing changed),
and bad input shown inline on the form (and nothing changed)."""

from __future__ import annotations

import pytest
from django.test import Client

from smartgov.governance.models import (
    Case,
    CaseEvent,
    CaseFeedback,
    CaseRequest,
    CaseStatus,
    Category,
    DispatchRule,
    WarningLevel,
)
from tests.governance.conftest import CALLER_PHONE, INSIDE, OUTSIDE_CITY

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def tiny_png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return lambda name="photo.png": SimpleUploadedFile(name, png_bytes(), "image/png")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Hotline intake -------------------------------------------------------------------------


def test_agent_records_a_call_and_lands_on_the_case_page(gov):
    agent = client_for(gov.agent)
    page = agent.get("/governance/intake/")
    assert page.status_code == 200
    assert "热线来电登记" in page.content.decode()
    response = agent.post(
        "/governance/intake/",
        {
            "reporter_name": "王先生",
            "reporter_phone": CALLER_PHONE,
            "description": "文三路与学院路口的井盖缺失，晚上很危险",
            "address": "西湖区文三路",
            "lon": INSIDE[0],
            "lat": INSIDE[1],
            "category": "",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/governance/cases/{case.pk}/"
    assert case.channel == "hotline" and case.recorded_by == gov.agent
    assert case.grid == gov.grid
    detail = agent.get(response["Location"]).content.decode()
    assert case.number in detail
    assert "文三路与学院路口的井盖缺失" in detail
    assert 'data-testid="timeline-event"' in detail


def test_intake_bad_input_is_shown_inline_and_nothing_is_recorded(gov):
    agent = client_for(gov.agent)
    empty = agent.post("/governance/intake/", {"description": "", "reporter_phone": ""})
    assert empty.status_code == 400
    assert 'data-testid="field-error"' in empty.content.decode()
    outside = agent.post(
        "/governance/intake/",
        {"description": "北京的路灯坏了", "lon": OUTSIDE_CITY[0], "lat": OUTSIDE_CITY[1]},
    )
    assert outside.status_code == 400
    assert 'data-testid="form-error"' in outside.content.decode()
    half = agent.post("/governance/intake/", {"description": "路灯坏了", "lon": INSIDE[0]})
    assert half.status_code == 400
    too_long = agent.post("/governance/intake/", {"description": "长" * 6000})
    assert too_long.status_code == 400
    unknown = agent.post("/governance/intake/", {"description": "路灯坏了", "category": "9999"})
    assert unknown.status_code == 400
    assert Case.objects.count() == 0


def test_intake_is_refused_to_citizens_and_handlers(gov, citizen):
    for user in (citizen, gov.handler):
        response = client_for(user).get("/governance/intake/")
        assert response.status_code == 403
        assert client_for(user).post("/governance/intake/", {"description": "x" * 10})
    assert Case.objects.count() == 0


def test_similar_cases_partial_while_typing(gov, make_case):
    pytest.importorskip("smartgov.governance.duplicates")
    case = make_case()
    agent = client_for(gov.agent)
    response = agent.get(
        "/governance/intake/similar/",
        {"description": "文三路上井盖缺失，很危险", "lon": INSIDE[0], "lat": INSIDE[1]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert case.number in body and "疑似与案卷" in body
    short = agent.get("/governance/intake/similar/", {"description": "井"})
    assert 'data-testid="similar-case"' not in short.content.decode()


# --- Dispatcher -----------------------------------------------------------------------------


def test_dispatch_queue_shows_suggestions_and_dispatch_from_the_case_page(gov, make_case):
    gov.suggest.set("0101", 0.42)
    case = make_case(auto_process=True)
    assert case.status in (CaseStatus.REPORTED, CaseStatus.PENDING_DISPATCH)
    dispatcher = client_for(gov.dispatcher)
    queue = dispatcher.get("/governance/dispatch/").content.decode()
    assert case.number in queue
    assert "42%" in queue
    page = dispatcher.get(f"/governance/cases/{case.pk}/").content.decode()
    assert 'data-testid="form-dispatch"' in page and 'data-testid="form-cancel"' in page
    response = dispatcher.post(
        f"/governance/cases/{case.pk}/dispatch/",
        {"dispatch-category": "0101", "dispatch-department": "", "dispatch-comment": "尽快"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert case.department == gov.city_management
    assert case.due_at is not None
    assert case.number not in dispatcher.get("/governance/dispatch/").content.decode()


def test_dispatch_with_an_unknown_category_is_refused_inline(gov, make_case):
    case = make_case()
    response = client_for(gov.dispatcher).post(
        f"/governance/cases/{case.pk}/dispatch/", {"dispatch-category": "9999"}
    )
    assert response.status_code == 400
    assert 'data-testid="field-error"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED


def test_cancel_needs_a_reason_and_is_refused_to_handlers(gov, make_case):
    case = make_case()
    handler = client_for(gov.handler)
    refused = handler.post(f"/governance/cases/{case.pk}/cancel/", {"cancel-reason": "无效"})
    assert refused.status_code in (403, 404)
    dispatcher = client_for(gov.dispatcher)
    empty = dispatcher.post(f"/governance/cases/{case.pk}/cancel/", {"cancel-reason": ""})
    assert empty.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED
    done = dispatcher.post(f"/governance/cases/{case.pk}/cancel/", {"cancel-reason": "测试来电"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CANCELLED
    # The page warns before cancelling (a confirmation on the form).
    other = make_case(description="保俶路路灯不亮")
    page = dispatcher.get(f"/governance/cases/{other.pk}/").content.decode()
    assert "确定作废该案卷" in page


def test_merge_duplicates_by_number(gov, make_case):
    main = make_case()
    duplicate = make_case(description="文三路井盖丢了")
    dispatcher = client_for(gov.dispatcher)
    bad = dispatcher.post(
        f"/governance/cases/{main.pk}/merge/", {"merge-duplicates": "GZ-NOT-THERE"}
    )
    assert bad.status_code == 400
    assert 'data-testid="field-error"' in bad.content.decode()
    ok = dispatcher.post(
        f"/governance/cases/{main.pk}/merge/", {"merge-duplicates": duplicate.number}
    )
    assert ok.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED and duplicate.main_case == main


def test_extension_request_and_decision(gov, make_case):
    case = make_case(until="dispatched")
    handler = client_for(gov.handler)
    bad = handler.post(
        f"/governance/cases/{case.pk}/extension/",
        {"extension-amount": "0", "extension-reason": "需要更换配件"},
    )
    assert bad.status_code == 400
    assert not CaseRequest.objects.exists()
    ok = handler.post(
        f"/governance/cases/{case.pk}/extension/",
        {"extension-amount": "2", "extension-reason": "需要更换配件"},
    )
    assert ok.status_code == 302
    request = CaseRequest.objects.get()
    # The handler cannot decide; the dispatcher sees it and approves.
    assert client_for(gov.handler).get("/governance/requests/").status_code == 403
    dispatcher = client_for(gov.dispatcher)
    listed = dispatcher.get("/governance/requests/").content.decode()
    assert case.number in listed and "需要更换配件" in listed
    decided = dispatcher.post(
        f"/governance/requests/{request.pk}/decide/", {"approve": "1", "comment": "同意"}
    )
    assert decided.status_code == 302
    request.refresh_from_db()
    assert request.state == "approved"


def test_overdue_list_shows_warnings(gov, make_case):
    case = make_case(until="dispatched")
    Case.objects.filter(pk=case.pk).update(warning=WarningLevel.RED)
    dispatcher = client_for(gov.dispatcher)
    body = dispatcher.get("/governance/overdue/?level=red").content.decode()
    assert case.number in body and "table-danger" in body
    assert case.number not in dispatcher.get("/governance/overdue/?level=yellow").content.decode()
    assert client_for(gov.handler).get("/governance/overdue/").status_code == 403


# --- Department handler ---------------------------------------------------------------------


def test_handler_sees_remaining_time_reports_back_with_a_photo(gov, make_case, tiny_png):
    case = make_case(until="dispatched")
    handler = client_for(gov.handler)
    listed = handler.get("/governance/department/").content.decode()
    assert case.number in listed
    assert 'data-testid="case-clock"' in listed and "剩余" in listed
    page = handler.get(f"/governance/cases/{case.pk}/").content.decode()
    assert 'data-testid="form-report_back"' in page
    empty = handler.post(f"/governance/cases/{case.pk}/report_back/", {"report_back-comment": ""})
    assert empty.status_code == 400
    response = handler.post(
        f"/governance/cases/{case.pk}/report_back/",
        {"report_back-comment": "已补装井盖，现场恢复", "report_back-photos": tiny_png()},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.HANDLED and case.reply == "已补装井盖，现场恢复"
    assert case.attachments.count() == 1


def test_photos_are_served_only_to_who_may_see_the_case(gov, make_case, tiny_png):
    case = make_case(until="dispatched")
    client_for(gov.handler).post(
        f"/governance/cases/{case.pk}/progress/",
        {"progress-comment": "已到现场", "progress-photos": tiny_png()},
    )
    photo = case.attachments.get()
    seen = client_for(gov.dispatcher).get(f"/governance/files/{photo.pk}/")
    assert seen.status_code == 200 and seen["Content-Type"] == "image/png"
    assert b"".join(seen.streaming_content).startswith(b"\x89PNG")
    assert client_for(gov.other_handler).get(f"/governance/files/{photo.pk}/").status_code == 404
    assert Client().get(f"/governance/files/{photo.pk}/").status_code == 404


def test_handler_of_another_department_cannot_see_or_act(gov, make_case):
    case = make_case(until="dispatched")
    other = client_for(gov.other_handler)
    assert other.get(f"/governance/cases/{case.pk}/").status_code == 404
    refused = other.post(
        f"/governance/cases/{case.pk}/report_back/", {"report_back-comment": "已处理"}
    )
    assert refused.status_code == 404
    assert case.number not in other.get("/governance/department/").content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED


# --- Inspector --------------------------------------------------------------------------------


def test_inspector_field_report_and_verification(gov, make_case):
    inspector = client_for(gov.inspector)
    assert inspector.get("/governance/field/").status_code == 200
    missing = inspector.post("/governance/field/", {"description": "井盖破损"})
    assert missing.status_code == 400  # the category is required in the field
    response = inspector.post(
        "/governance/field/",
        {"category": "0101", "description": "井盖破损", "lon": INSIDE[0], "lat": INSIDE[1]},
    )
    assert response.status_code == 302
    reported = Case.objects.get(channel="grid")
    assert reported.category == gov.manhole

    handled = make_case(until="handled")
    queue = inspector.get("/governance/verify/").content.decode()
    assert handled.number in queue
    fail_without_comment = inspector.post(
        f"/governance/cases/{handled.pk}/verify/", {"verify-passed": "0", "verify-comment": ""}
    )
    assert fail_without_comment.status_code == 400
    handled.refresh_from_db()
    assert handled.status == CaseStatus.HANDLED
    rework = inspector.post(
        f"/governance/cases/{handled.pk}/verify/",
        {"verify-passed": "0", "verify-comment": "井盖未固定"},
    )
    assert rework.status_code == 302
    handled.refresh_from_db()
    assert handled.status == CaseStatus.DISPATCHED and handled.rework_count == 1


def test_verification_is_refused_to_handlers(gov, make_case):
    case = make_case(until="handled")
    handler = client_for(gov.handler)
    assert handler.get("/governance/verify/").status_code == 403
    refused = handler.post(f"/governance/cases/{case.pk}/verify/", {"verify-passed": "1"})
    assert refused.status_code in (403, 404)
    case.refresh_from_db()
    assert case.status == CaseStatus.HANDLED


# --- Reporter ---------------------------------------------------------------------------------


def test_citizen_reports_follows_and_rates(gov, citizen, make_case):
    me = client_for(citizen)
    assert me.get("/governance/report/").status_code == 200
    bad = me.post("/governance/report/", {"description": ""})
    assert bad.status_code == 400
    response = me.post(
        "/governance/report/",
        {"description": "小区门口路灯不亮一周了", "address": "西湖区文三路100号"},
    )
    assert response.status_code == 302
    mine = Case.objects.get(reporter=citizen)
    assert mine.channel == "portal"
    listed = me.get("/governance/mine/").content.decode()
    assert mine.number in listed
    # Another citizen's case is not theirs to open.
    other = make_case(until="closed")
    assert me.get(f"/governance/mine/{other.pk}/").status_code == 404


def test_reporter_rates_and_reopens_own_closed_case(gov, citizen, make_case):
    case = make_case(until="closed", actor=citizen, channel="portal")
    me = client_for(citizen)
    page = me.get(f"/governance/mine/{case.pk}/").content.decode()
    assert "非常满意" in page and "非常不满意" in page
    bad = me.post(f"/governance/mine/{case.pk}/rate/", {"rate-level": "9"})
    assert bad.status_code == 400
    assert not CaseFeedback.objects.exists()
    ok = me.post(f"/governance/mine/{case.pk}/rate/", {"rate-level": "5", "rate-comment": "快"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.rating == 5
    empty = me.post(f"/governance/mine/{case.pk}/reopen/", {"reopen-reason": ""})
    assert empty.status_code == 400
    reopened = me.post(f"/governance/mine/{case.pk}/reopen/", {"reopen-reason": "又坏了"})
    assert reopened.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_DISPATCH


def test_follow_by_number_and_phone_without_login_then_rate(gov, make_case):
    case = make_case(until="closed")
    visitor = Client()
    wrong = visitor.post("/governance/follow/", {"number": case.number, "phone": "13700000000"})
    assert wrong.status_code == 400
    assert 'data-testid="form-error"' in wrong.content.decode()
    assert visitor.get(f"/governance/follow/{case.pk}/").status_code == 404
    found = visitor.post("/governance/follow/", {"number": case.number, "phone": CALLER_PHONE})
    assert found.status_code == 302
    page = visitor.get(found["Location"]).content.decode()
    assert case.number in page and "已补装井盖" in page
    assert "派遣员老王" not in page  # staff names stay internal
    rated = visitor.post(f"/governance/follow/{case.pk}/rate/", {"rate-level": "4"})
    assert rated.status_code == 302
    case.refresh_from_db()
    assert case.rating == 4


def test_staff_pages_refuse_citizens(gov, citizen):
    me = client_for(citizen)
    for url in (
        "/governance/dispatch/",
        "/governance/department/",
        "/governance/verify/",
        "/governance/map/",
        "/governance/config/categories/",
    ):
        assert me.get(url).status_code == 403, url


# --- Map, hotspots ----------------------------------------------------------------------------


def test_case_map_and_its_data(gov, make_case):
    case = make_case(until="dispatched")
    dispatcher = client_for(gov.dispatcher)
    page = dispatcher.get("/governance/map/")
    assert page.status_code == 200
    assert "echarts.min.js" in page.content.decode()
    data = dispatcher.get("/governance/map/data.json").json()
    assert data["grids"]["type"] == "FeatureCollection"
    assert [p["number"] for p in data["points"]] == [case.number]
    filtered = dispatcher.get("/governance/map/data.json?status=closed").json()
    assert filtered["points"] == []
    bad = dispatcher.get("/governance/map/data.json?start=2026-13-01")
    assert bad.status_code == 400
    assert client_for(gov.handler).get("/governance/map/data.json").status_code == 403


def test_hotspots_rank_similar_cases(gov, make_case):
    pytest.importorskip("smartgov.governance.duplicates")
    for text in ("文三路井盖缺失", "文三路井盖没了很危险", "文三路井盖丢失"):
        make_case(description=text)
    dispatcher = client_for(gov.dispatcher)
    response = dispatcher.get("/governance/hotspots/")
    assert response.status_code == 200
    assert 'data-testid="hotspot-row"' in response.content.decode()
    bad = dispatcher.get("/governance/hotspots/?start=2026-12-05&end=2026-12-01")
    assert bad.status_code == 400


# --- Configuration ----------------------------------------------------------------------------


def test_admin_edits_a_category_and_bad_limits_are_refused(gov):
    admin = client_for(gov.admin)
    listed = admin.get("/governance/config/categories/").content.decode()
    assert "0101" in listed and "井盖" in listed
    form = {
        "name": "井盖",
        "kind": "part",
        "time_limit": "6",
        "time_limit_unit": "hours",
        "opening_condition": "井盖缺失、破损、移位",
        "closing_condition": "井盖恢复原位",
        "default_department": str(gov.city_management.pk),
        "keywords": "井盖 窨井",
    }
    bad = admin.post("/governance/config/categories/0101/", {**form, "time_limit": "0"})
    assert bad.status_code == 400
    assert Category.objects.get(code="0101").time_limit == 4
    ok = admin.post("/governance/config/categories/0101/", form)
    assert ok.status_code == 302
    assert Category.objects.get(code="0101").time_limit == 6
    refused = client_for(gov.dispatcher).post("/governance/config/categories/0101/", form)
    assert refused.status_code == 403


def test_admin_sets_and_deletes_a_dispatch_rule(gov):
    admin = client_for(gov.admin)
    before = DispatchRule.objects.count()
    response = admin.post(
        "/governance/config/rules/",
        {
            "category": "0101",
            "region": str(gov.street.pk),
            "department": str(gov.market.pk),
        },
    )
    assert response.status_code == 302
    rule = DispatchRule.objects.get(category=gov.manhole, region=gov.street)
    assert admin.get("/governance/config/grids/").status_code == 200
    deleted = admin.post(f"/governance/config/rules/{rule.pk}/delete/")
    assert deleted.status_code == 302
    assert DispatchRule.objects.count() == before
    assert client_for(gov.handler).get("/governance/config/rules/").status_code == 403


# --- Navigation -------------------------------------------------------------------------------


def test_nav_entries_follow_the_roles(gov, citizen):
    agent = client_for(gov.agent).get("/governance/intake/").content.decode()
    assert "基层治理" in agent and 'data-testid="gtab-intake"' in agent
    assert 'data-testid="gtab-queue"' not in agent
    assert agent.count(">基层治理<") == 1
    home = client_for(citizen).get("/").content.decode()
    assert "我要反映" in home and "我反映的问题" in home
    assert 'data-testid="gtab-revisit"' in agent
    inspector = client_for(gov.inspector).get("/governance/verify/").content.decode()
    assert 'data-testid="gtab-revisit"' not in inspector  # revisits are the hotline's work
    landing = client_for(gov.handler).get("/governance/")
    assert landing["Location"] == "/governance/department/"


def test_timeline_lists_every_event(gov, make_case):
    case = make_case(until="closed")
    page = client_for(gov.dispatcher).get(f"/governance/cases/{case.pk}/").content.decode()
    assert page.count('data-testid="timeline-event"') == CaseEvent.objects.filter(case=case).count()


def test_hotline_revisit_and_supervision_notes(gov, make_case):
    closed = make_case(until="closed")
    agent = client_for(gov.agent)
    assert closed.number in agent.get("/governance/revisits/").content.decode()
    bad = agent.post(f"/governance/cases/{closed.pk}/revisit/", {"revisit-level": "7"})
    assert bad.status_code == 400
    ok = agent.post(
        f"/governance/cases/{closed.pk}/revisit/",
        {"revisit-level": "4", "revisit-reached": "on", "revisit-comment": "满意"},
    )
    assert ok.status_code == 302
    assert CaseFeedback.objects.get(case=closed).kind == "revisit"
    assert closed.number not in agent.get("/governance/revisits/").content.decode()
    assert client_for(gov.handler).get("/governance/revisits/").status_code == 403

    running = make_case(until="dispatched", description="保俶路路灯不亮")
    refused = client_for(gov.handler).post(
        f"/governance/cases/{running.pk}/supervise/", {"supervise-comment": "请加快"}
    )
    assert refused.status_code in (403, 404)
    dispatcher = client_for(gov.dispatcher)
    done = dispatcher.post(
        f"/governance/cases/{running.pk}/supervise/", {"supervise-comment": "请今天处理完"}
    )
    assert done.status_code == 302
    assert CaseEvent.objects.filter(case=running, kind="supervised").count() == 1


def test_find_a_case_by_number_within_the_scope(gov, make_case, citizen):
    case = make_case(until="dispatched")
    dispatcher = client_for(gov.dispatcher)
    found = dispatcher.get("/governance/cases/", {"q": case.number}).content.decode()
    assert case.number in found
    none = dispatcher.get("/governance/cases/", {"q": "GZ000", "status": "bogus"})
    assert none.status_code == 200 and 'data-testid="empty-state"' in none.content.decode()
    other = client_for(gov.other_handler).get("/governance/cases/", {"q": case.number})
    assert 'data-testid="case-row"' not in other.content.decode()
    assert client_for(citizen).get("/governance/cases/").status_code == 403


def test_pages_switch_to_english(gov):
    agent = client_for(gov.agent)
    agent.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = agent.get("/governance/intake/").content.decode()
    assert "Record a hotline call" in body and "热线来电登记" not in body


@pytest.mark.django_db
def test_login_page_links_visitors_to_case_follow_up_and_open_data(client):
    body = client.get("/login/").content.decode()
    assert 'href="/governance/follow/"' in body and 'href="/open/"' in body
    assert client.get("/governance/follow/").status_code == 200
