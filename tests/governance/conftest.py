"""Governance fixtures: a small category tree, a unit grid in 西湖区, dispatch rules, staff of
each governance role, and control over the classifier's confidence.

Layout (other helpers add their fixtures below the ``# ---`` section they own):

* ``gov`` — the whole world at once (categories, grid, departments, staff) as a namespace;
* ``suggest`` — set what the classifier proposes (``suggest.set("0101", 0.95)``);
* ``make_case`` — a case reported by the hotline agent and optionally moved on.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from smartgov.core.models import Department, DepartmentKind, Region
from smartgov.governance import dispatching, services
from smartgov.governance.models import Category, CategoryKind, DispatchRule, Grid, LimitUnit
from smartgov.governance.permissions import (
    CASE_HANDLER,
    DISPATCHER,
    GOVERNANCE_ADMIN,
    HOTLINE_AGENT,
    INSPECTOR,
)
from tests.conftest import make_staff

# A square grid on 文三路 (西湖区), WGS-84.
GRID_POLYGON = [
    [[120.10, 30.26], [120.16, 30.26], [120.16, 30.30], [120.10, 30.30], [120.10, 30.26]]
]
INSIDE = (120.13, 30.28)
OUTSIDE_CITY = (116.40, 39.90)  # Beijing
CALLER_PHONE = "13900001111"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class SuggestControl:
    """What the classifier proposes in a test: one top suggestion with a given score."""

    def __init__(self, monkeypatch):
        self.result: list = []
        self.threshold = 0.8
        monkeypatch.setattr(dispatching, "suggest", lambda text: list(self.result))
        monkeypatch.setattr(dispatching, "threshold", lambda: self.threshold)

    def set(self, code: str | None, score: float = 0.95) -> None:
        if code is None:
            self.result = []
            return
        category = Category.objects.get(code=code)
        self.result = [
            SimpleNamespace(
                category_id=category.pk, code=category.code, name=category.name, score=score
            )
        ]


@pytest.fixture
def suggest(monkeypatch):
    control = SuggestControl(monkeypatch)
    return control


@pytest.fixture
def gov(org, suggest):
    """Categories, a grid, rules, and one staff member of each governance role."""
    xihu = Region.objects.get(code="330106")
    street = Region.objects.filter(parent=xihu).order_by("code").first()
    hotline = Department.objects.create(
        name="杭州市12345政务服务热线",
        kind=DepartmentKind.CITY_OFFICE,
        region=org["city"].region,
        parent=org["city"],
    )
    city_management = Department.objects.create(
        name="西湖区城市管理局", kind=DepartmentKind.BUREAU, region=xihu, parent=org["xihu"]
    )
    utilities = Category.objects.create(code="01", name="公用设施", kind=CategoryKind.PART)
    manhole = Category.objects.create(
        code="0101",
        name="井盖",
        kind=CategoryKind.PART,
        parent=utilities,
        time_limit=4,
        time_limit_unit=LimitUnit.HOURS,
        default_department=city_management,
        keywords="井盖 窨井",
    )
    streetlight = Category.objects.create(
        code="0102",
        name="路灯",
        kind=CategoryKind.PART,
        parent=utilities,
        time_limit=2,
        time_limit_unit=LimitUnit.DAYS,
    )
    complaints = Category.objects.create(code="20", name="市场监管", kind=CategoryKind.COMPLAINT)
    food = Category.objects.create(
        code="2001",
        name="食品安全",
        kind=CategoryKind.COMPLAINT,
        parent=complaints,
        time_limit=5,
        time_limit_unit=LimitUnit.DAYS,
        default_department=org["xihu_bureau"],
    )
    DispatchRule.objects.create(category=streetlight, region=xihu, department=city_management)
    grid = Grid.objects.create(
        code="330106001001",
        name="文三路网格",
        street=street,
        district=xihu,
        polygon=GRID_POLYGON,
        min_lon=120.10,
        min_lat=30.26,
        max_lon=120.16,
        max_lat=30.30,
        center_lon=120.13,
        center_lat=30.28,
    )
    return SimpleNamespace(
        org=org,
        xihu=xihu,
        street=street,
        grid=grid,
        hotline=hotline,
        city_management=city_management,
        market=org["xihu_bureau"],
        other_department=org["shangcheng_bureau"],
        manhole=manhole,
        streetlight=streetlight,
        food=food,
        agent=make_staff("agent", hotline, HOTLINE_AGENT, "department", name="话务员小李"),
        dispatcher=make_staff("dispatcher", org["city"], DISPATCHER, "city", name="派遣员老王"),
        handler=make_staff(
            "handler", city_management, CASE_HANDLER, "department", name="城管处置员"
        ),
        market_handler=make_staff("market_handler", org["xihu_bureau"], CASE_HANDLER, "department"),
        other_handler=make_staff(
            "other_handler", org["shangcheng_bureau"], CASE_HANDLER, "department"
        ),
        inspector=make_staff("inspector", org["xihu"], INSPECTOR, "region_tree", name="监督员小张"),
        admin=make_staff("gov_admin", org["city"], GOVERNANCE_ADMIN, "city"),
        suggest=suggest,
    )


@pytest.fixture
def make_case(gov):
    """Report a case through the hotline (manhole cover on 文三路) and move it on:
    ``make_case(until="dispatched")`` → reported | dispatched | handled | closed."""

    def make(*, until: str = "reported", description="文三路上井盖缺失，很危险", **extra):
        values = {
            "actor": gov.agent,
            "channel": "hotline",
            "description": description,
            "reporter_name": "王先生",
            "reporter_phone": CALLER_PHONE,
            "lon": INSIDE[0],
            "lat": INSIDE[1],
            "auto_process": False,
        }
        values.update(extra)
        case, _ = services.report_case(**values)
        if until == "reported":
            return case
        case = services.dispatch_case(actor=gov.dispatcher, case=case, category="0101")
        if until == "dispatched":
            return case
        case = services.report_back(actor=gov.handler, case=case, reply="已补装井盖")
        if until == "handled":
            return case
        return services.verify_case(actor=gov.inspector, case=case, passed=True)

    return make
