"""Admin console: accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from smartgov.accounts import services
from smartgov.accounts.models import Membership, User
from smartgov.accounts.permissions import AUDITOR, STAFF
from tests.conftest import PASSWORD
from tests.portal.conftest import english

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditor", "xihu_admin"])
def test_user_list_renders_for_roles_with_view_user(request, as_user, role, citizen):
    response = as_user(request.getfixturevalue(role)).get("/console/users/")
    assert response.status_code == 200
    assert "账号管理" in response.content.decode()


@pytest.mark.parametrize("role", ["xihu_staff", "citizen"])
def test_user_list_forbidden_without_permission(request, as_user, role):
    response = as_user(request.getfixturevalue(role)).get("/console/users/")
    assert response.status_code == 403
    assert "您无权" in response.content.decode() or "权限" in response.content.decode()


def test_user_list_search_filters_and_htmx_partial(as_user, sysadmin, citizen, xihu_staff):
    client = as_user(sysadmin)
    page = client.get("/console/users/?q=张三").content.decode()
    assert "zhangsan" in page and "xihu_staff" not in page
    assert "<html" in page
    partial = client.get("/console/users/?q=xihu", HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and "xihu_staff" in body and "zhangsan" not in body
    assert "zhangsan" in client.get("/console/users/?kind=citizen").content.decode()
    assert "xihu_staff" not in client.get("/console/users/?kind=citizen").content.decode()
    services.deactivate_user(actor=sysadmin, user_id=citizen.pk)
    inactive = client.get("/console/users/?active=0").content.decode()
    assert "zhangsan" in inactive and "xihu_staff" not in inactive
    assert "没有符合条件的账号" in client.get("/console/users/?q=nobody-here").content.decode()


def test_user_list_paginates_20_per_page(as_user, sysadmin):
    for i in range(25):
        services.create_staff(actor=None, username=f"bulk{i:02d}", name=f"批量{i}", password=None)
    client = as_user(sysadmin)
    first = client.get("/console/users/?q=bulk").content.decode()
    assert first.count("/console/users/") >= 20 and "共 25 条" in first
    second = client.get("/console/users/?q=bulk&page=2").content.decode()
    assert "bulk24" in second and "bulk00" not in second


def test_region_admin_sees_only_own_district(as_user, xihu_admin, xihu_staff, shangcheng_staff):
    client = as_user(xihu_admin)
    page = client.get("/console/users/").content.decode()
    assert "xihu_staff" in page and "shangcheng_staff" not in page
    assert client.get(f"/console/users/{xihu_staff.pk}/").status_code == 200
    assert client.get(f"/console/users/{shangcheng_staff.pk}/").status_code == 404
    assert client.get(f"/console/users/{shangcheng_staff.pk}/edit/").status_code == 404


def test_user_detail_shows_profile_memberships_tokens_and_lock(as_user, secadmin, xihu_staff):
    token, _ = services.create_token(actor=xihu_staff, name="脚本", expires_at=None)
    User.objects.filter(pk=xihu_staff.pk).update(
        locked_until=timezone.now() + timedelta(minutes=10)
    )
    page = as_user(secadmin).get(f"/console/users/{xihu_staff.pk}/").content.decode()
    assert "西湖区市场监督管理局" in page and "工作人员" in page
    assert f"sgp_{token.prefix}_" in page and token.token_hash not in page
    assert 'data-testid="locked-badge"' in page and 'data-testid="unlock"' in page
    assert 'data-testid="assign-role-form"' in page


def test_create_staff_happy_path_bad_input_and_refusal(as_user, sysadmin, secadmin):
    client = as_user(sysadmin)
    assert client.get("/console/users/new/").status_code == 200
    data = {
        "username": "newstaff",
        "name": "新同事",
        "phone": "13900139000",
        "email": "",
        "password": "N3w-Staff-Pass!",
        "password_again": "N3w-Staff-Pass!",
    }
    response = client.post("/console/users/new/", data)
    created = User.objects.get(username="newstaff")
    assert response.status_code == 302 and created.kind == "staff"
    again = client.post("/console/users/new/", {**data, "phone": "123"})
    assert again.status_code == 400
    assert "invalid-feedback" in again.content.decode()
    taken = client.post("/console/users/new/", {**data, "username": "newstaff"})
    assert "已被" in taken.content.decode() or taken.status_code == 400
    assert User.objects.filter(username="newstaff").count() == 1
    refused = as_user(secadmin).post("/console/users/new/", {**data, "username": "sneaky"})
    assert refused.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_edit_contact_details(as_user, sysadmin, xihu_staff):
    client = as_user(sysadmin)
    url = f"/console/users/{xihu_staff.pk}/edit/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"display_name": "王五", "phone": "12", "email": ""})
    assert bad.status_code == 400
    xihu_staff.refresh_from_db()
    assert xihu_staff.display_name == "xihu_staff"
    ok = client.post(url, {"display_name": "王五", "phone": "13700137000", "email": "w@x.cn"})
    assert ok.status_code == 302
    xihu_staff.refresh_from_db()
    assert (xihu_staff.display_name, xihu_staff.phone) == ("王五", "13700137000")


def test_deactivate_and_reactivate_with_confirmation(as_user, sysadmin, xihu_staff):
    client = as_user(sysadmin)
    detail = client.get(f"/console/users/{xihu_staff.pk}/").content.decode()
    assert "data-sg-confirm" in detail and 'data-testid="deactivate"' in detail
    client.post(f"/console/users/{xihu_staff.pk}/deactivate/")
    xihu_staff.refresh_from_db()
    assert not xihu_staff.is_active
    client.post(f"/console/users/{xihu_staff.pk}/reactivate/")
    xihu_staff.refresh_from_db()
    assert xihu_staff.is_active


def test_deactivate_refused_for_security_admin(as_user, secadmin, xihu_staff):
    response = as_user(secadmin).post(f"/console/users/{xihu_staff.pk}/deactivate/")
    assert response.status_code == 403
    xihu_staff.refresh_from_db()
    assert xihu_staff.is_active


def test_set_password(as_user, sysadmin, secadmin, xihu_staff):
    client = as_user(sysadmin)
    url = f"/console/users/{xihu_staff.pk}/password/"
    mismatch = client.post(url, {"password": "Brand-N3w-Pass", "password_again": "other"})
    assert mismatch.status_code == 400
    weak = client.post(url, {"password": "123", "password_again": "123"})
    assert weak.status_code == 400 and "invalid-feedback" in weak.content.decode()
    xihu_staff.refresh_from_db()
    assert xihu_staff.check_password(PASSWORD)
    ok = client.post(url, {"password": "Brand-N3w-Pass", "password_again": "Brand-N3w-Pass"})
    assert ok.status_code == 302
    xihu_staff.refresh_from_db()
    assert xihu_staff.check_password("Brand-N3w-Pass")
    assert as_user(secadmin).get(url).status_code == 403


def test_unlock_by_security_admin_only(as_user, secadmin, sysadmin, xihu_staff):
    User.objects.filter(pk=xihu_staff.pk).update(
        locked_until=timezone.now() + timedelta(minutes=10)
    )
    assert as_user(sysadmin).post(f"/console/users/{xihu_staff.pk}/unlock/").status_code == 403
    xihu_staff.refresh_from_db()
    assert xihu_staff.is_locked()
    as_user(secadmin).post(f"/console/users/{xihu_staff.pk}/unlock/")
    xihu_staff.refresh_from_db()
    assert not xihu_staff.is_locked()


def test_assign_role_happy_path(as_user, secadmin, org, shangcheng_staff):
    response = as_user(secadmin).post(
        f"/console/users/{shangcheng_staff.pk}/roles/",
        {"department": org["xihu_bureau"].pk, "role": STAFF, "scope": "", "title": "窗口"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=shangcheng_staff, department=org["xihu_bureau"], title="窗口"
    ).exists()


def test_assign_role_separation_of_duties_is_inline_and_changes_nothing(
    as_user, secadmin, sysadmin, org
):
    before = Membership.objects.filter(user=sysadmin).count()
    response = as_user(secadmin).post(
        f"/console/users/{sysadmin.pk}/roles/",
        {"department": org["data_bureau"].pk, "role": AUDITOR, "scope": "city", "title": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="form-error"' in page and "不同" in page
    assert Membership.objects.filter(user=sysadmin).count() == before


def test_assign_role_scope_too_wide_is_inline(as_user, org, xihu_staff):
    from tests.conftest import make_staff

    district_sec = make_staff("xihu_sec", org["xihu"], "security_admin", "region_tree")
    response = as_user(district_sec).post(
        f"/console/users/{xihu_staff.pk}/roles/",
        {"department": org["xihu_bureau"].pk, "role": STAFF, "scope": "city", "title": ""},
    )
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert xihu_staff.memberships.count() == 1


def test_assign_role_department_outside_scope_is_refused(as_user, org, shangcheng_staff):
    from tests.conftest import make_staff

    district_sec = make_staff("xihu_sec", org["xihu"], "security_admin", "region_tree")
    response = as_user(district_sec).post(
        f"/console/users/{shangcheng_staff.pk}/roles/",
        {"department": org["shangcheng_bureau"].pk, "role": STAFF, "scope": "", "title": ""},
    )
    assert response.status_code in (400, 404)
    assert shangcheng_staff.memberships.count() == 1


def test_assign_role_forbidden_for_system_admin(as_user, sysadmin, org, xihu_staff):
    response = as_user(sysadmin).post(
        f"/console/users/{xihu_staff.pk}/roles/",
        {"department": org["xihu_bureau"].pk, "role": STAFF, "scope": "", "title": ""},
    )
    assert response.status_code == 403
    assert xihu_staff.memberships.count() == 1


def test_remove_membership_with_confirmation(as_user, secadmin, xihu_staff):
    membership = xihu_staff.memberships.get()
    client = as_user(secadmin)
    detail = client.get(f"/console/users/{xihu_staff.pk}/").content.decode()
    assert 'data-testid="remove-membership"' in detail and "data-sg-confirm" in detail
    client.post(f"/console/users/{xihu_staff.pk}/roles/{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_remove_own_membership_is_refused_with_message(as_user, secadmin):
    membership = secadmin.memberships.get()
    response = as_user(secadmin).post(
        f"/console/users/{secadmin.pk}/roles/{membership.pk}/remove/", follow=True
    )
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert 'role="alert"' in response.content.decode()


def test_security_admin_revokes_a_users_token(as_user, secadmin, xihu_staff):
    token, _ = services.create_token(actor=xihu_staff, name="x", expires_at=None)
    as_user(secadmin).post(f"/console/users/{xihu_staff.pk}/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_user_pages_in_english(as_user, sysadmin, xihu_staff):
    client = english(as_user(sysadmin))
    page = client.get(f"/console/users/{xihu_staff.pk}/").content.decode()
    assert "Departments and roles" in page and "Deactivate" in page and "部门与角色" not in page
