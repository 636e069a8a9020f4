"""The bundles API: the public list and detail (with what the platform found for the logged-in
applicant), online and counter applications, progress, and the bundle managers' endpoints."""

from __future__ import annotations

import base64
import json

from smartgov.services.application_models import Application
from smartgov.services.bundle_models import Bundle
from tests.services import bundle_helpers as helpers
from tests.services.bundle_helpers import GOOD_FORM, keys_by_name
from tests.services.conftest import CITIZEN_ID

sc_publisher = helpers.sc_publisher
item_a = helpers.item_a
item_b = helpers.item_b
manager = helpers.manager
bundle = helpers.bundle
desk_bundle = helpers.desk_bundle

BASE = "/api/v1/services"


def post(client, url, body, headers=None):
    return client.post(url, json.dumps(body), content_type="application/json", **(headers or {}))


def uploads(bundle, *names):
    keys = keys_by_name(bundle)
    return [
        {
            "key": keys[name],
            "file_name": f"{name}.pdf",
            "content_base64": base64.b64encode(b"%PDF-1.4 " + name.encode()).decode(),
        }
        for name in names
    ]


def test_public_list_and_detail(client, bundle):
    listing = client.get(f"{BASE}/bundles").json()
    assert listing["count"] == 1
    entry = listing["items"][0]
    assert entry["code"] == "OPEN-SHOP"
    assert [i["basic_code"] for i in entry["items"]] == ["BA001", "BB002"]
    detail = client.get(f"{BASE}/bundles/OPEN-SHOP").json()
    assert [f["name"] for f in detail["form"]] == ["reason", "phone", "shop_name", "open_date"]
    assert len(detail["materials"]) == 4
    assert all("found" not in m for m in detail["materials"])  # nobody logged in
    assert client.get(f"{BASE}/bundles/NOPE").status_code == 404


def test_detail_says_what_was_found_for_the_applicant(client, bearer, citizen, bundle, license):
    detail = client.get(f"{BASE}/bundles/OPEN-SHOP", **bearer(citizen)).json()
    found = {m["name"]: m["found"] for m in detail["materials"]}
    assert found["结婚证"]["identifier"] == license.identifier
    assert found["申请书"] is None


def test_apply_online_and_follow(client, bearer, citizen, bundle, license, org):
    headers = bearer(citizen)
    response = post(
        client,
        f"{BASE}/bundles/OPEN-SHOP/applications",
        {
            "form_data": GOOD_FORM,
            "uploads": uploads(bundle, "申请书", "营业场所证明", "食品安全管理制度"),
        },
        headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("YJ") and body["total"] == 2
    assert {a["department_id"] for a in body["applications"]} == {
        org["xihu_bureau"].pk,
        org["shangcheng_bureau"].pk,
    }
    assert {a["status"] for a in body["applications"]} == {"submitted"}
    mine = client.get(f"{BASE}/bundle-applications/mine", **headers).json()
    assert [m["number"] for m in mine["items"]] == [body["number"]]
    read = client.get(f"{BASE}/bundle-applications/{body['number']}", **headers).json()
    assert read["status"] == "in_progress"
    assert client.get(f"{BASE}/bundle-applications/{body['number']}").status_code == 401


def test_apply_incomplete_is_400_with_every_problem_and_nothing_made(
    client, bearer, citizen, bundle
):
    response = post(
        client,
        f"{BASE}/bundles/OPEN-SHOP/applications",
        {"form_data": {"reason": "x"}, "uploads": uploads(bundle, "申请书")},
        bearer(citizen),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bundle_application_invalid"
    assert {p["basic_code"] for p in body["detail"]["items"]} == {"BA001", "BB002"}
    assert not Application.objects.exists()
    bad = post(
        client,
        f"{BASE}/bundles/OPEN-SHOP/applications",
        {
            "form_data": GOOD_FORM,
            "uploads": [{"key": "x", "file_name": "a", "content_base64": "%%"}],
        },
        bearer(citizen),
    )
    assert bad.status_code == 400 and bad.json()["code"] == "upload_invalid"


def test_counter_intake(client, bearer, desk_bundle, other_desk, bundle, license):
    body = {
        "applicant_type": "citizen",
        "applicant_name": "张三",
        "applicant_id": CITIZEN_ID,
        "form_data": GOOD_FORM,
        "uploads": uploads(bundle, "申请书", "营业场所证明", "食品安全管理制度"),
    }
    url = f"{BASE}/counter/bundles/OPEN-SHOP/applications"
    assert post(client, url, body, bearer(other_desk)).status_code == 404
    response = post(client, url, body, bearer(desk_bundle))
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "counter"


def test_manage_bundles(client, bearer, manager, org, item_a, item_b, officer):
    headers = bearer(manager)
    created = post(
        client,
        f"{BASE}/manage/bundles",
        {
            "code": "NEW-ONE",
            "name": "新一件事",
            "lead_department_id": org["xihu_bureau"].pk,
            "basic_codes": ["BA001", "BB002"],
        },
        headers,
    )
    assert created.status_code == 201, created.content
    bundle_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert client.get(f"{BASE}/bundles/NEW-ONE").status_code == 404  # not published yet
    response = client.patch(
        f"{BASE}/manage/bundles/{bundle_id}",
        json.dumps({"description": "说明"}),
        content_type="application/json",
        **headers,
    )
    assert response.json()["description"] == "说明"
    assert (
        post(client, f"{BASE}/manage/bundles/{bundle_id}/publish", {}, headers).json()["status"]
        == "published"
    )
    assert client.get(f"{BASE}/bundles/NEW-ONE").status_code == 200
    withdrawn = post(
        client, f"{BASE}/manage/bundles/{bundle_id}/withdraw", {"reason": "调整"}, headers
    )
    assert withdrawn.json()["status"] == "withdrawn"
    listing = client.get(f"{BASE}/manage/bundles", **headers).json()
    assert [b["code"] for b in listing["items"]] == ["NEW-ONE"]
    refused = post(
        client,
        f"{BASE}/manage/bundles",
        {
            "code": "NOPE",
            "name": "x",
            "lead_department_id": org["xihu_bureau"].pk,
            "basic_codes": ["BA001"],
        },
        bearer(officer),
    )
    assert refused.status_code == 403
    assert Bundle.objects.count() == 1
    deleted = client.delete(f"{BASE}/manage/bundles/{bundle_id}", **headers)
    assert deleted.status_code == 409  # it was published once: withdrawn, not deleted
    draft = post(
        client,
        f"{BASE}/manage/bundles",
        {
            "code": "DRAFT-ONLY",
            "name": "草稿",
            "lead_department_id": org["xihu_bureau"].pk,
            "basic_codes": ["BA001"],
        },
        headers,
    ).json()
    assert client.delete(f"{BASE}/manage/bundles/{draft['id']}", **headers).status_code == 204
    assert list(Bundle.objects.values_list("code", flat=True)) == ["NEW-ONE"]
