"""The register's API under /api/v1/elements: create, read, filter, edit, holders, suggestions,
revisions, delete; refusals as JSON with a code."""

from __future__ import annotations

import json

import pytest

from smartgov.catalog.models import DataElement
from tests.catalog import test_elements

population = test_elements.population
insurance = test_elements.insurance
vehicles = test_elements.vehicles

BASE = "/api/v1/elements"


def _json(client, method, url, body, headers):
    return getattr(client, method)(
        url, json.dumps(body, ensure_ascii=False), content_type="application/json", **headers
    )


@pytest.fixture
def admin_headers(bearer, data_admin):
    return bearer(data_admin)


def _payload(population, insurance):
    return {
        "code": "citizen_name",
        "name": "公民姓名",
        "key_type": "citizen_id",
        "source_resource_id": population.pk,
        "source_field": "name",
        "source_key_field": "citizen_id",
        "holders": [{"resource_id": insurance.pk, "field": "name", "key_field": "citizen_id"}],
    }


def test_register_read_edit_and_delete(
    api_client,
    admin_headers,
    population,
    insurance,
    vehicles,
):
    response = _json(api_client, "post", BASE, _payload(population, insurance), admin_headers)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["source_resource_name"] == "户籍人口基本信息"
    assert [h["resource_name"] for h in body["holders"]] == ["社会保险参保信息"]
    assert body["problems"] == []
    element_id = body["id"]

    listing = api_client.get(BASE, {"q": "姓名"}, **admin_headers).json()
    assert listing["count"] == 1 and listing["items"][0]["code"] == "citizen_name"
    by_resource = api_client.get(BASE, {"resource_id": vehicles.pk}, **admin_headers).json()
    assert by_resource["count"] == 0

    suggestions = api_client.get(f"{BASE}/{element_id}/suggestions", **admin_headers).json()
    assert [(s["resource_name"], s["field"]) for s in suggestions] == [
        ("机动车登记信息", "owner_name")
    ]
    response = _json(
        api_client,
        "post",
        f"{BASE}/{element_id}/holders",
        {"resource_id": vehicles.pk, "field": "owner_name", "key_field": "owner_citizen_id"},
        admin_headers,
    )
    assert response.status_code == 201
    holder_id = response.json()["id"]
    response = _json(
        api_client,
        "patch",
        f"{BASE}/{element_id}/holders/{holder_id}",
        {"report_missing": False},
        admin_headers,
    )
    assert response.status_code == 200 and response.json()["report_missing"] is False
    response = api_client.delete(f"{BASE}/{element_id}/holders/{holder_id}", **admin_headers)
    assert response.status_code == 204

    response = _json(api_client, "patch", f"{BASE}/{element_id}", {"name": "姓名"}, admin_headers)
    assert response.status_code == 200 and response.json()["revision"] == 5
    revisions = api_client.get(f"{BASE}/{element_id}/revisions", **admin_headers).json()
    assert [r["action"] for r in revisions] == [
        "update",
        "remove_holder",
        "update_holder",
        "add_holder",
        "create",
    ]
    response = api_client.delete(f"{BASE}/{element_id}", {"reason": "x"}, **admin_headers)
    assert response.status_code == 204 and not DataElement.objects.exists()


def test_bad_input_is_a_coded_4xx(api_client, admin_headers, population, insurance):
    payload = _payload(population, insurance)
    payload["source_field"] = "nickname"
    response = _json(api_client, "post", BASE, payload, admin_headers)
    assert response.status_code == 400
    assert response.json()["code"] == "source_field_not_found" and response.json()["message"]
    response = _json(api_client, "post", BASE, {"code": "x"}, admin_headers)
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert api_client.get(f"{BASE}/999999", **admin_headers).status_code == 404
    assert not DataElement.objects.exists()


def test_officers_read_but_do_not_write(
    api_client,
    bearer,
    officer,
    xihu_staff,
    admin_headers,
    population,
    insurance,
):
    headers = bearer(officer)
    response = _json(api_client, "post", BASE, _payload(population, insurance), headers)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not DataElement.objects.exists()
    element_id = _json(
        api_client, "post", BASE, _payload(population, insurance), admin_headers
    ).json()["id"]
    assert api_client.get(f"{BASE}/{element_id}", **headers).status_code == 200
    response = api_client.delete(f"{BASE}/{element_id}", **headers)
    assert response.status_code == 403 and DataElement.objects.exists()
    assert api_client.get(BASE, **bearer(xihu_staff)).status_code == 403


def test_a_holder_of_another_element_is_not_found(
    api_client,
    admin_headers,
    population,
    insurance,
):
    element_id = _json(
        api_client, "post", BASE, _payload(population, insurance), admin_headers
    ).json()["id"]
    other = _json(
        api_client,
        "post",
        BASE,
        {**_payload(population, insurance), "code": "citizen_address", "holders": []}
        | {"source_field": "household_address"},
        admin_headers,
    ).json()["id"]
    holder_id = DataElement.objects.get(pk=element_id).holders.get().pk
    response = api_client.delete(f"{BASE}/{other}/holders/{holder_id}", **admin_headers)
    assert response.status_code == 404


def test_the_register_is_in_the_openapi_spec(api_client, admin_headers):
    paths = api_client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/elements" in paths and "/api/v1/elements/{element_id}/holders" in paths
    assert "/api/v1/conflicts" in paths and "/api/v1/conflicts/{conflict_id}/dismiss" in paths
