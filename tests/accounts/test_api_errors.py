"""The API's error contract: JSON {code, message, detail}, right statuses, no tracebacks."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from smartgov.accounts.models import ApiToken

ERROR_KEYS = {"code", "message", "detail"}


def assert_json_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    text = response.content.decode()
    assert "Traceback" not in text and 'File "' not in text
    body = response.json()
    assert set(body) == ERROR_KEYS
    if code is not None:
        assert body["code"] == code
    assert response["X-Request-ID"]
    return body


@pytest.fixture
def headers(citizen, bearer):
    return bearer(citizen)


def test_unknown_route_is_json_404(client, headers):
    assert_json_error(client.get("/api/v1/no-such-thing", **headers), 404, "not_found")
    assert_json_error(client.get("/api/v1/users/not-a-number/x/y"), 404, "not_found")
    assert_json_error(client.post("/api/v1/nope", {}, content_type="application/json"), 404)


def test_wrong_method_is_json_405(client, headers):
    body = assert_json_error(client.delete("/api/v1/me", **headers), 405, "method_not_allowed")
    assert body["message"]
    response = client.put("/api/v1/me", {}, content_type="application/json", **headers)
    assert_json_error(response, 405, "method_not_allowed")


@pytest.mark.parametrize(
    "raw", [b"{not json", b'{"name": ', b"\xff\xfe\x00garbage", b"[1, 2", b'"just a string"']
)
def test_malformed_json_body_is_a_client_error(client, headers, raw):
    before = ApiToken.objects.count()
    response = client.generic(
        "POST", "/api/v1/me/tokens", raw, content_type="application/json", **headers
    )
    assert 400 <= response.status_code < 500
    assert_json_error(response, response.status_code)
    assert ApiToken.objects.count() == before


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=200)
def test_oversized_body_is_json_413(client, headers):
    body = json.dumps({"name": "x" * 1000})
    before = ApiToken.objects.count()
    response = client.generic(
        "POST", "/api/v1/me/tokens", body, content_type="application/json", **headers
    )
    assert_json_error(response, 413, "body_too_large")
    assert ApiToken.objects.count() == before


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=200)
def test_oversized_anonymous_body_is_json_413(client, db):
    body = json.dumps({"username": "x" * 1000})
    response = client.generic(
        "POST", "/api/v1/register/citizen", body, content_type="application/json"
    )
    assert_json_error(response, 413, "body_too_large")


def test_validation_error_is_422_invalid_input(client, headers):
    response = client.post(
        "/api/v1/me/tokens", {"name": ["a", "list"]}, content_type="application/json", **headers
    )
    body = assert_json_error(response, 422, "invalid_input")
    assert isinstance(body["detail"], list) and body["detail"]
    assert {"loc", "msg", "type"} <= set(body["detail"][0])


def test_bad_path_parameter_is_422(client, sysadmin, bearer):
    assert_json_error(client.get("/api/v1/users/abc", **bearer(sysadmin)), 422, "invalid_input")


def test_request_id_is_returned_and_a_sane_incoming_one_is_kept(client, headers):
    response = client.get("/api/v1/me", HTTP_X_REQUEST_ID="trace-1234567890", **headers)
    assert response.status_code == 200
    assert response["X-Request-ID"] == "trace-1234567890"
    response = client.get("/api/v1/me", HTTP_X_REQUEST_ID="<script>alert(1)</script>", **headers)
    assert response["X-Request-ID"] != "<script>alert(1)</script>"
    assert response["X-Request-ID"]
    response = client.get("/api/v1/nowhere", **headers)
    assert response["X-Request-ID"]


def test_unknown_page_is_an_html_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "Traceback" not in text
    assert "not_found" in text
    assert response["X-Request-ID"]
