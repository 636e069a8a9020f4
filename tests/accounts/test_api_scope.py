"""Data scope: an administrator limited to 西湖区 neither sees nor changes 上城区's rows."""

from __future__ import annotations

import pytest

from smartgov.accounts.models import User
from smartgov.core.models import AuditRecord, Department


def usernames(response) -> set[str]:
    assert response.status_code == 200
    return {item["username"] for item in response.json()["items"]}


@pytest.fixture
def staff(xihu_staff, shangcheng_staff):
    return xihu_staff, shangcheng_staff


def test_region_admin_lists_only_their_region(client, xihu_admin, staff, bearer):
    seen = usernames(client.get("/api/v1/users?page_size=200", **bearer(xihu_admin)))
    assert "xihu_staff" in seen
    assert "shangcheng_staff" not in seen
    assert "sysadmin" not in seen  # sits in the city's data bureau
    assert "xihu_admin" in seen


def test_city_admin_sees_both_districts(client, sysadmin, staff, bearer):
    seen = usernames(client.get("/api/v1/users?page_size=200", **bearer(sysadmin)))
    assert {"xihu_staff", "shangcheng_staff"} <= seen


def test_out_of_scope_user_is_not_found(client, xihu_admin, staff, bearer):
    _, shangcheng_staff = staff
    response = client.get(f"/api/v1/users/{shangcheng_staff.pk}", **bearer(xihu_admin))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    response = client.get(f"/api/v1/users/{shangcheng_staff.pk}/memberships", **bearer(xihu_admin))
    assert response.status_code == 404


def test_in_scope_user_is_readable_and_editable(client, xihu_admin, staff, bearer):
    xihu_staff, _ = staff
    headers = bearer(xihu_admin)
    assert client.get(f"/api/v1/users/{xihu_staff.pk}", **headers).status_code == 200
    response = client.patch(
        f"/api/v1/users/{xihu_staff.pk}",
        {"display_name": "西湖 工作人员"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    assert User.objects.get(pk=xihu_staff.pk).display_name == "西湖 工作人员"


def test_out_of_scope_user_cannot_be_edited(client, xihu_admin, staff, bearer):
    _, shangcheng_staff = staff
    headers = bearer(xihu_admin)
    before = User.objects.filter(pk=shangcheng_staff.pk).values().get()
    audit_count = AuditRecord.objects.count()
    response = client.patch(
        f"/api/v1/users/{shangcheng_staff.pk}",
        {"display_name": "hijacked", "phone": "13700137000"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    assert User.objects.filter(pk=shangcheng_staff.pk).values().get() == before
    assert AuditRecord.objects.count() == audit_count
    response = client.post(f"/api/v1/users/{shangcheng_staff.pk}/deactivate", **headers)
    assert response.status_code == 404
    assert User.objects.get(pk=shangcheng_staff.pk).is_active


def test_out_of_scope_department_members_are_not_found(client, org, xihu_admin, staff, bearer):
    headers = bearer(xihu_admin)
    response = client.get(f"/api/v1/departments/{org['shangcheng_bureau'].pk}/members", **headers)
    assert response.status_code == 404
    response = client.get(f"/api/v1/departments/{org['xihu_bureau'].pk}/members", **headers)
    assert response.status_code == 200
    assert [m["role"] for m in response.json()] == ["staff"]


@pytest.mark.parametrize(
    ("region_code", "status", "code"),
    [
        # An in-scope region under an out-of-scope parent: the parent is "not found".
        ("330106", 404, "not_found"),
        # Public regions may be named, but not one outside the actor's scope.
        ("330102", 403, "region_out_of_scope"),
    ],
)
def test_department_cannot_be_created_outside_scope(
    client, org, xihu_admin, bearer, region_code, status, code
):
    headers = bearer(xihu_admin)
    before = Department.objects.count()
    audit_count = AuditRecord.objects.count()
    response = client.post(
        "/api/v1/departments",
        {
            "name": "上城区某科室",
            "kind": "bureau",
            "region_code": region_code,
            "parent_id": org["shangcheng"].pk,
        },
        content_type="application/json",
        **headers,
    )
    assert response.status_code == status
    assert response.json()["code"] == code
    assert Department.objects.count() == before
    assert AuditRecord.objects.count() == audit_count


def test_department_can_be_created_inside_scope(client, org, xihu_admin, bearer):
    response = client.post(
        "/api/v1/departments",
        {
            "name": "西湖区某科室",
            "kind": "bureau",
            "region_code": "330106",
            "parent_id": org["xihu"].pk,
        },
        content_type="application/json",
        **bearer(xihu_admin),
    )
    assert response.status_code == 201
    assert Department.objects.get(pk=response.json()["id"]).parent_id == org["xihu"].pk


def test_department_bad_input(client, org, xihu_admin, bearer):
    before = Department.objects.count()
    response = client.post(
        "/api/v1/departments",
        {"name": "", "kind": "nonsense", "region_code": "330106", "parent_id": org["xihu"].pk},
        content_type="application/json",
        **bearer(xihu_admin),
    )
    assert response.status_code == 400
    assert Department.objects.count() == before


def test_staff_without_view_user_is_refused(client, xihu_staff, bearer):
    response = client.get("/api/v1/users", **bearer(xihu_staff))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
