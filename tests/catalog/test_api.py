"""Catalog API round trips and error codes."""

import json

from smartgov.catalog.models import Resource
from tests.catalog.conftest import POPULATION_FIELDS, field, resource_values

BASE = "/api/v1/catalog/resources"


def _post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def _body(provider, **overrides):
    values = resource_values(provider, **overrides)
    values["release_date"] = None
    return values


def test_register_describe_review_and_search(
    api_client, bearer, officer, data_admin, org, xihu_staff
):
    as_officer, as_admin, as_staff = bearer(officer), bearer(data_admin), bearer(xihu_staff)
    response = _post(
        api_client,
        BASE,
        _body(org["xihu_bureau"], name="户籍人口基本信息", code="301001001/000001"),
        as_officer,
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "draft" and created["provider_name"] == org["xihu_bureau"].name
    assert [f["name"] for f in created["fields"]] == ["credit_code"]
    url = f"{BASE}/{created['id']}"

    response = api_client.patch(
        url, json.dumps({"summary": "全市户籍人口"}), content_type="application/json", **as_officer
    )
    assert response.status_code == 200 and response.json()["summary"] == "全市户籍人口"
    response = api_client.put(
        f"{url}/fields",
        json.dumps(POPULATION_FIELDS),
        content_type="application/json",
        **as_officer,
    )
    assert response.status_code == 200
    assert [f["label"] for f in response.json()["fields"]] == ["公民身份号码", "姓名", "户籍地址"]

    assert _post(api_client, f"{url}/submit", {"comment": "请审核"}, as_officer).status_code == 200
    response = _post(api_client, f"{url}/approve", {}, as_admin)
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert response.json()["version"] == 1

    response = api_client.get(BASE, {"q": "户籍"}, **as_staff)
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["items"][0]["name"] == "户籍人口基本信息"
    response = api_client.get(BASE, {"q": "姓名", "grade": "important"}, **as_staff)
    assert response.json()["count"] == 1
    assert api_client.get(url, **as_staff).json()["fields"][0]["masking"] == "citizen_id"

    response = api_client.get(f"{url}/revisions", **as_staff)
    assert [r["action"] for r in response.json()] == [
        "create",
        "update",
        "set_fields",
        "submit",
        "approve",
    ]
    assert response.json()[3]["comment"] == "请审核"
    assert response.json()[4]["actor_name"] == "data_admin"

    response = _post(api_client, f"{url}/withdraw", {"reason": "停止共享"}, as_admin)
    assert response.json()["status"] == "withdrawn"
    assert api_client.get(BASE, {"q": "户籍"}, **as_staff).json()["count"] == 0


def test_list_is_paginated_by_name(api_client, bearer, officer, make_resource):
    for number in range(25):
        make_resource(officer, name=f"资源{number:02d}")
    page = api_client.get(BASE, {"page": 2}, **bearer(officer)).json()
    assert page["count"] == 25
    assert [item["name"] for item in page["items"]] == [
        "资源20",
        "资源21",
        "资源22",
        "资源23",
        "资源24",
    ]


def test_error_codes(
    api_client, bearer, officer, other_officer, data_admin, xihu_staff, org, make_resource, citizen
):
    resource = make_resource(officer)
    url = f"{BASE}/{resource.pk}"
    cases = [
        (
            _post(api_client, BASE, _body(org["xihu_bureau"], code="bad"), bearer(officer)),
            400,
            "resource_code_format",
        ),
        (
            _post(
                api_client,
                BASE,
                _body(org["xihu_bureau"], fields=[field("名称", "名称")]),
                bearer(officer),
            ),
            400,
            "field_name_format",
        ),
        (_post(api_client, BASE, {"name": "缺字段"}, bearer(officer)), 422, "invalid_input"),
        (
            _post(api_client, BASE, _body(org["shangcheng_bureau"]), bearer(officer)),
            404,
            "provider_not_found",
        ),
        (
            _post(api_client, BASE, _body(org["xihu_bureau"]), bearer(xihu_staff)),
            403,
            "permission_denied",
        ),
        (api_client.get(url, **bearer(other_officer)), 404, "not_found"),
        (api_client.get(url, **bearer(xihu_staff)), 404, "not_found"),
        (api_client.get(BASE, **bearer(citizen)), 403, "staff_only"),
        (api_client.get(BASE), 401, "not_authenticated"),
        (
            api_client.patch(
                url,
                json.dumps({"name": "改"}),
                content_type="application/json",
                **bearer(other_officer),
            ),
            404,
            "not_found",
        ),
        (_post(api_client, f"{url}/approve", {}, bearer(data_admin)), 409, "invalid_transition"),
        (_post(api_client, f"{url}/approve", {}, bearer(officer)), 403, "permission_denied"),
        (
            _post(api_client, f"{url}/reject", {"reason": ""}, bearer(data_admin)),
            400,
            "reason_required",
        ),
        (
            _post(api_client, f"{url}/reject", {"reason": "不全"}, bearer(data_admin)),
            409,
            "invalid_transition",
        ),
        (
            api_client.put(
                f"{url}/fields",
                json.dumps([field("a", "甲"), field("a", "乙")]),
                content_type="application/json",
                **bearer(officer),
            ),
            400,
            "duplicate_field",
        ),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()["code"]) == (status, code), response.json()
        assert set(response.json()) == {"code", "message", "detail"}
    assert Resource.objects.get(pk=resource.pk).name == "企业登记信息"
    assert Resource.objects.count() == 1
