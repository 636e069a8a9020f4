"""The governance API through Django's test client: intake with photos, lists and detail,
each transition, the reporter look-up, and every bad input of the issue as a 4xx JSON error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartgov.governance.models import Case, CaseEvent, CaseStatus
from tests.governance.conftest import CALLER_PHONE, INSIDE, OUTSIDE_CITY

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BASE = "/api/v1/governance"


@pytest.fixture
def auth(bearer):
    cache = {}

    def headers(user):
        if user.pk not in cache:
            cache[user.pk] = bearer(user)
        return cache[user.pk]

    return headers


def post_form(client, path, data, headers):
    return client.post(path, data, **headers)


def post_json(client, path, data, headers):
    return client.post(path, data, content_type="application/json", **headers)


def hotline_form(**extra):
    data = {
        "channel": "hotline",
        "description": "文三路井盖缺失",
        "reporter_name": "王先生",
        "reporter_phone": CALLER_PHONE,
        "lon": str(INSIDE[0]),
        "lat": str(INSIDE[1]),
    }
    data.update(extra)
    return data


def test_citizen_reports_with_photos_and_follows_the_case(client, gov, citizen, auth):
    gov.suggest.set(None)
    photo = SimpleUploadedFile("hole.png", PNG, content_type="image/png")
    response = client.post(
        f"{BASE}/cases",
        {
            "description": "人行道塌陷一个大坑",
            "lon": INSIDE[0],
            "lat": INSIDE[1],
            "photos": [photo],
        },
        **auth(citizen),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "api" and body["status"] == "reported"
    assert body["timeline"][0]["kind"] == "reported"
    attachment = body["timeline"][0]["attachments"][0]
    assert attachment["content_type"] == "image/png"
    download = client.get(attachment["url"], **auth(citizen))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    listing = client.get(f"{BASE}/cases", **auth(citizen)).json()
    assert listing["count"] == 1 and listing["items"][0]["number"] == body["number"]
    assert "13800138000" not in response.content.decode()
    assert body["reporter_phone_masked"] == "138****8000"


def test_the_whole_flow_through_the_api(client, gov, auth):
    gov.suggest.set(None)
    created = post_form(client, f"{BASE}/cases", hotline_form(), auth(gov.agent)).json()
    case_id = created["id"]
    response = post_json(
        client,
        f"{BASE}/cases/{case_id}/dispatch",
        {"category_code": "0101"},
        auth(gov.dispatcher),
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dispatched"
    assert response.json()["deadline"] is not None
    assert response.json()["remaining_seconds"] > 0
    response = post_json(
        client,
        f"{BASE}/cases/{case_id}/extension",
        {"amount": 2, "reason": "等配件"},
        auth(gov.handler),
    )
    assert response.status_code == 201
    request_id = response.json()["id"]
    pending = client.get(f"{BASE}/requests", **auth(gov.dispatcher)).json()
    assert [r["id"] for r in pending["items"]] == [request_id]
    response = post_json(
        client, f"{BASE}/requests/{request_id}/decide", {"approve": True}, auth(gov.dispatcher)
    )
    assert response.json()["state"] == "approved"
    photo = SimpleUploadedFile("done.png", PNG, content_type="image/png")
    response = client.post(
        f"{BASE}/cases/{case_id}/report-back",
        {"reply": "已补装", "photos": [photo]},
        **auth(gov.handler),
    )
    assert response.status_code == 200 and response.json()["status"] == "handled"
    response = client.post(
        f"{BASE}/cases/{case_id}/verify", {"passed": "true"}, **auth(gov.inspector)
    )
    assert response.json()["status"] == "closed"
    response = post_json(client, f"{BASE}/cases/{case_id}/revisit", {"level": 5}, auth(gov.agent))
    assert response.json()["satisfied"] is True
    detail = client.get(f"{BASE}/cases/{case_id}", **auth(gov.dispatcher)).json()
    assert [e["kind"] for e in detail["timeline"]] == [
        "reported",
        "opened",
        "dispatched",
        "extension_requested",
        "extension_approved",
        "handled",
        "verified",
        "revisited",
    ]
    assert "reopen" in detail["allowed_actions"]
    # The reporter follows it by number and phone, rates it, and cannot rate twice.
    lookup = post_json(
        client, f"{BASE}/lookup", {"number": created["number"], "phone": CALLER_PHONE}, {}
    )
    assert lookup.status_code == 200 and lookup.json()["reply"] == "已补装"
    rate = {"number": created["number"], "phone": CALLER_PHONE, "level": 4}
    assert post_json(client, f"{BASE}/lookup/rate", rate, {}).json()["rating"] == 4
    again = post_json(client, f"{BASE}/lookup/rate", rate, {})
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    wrong = post_json(
        client, f"{BASE}/lookup", {"number": created["number"], "phone": "13900009999"}, {}
    )
    assert wrong.status_code == 404 and wrong.json()["code"] == "case_not_found"


def test_system_intake_is_idempotent(client, gov, auth):
    payload = {
        "source_system": "iot",
        "external_id": "alarm-7",
        "channel": "iot",
        "description": "窨井水位超限报警",
        "lon": INSIDE[0],
        "lat": INSIDE[1],
    }
    first = post_json(client, f"{BASE}/intake", payload, auth(gov.agent))
    assert first.status_code == 201 and first.json()["created"] is True
    second = post_json(client, f"{BASE}/intake", payload, auth(gov.agent))
    assert second.status_code == 200 and second.json()["created"] is False
    assert second.json()["case"]["id"] == first.json()["case"]["id"]
    refused = post_json(
        client, f"{BASE}/intake", {**payload, "external_id": "x"}, auth(gov.handler)
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"description": ""}, 400, "text_required"),
        ({"description": "井" * 100_000}, 400, "text_too_long"),
        ({"lon": str(OUTSIDE_CITY[0]), "lat": str(OUTSIDE_CITY[1])}, 400, "outside_city"),
        ({"category_code": "9999"}, 400, "unknown_category"),
        ({"lon": "east"}, 422, "invalid_input"),
        ({"reporter_phone": "1234"}, 400, "phone_format"),
    ],
)
def test_bad_intake_gets_a_clear_error(client, gov, auth, changes, status, code):
    response = post_form(client, f"{BASE}/cases", hotline_form(**changes), auth(gov.agent))
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["message"]
    assert Case.objects.count() == 0


def test_bad_photo_and_double_submission(client, gov, auth):
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post(f"{BASE}/cases", {**hotline_form(), "photos": [bad]}, **auth(gov.agent))
    assert response.status_code == 400 and response.json()["code"] == "attachment_type"
    assert post_form(client, f"{BASE}/cases", hotline_form(), auth(gov.agent)).status_code == 201
    again = post_form(client, f"{BASE}/cases", hotline_form(), auth(gov.agent))
    assert again.status_code == 409 and again.json()["code"] == "duplicate_submission"
    assert Case.objects.count() == 1


def test_handler_of_another_department_gets_403_and_nothing_changes(client, gov, auth, make_case):
    case = make_case(until="dispatched")
    events = CaseEvent.objects.filter(case=case).count()
    response = client.post(
        f"{BASE}/cases/{case.pk}/report-back", {"reply": "办好了"}, **auth(gov.other_handler)
    )
    assert response.status_code == 403 and response.json()["code"] == "case_not_assigned"
    listed = client.get(f"{BASE}/cases", **auth(gov.other_handler)).json()
    assert listed["count"] == 0
    assert client.get(f"{BASE}/cases/{case.pk}", **auth(gov.other_handler)).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert CaseEvent.objects.filter(case=case).count() == events


def test_transition_not_allowed_is_409(client, gov, auth, make_case):
    case = make_case(until="closed")
    response = post_json(client, f"{BASE}/cases/{case.pk}/dispatch", {}, auth(gov.dispatcher))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["detail"]["status"] == "closed"


def test_citizen_cannot_see_others_cases(client, gov, auth, citizen, make_case):
    case = make_case()
    assert client.get(f"{BASE}/cases/{case.pk}", **auth(citizen)).status_code == 404
    response = post_json(client, f"{BASE}/cases/{case.pk}/cancel", {"reason": "x"}, auth(citizen))
    assert response.status_code == 404
    assert client.get(f"{BASE}/cases", **auth(citizen)).json()["count"] == 0


def test_list_filters_and_queues(client, gov, auth, make_case):
    make_case(description="井盖一")
    dispatched = make_case(description="井盖二", until="dispatched")
    queue = client.get(f"{BASE}/cases?queue=dispatch", **auth(gov.dispatcher)).json()
    assert queue["count"] == 1
    mine = client.get(f"{BASE}/cases?queue=department", **auth(gov.handler)).json()
    assert [c["id"] for c in mine["items"]] == [dispatched.pk]
    by_status = client.get(f"{BASE}/cases?status=dispatched", **auth(gov.dispatcher)).json()
    assert by_status["count"] == 1
    found = client.get(f"{BASE}/cases?q={dispatched.number}", **auth(gov.dispatcher)).json()
    assert found["items"][0]["id"] == dispatched.pk


def test_categories_and_openapi(client, gov):
    codes = [c["code"] for c in client.get(f"{BASE}/categories").json()]
    assert {"01", "0101", "0102"} <= set(codes)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/governance/cases" in schema["paths"]
    assert "/api/v1/governance/intake" in schema["paths"]


def test_unauthenticated_intake_is_401(client, gov):
    response = client.post(f"{BASE}/cases", hotline_form())
    assert response.status_code == 401


def test_lookup_locks_a_number_after_repeated_wrong_phones(client, gov, make_case):
    from django.core.cache import cache

    cache.clear()
    case = make_case()
    for _ in range(10):
        response = post_json(
            client, f"{BASE}/lookup", {"number": case.number, "phone": "13900009999"}, {}
        )
        assert response.status_code == 404
    response = post_json(
        client, f"{BASE}/lookup", {"number": case.number, "phone": CALLER_PHONE}, {}
    )
    assert response.status_code == 429 and response.json()["code"] == "lookup_throttled"
    cache.clear()
    response = post_json(
        client, f"{BASE}/lookup", {"number": case.number, "phone": CALLER_PHONE}, {}
    )
    assert response.status_code == 200


def test_unknown_queue_is_400(client, gov, auth):
    response = client.get(f"{BASE}/cases?queue=nope", **auth(gov.dispatcher))
    assert response.status_code == 400 and response.json()["code"] == "unknown_queue"


def test_progress_with_photos_merge_and_reopen(client, gov, auth, make_case):
    main = make_case(until="dispatched")
    dup = make_case(description="同一处井盖", reporter_phone="13900006666")
    photo = SimpleUploadedFile("site.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32)
    response = client.post(
        f"{BASE}/cases/{main.pk}/progress",
        {"comment": "已到现场", "photos": [photo]},
        **auth(gov.handler),
    )
    assert response.status_code == 201, response.content
    assert response.json()["attachments"][0]["content_type"] == "image/jpeg"
    response = post_json(
        client, f"{BASE}/cases/{main.pk}/merge", {"duplicate_ids": [dup.pk]}, auth(gov.dispatcher)
    )
    assert response.status_code == 200
    assert Case.objects.get(pk=dup.pk).status == CaseStatus.MERGED
    refused = post_json(
        client, f"{BASE}/cases/{main.pk}/merge", {"duplicate_ids": [dup.pk]}, auth(gov.handler)
    )
    assert refused.status_code == 403
    client.post(f"{BASE}/cases/{main.pk}/report-back", {"reply": "已修复"}, **auth(gov.handler))
    client.post(f"{BASE}/cases/{main.pk}/verify", {"passed": "true"}, **auth(gov.inspector))
    timeline = client.get(f"{BASE}/cases/{dup.pk}/timeline", **auth(gov.dispatcher)).json()
    assert timeline[-1]["kind"] == "notified"
    reopen = {"number": main.number, "phone": CALLER_PHONE, "reason": "又坏了"}
    response = post_json(client, f"{BASE}/lookup/reopen", reopen, {})
    assert response.status_code == 200 and response.json()["status"] == "pending_dispatch"
    empty = post_json(client, f"{BASE}/lookup/reopen", {**reopen, "reason": ""}, {})
    assert empty.status_code == 400 and empty.json()["code"] == "reason_required"
