"""API of service items: public hall and guide, staff drafting and publishing, bad input."""

from __future__ import annotations

import json

import pytest

from smartgov.services.models import ItemStatus, ServiceItem
from tests.services.conftest import item_values


def post(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def created(client, bearer, officer, org):
    body = item_values(org["xihu_bureau"])
    response = post(client, "/api/v1/services/manage/items", body, bearer(officer))
    assert response.status_code == 201, response.content
    return response.json()


def test_draft_publish_and_read_publicly(client, bearer, created, publisher):
    assert created["status"] == "draft" and len(created["materials"]) == 2
    assert client.get("/api/v1/services/items/" + created["implementation_code"]).status_code == 404
    response = post(
        client, f"/api/v1/services/manage/items/{created['id']}/publish", {}, bearer(publisher)
    )
    assert response.status_code == 200, response.content
    guide = client.get("/api/v1/services/items/" + created["implementation_code"]).json()
    assert guide["name"] == "企业设立登记"
    assert guide["compression_ratio"] == pytest.approx(1 - 1 / 15)
    assert [s["name"] for s in guide["steps"]] == ["受理", "审查", "办结"]
    page = client.get("/api/v1/services/items", {"q": "营业执照"}).json()
    assert page["count"] == 1 and page["items"][0]["name"] == "企业设立登记"
    assert client.get("/api/v1/services/items", {"q": "结婚"}).json()["count"] == 0


def test_edit_draft_replaces_materials(client, bearer, created, officer):
    response = client.patch(
        f"/api/v1/services/manage/items/{created['id']}",
        data=json.dumps({"promised_days": 3, "materials": [{"name": "申请书"}]}),
        content_type="application/json",
        **bearer(officer),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["promised_days"] == 3 and [m["name"] for m in body["materials"]] == ["申请书"]


def test_publish_refusal_is_a_4xx_with_code(client, bearer, created, publisher, officer):
    client.patch(
        f"/api/v1/services/manage/items/{created['id']}",
        data=json.dumps({"promised_days": 30}),
        content_type="application/json",
        **bearer(officer),
    )
    response = post(
        client, f"/api/v1/services/manage/items/{created['id']}/publish", {}, bearer(publisher)
    )
    assert response.status_code == 400
    assert response.json()["code"] == "promised_exceeds_legal"
    assert ServiceItem.objects.get(pk=created["id"]).status == ItemStatus.DRAFT


def test_officer_cannot_publish(client, bearer, created, officer):
    response = post(
        client, f"/api/v1/services/manage/items/{created['id']}/publish", {}, bearer(officer)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert ServiceItem.objects.get(pk=created["id"]).status == ItemStatus.DRAFT


def test_bad_input(client, bearer, officer, org):
    headers = bearer(officer)
    body = item_values(org["xihu_bureau"], item_type="nonsense")
    response = post(client, "/api/v1/services/manage/items", body, headers)
    assert response.status_code == 400 and response.json()["code"] == "unknown_item_type"
    body = item_values(org["xihu_bureau"], promised_days="soon")
    response = post(client, "/api/v1/services/manage/items", body, headers)
    assert response.status_code in (400, 422) and response.json()["code"]
    response = client.post(
        "/api/v1/services/manage/items",
        data="{not json",
        content_type="application/json",
        **headers,
    )
    assert 400 <= response.status_code < 500
    assert client.get("/api/v1/services/items", {"item_type": "x"}).status_code == 400
    assert client.get("/api/v1/services/items", {"zero_visits": "maybe"}).status_code in (400, 422)
    assert (
        client.post(
            "/api/v1/services/manage/items", data="{}", content_type="application/json"
        ).status_code
        == 401
    )
    assert not ServiceItem.objects.exists()
