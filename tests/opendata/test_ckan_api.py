"""The CKAN-compatible Action API through Django's test client: every action, its CKAN shape,
and its errors (never a 500)."""

from __future__ import annotations

import json

import pytest

from smartgov.opendata.models import Publication

pytestmark = pytest.mark.django_db

AIR = "308001001-000001"
ELEVATOR = "302001003-000001"


def call(client, action, method="get", headers=None, **params):
    url = f"/api/3/action/{action}"
    if method == "post":
        response = client.post(
            url, data=json.dumps(params), content_type="application/json", headers=headers or {}
        )
    else:
        response = client.get(url, params, headers=headers or {})
    body = response.json()
    assert "help" in body and body["help"].endswith(f"help_show?name={action}")
    return response.status_code, body


def test_status_show(client):
    status, body = call(client, "status_show")
    assert status == 200 and body["success"] is True
    assert body["result"]["ckan_version"].startswith("2.")
    assert "datastore" in body["result"]["extensions"]


def test_package_list_holds_only_open_resources(client, resources):
    status, body = call(client, "package_list")
    assert status == 200
    assert body["result"] == [ELEVATOR, AIR]  # sorted by code; the closed one is absent


def test_package_show_by_name_with_resources(client, resources):
    status, body = call(client, "package_show", id=AIR)
    assert status == 200
    package = body["result"]
    assert package["name"] == AIR and package["title"] == "环境空气质量监测站点信息"
    assert package["organization"]["title"] == resources["air"].provider.name
    assert package["owner_org"] == f"dept-{resources['air'].provider_id}"
    formats = [r["format"] for r in package["resources"]]
    assert formats == ["CSV", "JSON", "XLSX", "Parquet", "JSON"]
    records = package["resources"][-1]
    assert records["id"] == f"{AIR}-records" and records["datastore_active"] is True
    assert package["num_resources"] == 5
    assert Publication.objects.get(resource=resources["air"]).api_count == 1


def test_package_show_post_json(client, resources):
    status, body = call(client, "package_show", method="post", id=AIR)
    assert status == 200 and body["result"]["name"] == AIR


def test_package_show_closed_or_unknown_is_not_found(client, resources):
    for ident in ("301010001-000001", "nope", "1 OR 1=1", ""):
        status, body = call(client, "package_show", id=ident)
        assert body["success"] is False
        if ident:
            assert status == 404 and body["error"]["__type"] == "Not Found Error"
        else:
            assert status == 409 and body["error"]["__type"] == "Validation Error"


def test_package_search_q_fq_sort_facets(client, resources):
    status, body = call(client, "package_search", q="空气质量")
    assert status == 200
    assert body["result"]["count"] == 1 and body["result"]["results"][0]["name"] == AIR

    org = f"dept-{resources['air'].provider_id}"
    status, body = call(
        client,
        "package_search",
        fq=f"organization:{org} res_format:CSV",
        sort="title_string asc",
        **{"facet.field": '["organization","res_format","license_id"]', "facet.limit": "5"},
    )
    result = body["result"]
    assert status == 200 and result["count"] == 2
    assert [p["title"] for p in result["results"]] == sorted(p["title"] for p in result["results"])
    assert result["search_facets"]["organization"]["items"][0] == {
        "name": org,
        "display_name": resources["air"].provider.name,
        "count": 2,
    }
    assert result["facets"]["res_format"]["CSV"] == 2

    status, body = call(client, "package_search", rows=1, start=1, sort="metadata_modified desc")
    assert body["result"]["count"] == 2 and len(body["result"]["results"]) == 1


def test_package_search_tags_and_groups(client, resources, data_admin):
    from smartgov.opendata import services
    from smartgov.opendata.models import Topic

    Topic.objects.create(code="environment", name="生态环境")
    services.file_publication(
        actor=data_admin, resource_id=resources["air"].pk, topic_code="environment", tags=["空气"]
    )
    _, body = call(client, "package_search", fq='groups:environment tags:"空气"')
    assert [p["name"] for p in body["result"]["results"]] == [AIR]
    assert body["result"]["results"][0]["groups"][0]["title"] == "生态环境"
    _, body = call(client, "group_list", all_fields="true")
    assert body["result"][0]["name"] == "environment" and body["result"][0]["package_count"] == 1
    _, body = call(client, "tag_list")
    assert body["result"] == ["空气"]


@pytest.mark.parametrize(
    ("params", "status", "kind"),
    [
        ({"fq": "owner:me"}, 409, "Search Query Error"),
        ({"fq": "organization:(a OR b)"}, 409, "Search Query Error"),
        ({"fq": "'; DROP TABLE catalog_resource; --"}, 409, "Search Query Error"),
        ({"sort": "password desc"}, 409, "Search Query Error"),
        ({"sort": "name; DELETE"}, 409, "Search Query Error"),
        ({"rows": "100000"}, 409, "Validation Error"),
        ({"rows": "ten"}, 409, "Validation Error"),
        ({"start": "-1"}, 409, "Validation Error"),
        ({"q": "x" * 500}, 409, "Validation Error"),
    ],
)
def test_package_search_bad_input(client, resources, params, status, kind):
    got, body = call(client, "package_search", **params)
    assert got == status and body["success"] is False
    assert body["error"]["__type"] == kind


