"""E-license API: public verification, wallet, staff actions and the 4xx codes of bad input."""

from __future__ import annotations

import json

import pytest

from smartgov.licenses import services
from smartgov.licenses.models import License, LicenseStatus

BASE = "/api/v1/licenses"
CITIZEN_ID = "11010519491231002X"


def post(client, url, body, headers=None):
    return client.post(url, json.dumps(body), content_type="application/json", **(headers or {}))


def test_public_verify_by_code_and_payload(client, issued):
    code = services.qr_code(issued)
    response = client.get(f"{BASE}/verify", {"code": code})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["reasons"] == []
    assert body["license"]["holder_name"] == "张*"
    assert "data" not in body["license"] or body["license"]["data"] is None
    body = post(client, f"{BASE}/verify", {"payload": services.qr_url(issued, "http://t")}).json()
    assert body["valid"] is True
    body = post(client, f"{BASE}/verify", {"identifier": issued.identifier}).json()
    assert body["valid"] is True


def test_verify_forged_says_why(client, issued):
    forged = issued.signature[:10] + ("a" if issued.signature[10] != "a" else "b")
    forged += issued.signature[11:]
    body = client.get(f"{BASE}/verify", {"code": f"{issued.identifier}~{forged}"}).json()
    assert body == {"valid": False, "reasons": ["signature_invalid"], "license": body["license"]}
    body = client.get(f"{BASE}/verify", {"code": "nonsense"}).json()
    assert body["reasons"] == ["malformed"] and body["license"] is None


@pytest.mark.parametrize(
    ("method", "body", "code"),
    [
        ("get", {}, "code_required"),
        ("get", {"code": "x" * 500}, "code_too_long"),
        ("post", {}, "payload_or_identifier"),
        ("post", {"payload": "a", "identifier": "b"}, "payload_or_identifier"),
    ],
)
def test_verify_bad_input(client, method, body, code):
    if method == "get":
        response = client.get(f"{BASE}/verify", body)
    else:
        response = post(client, f"{BASE}/verify", body)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_wallet_detail_and_uses(client, bearer, issued, citizen, org):
    services.record_use(
        license=issued, by=org["xihu_bureau"], purpose="核验婚姻状况", reference="A1"
    )
    headers = bearer(citizen)
    wallet = client.get(f"{BASE}/mine", **headers).json()
    assert [item["identifier"] for item in wallet] == [issued.identifier]
    assert wallet[0]["data"]["spouse"] == "李四"
    detail = client.get(f"{BASE}/{issued.identifier}", **headers)
    assert detail.status_code == 200 and detail.json()["holder_name"] == "张三"
    uses = client.get(f"{BASE}/{issued.identifier}/uses", **headers).json()
    assert uses[0]["department"] == org["xihu_bureau"].name and uses[0]["reference"] == "A1"
    assert client.get(f"{BASE}/mine").status_code == 401


def test_other_people_cannot_read(client, bearer, issued, other_officer, xihu_staff):
    for user in (other_officer, xihu_staff):
        response = client.get(f"{BASE}/{issued.identifier}", **bearer(user))
        assert response.status_code == 404
        assert client.get(f"{BASE}/{issued.identifier}/uses", **bearer(user)).status_code == 404
        assert client.get(f"{BASE}/mine", **bearer(user)).json() == []


def test_staff_issue_suspend_revoke(client, bearer, officer, marriage):
    headers = bearer(officer)
    response = post(
        client,
        BASE,
        {
            "type_code": "MARRIAGE",
            "holder_id": CITIZEN_ID,
            "holder_name": "张三",
            "data": {"spouse": "李四"},
            "source": "services:application:9",
        },
        headers,
    )
    assert response.status_code == 201, response.content
    ident = response.json()["identifier"]
    url = f"{BASE}/{ident}"
    assert (
        post(client, f"{url}/suspend", {"reason": "核查"}, headers).json()["status"] == "suspended"
    )
    assert post(client, f"{url}/reinstate", {}, headers).json()["status"] == "valid"
    assert post(client, f"{url}/revoke", {"reason": "错误"}, headers).json()["status"] == "revoked"
    response = post(client, f"{url}/revoke", {"reason": "again"}, headers)
    assert response.status_code == 409 and response.json()["code"] == "license_not_revocable"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"type_code": "NOPE", "holder_id": CITIZEN_ID, "holder_name": "张三"},
            404,
            "license_type_not_found",
        ),
        (
            {
                "type_code": "MARRIAGE",
                "holder_id": "123",
                "holder_name": "张三",
                "data": {"spouse": "李四"},
            },
            400,
            None,
        ),
        (
            {
                "type_code": "MARRIAGE",
                "holder_id": CITIZEN_ID,
                "holder_name": "",
                "data": {"spouse": "李四"},
            },
            400,
            "holder_name_required",
        ),
        (
            {"type_code": "MARRIAGE", "holder_id": CITIZEN_ID, "holder_name": "张三"},
            400,
            "data_invalid",
        ),
        ({"type_code": "MARRIAGE"}, 422, None),
    ],
)
def test_issue_bad_input(client, bearer, officer, marriage, body, status, code):
    response = post(client, BASE, body, bearer(officer))
    assert response.status_code == status, response.content
    if code:
        assert response.json()["code"] == code
    assert License.objects.count() == 0


def test_refusals_change_nothing(client, bearer, issued, other_officer, citizen):
    for user in (other_officer, citizen):
        headers = bearer(user)
        response = post(client, f"{BASE}/{issued.identifier}/revoke", {"reason": "x"}, headers)
        assert response.status_code == 403
        response = post(
            client,
            BASE,
            {
                "type_code": "MARRIAGE",
                "holder_id": CITIZEN_ID,
                "holder_name": "张三",
                "data": {"spouse": "李四"},
            },
            headers,
        )
        assert response.status_code == 403
    issued.refresh_from_db()
    assert issued.status == LicenseStatus.VALID
    assert License.objects.count() == 1
    response = post(client, f"{BASE}/{issued.identifier}/revoke", {}, bearer(other_officer))
    assert response.status_code == 422


def test_qr_svg(issued):
    from smartgov.licenses.qr import qr_svg

    svg = qr_svg(issued, base_url="https://gov.example")
    assert svg.startswith("<svg") and "sg-qr" in svg and "</svg>" in svg
