"""API of applications: apply with license reuse, timeline, staff actions, 4xx codes."""

from __future__ import annotations

import json

import pytest

from smartgov.licenses.models import LicenseUse
from smartgov.services.application_models import Application, ApplicationStatus
from tests.services.test_applications import GOOD_FORM, materials_of, upload

BASE = "/api/v1/services/applications"


def post(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def body(item):
    return {
        "item_code": item.implementation_code,
        "form_data": GOOD_FORM,
        "uploads": [upload(materials_of(item)["申请书"].pk)],
    }


def test_apply_accept_and_timeline(client, bearer, citizen, body, license, desk):
    response = post(client, BASE, body, bearer(citizen))
    assert response.status_code == 201, response.content
    data = response.json()
    number = data["number"]
    assert data["status"] == "submitted" and data["applicant_id_masked"] == "110105********002X"
    how = {m["name"]: m for m in data["receipt"]["materials"]}
    assert how["结婚证"]["satisfied_by"] == "e_license"
    assert how["结婚证"]["license_identifier"] == license.identifier
    mine = client.get(BASE + "/mine", **bearer(citizen)).json()
    assert mine["count"] == 1 and mine["items"][0]["number"] == number
    assert mine["items"][0]["item_name"] == "企业设立登记"
    response = post(client, f"{BASE}/{number}/accept", {"comment": "材料齐全"}, bearer(desk))
    assert response.status_code == 200, response.content
    detail = client.get(f"{BASE}/{number}", **bearer(citizen)).json()
    assert detail["status"] == "accepted" and detail["due_date"]
    assert [e["kind"] for e in detail["events"]] == ["submit", "accept", "step_started"]
    assert detail["events"][1]["comment"] == "材料齐全" and detail["events"][1]["actor"] == "desk"


def test_bad_input_codes(client, bearer, citizen, body, item):
    headers = bearer(citizen)
    response = post(client, BASE, {**body, "uploads": []}, headers)
    assert response.status_code == 400 and response.json()["code"] == "materials_missing"
    assert [m["name"] for m in response.json()["detail"]["materials"]] == ["申请书", "结婚证"]
    response = post(client, BASE, {**body, "form_data": {"reason": "x"}}, headers)
    assert response.status_code == 400 and response.json()["code"] == "form_invalid"
    assert set(response.json()["detail"]["fields"]) == {"reason", "phone"}
    bad_upload = {**body, "uploads": [{"material_id": 1, "file_name": "a", "content_base64": "!"}]}
    response = post(client, BASE, bad_upload, headers)
    assert response.status_code == 400 and response.json()["code"] == "upload_invalid"
    response = post(client, BASE, {**body, "item_code": "nope"}, headers)
    assert response.status_code == 404 and response.json()["code"] == "item_not_found"
    assert not Application.objects.exists()


def test_draft_submit_twice_is_409(client, bearer, citizen, body, license):
    headers = bearer(citizen)
    response = post(client, BASE, {**body, "submit": False}, headers)
    assert response.status_code == 201 and response.json()["status"] == "draft"
    number = response.json()["number"]
    assert response.json()["receipt"] is None
    first = post(client, f"{BASE}/{number}/submit", {}, headers)
    assert first.status_code == 200, first.content
    second = post(client, f"{BASE}/{number}/submit", {}, headers)
    assert second.status_code == 409 and second.json()["code"] == "already_submitted"
    assert LicenseUse.objects.count() == 1


def test_staff_of_other_department_and_transitions(
    client, bearer, citizen, body, license, desk, other_desk
):
    number = post(client, BASE, body, bearer(citizen)).json()["number"]
    response = post(client, f"{BASE}/{number}/accept", {}, bearer(other_desk))
    assert response.status_code == 404 and response.json()["code"] == "application_not_found"
    assert client.get(f"{BASE}/{number}", **bearer(other_desk)).status_code == 404
    response = post(client, f"{BASE}/{number}/accept", {}, bearer(citizen))
    assert response.status_code == 403
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED
    response = post(client, f"{BASE}/{number}/correction", {"items": []}, bearer(desk))
    assert response.status_code == 400
    response = post(client, f"{BASE}/{number}/correction", {"items": ["缺签名"]}, bearer(desk))
    assert response.status_code == 200 and response.json()["status"] == "correction_requested"
    response = post(client, f"{BASE}/{number}/accept", {}, bearer(desk))
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"
    response = post(client, f"{BASE}/{number}/resubmit", {}, bearer(citizen))
    assert response.status_code == 200 and response.json()["status"] == "resubmitted"
    response = post(client, f"{BASE}/{number}/refuse", {"reason": "不符合条件"}, bearer(desk))
    assert response.status_code == 200 and response.json()["refusal_reason"] == "不符合条件"


def test_counter_intake_api(client, bearer, desk, citizen, body, license):
    counter = {
        **body,
        "applicant_type": "citizen",
        "applicant_name": "张三",
        "applicant_id": "11010519491231002X",
    }
    response = post(client, "/api/v1/services/counter/applications", counter, bearer(desk))
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "counter"
    bad = {**counter, "applicant_id": "123"}
    response = post(client, "/api/v1/services/counter/applications", bad, bearer(desk))
    assert response.status_code == 400
    response = post(client, "/api/v1/services/counter/applications", counter, bearer(citizen))
    assert response.status_code == 403
    assert Application.objects.count() == 1
