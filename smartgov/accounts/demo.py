"""Demo city: Hangzhou's departments and a demo account for every role (idempotent)."""

from __future__ import annotations

from django.db import transaction

from smartgov.accounts import services
from smartgov.accounts.models import User
from smartgov.accounts.permissions import AUDITOR, SECURITY_ADMIN, STAFF, SYSTEM_ADMIN
from smartgov.core.models import Department, DepartmentKind, Region
from smartgov.core.validators import citizen_id_check_digit, credit_code_check_char

DEMO_PASSWORD = "Smartgov@2026"  # noqa: S105 — printed by `smartgov demo`, demo data only

CITY_BUREAUS = [
    ("杭州市数据资源管理局", "市数据局", DepartmentKind.DATA_BUREAU),
    ("杭州市市场监督管理局", "市市场监管局", DepartmentKind.BUREAU),
    ("杭州市公安局", "市公安局", DepartmentKind.BUREAU),
    ("杭州市人力资源和社会保障局", "市人社局", DepartmentKind.BUREAU),
    ("杭州市卫生健康委员会", "市卫健委", DepartmentKind.BUREAU),
    ("杭州市城市管理局", "市城管局", DepartmentKind.BUREAU),
    ("杭州市民政局", "市民政局", DepartmentKind.BUREAU),
    ("杭州市住房保障和房产管理局", "市住保房管局", DepartmentKind.BUREAU),
    ("杭州市生态环境局", "市生态环境局", DepartmentKind.BUREAU),
    ("杭州市应急管理局", "市应急管理局", DepartmentKind.BUREAU),
    ("杭州市人民政府办公厅", "市政府办公厅", DepartmentKind.CITY_OFFICE),
    ("杭州市12345市长公开电话受理中心", "市12345中心", DepartmentKind.CITY_OFFICE),
]
# Districts with a fuller set of departments and their real streets' offices.
DETAILED_DISTRICTS = ["330102", "330106", "330108"]  # 上城区, 西湖区, 滨江区
DISTRICT_BUREAUS = [
    ("市场监督管理局", DepartmentKind.BUREAU),
    ("城市管理局", DepartmentKind.BUREAU),
    ("数据资源管理局", DepartmentKind.DATA_BUREAU),
]


def _department(name, kind, region, parent, short_name="") -> Department:
    existing = Department.objects.filter(name=name, parent=parent).first()
    if existing:
        return existing
    department = Department(
        name=name, short_name=short_name, kind=kind, region=region, parent=parent
    )
    department.save()
    return department


def load_departments() -> dict[str, Department]:
    hangzhou = Region.objects.get(code="330100")
    city = _department("杭州市人民政府", DepartmentKind.CITY_OFFICE, hangzhou, None, "市政府")
    made = {"city": city}
    for name, short, kind in CITY_BUREAUS:
        made[short] = _department(name, kind, hangzhou, city, short)
    for district in Region.objects.filter(parent=hangzhou).order_by("code"):
        government = _department(
            f"杭州市{district.name}人民政府",
            DepartmentKind.DISTRICT_OFFICE,
            district,
            city,
            f"{district.name}政府",
        )
        made[district.code] = government
        if district.code not in DETAILED_DISTRICTS:
            continue
        for suffix, kind in DISTRICT_BUREAUS:
            made[f"{district.code}:{suffix}"] = _department(
                f"杭州市{district.name}{suffix}", kind, district, government
            )
        for street in district.children.order_by("code"):
            office_name = (
                f"{street.name}办事处" if street.name.endswith("街道") else f"{street.name}人民政府"
            )
            made[street.code] = _department(
                office_name, DepartmentKind.STREET_OFFICE, street, government
            )
    return made


def demo_citizen_id(region_code: str, birth: str, sequence: str) -> str:
    first17 = region_code + birth + sequence
    return first17 + citizen_id_check_digit(first17)


def demo_credit_code(region_code: str, org: str) -> str:
    first17 = "91" + region_code + org
    return first17 + credit_code_check_char(first17)


# (username, name, department key, role, scope, title)
STAFF_ACCOUNTS = [
    ("sysadmin", "系统管理员", "市数据局", SYSTEM_ADMIN, "city", "平台系统管理员"),
    ("secadmin", "安全管理员", "市数据局", SECURITY_ADMIN, "city", "平台安全管理员"),
    ("auditor", "安全审计员", "市数据局", AUDITOR, "city", "平台安全审计员"),
    ("xihu_admin", "西湖区系统管理员", "330106", SYSTEM_ADMIN, "region_tree", "区系统管理员"),
    ("shangcheng_admin", "上城区系统管理员", "330102", SYSTEM_ADMIN, "region_tree", "区系统管理员"),
    ("xihu_staff", "王晓明", "330106:市场监督管理局", STAFF, "department", "科员"),
    ("binjiang_staff", "李静", "330108:城市管理局", STAFF, "department", "科员"),
    ("city_staff", "陈刚", "市12345中心", STAFF, "department", "话务员"),
]


def load_users(departments: dict[str, Department]) -> list[tuple[str, str, str]]:
    """Create the demo accounts; returns (username, kind, what it demonstrates)."""
    created = []
    for username, name, dept_key, role, scope, title in STAFF_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.create_staff(
                actor=None, username=username, name=name, password=DEMO_PASSWORD
            )
        services.grant_initial_role(
            user=user, department=departments[dept_key], role_code=role, scope=scope, title=title
        )
        created.append((username, "staff", f"{title} · {departments[dept_key].name}"))
    if not User.objects.filter(username="citizen").exists():
        services.create_citizen(
            actor=None,
            username="citizen",
            real_name="张三",
            citizen_id=demo_citizen_id("330106", "19900307", "123"),
            password=DEMO_PASSWORD,
            phone="13800138000",
        )
    created.append(("citizen", "citizen", "张三 · 西湖区居民"))
    if not User.objects.filter(username="elder").exists():
        services.create_citizen(
            actor=None,
            username="elder",
            real_name="赵秀英",
            citizen_id=demo_citizen_id("330102", "19480512", "026"),
            password=DEMO_PASSWORD,
            phone="13900139000",
        )
    created.append(("elder", "citizen", "赵秀英 · 上城区老年居民"))
    if not User.objects.filter(username="enterprise").exists():
        services.create_enterprise(
            actor=None,
            username="enterprise",
            name="杭州西溪数智科技有限公司",
            credit_code=demo_credit_code("330106", "MA2H7K3L5"),
            legal_representative="刘洋",
            password=DEMO_PASSWORD,
            phone="13700137000",
        )
    created.append(("enterprise", "enterprise", "杭州西溪数智科技有限公司"))
    return created


@transaction.atomic
def load_demo(stdout=None) -> str:
    departments = load_departments()
    accounts = load_users(departments)
    if stdout is not None:
        stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD})\n")
        for username, kind, note in accounts:
            stdout.write(f"  {username:<18} {kind:<11} {note}\n")
    return f"{Department.objects.count()} departments, {len(accounts)} demo accounts"
