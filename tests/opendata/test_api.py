"""The opendata API (/api/v1/opendata/): keys and applications with a personal token."""

from __future__ import annotations

import json

import pytest

from smartgov.opendata.models import ApplicationStatus, OpenApplication

pytestmark = pytest.mark.django_db

ELEVATOR = "302001003-000001"
APPLY = {"package": ELEVATOR, "purpose": "维保提醒应用"}
APPLICATIONS = "/api/v1/opendata/applications"


def post(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_developer_keys_and_application_flow(client, bearer, resources, developer, officer):
    dev = bearer(developer)
    response = post(client, "/api/v1/opendata/keys", {"name": "应用"}, dev)
    assert response.status_code == 201 and response.json()["secret"].startswith("sgo_")
    keys = client.get("/api/v1/opendata/keys", **dev).json()
    assert len(keys) == 1 and "secret" not in keys[0]

    response = post(
        client,
        "/api/v1/opendata/applications",
        {"package": ELEVATOR, "purpose": "维保提醒应用"},
        dev,
    )
    assert response.status_code == 201
    application_id = response.json()["id"]
    again = post(
        client,
        "/api/v1/opendata/applications",
        {"package": ELEVATOR, "purpose": "维保提醒应用"},
        dev,
    )
    assert again.status_code == 409 and again.json()["code"] == "already_applied"

    provider = bearer(officer)
    pending = client.get("/api/v1/opendata/applications?pending=true", **provider).json()
    assert [a["id"] for a in pending] == [application_id]
    # The applicant cannot decide its own application.
    refused = post(
        client, f"/api/v1/opendata/applications/{application_id}/decide", {"approve": True}, dev
    )
    assert refused.status_code == 403
    decided = post(
        client,
        f"/api/v1/opendata/applications/{application_id}/decide",
        {"approve": True, "comment": "同意"},
        provider,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert OpenApplication.objects.get().status == ApplicationStatus.APPROVED


def test_bad_input(client, bearer, resources, developer, officer):
    dev = bearer(developer)
    response = post(client, "/api/v1/opendata/applications", {"package": "x", "purpose": "x"}, dev)
    assert response.status_code == 404
    response = post(
        client,
        "/api/v1/opendata/applications",
        {"package": "308001001-000001", "purpose": "应用开发"},
        dev,
    )
    assert response.status_code == 409 and response.json()["code"] == "not_conditional"
    response = post(client, "/api/v1/opendata/keys", {"name": "", "rate_per_minute": 0}, dev)
    assert response.status_code == 400
    response = post(client, "/api/v1/opendata/keys", {"name": "x"}, bearer(officer))
    assert response.status_code == 403
    assert client.get("/api/v1/opendata/keys").status_code == 401
