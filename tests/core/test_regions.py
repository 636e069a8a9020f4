"""The GB/T 2260 region tree, materialised paths, the department tree, and the regions API."""

from __future__ import annotations

import csv

import pytest

from smartgov.accounts import services as account_services
from smartgov.core.errors import InvalidInput, NotFound
from smartgov.core.models import AuditRecord, Department, Region, RegionLevel
from smartgov.core.services import REGIONS_CSV, get_region, load_regions, region_by_code
from smartgov.core.tree import next_prefix, subtree_q

HANGZHOU_DISTRICTS = {
    "上城区",
    "拱墅区",
    "西湖区",
    "滨江区",
    "萧山区",
    "余杭区",
    "富阳区",
    "临安区",
    "临平区",
    "钱塘区",
    "桐庐县",
    "淳安县",
    "建德市",
}
BEISHAN_STREET = "330106002"  # 北山街道, 西湖区


def _csv_rows() -> list[dict]:
    with REGIONS_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- loading ----------------------------------------------------------------------------------


def test_load_regions_loads_zhejiang(regions):
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() == 1
    province = Region.objects.get(level=RegionLevel.PROVINCE)
    assert (province.code, province.name, province.parent_id) == ("330000", "浙江省", None)
    cities = Region.objects.filter(level=RegionLevel.CITY)
    assert cities.count() == 11
    assert set(cities.values_list("parent__code", flat=True)) == {"330000"}
    hangzhou = Region.objects.get(code="330100")
    assert hangzhou.name == "杭州市"
    districts = set(hangzhou.children.values_list("name", flat=True))
    assert districts == HANGZHOU_DISTRICTS
    assert not {"下城区", "江干区"} & districts
    assert Region.objects.count() == len(_csv_rows())


def test_every_district_has_streets(regions):
    counties = Region.objects.filter(level=RegionLevel.COUNTY)
    assert counties.count() == 90
    for county in counties:
        streets = county.children.all()
        assert streets.exists(), county.name
        assert {s.level for s in streets} == {RegionLevel.STREET}
        assert all(s.code.startswith(county.code) and len(s.code) == 9 for s in streets)
    assert Region.objects.filter(level=RegionLevel.STREET).count() == 1387


def test_depth_and_paths(regions):
    street = Region.objects.get(code=BEISHAN_STREET)
    assert street.name == "北山街道"
    assert street.depth == 4
    assert street.path == "330000000000330100000000330106000000330106002000"
    assert Region.objects.get(code="330000").depth == 1
    assert Region.objects.get(code="330106").depth == 3


def test_load_regions_is_idempotent(regions):
    count = Region.objects.count()
    audits = AuditRecord.objects.count()
    assert load_regions() == 0
    assert Region.objects.count() == count
    assert AuditRecord.objects.count() == audits  # nothing created, nothing to record


def test_load_regions_is_audited(db):
    created = load_regions()
    assert created == len(_csv_rows())
    entry = AuditRecord.objects.get(action="core.region.load")
    assert entry.after == {"created": created, "source": "regions.csv"}


def test_load_regions_restores_a_renamed_region(regions):
    Region.objects.filter(code="330106").update(name="旧名")
    assert load_regions() == 0
    assert Region.objects.get(code="330106").name == "西湖区"


# --- ancestors and descendants ----------------------------------------------------------------


def test_ancestors_of_a_street(regions):
    street = Region.objects.get(code=BEISHAN_STREET)
    assert [r.name for r in street.ancestors()] == ["浙江省", "杭州市", "西湖区"]
    assert [r.name for r in street.ancestors(include_self=True)] == [
        "浙江省",
        "杭州市",
        "西湖区",
        "北山街道",
    ]
    assert street.full_name == "浙江省杭州市西湖区北山街道"
    assert list(Region.objects.get(code="330000").ancestors()) == []


def test_descendants_of_a_district_are_its_streets(regions):
    xihu = Region.objects.get(code="330106")
    descendants = list(xihu.descendants())
    expected = {r["code"] for r in _csv_rows() if r["parent_code"] == "330106"}
    assert {r.code for r in descendants} == expected
    assert len(descendants) == 12
    assert all(r.parent_id == xihu.pk for r in descendants)
    assert {r.code for r in xihu.descendants(include_self=True)} == expected | {"330106"}
    # Neighbours with adjacent codes stay out.
    for code in ("330105", "330108", "330105001"):
        assert not Region.objects.filter(subtree_q(xihu.path), code=code).exists()


