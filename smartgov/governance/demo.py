"""Demo governance loop: the category tree, unit grids for the streets of 上城区, 西湖区 and
滨江区, dispatch rules, staff with the governance roles, a year of historical cases with their
timelines, ratings and revisits, and a classifier trained on them (idempotent).

The historical cases are an *import of history*, not live intake: they are written in bulk
(``bulk_create``) with the timeline each case would have had, so the demo loads in seconds
and the KPIs, hotspots and the classifier have a year to look at. Live cases go through
``services.report_case`` and the transition functions.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from smartgov.accounts import services as account_services
from smartgov.accounts.demo import DEMO_PASSWORD
from smartgov.accounts.models import User
from smartgov.core import audit
from smartgov.core.errors import InvalidInput
from smartgov.core.models import Department, Region
from smartgov.governance import categories as category_services
from smartgov.governance.demo_history import DEMO_DISTRICTS, HISTORY_SOURCE, load_history
from smartgov.governance.models import (
    Case,
    CaseStatus,
    Category,
    ClassifierModel,
    DispatchRule,
    Grid,
)
from smartgov.governance.permissions import (
    CASE_HANDLER,
    DISPATCHER,
    GOVERNANCE_ADMIN,
    HOTLINE_AGENT,
    INSPECTOR,
)
from smartgov.governance.places import geometry_fields

# Approximate centres of the demo streets (WGS-84); each gets GRID_SIDE × GRID_SIDE grids.
STREET_CENTRES = {
    "330102001": (120.163, 30.240),  # 清波
    "330102003": (120.167, 30.255),  # 湖滨
    "330102004": (120.183, 30.266),  # 小营
    "330102008": (120.168, 30.222),  # 南星
    "330102009": (120.178, 30.240),  # 紫阳
    "330102010": (120.193, 30.240),  # 望江
    "330102011": (120.198, 30.275),  # 凯旋
    "330102012": (120.198, 30.258),  # 采荷
    "330102013": (120.198, 30.292),  # 闸弄口
    "330102014": (120.215, 30.255),  # 四季青
    "330102015": (120.240, 30.290),  # 彭埠
    "330102016": (120.215, 30.312),  # 笕桥
    "330102017": (120.225, 30.340),  # 丁兰
    "330102018": (120.280, 30.300),  # 九堡
    "330106002": (120.150, 30.258),  # 北山
    "330106004": (120.140, 30.278),  # 西溪
    "330106005": (120.125, 30.290),  # 翠苑
    "330106007": (120.110, 30.275),  # 古荡
    "330106008": (120.120, 30.235),  # 西湖
    "330106009": (120.055, 30.260),  # 留下
    "330106010": (120.080, 30.160),  # 转塘
    "330106011": (120.070, 30.282),  # 蒋村
    "330106012": (120.105, 30.248),  # 灵隐
    "330106013": (120.095, 30.295),  # 文新
    "330106109": (120.090, 30.325),  # 三墩
    "330106110": (120.090, 30.130),  # 双浦
    "330108001": (120.215, 30.205),  # 西兴
    "330108002": (120.195, 30.190),  # 长河
    "330108003": (120.160, 30.180),  # 浦沿
}
GRID_SIDE = 3
CELL_LON, CELL_LAT = 0.005, 0.004  # about 480 m × 440 m

# (username, name, department key, role, scope, title)
STAFF = [
    ("gov_admin", "周建华", "市城管局", GOVERNANCE_ADMIN, "city", "数字城管系统管理员"),
    ("dispatcher", "赵敏", "市12345中心", DISPATCHER, "region_tree", "派遣员"),
    ("xihu_dispatcher", "钱伟", "330106:城市管理局", DISPATCHER, "region_tree", "指挥中心派遣员"),
    ("hotline_li", "李娜", "市12345中心", HOTLINE_AGENT, "department", "话务员"),
    ("hotline_zhou", "周婷", "市12345中心", HOTLINE_AGENT, "department", "话务员"),
    ("xihu_cg_handler", "孙浩", "330106:城市管理局", CASE_HANDLER, "department", "执法队员"),
    ("sc_cg_handler", "吴磊", "330102:城市管理局", CASE_HANDLER, "department", "执法队员"),
    ("bj_cg_handler", "郑凯", "330108:城市管理局", CASE_HANDLER, "department", "执法队员"),
    ("xihu_sj_handler", "冯雪", "330106:市场监督管理局", CASE_HANDLER, "department", "科员"),
    ("sc_sj_handler", "陈雨", "330102:市场监督管理局", CASE_HANDLER, "department", "科员"),
    ("bj_sj_handler", "褚亮", "330108:市场监督管理局", CASE_HANDLER, "department", "科员"),
    ("xihu_inspector", "卫东", "330106:城市管理局", INSPECTOR, "region_tree", "网格监督员"),
    ("sc_inspector", "蒋芳", "330102:城市管理局", INSPECTOR, "region_tree", "网格监督员"),
    ("bj_inspector", "沈洁", "330108:城市管理局", INSPECTOR, "region_tree", "网格监督员"),
]
EXISTING_ROLES = [("city_staff", "市12345中心", HOTLINE_AGENT, "department", "话务员")]

# --- configuration: tree, grids, rules, staff ---------------------------------------------


def _departments() -> dict[str, Department]:
    """The demo departments by the keys of ``accounts.demo.load_departments``."""
    made: dict[str, Department] = {}
    for department in Department.objects.select_related("region"):
        if department.short_name:
            made.setdefault(department.short_name, department)
        if department.kind in ("district_office", "street_office"):
            made.setdefault(department.region.code, department)
        for suffix in ("城市管理局", "市场监督管理局"):
            if department.name.endswith(suffix) and department.region.level == "county":
                made[f"{department.region.code}:{suffix}"] = department
    return made


def load_grids(inspectors: dict[str, User] | None = None) -> int:
    """GRID_SIDE² unit grids around each demo street's centre (codes street + 3 digits)."""
    inspectors = inspectors or {}
    streets = Region.objects.in_bulk(list(STREET_CENTRES), field_name="code")
    existing = set(Grid.objects.values_list("code", flat=True))
    taken: list[tuple[float, float, float, float]] = list(
        Grid.objects.values_list("min_lon", "min_lat", "max_lon", "max_lat")
    )
    new = []
    for code, (lon, lat) in STREET_CENTRES.items():
        street = streets.get(code)
        if street is None:
            continue
        west = lon - CELL_LON * GRID_SIDE / 2
        south = lat - CELL_LAT * GRID_SIDE / 2
        sequence = 0
        for row in range(GRID_SIDE):
            for column in range(GRID_SIDE):
                sequence += 1
                grid_code = f"{code}{sequence:03d}"
                x0, y0 = round(west + column * CELL_LON, 6), round(south + row * CELL_LAT, 6)
                x1, y1 = round(x0 + CELL_LON, 6), round(y0 + CELL_LAT, 6)
                if grid_code in existing:
                    continue
                if any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in taken):
                    continue  # would overlap a neighbour street's grid
                taken.append((x0, y0, x1, y1))
                polygon = [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]
                new.append(
                    Grid(
                        code=grid_code,
                        name=f"{street.name}第{sequence}网格",
                        street=street,
                        district_id=street.parent_id,
                        community=f"{street.name.removesuffix('街道').removesuffix('镇')}"
                        f"{'东西南北中'[sequence % 5]}社区",
                        inspector=inspectors.get(street.parent.code if street.parent else ""),
                        **geometry_fields(polygon),
                    )
                )
    Grid.objects.bulk_create(new)
    if new:
        audit.record(
            actor=None,
            action="governance.grid.demo_load",
            object_type="governance.grid",
            object_id="demo",
            object_repr="demo unit grids",
            after={"created": len(new)},
        )
    return len(new)


