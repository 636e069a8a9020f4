import pytest

from smartgov.core.errors import InvalidInput, PermissionDeniedError
from smartgov.core.models import AuditRecord
from smartgov.governance import places
from smartgov.governance.models import Grid
from tests.governance.places_fixtures import *  # noqa: F403 (fixtures)


def square(lon, lat, size=0.004):
    return [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size]]]


@pytest.fixture
def xixi_grids(gov_admin, regions):
    street = regions.get(code="330106004")  # 西溪街道
    return [
        places.create_grid(
            actor=gov_admin,
            code=f"330106004{i:03d}",
            name=f"西溪{i}号网格",
            street=street,
            polygon=square(120.13 + 0.004 * (i - 1), 30.27),
            community="文三社区",
        )
        for i in (1, 2)
    ]


def test_point_in_polygon_with_hole_and_concave_shape():
    ring = [[0, 0], [10, 0], [10, 10], [5, 4], [0, 10], [0, 0]]  # a "V" cut from the top
    assert places.point_in_polygon(2, 2, [ring])
    assert not places.point_in_polygon(5, 8, [ring])  # in the notch
    assert not places.point_in_polygon(11, 2, [ring])
    hole = [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]
    assert not places.point_in_polygon(2, 2, [ring, hole])
    assert places.point_in_polygon(4, 1, [ring, hole])


def test_locate_in_grid(xixi_grids):
    first, second = xixi_grids
    placement = places.locate(lon=120.132, lat=30.272)
    assert placement.grid == first
    assert placement.street.name == "西溪街道" and placement.district.name == "西湖区"
    assert places.locate(lon=120.1365, lat=30.2735).grid == second
    first.refresh_from_db()
    assert first.district.code == "330106"
    assert (first.min_lon, first.max_lat) == (120.13, 30.274)
    assert first.center_lon == pytest.approx(120.132)


def test_locate_near_but_outside_every_grid(xixi_grids):
    near = places.locate(lon=120.1395, lat=30.272)  # 300 m east of the second grid
    assert near.grid is None and near.street.code == "330106004"
    far = places.locate(lon=120.30, lat=30.40)
    assert far.empty


@pytest.mark.parametrize(
    ("lon", "lat", "code"),
    [
        (121.47, 31.23, "outside_city"),  # Shanghai
        (0, 0, "outside_city"),
        (float("nan"), 30.2, "invalid_coordinates"),
        ("east", 30.2, "invalid_coordinates"),
        (None, 30.2, "invalid_coordinates"),
    ],
)
def test_locate_bad_points(db, lon, lat, code):
    with pytest.raises(InvalidInput) as error:
        places.locate(lon=lon, lat=lat)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("address", "district", "street"),
    [
        ("西湖区文三路 西溪街道", "西湖区", "西溪街道"),
        ("杭州市滨江区长河街道江南大道1088号", "滨江区", "长河街道"),
        ("文新街道学院路某小区3幢", "西湖区", "文新街道"),
        ("浙江省杭州市上城区延安路128号", "上城区", None),
        ("西湖区三墩镇振华路", "西湖区", "三墩镇"),
        ("西湖区三墩振华路", "西湖区", "三墩镇"),  # without the suffix
        ("滨江 浦沿 东信大道", "滨江区", "浦沿街道"),
        ("上城区 西溪街道", "上城区", None),  # the street is not in the named district
    ],
)
def test_place_from_address(regions, address, district, street):
    placement = places.place_from_address(address)
    assert placement.district.name == district
    assert (placement.street.name if placement.street else None) == street
    assert placement.grid is None


def test_address_with_a_community_only(xixi_grids):
    placement = places.place_from_address("文三社区12幢")
    assert placement.street.name == "西溪街道" and placement.district.name == "西湖区"
    assert places.place_from_address("滨江区文三社区").street is None  # not in that district


def test_unknown_address(regions):
    assert places.place_from_address("火星基地一号") is None
    assert places.place_from_address("") is None


