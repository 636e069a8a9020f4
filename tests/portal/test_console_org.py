"""Admin console: departments and roles."""

from __future__ import annotations

import pytest

from smartgov.accounts.models import Role
from smartgov.core.models import Department
from tests.portal.conftest import english

pytestmark = pytest.mark.django_db


def test_department_tree_for_system_admin(as_user, sysadmin, org):
    page = as_user(sysadmin).get("/console/departments/").content.decode()
    assert 'data-testid="department-tree"' in page
    assert (
        page.index("杭州市人民政府")
        < page.index("西湖区人民政府")
        < page.index("西湖区市场监督管理局")
    )
    assert "330106" in page  # region code shown


def test_department_pages_refused_to_security_admin(as_user, secadmin, org):
    client = as_user(secadmin)
    assert client.get("/console/departments/").status_code == 403
    assert client.get("/console/departments/new/").status_code == 403
    assert client.get(f"/console/departments/{org['xihu'].pk}/edit/").status_code == 403


def test_region_admin_sees_own_subtree_and_gets_404_outside(as_user, xihu_admin, org):
    client = as_user(xihu_admin)
    page = client.get("/console/departments/").content.decode()
    assert "西湖区市场监督管理局" in page and "上城区" not in page
    assert client.get(f"/console/departments/{org['shangcheng'].pk}/edit/").status_code == 404
    form = client.get("/console/departments/new/").content.decode()
    assert "（顶级部门）" not in form and "上城区人民政府" not in form


def test_create_department_under_parent(as_user, sysadmin, org):
    client = as_user(sysadmin)
    response = client.post(
        "/console/departments/new/",
        {
            "name": "西湖区卫生健康局",
            "kind": "bureau",
            "region_code": "330106",
            "parent_id": org["xihu"].pk,
        },
    )
    assert response.status_code == 302
    created = Department.objects.get(name="西湖区卫生健康局")
    assert created.parent == org["xihu"] and created.depth == org["xihu"].depth + 1


def test_create_department_bad_input_inline(as_user, sysadmin, org):
    client = as_user(sysadmin)
    count = Department.objects.count()
    response = client.post(
        "/console/departments/new/",
        {
            "name": "西湖区市场监督管理局",  # exists under the same parent
            "kind": "bureau",
            "region_code": "330106",
            "parent_id": org["xihu"].pk,
            "code": "",
        },
    )
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    bad_code = client.post(
        "/console/departments/new/",
        {"name": "某局", "kind": "bureau", "region_code": "330106", "code": "123"},
    )
    assert bad_code.status_code == 400
    assert Department.objects.count() == count


def test_region_admin_cannot_create_under_other_district(as_user, xihu_admin, org):
    count = Department.objects.count()
    response = as_user(xihu_admin).post(
        "/console/departments/new/",
        {
            "name": "越权部门",
            "kind": "bureau",
            "region_code": "330106",
            "parent_id": org["city"].pk,
        },
    )
    assert response.status_code == 400
    assert Department.objects.count() == count


def test_edit_and_move_department(as_user, sysadmin, org):
    bureau = org["xihu_bureau"]
    client = as_user(sysadmin)
    assert client.get(f"/console/departments/{bureau.pk}/edit/").status_code == 200
    response = client.post(
        f"/console/departments/{bureau.pk}/edit/",
        {
            "name": bureau.name,
            "short_name": "西湖市监",
            "kind": "bureau",
            "region_code": "330106",
            "parent_id": org["city"].pk,
        },
    )
    assert response.status_code == 302
    bureau.refresh_from_db()
    assert bureau.parent == org["city"] and bureau.short_name == "西湖市监"
    assert bureau.path.startswith(org["city"].path)


def test_department_cannot_move_under_itself(as_user, sysadmin, org):
    client = as_user(sysadmin)
    form = client.get(f"/console/departments/{org['xihu'].pk}/edit/").content.decode()
    assert f'value="{org["xihu_bureau"].pk}"' not in form  # descendants are not offered
    response = client.post(
        f"/console/departments/{org['xihu'].pk}/edit/",
        {
            "name": org["xihu"].name,
            "kind": "district_office",
            "region_code": "330106",
            "parent_id": org["xihu_bureau"].pk,
        },
    )
    assert response.status_code == 400
    org["xihu"].refresh_from_db()
    assert org["xihu"].parent == org["city"]


def test_region_admin_can_edit_top_of_own_subtree(as_user, xihu_admin, org):
    response = as_user(xihu_admin).post(
        f"/console/departments/{org['xihu'].pk}/edit/",
        {
            "name": org["xihu"].name,
            "short_name": "西湖区政府",
            "kind": "district_office",
            "region_code": "330106",
            "parent_id": org["city"].pk,  # unchanged, although outside the admin's scope
        },
    )
    assert response.status_code == 302
    org["xihu"].refresh_from_db()
    assert org["xihu"].short_name == "西湖区政府"


def test_roles_list_with_permission_labels(as_user, secadmin):
    page = as_user(secadmin).get("/console/roles/").content.decode()
    assert "系统管理员" in page and "安全审计员" in page
    assert "查阅审计日志" in page  # a permission label
    assert "内置" in page


def test_roles_refused_to_system_admin(as_user, sysadmin):
    assert as_user(sysadmin).get("/console/roles/").status_code == 403
    assert as_user(sysadmin).post("/console/roles/new/", {}).status_code == 403


def test_create_and_edit_custom_role(as_user, secadmin):
    client = as_user(secadmin)
    form = client.get("/console/roles/new/").content.decode()
    assert 'name="permissions"' in form and "core.view_audit" in form
    response = client.post(
        "/console/roles/new/",
        {
            "code": "window_clerk",
            "name": "综合窗口人员",
            "description": "一窗受理",
            "permissions": ["portal.use_workbench", "accounts.view_user"],
        },
    )
    assert response.status_code == 302
    role = Role.objects.get(code="window_clerk")
    assert set(role.permissions) == {"portal.use_workbench", "accounts.view_user"}
    response = client.post(
        f"/console/roles/{role.pk}/edit/",
        {"name": "综合窗口", "description": "", "permissions": ["portal.use_workbench"]},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.name == "综合窗口" and role.permissions == ["portal.use_workbench"]


def test_role_bad_input_inline(as_user, secadmin):
    client = as_user(secadmin)
    response = client.post(
        "/console/roles/new/", {"code": "Bad Code!", "name": "", "permissions": ["nope"]}
    )
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    duplicate = client.post("/console/roles/new/", {"code": "auditor", "name": "重复"})
    assert duplicate.status_code == 400
    assert not Role.objects.filter(name="重复").exists()


def test_builtin_role_is_read_only(as_user, secadmin):
    role = Role.objects.get(code="auditor")
    client = as_user(secadmin)
    page = client.get(f"/console/roles/{role.pk}/edit/").content.decode()
    assert "disabled" in page
    client.post(f"/console/roles/{role.pk}/edit/", {"name": "改名", "permissions": []})
    role.refresh_from_db()
    assert role.name == "Security auditor" and role.permissions


def test_roles_in_english(as_user, secadmin):
    page = english(as_user(secadmin)).get("/console/roles/").content.decode()
    assert "Security auditor" in page and "New custom role" in page
