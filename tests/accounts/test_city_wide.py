"""City-wide settings need a whole-city scope; department creation stays inside the scope."""

from datetime import date

import pytest

from smartgov.accounts import services
from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import has_perm, permissions_of
from smartgov.core.errors import PermissionDeniedError
from smartgov.core.models import CalendarDay, Department


def test_district_admin_holds_no_city_wide_permissions(xihu_admin, sysadmin):
    assert has_perm(xihu_admin, Perm.MANAGE_DEPARTMENT)
    for perm in (Perm.MANAGE_CALENDAR, Perm.MANAGE_OIDC_CLIENT, Perm.MANAGE_REGION):
        assert not has_perm(xihu_admin, perm)
        assert has_perm(sysadmin, perm)
    assert Perm.MANAGE_CALENDAR not in permissions_of(xihu_admin)


def test_district_admin_cannot_edit_the_calendar(xihu_admin):
    with pytest.raises(PermissionDeniedError):
        services.set_calendar_day(actor=xihu_admin, day=date(2027, 1, 1), is_workday=False)
    assert not CalendarDay.objects.exists()


def test_district_admin_pages_for_city_wide_settings_are_refused(client, xihu_admin):
    from tests.conftest import PASSWORD

    client.login(username="xihu_admin", password=PASSWORD)
    assert client.get("/console/calendar/").status_code == 403
    assert client.get("/console/sso/").status_code == 403
    nav = client.get("/console/departments/").content.decode()
    assert "/console/calendar/" not in nav


def test_district_admin_cannot_add_a_top_level_department(xihu_admin):
    before = Department.objects.count()
    with pytest.raises(PermissionDeniedError) as excinfo:
        services.create_department(
            actor=xihu_admin, name="新机构", kind="bureau", region_code="330106", parent_id=None
        )
    assert excinfo.value.code == "city_scope_required"
    assert Department.objects.count() == before


def test_district_admin_cannot_place_a_department_in_another_district(xihu_admin, org):
    before = Department.objects.count()
    with pytest.raises(PermissionDeniedError) as excinfo:
        services.create_department(
            actor=xihu_admin,
            name="越界机构",
            kind="bureau",
            region_code="330102",
            parent_id=org["xihu"].pk,
        )
    assert excinfo.value.code == "region_out_of_scope"
    assert Department.objects.count() == before


def test_district_admin_adds_a_department_inside_the_district(xihu_admin, org):
    department = services.create_department(
        actor=xihu_admin,
        name="西湖区数据资源管理局",
        kind="data_bureau",
        region_code="330106",
        parent_id=org["xihu"].pk,
    )
    assert department.is_descendant_of(org["xihu"])


def test_city_admin_adds_a_top_level_department(sysadmin):
    department = services.create_department(
        actor=sysadmin, name="杭州市某直属机构", kind="bureau", region_code="330100", parent_id=None
    )
    assert department.depth == 1


def test_no_actor_has_no_permission():
    from smartgov.accounts.scope import require_perm

    with pytest.raises(PermissionDeniedError):
        require_perm(None, Perm.VIEW_AUDIT)


def test_district_admin_edits_the_district_government_keeping_its_city_parent(xihu_admin, org):
    government = org["xihu"]
    updated = services.update_department(
        actor=xihu_admin,
        department_id=government.pk,
        changes={
            "phone": "0571-87000000",
            "parent_id": government.parent_id,
            "region_code": government.region.code,
        },
    )
    assert updated.phone == "0571-87000000"
    assert updated.parent_id == org["city"].pk


def test_district_admin_cannot_move_a_department_under_the_city(xihu_admin, org):
    bureau = org["xihu_bureau"]
    with pytest.raises(Exception) as excinfo:
        services.update_department(
            actor=xihu_admin, department_id=bureau.pk, changes={"parent_id": org["city"].pk}
        )
    assert excinfo.value.code == "not_found"
    bureau.refresh_from_db()
    assert bureau.parent_id == org["xihu"].pk