def load_rules(departments: dict[str, Department]) -> int:
    """District rules to the district's own bureau for the classes whose role has one, and
    street rules to the street office for street matters (无证摊贩, 乱晾晒 …)."""
    roles = category_services.department_roles()
    minors = list(Category.objects.filter(parent__isnull=False, active=True))
    existing = set(DispatchRule.objects.values_list("category_id", "region_id"))
    districts = Region.objects.filter(code__in=DEMO_DISTRICTS)
    new = []
    for district in districts:
        for category in minors:
            role = category_services.role_of(category.code)
            if not role or not roles.get(role, {}).get("district"):
                continue
            bureau = category_services.district_department_for_role(role, district)
            if bureau and (category.pk, district.pk) not in existing:
                new.append(DispatchRule(category=category, region=district, department=bureau))
            if roles[role].get("street"):
                for street in district.children.all():
                    office = departments.get(street.code)
                    if office and (category.pk, street.pk) not in existing:
                        new.append(
                            DispatchRule(category=category, region=street, department=office)
                        )
    DispatchRule.objects.bulk_create(new)
    if new:
        audit.record(
            actor=None,
            action="governance.rule.demo_load",
            object_type="governance.dispatchrule",
            object_id="demo",
            object_repr="demo dispatch rules",
            after={"created": len(new)},
        )
    return len(new)


def load_staff(departments: dict[str, Department]) -> dict[str, User]:
    users = {}
    for username, name, key, role, scope, title in STAFF:
        department = departments.get(key)
        if department is None:
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_services.create_staff(
                actor=None, username=username, name=name, password=DEMO_PASSWORD
            )
        account_services.grant_initial_role(
            user=user, department=department, role_code=role, scope=scope, title=title
        )
        users[username] = user
    for username, key, role, scope, title in EXISTING_ROLES:
        user = User.objects.filter(username=username).first()
        if user is not None and key in departments:
            account_services.grant_initial_role(
                user=user, department=departments[key], role_code=role, scope=scope, title=title
            )
            users[username] = user
    for username in ("citizen", "elder"):
        user = User.objects.filter(username=username).first()
        if user is not None:
            users[username] = user
    return users


