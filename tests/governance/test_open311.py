"""Open311 GeoReport v2: discovery, services, definitions, requests (GET/POST), tokens, errors,
in JSON and XML, checked against the shapes of the specification."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from smartgov.core.audit import AuditRecord
from smartgov.core.errors import PermissionDeniedError
from smartgov.governance import open311_clients
from smartgov.governance.models import Case, CaseStatus, Category, CategoryKind, Open311Client
from smartgov.governance.permissions import CASE_HANDLER, GOVERNANCE_ADMIN
from tests.conftest import make_staff
from tests.governance.kpi_factories import categories, make_case

HAS_INTAKE = importlib.util.find_spec("smartgov.governance.services") is not None
needs_intake = pytest.mark.skipif(
    not HAS_INTAKE, reason="the lifecycle's services.report_case is not on this branch yet"
)

REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}


def xml(response):
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(
        b"<?xml version='1.0' encoding='utf-8'?>"
    ) or response.content.lower().startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 (our own response)


@pytest.fixture
def services_tree(db):
    minor, other = categories()
    part_major = Category.objects.create(code="02", name="公用设施", kind=CategoryKind.PART)
    part = Category.objects.create(
        code="0201",
        name="路灯",
        kind=CategoryKind.PART,
        parent=part_major,
        time_limit=8,
        time_limit_unit="hours",
        keywords="路灯，不亮",
        opening_condition="路灯损坏或不亮",
    )
    Category.objects.create(
        code="0202", name="停用类", kind=CategoryKind.PART, parent=part_major, active=False
    )
    complaint_major = Category.objects.create(
        code="90", name="劳动保障", kind=CategoryKind.COMPLAINT
    )
    complaint = Category.objects.create(
        code="9001", name="欠薪", kind=CategoryKind.COMPLAINT, parent=complaint_major
    )
    return {"minor": minor, "other": other, "part": part, "complaint": complaint}


@pytest.fixture
def admin(org):
    return make_staff("gov_admin", org["data_bureau"], GOVERNANCE_ADMIN, "city")


@pytest.fixture
def api_key(admin):
    _, key = open311_clients.create_open311_client(actor=admin, name="城市大脑", contact="ops")
    return key


def test_discovery(client):
    body = client.get("/open311/v2/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = xml(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == [
        "text/xml",
        "application/json",
    ]


def test_services_json_and_xml(client, services_tree):
    body = client.get("/open311/v2/services.json").json()
    codes = [s["service_code"] for s in body]
    assert codes == ["0101", "0102", "0201", "9001"]  # only active minor classes
    light = next(s for s in body if s["service_code"] == "0201")
    assert set(light) == SERVICE_FIELDS
    assert light["metadata"] is True and light["type"] == "realtime"
    assert light["group"] == "公用设施" and light["keywords"] == "路灯,不亮"
    assert "8个工作小时" in light["description"]
    root = xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == 4
    assert services[2].findtext("service_code") == "0201"
    assert services[2].findtext("metadata") == "true"
    assert services[0].findtext("metadata") == "false"


def test_service_definition(client, services_tree):
    body = client.get("/open311/v2/services/0201.json").json()
    assert body["service_code"] == "0201"
    (attribute,) = body["attributes"]
    assert {
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
    } <= set(attribute)
    root = xml(client.get("/open311/v2/services/0201.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute/code") == "facility_code"
    assert root.findtext("attributes/attribute/required") == "false"
    assert client.get("/open311/v2/services/0101.json").json()["attributes"] == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_have_the_spec_shape(client, services_tree, fmt):
    response = client.get(f"/open311/v2/services/0202.{fmt}")  # inactive
    assert response.status_code == 404
    if fmt == "json":
        (error,) = response.json()
        assert error["code"] == 404 and error["description"]
    else:
        root = xml(response)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "404"
    response = client.get(f"/open311/v2/services.{fmt}?jurisdiction_id=elsewhere.gov")
    assert response.status_code == 404
    assert client.get("/open311/v2/services.yaml").status_code == 400


@pytest.fixture
def public_cases(org, services_tree):
    now = timezone.now()
    bureau = org["xihu_bureau"]
    made = {
        "open": make_case(
            department=bureau,
            category=services_tree["minor"],
            due=now + timedelta(days=1),
            dispatched=now - timedelta(hours=2),
            status=CaseStatus.DISPATCHED,
            address="西湖区文三路 1 号",
            lon=120.13,
            lat=30.28,
        ),
        "closed": make_case(
            department=bureau,
            category=services_tree["part"],
            due=now - timedelta(days=1),
            dispatched=now - timedelta(days=3),
            closed=now - timedelta(days=2),
            on_time=True,
            reply="已修复",
        ),
        "cancelled": make_case(
            department=bureau, category=services_tree["minor"], due=now, status=CaseStatus.CANCELLED
        ),
        "complaint": make_case(
            department=bureau,
            category=services_tree["complaint"],
            due=now,
            status=CaseStatus.DISPATCHED,
        ),
        "old": make_case(
            department=bureau,
            category=services_tree["minor"],
            due=now - timedelta(days=200),
            closed=now - timedelta(days=201),
            on_time=True,
        ),
    }
    return made


def test_get_requests_default_window_and_fields(client, public_cases):
    body = client.get("/open311/v2/requests.json").json()
    numbers = {r["service_request_id"] for r in body}
    # Not the cancelled one, not the personal complaint, not older than 90 days.
    assert numbers == {public_cases["open"].number, public_cases["closed"].number}
    entry = next(r for r in body if r["service_request_id"] == public_cases["open"].number)
    assert set(entry) == REQUEST_FIELDS
    assert entry["status"] == "open" and entry["lat"] == 30.28 and entry["long"] == 120.13
    assert entry["requested_datetime"].endswith("+08:00")
    closed = next(r for r in body if r["service_request_id"] == public_cases["closed"].number)
    assert closed["status"] == "closed" and closed["status_notes"] == "已修复"
    root = xml(client.get("/open311/v2/requests.xml"))
    assert root.tag == "service_requests"
    assert {r.findtext("service_request_id") for r in root.findall("request")} == numbers


def test_get_requests_filters(client, public_cases):
    def ids(query):
        response = client.get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert ids("status=open") == {public_cases["open"].number}
    assert ids("status=closed") == {public_cases["closed"].number}
    assert ids("service_code=0201") == {public_cases["closed"].number}
    old = public_cases["old"].created_at
    start = (old - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (old + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"start_date={start}&end_date={end}") == {public_cases["old"].number}
    many = ",".join([public_cases["old"].number, public_cases["complaint"].number, "nope"])
    assert ids(f"service_request_id={many}") == {public_cases["old"].number}


@pytest.mark.parametrize(
    "query",
    [
        "start_date=yesterday",
        "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
        "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
        "status=pending",
        "start_date=2026-01-01T00:00:00",
    ],
)
def test_get_requests_bad_filters(client, public_cases, query):
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_single_request_and_unknown(client, public_cases):
    number = public_cases["closed"].number
    (entry,) = client.get(f"/open311/v2/requests/{number}.json").json()
    assert entry["service_request_id"] == number and entry["service_code"] == "0201"
    root = xml(client.get(f"/open311/v2/requests/{number}.xml"))
    assert root.findtext("request/status") == "closed"
    assert client.get("/open311/v2/requests/NOPE.json").status_code == 404
    complaint = public_cases["complaint"].number
    assert client.get(f"/open311/v2/requests/{complaint}.json").status_code == 404


def test_token_lookup(client, public_cases):
    case = public_cases["open"]
    Case.objects.filter(pk=case.pk).update(source_system="open311:o311abcdef", external_id="t1")
    (entry,) = client.get("/open311/v2/tokens/t1.json").json()
    assert entry == {"service_request_id": case.number, "token": "t1"}
    root = xml(client.get("/open311/v2/tokens/t1.xml"))
    assert root.findtext("request/service_request_id") == case.number
    assert client.get("/open311/v2/tokens/t2.xml").status_code == 404


# --- POST and keys ------------------------------------------------------------------------


def test_post_needs_a_valid_key(client, services_tree, api_key, admin):
    data = {"service_code": "0101", "lat": "30.28", "long": "120.13", "description": "垃圾"}
    before = Case.objects.count()
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403
    response = client.post("/open311/v2/requests.xml", {**data, "api_key": api_key + "x"})
    assert response.status_code == 403
    assert xml(response).findtext("error/code") == "403"
    client_row = Open311Client.objects.get()
    open311_clients.revoke_open311_client(actor=admin, client=client_row)
    response = client.post("/open311/v2/requests.json", {**data, "api_key": api_key})
    assert response.status_code == 403
    assert Case.objects.count() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"service_code": ""}, "service_code"),
        ({"service_code": "9999"}, "service_code"),
        ({"lat": "", "long": ""}, "location"),
        ({"lat": "north"}, "lat"),
        ({"long": ""}, "together"),
        ({"description": ""}, "description"),
        ({"description": "长" * 5000}, "description"),
        ({"media_url": "file:///etc/passwd"}, "media_url"),
    ],
)
def test_post_bad_input(client, services_tree, api_key, change, message):
    data = {
        "service_code": "0101",
        "lat": "30.28",
        "long": "120.13",
        "description": "垃圾",
        "api_key": api_key,
        **change,
    }
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code in (400, 404)
    assert message in response.json()[0]["description"]
    assert Case.objects.count() == 0


@needs_intake
def test_post_creates_a_case(client, org, services_tree, api_key):
    data = {
        "api_key": api_key,
        "service_code": "0201",
        "lat": "30.2741",
        "long": "120.1551",
        "description": "文三路路灯不亮已经三天",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800138000",
        "attribute[facility_code]": "0201-330106-0001",
        "jurisdiction_id": "hangzhou.gov.cn",
    }
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 200, response.content
    (entry,) = response.json()
    case = Case.objects.get(number=entry["service_request_id"])
    assert case.channel == "open311" and case.category.code == "0201"
    assert "0201-330106-0001" in case.description
    assert case.reporter_name == "张三"
    (token_entry,) = client.get(f"/open311/v2/tokens/{entry['token']}.json").json()
    assert token_entry["service_request_id"] == case.number
    response = client.post("/open311/v2/requests.xml", {**data, "description": "又一盏灯"})
    assert xml(response).findtext("request/service_request_id")


def test_key_is_stored_as_a_hash_and_audited(admin, api_key):
    client_row = Open311Client.objects.get()
    assert api_key not in client_row.key_hash and api_key.startswith(client_row.key_prefix)
    assert open311_clients.client_for_key(api_key) == client_row
    assert AuditRecord.objects.filter(action="governance.open311_client.create").count() == 1


def test_only_configurers_manage_clients(org):
    handler = make_staff("handler", org["xihu_bureau"], CASE_HANDLER, "department")
    with pytest.raises(PermissionDeniedError):
        open311_clients.create_open311_client(actor=handler, name="x")
    assert not Open311Client.objects.exists()


def test_command(db, capsys):
    call_command("open311_client", "create", "--name", "城市大脑")
    out = capsys.readouterr().out
    key = out.split("api_key: ", 1)[1].split()[0]
    assert open311_clients.client_for_key(key) is not None
    prefix = key.split(".")[0]
    call_command("open311_client", "list")
    assert prefix in capsys.readouterr().out
    call_command("open311_client", "revoke", prefix)
    assert open311_clients.client_for_key(key) is None
    with pytest.raises(CommandError):
        call_command("open311_client", "revoke", prefix)
    with pytest.raises(CommandError):
        call_command("open311_client", "create", "--name", " ")


def test_governance_command_actions(db, capsys):
    call_command("governance", "open311-client", "create", "--name", "网格通")
    key = capsys.readouterr().out.split("api_key: ", 1)[1].split()[0]
    assert open311_clients.client_for_key(key).name == "网格通"
    call_command("governance", "open311-client", "list")
    assert "网格通" in capsys.readouterr().out
    call_command("governance", "kpi-rollup")
    assert "0 days" in capsys.readouterr().out


@needs_intake
def test_post_outside_the_city_is_refused(client, services_tree, api_key):
    data = {
        "api_key": api_key,
        "service_code": "0101",
        "lat": "39.9",
        "long": "116.4",
        "description": "北京的垃圾",
    }
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 400
    assert "outside_city" in response.json()[0]["description"]
    assert Case.objects.count() == 0


def test_request_list_queries_do_not_grow_with_the_cases(
    client, org, services_tree, public_cases, django_assert_max_num_queries
):
    now = timezone.now()
    for _ in range(6):
        make_case(
            department=org["xihu_bureau"],
            category=services_tree["minor"],
            due=now + timedelta(days=1),
            dispatched=now - timedelta(hours=1),
            status=CaseStatus.DISPATCHED,
        )
    with django_assert_max_num_queries(3):  # cases, their photos (one query for all)
        body = client.get("/open311/v2/requests.json").json()
    assert len(body) == 8