def test_fq_fields_clients_send(client, resources):
    _, body = call(client, "package_search", fq=f"+dataset_type:dataset +name:{AIR}")
    assert [p["name"] for p in body["result"]["results"]] == [AIR]
    _, body = call(client, "package_search", fq="capacity:private")
    assert body["result"]["count"] == 0


def test_sql_like_query_matches_nothing(client, resources):
    status, body = call(client, "package_search", q="' OR 1=1 --")
    assert status == 200 and body["result"]["count"] == 0


def test_organizations(client, resources):
    org = f"dept-{resources['air'].provider_id}"
    _, body = call(client, "organization_list")
    assert body["result"] == [org]
    _, body = call(client, "organization_list", all_fields="true")
    assert body["result"][0]["package_count"] == 2
    status, body = call(client, "organization_show", id=org, include_datasets="true")
    assert status == 200 and len(body["result"]["packages"]) == 2
    status, body = call(client, "organization_show", id="dept-999999")
    assert status == 404 and body["error"]["__type"] == "Not Found Error"


def test_resource_show(client, resources):
    status, body = call(client, "resource_show", id=f"{AIR}-csv")
    assert status == 200 and body["result"]["format"] == "CSV"
    assert body["result"]["url"].endswith(f"/open/{AIR}/download/csv")
    status, body = call(client, "resource_show", id=f"{AIR}-exe")
    assert status == 404


def test_datastore_search(client, resources):
    rid = f"{AIR}-records"
    status, body = call(client, "datastore_search", resource_id=rid)
    result = body["result"]
    assert status == 200 and result["total"] == 3 and len(result["records"]) == 3
    types = {f["id"]: f["type"] for f in result["fields"]}
    assert types == {
        "_id": "int",
        "station_code": "text",
        "station_name": "text",
        "pm25": "numeric",
        "aqi": "int",
        "observed_on": "date",
    }
    assert "contact_phone" not in result["records"][0]  # personal field never opened

    _, body = call(
        client,
        "datastore_search",
        method="post",
        resource_id=rid,
        filters={"observed_on": "2026-11-01"},
        sort="aqi desc",
        fields=["station_code", "aqi"],
        limit=1,
    )
    result = body["result"]
    assert result["total"] == 2
    assert result["records"] == [
        {"_id": result["records"][0]["_id"], "station_code": "S002", "aqi": 88}
    ]

    _, body = call(client, "datastore_search", resource_id=rid, q="滨江")
    assert [r["station_code"] for r in body["result"]["records"]] == ["S003"]
    _, body = call(client, "datastore_search", resource_id=rid, offset=2, include_total="false")
    assert len(body["result"]["records"]) == 1 and "total" not in body["result"]


@pytest.mark.parametrize(
    ("params", "status", "kind"),
    [
        ({"filters": '{"contact_phone": "13800138000"}'}, 409, "Validation Error"),
        ({"filters": "not json"}, 409, "Validation Error"),
        ({"filters": '["a"]'}, 409, "Validation Error"),
        ({"fields": "contact_phone"}, 409, "Validation Error"),
        ({"sort": "aqi; DROP TABLE x"}, 409, "Validation Error"),
        ({"sort": "contact_phone asc"}, 409, "Validation Error"),
        ({"limit": "1000000"}, 409, "Validation Error"),
        ({"limit": "-5"}, 409, "Validation Error"),
        ({"filters": '{"aqi": "1 OR 1=1"}'}, 200, None),
        ({"q": "%' OR '1'='1"}, 200, None),
    ],
)
def test_datastore_search_bad_input(client, resources, params, status, kind):
    got, body = call(client, "datastore_search", resource_id=f"{AIR}-records", **params)
    assert got == status
    if kind:
        assert body["error"]["__type"] == kind
    else:
        assert body["result"]["records"] == []


def test_datastore_search_unknown_resource(client, resources):
    for rid in (f"{AIR}-csv", "301010001-000001-records", "x"):
        status, body = call(client, "datastore_search", resource_id=rid)
        assert status == 404 and body["error"]["__type"] == "Not Found Error"


def test_conditional_needs_an_approved_key(client, resources, developer_key, approved):
    rid = f"{ELEVATOR}-records"
    status, body = call(client, "datastore_search", resource_id=rid)
    assert status == 403 and body["error"]["__type"] == "Authorization Error"
    status, body = call(
        client, "datastore_search", resource_id=rid, headers={"Authorization": "sgo_bad"}
    )
    assert status == 403
    status, body = call(
        client, "datastore_search", resource_id=rid, headers={"Authorization": developer_key}
    )
    assert status == 200 and body["result"]["total"] == 2


def test_unknown_action_and_bad_json(client):
    response = client.get("/api/3/action/package_delete")
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["error"]["message"] == "Bad request - Action name not known: package_delete"
    response = client.post(
        "/api/3/action/package_show", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400 and "JSON Error" in response.json()["error"]["message"]
    response = client.post(
        "/api/3/action/package_show", data="[1, 2]", content_type="application/json"
    )
    assert response.status_code == 400


def test_help_show(client):
    status, body = call(client, "help_show", name="package_search")
    assert status == 200 and "fq" in body["result"]
    status, body = call(client, "help_show", name="nope")
    assert status == 404


def test_unversioned_path(client, resources):
    response = client.get("/api/action/package_list")
    assert response.status_code == 200 and AIR in response.json()["result"]


def test_cors(client, resources):
    response = client.get("/api/3/action/package_list", headers={"Origin": "https://example.org"})
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/3/action/datastore_search")
    assert preflight.status_code == 204
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
