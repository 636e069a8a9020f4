"""Demo government services: the items of data/items.json (six with application forms), the
staff who handle them (item officer and publisher, front desks, an approver per department, a
service supervisor), 一件事 bundles, a year of historical applications and ratings, and today's
live applications (idempotent: a second run changes nothing).

Items, bundles and today's applications go through the services, as real staff would; the
year of history is an import in bulk (see demo_history.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from smartgov.accounts import services as account_services
from smartgov.accounts.demo import DEMO_PASSWORD
from smartgov.accounts.models import User
from smartgov.catalog.models import Resource
from smartgov.core.models import Department
from smartgov.services import forms, services
from smartgov.services.models import ItemStatus, ServiceItem
from smartgov.services.permissions import (
    APPROVER,
    FRONT_DESK,
    ITEM_OFFICER,
    ITEM_PUBLISHER,
    SERVICE_SUPERVISOR,
)

ITEMS_FILE = Path(__file__).resolve().parent / "data" / "items.json"

# (username, name, department key, role, scope, title). The service centre (市民中心) is run
# by the city government office, so its front desk and the supervisor sit there, city-wide.
DEMO_ACCOUNTS = [
    ("item_officer", "孙丽", "市市场监管局", ITEM_OFFICER, "department", "政务服务事项专员"),
    ("item_publisher", "钱伟", "市政府办公厅", ITEM_PUBLISHER, "city", "政务服务管理处处长"),
    ("desk_center", "林晓燕", "市政府办公厅", FRONT_DESK, "city", "市民中心综合窗口受理员"),
    ("desk_xihu", "何佳", "330106", FRONT_DESK, "region_tree", "西湖区行政服务中心综合窗口"),
    ("svc_supervisor", "郭振华", "市政府办公厅", SERVICE_SUPERVISOR, "city", "政务服务效能督查"),
    ("approver_scjg", "方志强", "市市场监管局", APPROVER, "department", "登记注册处审批员"),
    ("approver_xh_scjg", "汪蕾", "330106:市场监督管理局", APPROVER, "department", "审批科审批员"),
    ("approver_rs", "宋佳怡", "市人社局", APPROVER, "department", "就业促进处审批员"),
    ("approver_ga", "唐建国", "市公安局", APPROVER, "department", "户政管理处审批员"),
    ("approver_mz", "韩梅", "市民政局", APPROVER, "department", "社会救助处审批员"),
    ("approver_wjw", "曹宇", "市卫健委", APPROVER, "department", "医政医管处审批员"),
    ("approver_cg", "邓超", "市城管局", APPROVER, "department", "市容景观处审批员"),
    ("approver_xh_cg", "许静", "330106:城市管理局", APPROVER, "department", "审批科审批员"),
    ("approver_fg", "彭磊", "市住保房管局", APPROVER, "department", "住房保障处审批员"),
    ("approver_sthj", "蔡文", "市生态环境局", APPROVER, "department", "环评处审批员"),
    ("approver_yj", "袁明", "市应急管理局", APPROVER, "department", "危化品监管处审批员"),
    ("approver_jy", "潘婷", "市教育局", APPROVER, "department", "基础教育处审批员"),
    ("approver_gjj", "蒋涛", "市公积金中心", APPROVER, "department", "归集管理处审批员"),
]


def demo_items() -> list[dict]:
    with ITEMS_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)["items"]


def department_for(key: str) -> Department:
    """A city bureau by short name, 'district code:suffix' for a district bureau, or a
    district code for the district government."""
    if ":" in key:
        code, suffix = key.split(":", 1)
        return Department.objects.get(region__code=code, name__endswith=suffix)
    if key.isdigit():
        return Department.objects.get(region__code=key, kind="district_office")
    return Department.objects.get(short_name=key, parent__parent=None, parent__isnull=False)


def _accounts() -> dict[str, User]:
    users = {}
    for username, name, dept_key, role, scope, title in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_services.create_staff(
                actor=None, username=username, name=name, password=DEMO_PASSWORD
            )
        account_services.grant_initial_role(
            user=user, department=department_for(dept_key), role_code=role, scope=scope, title=title
        )
        users[username] = user
    for username in ("citizen", "elder", "enterprise", "license_officer"):
        user = User.objects.filter(username=username).first()
        if user is not None:
            users[username] = user
    return users


def _materials(entries: list[dict]) -> list[dict]:
    materials = []
    for entry in entries:
        entry = dict(entry)
        code = entry.pop("resource_code", None)
        if code:
            entry["resource_id"] = Resource.objects.get(code=code).pk
        materials.append(entry)
    return materials


def _steps(entries: list[dict]) -> list[dict]:
    """Steps of items.json name another department (a 并联 step) by its demo key."""
    steps = []
    for entry in entries:
        entry = dict(entry)
        key = entry.pop("department", None)
        if key:
            entry["department_id"] = department_for(key).pk
        steps.append(entry)
    return steps


def _load_items(publisher: User) -> int:
    made = 0
    for entry in demo_items():
        if ServiceItem.objects.filter(implementation_code=entry["implementation_code"]).exists():
            continue
        values = dict(entry)
        department = department_for(values.pop("department"))
        form_fields = values.pop("form", None)
        item = services.create_item(
            actor=publisher,
            department_id=department.pk,
            materials=_materials(values.pop("materials")),
            steps=_steps(values.pop("steps", [])),
            **values,
        )
        if form_fields:
            forms.set_form(actor=publisher, item_id=item.pk, fields=form_fields)
        services.publish_item(actor=publisher, item_id=item.pk, comment="演示数据发布")
        made += 1
    return made


def load_demo_services(stdout=None) -> str:
    from smartgov.services import demo_bundles, demo_history, demo_live

    with transaction.atomic():
        users = _accounts()
        _load_items(users["item_publisher"])
        bundles = demo_bundles.load_bundles(users)
    history = demo_history.load_history(users)
    live = demo_live.load_live(users)
    if stdout is not None:
        if history:
            stdout.write(
                f"\nService history imported: {history['applications']} applications, "
                f"{history['events']} timeline events, {history['tasks']} approval tasks, "
                f"{history['ratings']} ratings ({history['rectifications']} rectifications), "
                f"{history['licenses']} e-licenses issued, {history['bundle_applications']} "
                f"一件事 applications\n"
            )
        stdout.write("\nService demo accounts (same password)\n")
        for username, _name, dept_key, _role, _scope, title in DEMO_ACCOUNTS:
            stdout.write(
                f"  {username:<18} {'staff':<11} {title} · {department_for(dept_key).name}\n"
            )
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count()
    return (
        f"{published} published service items, {bundles} bundles, {len(DEMO_ACCOUNTS)} demo "
        f"accounts, {live} live applications today"
    )