def test_descendants_of_hangzhou(regions):
    hangzhou = Region.objects.get(code="330100")
    codes = set(hangzhou.descendants().values_list("code", flat=True))
    assert all(code.startswith("3301") for code in codes)
    expected = [r for r in _csv_rows() if r["code"].startswith("3301") and r["code"] != "330100"]
    assert len(codes) == len(expected)


def test_is_descendant_of(regions):
    street = Region.objects.get(code=BEISHAN_STREET)
    xihu = Region.objects.get(code="330106")
    assert street.is_descendant_of(xihu)
    assert not xihu.is_descendant_of(street)
    assert not xihu.is_descendant_of(xihu)
    assert not street.is_descendant_of(Region.objects.get(code="330102"))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("0019", "002"),
        ("9", None),
        ("99", None),
        ("0", "1"),
        ("1299", "13"),
        ("330106000000", "330106000001"),
        ("8999", "9"),
        ("", None),
    ],
)
def test_next_prefix(path, expected):
    assert next_prefix(path) == expected


def test_next_prefix_bounds_every_extension():
    for path in ("0019", "1299", "330106000000"):
        upper = next_prefix(path)
        for suffix in ("", "0", "9", "99999999"):
            assert path <= path + suffix < upper
        assert not (path <= upper < upper)


def test_subtree_of_an_all_nines_path_has_no_upper_bound():
    condition = subtree_q("99")
    assert "path__lt" not in str(condition)
    assert "path__gte" in str(condition)
    assert "path__gt'" in str(subtree_q("99", include_self=False))


def test_region_lookups(regions):
    assert get_region("330106").name == "西湖区"
    with pytest.raises(NotFound):
        get_region("330199")
    assert region_by_code(" 330106 ").name == "西湖区"
    with pytest.raises(InvalidInput) as caught:
        region_by_code("330199")
    assert caught.value.code == "unknown_region"
    with pytest.raises(InvalidInput) as caught:
        region_by_code("abc")
    assert caught.value.code == "region_code_format"


# --- department tree --------------------------------------------------------------------------


def _path_ok(department: Department) -> bool:
    department.refresh_from_db()
    expected = (department.parent.path if department.parent_id else "") + str(department.pk).zfill(
        10
    )
    return department.path == expected and department.depth == len(expected) // 10


def test_department_paths(org):
    for department in Department.objects.all():
        assert _path_ok(department), department.name
    city = org["city"]
    names = set(city.descendants().values_list("name", flat=True))
    assert names == {
        "杭州市数据资源管理局",
        "西湖区人民政府",
        "西湖区市场监督管理局",
        "上城区人民政府",
        "上城区市场监督管理局",
    }
    assert set(org["xihu"].descendants()) == {org["xihu_bureau"]}


def test_moving_a_department_re_paths_its_subtree(sysadmin, org):
    xihu, bureau = org["xihu"], org["xihu_bureau"]
    team = Department(name="西湖区市场监管一所", kind="bureau", region=xihu.region, parent=bureau)
    team.save()
    old_bureau_path = Department.objects.get(pk=bureau.pk).path

    account_services.update_department(
        actor=sysadmin, department_id=bureau.pk, changes={"parent_id": org["shangcheng"].pk}
    )

    bureau.refresh_from_db()
    team.refresh_from_db()
    assert bureau.parent_id == org["shangcheng"].pk
    assert bureau.path != old_bureau_path
    assert bureau.path.startswith(org["shangcheng"].path)
    assert team.path.startswith(bureau.path)
    assert (bureau.depth, team.depth) == (3, 4)
    for department in Department.objects.all():
        assert _path_ok(department), department.name
    assert set(org["shangcheng"].descendants()) == {org["shangcheng_bureau"], bureau, team}
    assert list(xihu.descendants()) == []
    assert not Department.objects.filter(path__startswith=old_bureau_path).exists()
    entry = AuditRecord.objects.filter(action="core.department.update").latest("seq")
    assert entry.before["parent_id"] == xihu.pk
    assert entry.after["parent_id"] == org["shangcheng"].pk


