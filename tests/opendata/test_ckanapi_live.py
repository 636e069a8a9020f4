"""ckanapi.RemoteCKAN against the live server: every action, as a CKAN tool would call it."""

from __future__ import annotations

import pytest

ckanapi = pytest.importorskip("ckanapi")

pytestmark = pytest.mark.django_db(transaction=True)

AIR = "308001001-000001"
ELEVATOR = "302001003-000001"


@pytest.fixture(autouse=True)
def _live_database(live_db):
    """Committed data for the server thread (see live_db in tests/conftest.py)."""


@pytest.fixture
def topic(resources, data_admin):
    from smartgov.opendata import services
    from smartgov.opendata.models import Topic

    Topic.objects.create(code="environment", name="生态环境")
    services.file_publication(
        actor=data_admin, resource_id=resources["air"].pk, topic_code="environment", tags=["空气"]
    )


@pytest.mark.parametrize("base_url", ["api/3/action/", "api/action/"])
def test_every_action_through_ckanapi(live_server, resources, topic, base_url):
    ckan = ckanapi.RemoteCKAN(live_server.url, user_agent="smartgov-test")
    ckan.base_url = base_url  # ckanapi's default is CKAN's unversioned api/action/
    status = ckan.action.status_show()
    assert "datastore" in status["extensions"]
    assert ckan.action.package_list() == [ELEVATOR, AIR]
    package = ckan.action.package_show(id=AIR)
    assert package["title"] == "环境空气质量监测站点信息"
    org = package["owner_org"]
    found = ckan.action.package_search(
        q="空气",
        fq=f"organization:{org} tags:空气",
        sort="score desc",
        rows=5,
        **{"facet.field": ["organization", "groups", "tags", "res_format"]},
    )
    assert found["count"] == 1 and found["results"][0]["name"] == AIR
    assert found["search_facets"]["groups"]["items"][0]["name"] == "environment"
    assert ckan.action.organization_list() == [org]
    assert ckan.action.organization_list(all_fields=True)[0]["package_count"] == 2
    assert ckan.action.organization_show(id=org)["title"] == resources["air"].provider.name
    assert ckan.action.group_list() == ["environment"]
    assert ckan.action.tag_list() == ["空气"]
    records_id = package["resources"][-1]["id"]
    assert ckan.action.resource_show(id=records_id)["datastore_active"] is True
    rows = ckan.action.datastore_search(
        resource_id=records_id, filters={"station_code": "S002"}, fields=["station_code", "aqi"]
    )
    assert rows["total"] == 1 and rows["records"][0]["aqi"] == 88
    assert "fq" in ckan.action.help_show(name="package_search")
    ckan.close()  # no keep-alive connection left for the server thread to close at exit


def test_ckanapi_errors(live_server, resources, developer_key, approved):
    ckan = ckanapi.RemoteCKAN(live_server.url)
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="301010001-000001")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=f"{AIR}-records", limit=10**6)
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="owner:'; DROP TABLE x")
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.datastore_search(resource_id=f"{ELEVATOR}-records")
    with pytest.raises(ckanapi.CKANAPIError):
        ckan.call_action("package_create", {"name": "x"})
    # The approved developer's key, sent by ckanapi as CKAN's Authorization header.
    keyed = ckanapi.RemoteCKAN(live_server.url, apikey=developer_key)
    assert keyed.action.datastore_search(resource_id=f"{ELEVATOR}-records")["total"] == 2
    # GET-only clients work the same.
    get_only = ckanapi.RemoteCKAN(live_server.url, get_only=True)
    assert get_only.action.package_search(q="电梯")["count"] == 1
    for client in (ckan, keyed, get_only):
        client.close()
