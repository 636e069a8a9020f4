"""The conflicts API under /api/v1/conflicts and the scans of /api/v1/elements/{id}: filters,
pagination, decisions with their timeline, refusals as JSON with a code."""

from __future__ import annotations

import json

from smartgov.datastore.models import ConflictStatus, SourceConflict, SourceScan
from tests.datastore import sources_fixtures
from tests.datastore.conftest import citizen_id

element = sources_fixtures.element
holder = sources_fixtures.holder
insurance = sources_fixtures.insurance
loaded = sources_fixtures.loaded

BASE = "/api/v1/conflicts"


def _post(client, url, body, headers):
    return client.post(
        url, json.dumps(body, ensure_ascii=False), content_type="application/json", **headers
    )


def test_list_filter_read_and_decide(api_client, bearer, data_admin, loaded, org):
    headers = bearer(data_admin)
    body = api_client.get(BASE, {"status": "unresolved"}, **headers).json()
    assert body["count"] == 2
    by_key = {item["key_value"]: item for item in body["items"]}
    mismatch = by_key[citizen_id(2)]
    assert (mismatch["holder_value"], mismatch["authoritative_value"]) == ("李二", "张2")
    assert mismatch["holder_resource_name"] == "社会保险参保信息"
    assert (
        mismatch["source_resource_name"] == "户籍人口"
        and mismatch["element_code"] == "citizen_name"
    )
    assert by_key[citizen_id(9)]["kind"] == "missing_in_source"
    page = api_client.get(
        BASE, {"kind": "mismatch", "department_id": org["shangcheng"].pk}, **headers
    ).json()
    assert [i["key_value"] for i in page["items"]] == [citizen_id(2)]

    url = f"{BASE}/{mismatch['id']}"
    response = _post(api_client, f"{url}/report-source", {"comment": "户籍待核"}, headers)
    assert response.status_code == 200 and response.json()["status"] == "source_reported"
    response = _post(api_client, f"{url}/dismiss", {"reason": "曾用名"}, headers)
    assert response.status_code == 200
    response = _post(api_client, f"{url}/reopen", {}, headers)
    detail = response.json()
    assert detail["status"] == "open" and detail["resolver_name"] == "data_admin"
    assert [e["action"] for e in detail["events"]] == [
        "detect",
        "report_source",
        "dismiss",
        "reopen",
    ]
    assert api_client.get(url, **headers).json()["events"][1]["comment"] == "户籍待核"


def test_bad_input_and_wrong_state_are_coded(api_client, bearer, data_admin, loaded):
    headers = bearer(data_admin)
    response = api_client.get(BASE, {"status": "lost"}, **headers)
    assert response.status_code == 400 and response.json()["code"] == "unknown_status"
    conflict = SourceConflict.objects.get(key_value=citizen_id(2))
    url = f"{BASE}/{conflict.pk}"
    response = _post(api_client, f"{url}/dismiss", {"reason": ""}, headers)
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    response = _post(api_client, f"{url}/reopen", {}, headers)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    response = _post(api_client, f"{url}/comments", {"comment": " "}, headers)
    assert response.status_code == 400 and response.json()["code"] == "comment_required"
    assert api_client.get(f"{BASE}/999999", **headers).status_code == 404
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.OPEN and conflict.events.count() == 1


def test_officers_read_their_side_and_comment_but_do_not_decide(
    api_client, bearer, other_officer, xihu_staff, loaded
):
    headers = bearer(other_officer)
    assert api_client.get(BASE, **headers).json()["count"] == 2
    conflict = SourceConflict.objects.get(key_value=citizen_id(2))
    response = _post(api_client, f"{BASE}/{conflict.pk}/notify-holder", {}, headers)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.OPEN
    response = _post(
        api_client, f"{BASE}/{conflict.pk}/comments", {"comment": "已联系参保人"}, headers
    )
    assert response.status_code == 201 and response.json()["action"] == "comment"
    assert api_client.get(BASE, **bearer(xihu_staff)).status_code == 403


def test_scan_now_and_the_scan_history(api_client, bearer, data_admin, other_officer, loaded):
    url = f"/api/v1/elements/{loaded.pk}/scan"
    response = api_client.post(url, **bearer(other_officer))
    assert response.status_code == 403
    before = SourceScan.objects.count()
    response = api_client.post(url, **bearer(data_admin))
    assert response.status_code == 201
    assert (response.json()["found"], response.json()["trigger"]) == (2, "manual")
    history = api_client.get(f"/api/v1/elements/{loaded.pk}/scans", **bearer(other_officer))
    assert history.status_code == 200 and history.json()["count"] == before + 1