@transaction.atomic
def _configure(stdout=None) -> tuple[dict[str, User], dict[str, Any]]:
    made: dict[str, Any] = {"categories": category_services.load_default_tree()}
    departments = _departments()
    users = load_staff(departments)
    inspectors = {
        "330106": users.get("xihu_inspector"),
        "330102": users.get("sc_inspector"),
        "330108": users.get("bj_inspector"),
    }
    made["grids"] = load_grids({k: v for k, v in inspectors.items() if v})
    made["rules"] = load_rules(departments)
    if not Case.objects.filter(external_id__startswith=HISTORY_SOURCE).exists():
        made.update(load_history(users, departments))
        # The bulk rows skip the signals that keep the KPI rollup current: rebuild it once.
        from smartgov.governance import kpi

        made["kpi_days"] = kpi.rebuild_rollup()
    return users, made


# Today's calls that the hotline records live (through intake, like any call): vague or
# mixed reports the classifier is not sure of wait in the dispatcher's queue, clear ones are
# dispatched automatically. (external id, caller, phone, address, text)
LIVE_CALLS = [
    (
        "q1",
        "周女士",
        "13805710001",
        "西湖区文三路与学院路交叉口",
        "路口这边有点问题，晚上经过觉得不太安全，希望有关部门来看一下。",
    ),
    (
        "q2",
        "吴先生",
        "13805710002",
        "上城区解放路",
        "楼下一直有动静，吵得睡不着，已经好几天了，不知道该找谁。",
    ),
    (
        "q3",
        "郑女士",
        "13805710003",
        "滨江区江南大道",
        "小区门口的情况越来越乱，物业说管不了，麻烦政府协调处理。",
    ),
    (
        "q4",
        "王先生",
        "13805710004",
        "西湖区教工路",
        "反映一下附近的问题，具体说不清楚，有时候白天有时候晚上，影响出行。",
    ),
    (
        "q5",
        "陈女士",
        "13805710005",
        "滨江区滨盛路",
        "滨盛路人行道上的窨井盖缺失，路人容易踩空，请尽快处理。",
    ),
    ("q6", "李先生", "13805710006", "上城区延安路", "延安路公交站旁边的路灯不亮了，晚上很黑。"),
]
LIVE_SOURCE = "demo-hotline"


def load_live_calls(agent: User | None) -> int:
    """Record today's demo calls through ``report_case`` (idempotent by external id)."""
    from smartgov.governance import services

    if agent is None:
        return 0
    made = 0
    for key, name, phone, address, text in LIVE_CALLS:
        _case, created = services.report_case(
            actor=agent,
            channel="hotline",
            description=text,
            address=address,
            reporter_name=name,
            reporter_phone=phone,
            source_system=LIVE_SOURCE,
            external_id=key,
        )
        made += int(created)
    return made


def load_demo_governance(stdout=None) -> str:
    users, made = _configure(stdout)
    departments = _departments()
    trained = None
    # Also when an earlier run stopped after the history: no model yet, closed cases there.
    if (
        not ClassifierModel.objects.filter(active=True).exists()
        and Case.objects.filter(status=CaseStatus.CLOSED).exists()
    ):
        from smartgov.governance import classify

        try:
            trained = classify.train(actor_name="smartgov demo")
        except InvalidInput as error:  # too few closed cases: suggestions use the keywords
            if stdout is not None:
                stdout.write(f"Governance classifier not trained: {error.message}\n")
    made["live"] = load_live_calls(
        users.get("hotline_li") or User.objects.filter(username="hotline_li").first()
    )
    if stdout is not None:
        if made.get("cases"):
            stdout.write(
                f"\nGovernance history imported: {made['cases']} cases, {made['events']} "
                f"timeline events, {made['feedback']} ratings and revisits, "
                f"{made['requests']} extension/deferral requests\n"
            )
        stdout.write("\nGovernance demo accounts (same password)\n")
        for username, _name, key, _role, _scope, title in STAFF:
            if username in users:
                department = departments.get(key)
                where = department.name if department else key
                stdout.write(f"  {username:<18} {'staff':<11} {title} · {where}\n")
        stdout.write("  city_staff         staff       话务员（12345 受理） · 市12345中心\n")
        if trained is not None:
            metrics = trained.metrics
            stdout.write(
                f"Governance classifier v{trained.version}: {trained.sample_count} closed cases, "
                f"held-out accuracy {metrics['accuracy']:.1%}, macro-F1 {metrics['macro_f1']:.3f}, "
                f"threshold {trained.threshold:.2f}, automatic {metrics['auto_share']:.1%}\n"
            )
    return (
        f"{Category.objects.filter(parent__isnull=False).count()} categories, "
        f"{Grid.objects.count()} grids, {DispatchRule.objects.count()} rules, "
        f"{Case.objects.count()} cases"
    )
