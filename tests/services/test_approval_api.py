"""API of approval: tasks, claim, complete with attachments, time requests, supervision,
withdrawal, the clock, and the 4xx codes of bad input and wrong actors."""

from __future__ import annotations

import base64
import json
import threading

import pytest
from django.db import connection

from smartgov.licenses.verification import verify_license
from smartgov.services.application_models import Application, ApplicationStatus
from smartgov.services.workflow_models import ApprovalTask, EventAttachment, TaskStatus
from tests.services.approval_fixtures import *  # noqa: F403 (fixtures)
from tests.services.approval_fixtures import PDF, accepted, tasks_of

TASKS = "/api/v1/services/tasks"
APPS = "/api/v1/services/applications"


def post(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def test_task_flow_to_a_verified_license(
    client, bearer, citizen, make_published, desk, approver, other_approver, residence
):
    item = make_published(result_name="居住证", result_license_type="JZZ")
    application = accepted(citizen, item, desk)
    headers = bearer(approver)
    listing = client.get(TASKS, **headers).json()
    assert listing["count"] == 1
    entry = listing["items"][0]
    assert entry["name"] == "审查" and entry["application_number"] == application.number
    assert entry["status"] == "active" and entry["due_date"]
    review_id = entry["id"]
    detail = client.get(f"{TASKS}/{review_id}", **headers).json()
    assert [t["name"] for t in detail["tasks"]] == ["受理", "审查", "决定"]
    assert detail["clock"]["due_date"] == application.due_date.isoformat()
    assert detail["clock"]["max_extension_days"] == 15
    assert {f["name"]: f["missing"] for f in detail["result_license_fields"]} == {
        "address": True,
        "issued_on": False,
        "phone": False,
    }
    response = post(client, f"{TASKS}/{review_id}/claim", {}, headers)
    assert response.status_code == 200 and response.json()["task"]["assignee"] == "approver"
    body = {
        "comment": "材料齐全",
        "attachments": [{"file_name": "审查意见.pdf", "content_base64": b64(PDF)}],
    }
    response = post(client, f"{TASKS}/{review_id}/complete", body, headers)
    assert response.status_code == 200, response.content
    step_event = next(e for e in response.json()["timeline"] if e["kind"] == "step_completed")
    assert step_event["attachments"][0]["name"] == "审查意见.pdf"
    assert step_event["attachments"][0]["content_type"] == "application/pdf"
    download = f"/api/v1/services/attachments/{step_event['attachments'][0]['id']}"
    response = client.get(download, **bearer(citizen))  # the applicant reads the timeline
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert client.get(download, **bearer(other_approver)).status_code == 404
    decision_id = tasks_of(application)[2].pk
    response = post(client, f"{TASKS}/{decision_id}/complete", {}, headers)
    assert response.status_code == 409
    assert response.json()["code"] == "result_license_data_missing"
    body = {"comment": "准予", "result_data": {"address": "西湖区文三路 1 号"}}
    response = post(client, f"{TASKS}/{decision_id}/complete", body, headers)
    assert response.status_code == 200, response.content
    assert response.json()["application"]["status"] == "approved"
    application.refresh_from_db()
    assert verify_license(identifier=application.result_license.identifier).valid
    response = post(client, f"{TASKS}/{decision_id}/complete", {}, headers)
    assert response.status_code == 409 and response.json()["code"] == "task_already_done"
    clock = client.get(f"{APPS}/{application.number}/clock", **bearer(citizen)).json()
    assert clock["on_time"] is True and clock["completed_at"]
    result = client.get(f"{APPS}/{application.number}/result", **bearer(citizen)).json()
    assert result["result_text"] == "居住证" and result["license_type"] == "JZZ"
    assert result["license_identifier"] == application.result_license.identifier
    scanned = verify_license(payload=result["license_verify_url"])
    assert scanned.valid, scanned.reasons
    assert client.get(f"{APPS}/{application.number}/result", **headers).status_code == 200
    other = client.get(f"{APPS}/{application.number}/result", **bearer(other_approver))
    assert other.status_code == 404
    assert client.get(TASKS, **headers).json()["count"] == 0
    assert client.get(TASKS + "?status=done", **headers).json()["count"] == 3  # with 受理


def test_bad_input_and_wrong_actors(
    client,
    bearer,
    citizen,
    make_published,
    desk,
    approver,
    other_approver,
):
    item = make_published()
    application = accepted(citizen, item, desk)
    review = tasks_of(application)[1]
    decision = tasks_of(application)[2]
    url = f"{TASKS}/{review.pk}/complete"
    cases = [
        (bearer(other_approver), url, {}, 404, "task_not_found"),
        (bearer(citizen), url, {}, 403, "permission_denied"),
        (bearer(approver), f"{TASKS}/999999/complete", {}, 404, "task_not_found"),
        (bearer(approver), url, {"decision": "perhaps"}, 400, "decision_invalid"),
        (bearer(approver), url, {"decision": "deny"}, 400, "deny_reason_required"),
        (
            bearer(approver),
            url,
            {"attachments": [{"file_name": "a.pdf", "content_base64": "!!"}]},
            400,
            "attachment_invalid",
        ),
        (
            bearer(approver),
            url,
            {"attachments": [{"file_name": "a.pdf", "content_base64": b64(b"MZ exe")}]},
            400,
            "attachment_type",
        ),
        (bearer(approver), f"{TASKS}/{decision.pk}/complete", {}, 409, "task_not_active"),
    ]
    for headers, target, body, status, code in cases:
        response = post(client, target, body, headers)
        assert response.status_code == status, (code, response.content)
        assert response.json()["code"] == code
    assert client.get(f"{TASKS}/{review.pk}", **bearer(other_approver)).status_code == 404
    assert client.get(TASKS, **bearer(other_approver)).json()["count"] == 0
    review.refresh_from_db()
    assert review.status == TaskStatus.ACTIVE and not EventAttachment.objects.exists()
    response = post(
        client,
        f"{APPS}/{application.number}/time-requests",
        {"kind": "extend", "days": 99, "reason": "复杂"},
        bearer(approver),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "extension_exceeds_legal_limit"
    assert response.json()["detail"]["max_days"] == 15
    response = post(client, f"{APPS}/{application.number}/withdraw", {}, bearer(approver))
    assert response.status_code == 404
    assert client.get("/api/v1/services/supervision", **bearer(approver)).status_code == 403
    response = post(client, f"{APPS}/{application.number}/resume", {}, bearer(approver))
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"


def test_time_requests_and_supervision(
    client,
    bearer,
    citizen,
    make_published,
    desk,
    approver,
    supervisor,
):
    item = make_published()
    application = accepted(citizen, item, desk)
    response = post(
        client,
        f"{APPS}/{application.number}/time-requests",
        {"kind": "suspend", "days": 3, "reason": "需专家评审"},
        bearer(approver),
    )
    assert response.status_code == 201, response.content
    request_id = response.json()["id"]
    assert response.json()["status"] == "pending" and response.json()["requested_by"] == "approver"
    view = client.get("/api/v1/services/supervision", **bearer(supervisor)).json()
    assert view["pending_count"] == 1 and view["pending_requests"][0]["id"] == request_id
    response = post(
        client,
        f"/api/v1/services/time-requests/{request_id}/decide",
        {"approve": True, "comment": "同意"},
        bearer(approver),
    )
    assert response.status_code == 403
    response = post(
        client,
        f"/api/v1/services/time-requests/{request_id}/decide",
        {"approve": True, "comment": "同意"},
        bearer(supervisor),
    )
    assert response.status_code == 200 and response.json()["ends_on"]
    clock = client.get(f"{APPS}/{application.number}/clock", **bearer(approver)).json()
    assert clock["suspended"] is True and clock["suspended_until"] == response.json()["ends_on"]
    view = client.get("/api/v1/services/supervision", **bearer(supervisor)).json()
    assert view["suspended_count"] == 1 and view["suspended"][0]["number"] == application.number
    response = post(client, f"{APPS}/{application.number}/resume", {}, bearer(supervisor))
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    response = post(
        client, f"{APPS}/{application.number}/withdraw", {"reason": "不办了"}, bearer(citizen)
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    kinds = [e["kind"] for e in response.json()["events"]]
    assert kinds[-4:] == ["time_request", "suspend", "resume", "withdraw"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_concurrent_completion_is_safe_on_postgresql(
    live_db,
    citizen,
    make_published,
    desk,
    approver,
    approver2,
):
    from smartgov.services import approval

    item = make_published(steps=[{"name": "决定", "limit_days": 1}])
    application = accepted(citizen, item, desk)
    (task,) = tasks_of(application)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def complete(actor):
        try:
            barrier.wait()
            approval.complete_task(actor=actor, task_id=task.pk)
            results.append(actor.username)
        except Exception as exc:
            errors.append(getattr(exc, "code", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(u,)) for u in (approver, approver2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 1 and errors == ["task_already_done"]
    application = Application.objects.get(pk=application.pk)
    assert application.status == ApplicationStatus.APPROVED
    assert application.events.filter(kind="approve").count() == 1
    assert ApprovalTask.objects.get(pk=task.pk).finished_by.username == results[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_parallel_steps_finishing_together_start_the_next_once_on_postgresql(
    live_db, org, citizen, make_published, desk, approver, other_approver
):
    from smartgov.services import approval

    item = make_published(
        steps=[
            {"name": "甲审查", "limit_days": 2, "parallel_group": "p"},
            {
                "name": "乙审查",
                "limit_days": 2,
                "parallel_group": "p",
                "department_id": org["shangcheng_bureau"].pk,
            },
            {"name": "决定", "limit_days": 1},
        ]
    )
    application = accepted(citizen, item, desk)
    first, second, decision = tasks_of(application)
    errors = []
    barrier = threading.Barrier(2)

    def complete(actor, task):
        try:
            barrier.wait()
            approval.complete_task(actor=actor, task_id=task.pk)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=complete, args=(approver, first)),
        threading.Thread(target=complete, args=(other_approver, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    decision.refresh_from_db()
    assert decision.status == TaskStatus.ACTIVE
    started = application.events.filter(kind="step_started", data__task=decision.pk)
    assert started.count() == 1