def test_moving_a_department_to_the_top_re_paths_its_subtree(sysadmin, org):
    xihu = org["xihu"]
    account_services.update_department(
        actor=sysadmin, department_id=xihu.pk, changes={"parent_id": None}
    )
    xihu.refresh_from_db()
    assert xihu.depth == 1
    assert xihu.path == str(xihu.pk).zfill(10)
    assert _path_ok(org["xihu_bureau"])
    assert org["xihu_bureau"].depth == 2
    assert set(org["city"].descendants()) == {
        org["data_bureau"],
        org["shangcheng"],
        org["shangcheng_bureau"],
    }


def test_a_department_cannot_move_under_its_own_subtree(sysadmin, org):
    paths = dict(Department.objects.values_list("pk", "path"))
    for new_parent in (org["xihu"], org["xihu_bureau"]):
        with pytest.raises(InvalidInput) as caught:
            account_services.update_department(
                actor=sysadmin, department_id=org["xihu"].pk, changes={"parent_id": new_parent.pk}
            )
        assert caught.value.code == "parent_cycle"
    assert dict(Department.objects.values_list("pk", "path")) == paths


# --- API --------------------------------------------------------------------------------------


def test_regions_api_requires_authentication(client, regions):
    response = client.get("/api/v1/regions?within=330106")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == "not_authenticated"


def test_regions_api_refuses_a_bad_token(client, regions):
    response = client.get("/api/v1/regions", HTTP_AUTHORIZATION="Bearer sgp_not-a-token")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "detail"}


def test_regions_within_a_district(client, xihu_staff, bearer):
    response = client.get("/api/v1/regions?within=330106", **bearer(xihu_staff))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 13
    codes = [item["code"] for item in body["items"]]
    assert codes[0] == "330106"
    assert codes == sorted(codes)
    assert all(code.startswith("330106") for code in codes)
    street = next(item for item in body["items"] if item["code"] == BEISHAN_STREET)
    assert street == {
        "code": BEISHAN_STREET,
        "name": "北山街道",
        "level": "street",
        "parent_code": "330106",
        "depth": 4,
    }


def test_regions_list_is_paginated(client, xihu_staff, bearer):
    headers = bearer(xihu_staff)
    first = client.get("/api/v1/regions?level=street", **headers).json()
    assert first["count"] == 1387
    assert len(first["items"]) == 100
    second = client.get("/api/v1/regions?level=street&page=2", **headers).json()
    assert len(second["items"]) == 100
    assert not {i["code"] for i in first["items"]} & {i["code"] for i in second["items"]}
    last = client.get("/api/v1/regions?level=street&page=14", **headers).json()
    assert len(last["items"]) == 87


def test_regions_filters(client, xihu_staff, bearer):
    headers = bearer(xihu_staff)
    body = client.get("/api/v1/regions?parent=330100", **headers).json()
    assert {item["name"] for item in body["items"]} == HANGZHOU_DISTRICTS
    body = client.get("/api/v1/regions?within=330100&q=北山", **headers).json()
    assert [item["code"] for item in body["items"]] == [BEISHAN_STREET]


def test_region_ancestors_api(client, xihu_staff, bearer):
    response = client.get("/api/v1/regions/330106/ancestors", **bearer(xihu_staff))
    assert response.status_code == 200
    assert [r["name"] for r in response.json()] == ["浙江省", "杭州市"]
    response = client.get(f"/api/v1/regions/{BEISHAN_STREET}/ancestors", **bearer(xihu_staff))
    assert [r["code"] for r in response.json()] == ["330000", "330100", "330106"]


def test_region_detail_api(client, xihu_staff, bearer):
    response = client.get("/api/v1/regions/330106", **bearer(xihu_staff))
    assert response.status_code == 200
    assert response.json()["name"] == "西湖区"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/regions/330199",
        "/api/v1/regions/330199/ancestors",
        "/api/v1/regions/330199/children",
        "/api/v1/regions?within=330199",
        "/api/v1/regions?parent=330199",
    ],
)
def test_unknown_region_is_a_404_json_error(client, xihu_staff, bearer, url):
    response = client.get(url, **bearer(xihu_staff))
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == "not_found"
    assert body["message"]


def test_re_parenting_a_region_re_paths_its_descendants(regions):
    from smartgov.core.models import Region

    xihu = Region.objects.get(code="330106")
    street = xihu.children.order_by("code").first()
    ningbo = Region.objects.get(code="330200")
    xihu.parent = ningbo
    xihu.save()
    street.refresh_from_db()
    assert street.path.startswith(ningbo.path)
    assert [r.code for r in street.ancestors()] == ["330000", "330200", "330106"]