def test_place_case(xixi_grids, regions):
    by_point = places.place_case(address="滨江区长河街道", lon=120.132, lat=30.272)
    assert by_point.grid == xixi_grids[0]
    by_address = places.place_case(address="滨江区长河街道", lon=120.30, lat=30.40)
    assert by_address.street.name == "长河街道" and by_address.grid is None
    assert places.place_case(address="", lon=None, lat=None) == places.NOWHERE
    with pytest.raises(InvalidInput) as error:
        places.place_case(address="西湖区", lon=121.5, lat=31.2)
    assert error.value.code == "outside_city"
    with pytest.raises(InvalidInput):
        places.place_case(address="西湖区", lon=120.1, lat=None)


def test_grid_services_audited(xixi_grids, gov_admin):
    grid = xixi_grids[0]
    assert AuditRecord.objects.filter(action="governance.grid.create").count() == 2
    places.update_grid(actor=gov_admin, grid=grid, polygon=square(120.10, 30.27), name="西溪一号")
    grid.refresh_from_db()
    assert grid.name == "西溪一号" and grid.min_lon == 120.10
    assert places.locate(lon=120.102, lat=30.272).grid == grid
    assert places.locate(lon=120.132, lat=30.272).grid is None
    assert AuditRecord.objects.filter(action="governance.grid.update").count() == 1


def test_grid_services_need_configure(regions, dispatcher, xixi_grids):
    street = regions.get(code="330106004")
    with pytest.raises(PermissionDeniedError):
        places.create_grid(
            actor=dispatcher,
            code="330106004009",
            name="x",
            street=street,
            polygon=square(120.1, 30.2),
        )
    with pytest.raises(PermissionDeniedError):
        places.update_grid(actor=dispatcher, grid=xixi_grids[0], name="改名")
    assert Grid.objects.count() == 2
    assert Grid.objects.get(pk=xixi_grids[0].pk).name == "西溪1号网格"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"code": "abc"}, "invalid_grid_code"),
        ({"code": "330106004001"}, "duplicate_grid_code"),
        ({"name": ""}, "invalid_grid_name"),
        ({"polygon": [[[120.1, 30.2], [120.2, 30.2]]]}, "invalid_polygon"),
        ({"polygon": [[[120.1, 30.2], ["x", 30.2], [120.2, 30.3]]]}, "invalid_polygon"),
        ({"polygon": {"type": "Point", "coordinates": [120.1, 30.2]}}, "invalid_polygon"),
        ({"polygon": square(121.5, 31.2)}, "outside_city"),
        ({"street": "district"}, "invalid_grid_street"),
    ],
)
def test_bad_grid_input(xixi_grids, gov_admin, regions, changes, code):
    fields = {
        "code": "330106004009",
        "name": "新网格",
        "street": regions.get(code="330106004"),
        "polygon": square(120.14, 30.28),
    }
    if changes.get("street") == "district":
        changes["street"] = regions.get(code="330106")
    fields.update(changes)
    with pytest.raises(InvalidInput) as error:
        places.create_grid(actor=gov_admin, **fields)
    assert error.value.code == code
    assert Grid.objects.count() == 2


def test_geojson(xixi_grids, regions):
    grids = places.grids_geojson()
    assert grids["type"] == "FeatureCollection" and len(grids["features"]) == 2
    feature = grids["features"][0]
    assert feature["geometry"]["type"] == "Polygon"
    assert feature["properties"]["street"] == "西溪街道"
    assert places.grids_geojson(district=regions.get(code="330108"))["features"] == []
    streets = places.streets_geojson()
    assert len(streets["features"]) == 1
    street = streets["features"][0]
    assert street["properties"]["grid_count"] == 2
    ring = street["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5  # the two squares' hull is a rectangle
    assert places.point_in_polygon(120.1375, 30.273, street["geometry"]["coordinates"])
