"""Roles and the audit log over HTTP: separation of duties, auditor-only, read-only audit."""

from __future__ import annotations

import pytest

from smartgov.accounts.models import Membership
from smartgov.core.models import AuditRecord


def assign(client, actor_headers, **payload):
    return client.post(
        "/api/v1/memberships", payload, content_type="application/json", **actor_headers
    )


def test_security_admin_assigns_a_role(client, org, secadmin, xihu_staff, bearer):
    response = assign(
        client,
        bearer(secadmin),
        user_id=xihu_staff.pk,
        department_id=org["xihu"].pk,
        role="staff",
        title="窗口工作人员",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["role"] == "staff" and body["department_id"] == org["xihu"].pk
    assert AuditRecord.objects.filter(
        action="accounts.membership.create", actor_id=secadmin.pk
    ).exists()


def test_nobody_assigns_roles_to_themselves(client, org, secadmin, bearer):
    before = Membership.objects.count()
    response = assign(
        client, bearer(secadmin), user_id=secadmin.pk, department_id=org["city"].pk, role="staff"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "self_assignment"
    assert Membership.objects.count() == before


def test_platform_admin_roles_are_never_held_together(client, org, secadmin, sysadmin, bearer):
    before = Membership.objects.count()
    response = assign(
        client,
        bearer(secadmin),
        user_id=sysadmin.pk,
        department_id=org["data_bureau"].pk,
        role="auditor",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "separation_of_duties"
    assert body["detail"]["holds"] == ["system_admin"]
    assert Membership.objects.count() == before


@pytest.mark.parametrize("actor_fixture", ["sysadmin", "auditor", "xihu_staff", "citizen"])
def test_assigning_roles_needs_the_permission(
    request, client, org, xihu_staff, bearer, actor_fixture
):
    actor = request.getfixturevalue(actor_fixture)
    before = Membership.objects.count()
    response = assign(
        client,
        bearer(actor),
        user_id=xihu_staff.pk,
        department_id=org["xihu"].pk,
        role="system_admin",
    )
    assert response.status_code == 403
    assert Membership.objects.count() == before


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"role": "no_such_role"}, 400, "unknown_role"),
        ({"role": "staff", "scope": "galaxy"}, 400, "unknown_scope"),
        ({"role": "staff", "department_id": 999999}, 404, "not_found"),
        ({"role": "staff", "user_id": 999999}, 404, "not_found"),
        ({"role": None}, 422, "invalid_input"),
    ],
)
def test_assigning_roles_bad_input(
    client, org, secadmin, xihu_staff, bearer, payload, status, code
):
    body = {"user_id": xihu_staff.pk, "department_id": org["xihu"].pk, **payload}
    before = Membership.objects.count()
    response = assign(client, bearer(secadmin), **body)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert Membership.objects.count() == before


def test_roles_go_to_staff_only(client, org, secadmin, citizen, bearer):
    response = assign(
        client, bearer(secadmin), user_id=citizen.pk, department_id=org["xihu"].pk, role="staff"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_staff"


# --- the audit log -------------------------------------------------------------------------


def test_auditor_reads_the_audit_log(client, auditor, sysadmin, bearer):
    headers = bearer(auditor)
    response = client.get("/api/v1/audit", **headers)
    assert response.status_code == 200
    actions = {item["action"] for item in response.json()["items"]}
    assert "accounts.membership.bootstrap" in actions
    verify = client.get("/api/v1/audit/verify", **headers)
    assert verify.status_code == 200 and verify.json()["ok"] is True


@pytest.mark.parametrize("actor_fixture", ["sysadmin", "secadmin", "xihu_staff", "citizen"])
def test_only_the_auditor_reads_the_audit_log(request, client, bearer, actor_fixture):
    headers = bearer(request.getfixturevalue(actor_fixture))
    for url in ("/api/v1/audit", "/api/v1/audit/verify"):
        response = client.get(url, **headers)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_there_is_no_api_to_change_the_audit_log(client, auditor, bearer, method):
    headers = bearer(auditor)
    entry = AuditRecord.objects.order_by("seq").first()
    count = AuditRecord.objects.count()
    call = getattr(client, method)
    for url, statuses in (
        ("/api/v1/audit", {405}),
        (f"/api/v1/audit/{entry.pk}", {404, 405}),
        (f"/api/v1/audit/{entry.seq}", {404, 405}),
    ):
        response = call(url, {"action": "forged"}, content_type="application/json", **headers)
        assert response.status_code in statuses
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] in {"not_found", "method_not_allowed"}
    assert AuditRecord.objects.count() == count
    entry.refresh_from_db()
    assert entry.action != "forged"
