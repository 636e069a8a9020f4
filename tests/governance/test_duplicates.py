from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from smartgov.core.errors import InvalidInput
from smartgov.governance import duplicates
from smartgov.governance.categories import get_category
from smartgov.governance.models import Case, CaseStatus
from tests.governance.places_fixtures import *  # noqa: F403 (fixtures)

_numbers = count(1)


def make_case(
    text,
    *,
    lon=None,
    lat=None,
    code=None,
    status=CaseStatus.DISPATCHED,
    ago=None,
    street=None,
    title=None,
):
    return Case.objects.create(
        number=f"D{next(_numbers):06d}",
        channel="hotline",
        title=title or text[:14],
        description=text,
        lon=lon,
        lat=lat,
        category=get_category(code) if code else None,
        status=status,
        street=street,
        district=street.parent if street else None,
        created_at=timezone.now() - (ago or timedelta(hours=1)),
    )


def test_similar_open_cases_near_and_alike(tree):
    near = make_case("文三路路灯不亮了，晚上一片漆黑", lon=120.130, lat=30.275, code="0110")
    make_case("文三路路灯不亮了，晚上一片漆黑", lon=120.20, lat=30.275, code="0110")  # 6.7 km
    make_case("文三路有人摆摊卖水果", lon=120.1301, lat=30.2751, code="1105")  # other text
    make_case("文三路路灯不亮了", lon=120.1302, lat=30.275, code="0110", status=CaseStatus.CLOSED)
    found = duplicates.similar_open_cases(
        text="文三路上的路灯都不亮，一片漆黑", lon=120.1305, lat=30.2752
    )
    assert [f["id"] for f in found] == [near.pk]
    assert found[0]["distance_m"] < 100 and 0 < found[0]["similarity"] <= 1
    assert found[0]["number"] == near.number and found[0]["status"] == "dispatched"
    assert (
        duplicates.similar_open_cases(
            text="文三路上的路灯都不亮", lon=120.1305, lat=30.2752, exclude_id=near.pk
        )
        == []
    )
    assert (
        duplicates.similar_open_cases(
            text="文三路上的路灯都不亮", lon=120.1305, lat=30.2752, category=get_category("1105")
        )
        == []
    )


def test_similar_without_coordinates_uses_recent_cases(tree, regions):
    street = regions.get(code="330106004")
    recent = make_case("西溪路公共厕所冲水坏了", street=street)
    make_case("西溪路公共厕所冲水坏了", street=street, ago=timedelta(days=60))
    found = duplicates.similar_open_cases(
        text="西溪路的公共厕所冲水坏了", lon=None, lat=None, street=street
    )
    assert [f["id"] for f in found] == [recent.pk] and found[0]["distance_m"] is None


def test_similar_bad_input(db):
    assert duplicates.similar_open_cases(text="", lon=None, lat=None) == []
    with pytest.raises(InvalidInput) as error:
        duplicates.similar_open_cases(text="路灯", lon=120.1, lat=30.2, radius_m=0)
    assert error.value.code == "invalid_radius"


def test_hotspots_rank_clusters(tree, regions):
    street = regions.get(code="330106004")
    lamps = [
        make_case(
            f"文三路{100 + i}号附近路灯不亮了",
            title="文三路路灯不亮",
            lon=120.130 + i * 0.0001,
            lat=30.275,
            code="0110",
            street=street,
            status=CaseStatus.MERGED if i else CaseStatus.DISPATCHED,
            ago=timedelta(hours=i + 1),
        )
        for i in range(12)
    ]
    for i in range(4):
        make_case(
            "学院路垃圾满溢",
            lon=120.14,
            lat=30.28,
            code="1110",
            street=street,
            ago=timedelta(days=1, hours=i),
        )
    make_case("学院路垃圾满溢", lon=120.16, lat=30.28, code="1110", street=street)  # 1.9 km away
    make_case(
        "文三路路灯不亮",
        lon=120.130,
        lat=30.275,
        code="0110",
        street=street,
        status=CaseStatus.CANCELLED,
    )
    make_case(
        "文三路路灯不亮",
        lon=120.130,
        lat=30.275,
        code="0110",
        street=street,
        ago=timedelta(days=20),
    )
    now = timezone.now()
    spots = duplicates.hotspots(start=now - timedelta(days=7), end=now + timedelta(minutes=1))
    assert [s["count"] for s in spots] == [12, 4]
    top = spots[0]
    assert top["label"] == "文三路 · 路灯" and top["road"] == "文三路"
    assert top["street"] == "西溪街道" and top["category"] == "0110"
    assert sorted(top["case_ids"]) == sorted(c.pk for c in lamps)
    assert top["first_at"] <= top["last_at"]
    assert top["center_lon"] == pytest.approx(120.13055, abs=1e-4)
    assert (
        duplicates.hotspots(
            start=now - timedelta(days=7), end=now, district=regions.get(code="330108")
        )
        == []
    )
    assert len(duplicates.hotspots(start=now - timedelta(days=7), end=now, min_cases=5)) == 1


def test_hotspots_group_uncategorised_by_text(tree, regions):
    street = regions.get(code="330108002")
    for i in range(3):
        make_case(f"滨盛路{i}号共享单车堆成山，没人管", street=street)
    make_case("滨盛路有人半夜施工", street=street)
    now = timezone.now()
    spots = duplicates.hotspots(start=now - timedelta(days=1), end=now + timedelta(minutes=1))
    assert len(spots) == 1 and spots[0]["count"] == 3 and spots[0]["category"] is None


def test_hotspots_bad_window(db):
    now = timezone.now()
    with pytest.raises(InvalidInput):
        duplicates.hotspots(start=now, end=now - timedelta(days=1))
    with pytest.raises(InvalidInput):
        duplicates.hotspots(start=now - timedelta(days=500), end=now)
