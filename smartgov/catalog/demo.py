"""Demo catalog: a data officer, a data-bureau administrator and the 36 published resources of
data/demo_catalog.json, registered and reviewed through the services (idempotent)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from smartgov.accounts import services as account_services
from smartgov.accounts.demo import DEMO_PASSWORD
from smartgov.accounts.models import User
from smartgov.catalog import services
from smartgov.catalog.models import Resource, ResourceStatus
from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
from smartgov.core.models import Department, DepartmentKind, Region

# Departments the catalog needs beyond the foundation's demo city: (name, short name).
EXTRA_BUREAUS = [
    ("杭州市教育局", "市教育局"),
    ("杭州住房公积金管理中心", "市公积金中心"),
]

# (username, name, department short name, role, scope, title)
DEMO_ACCOUNTS = [
    ("data_officer", "周敏", "市公安局", DATA_OFFICER, "department", "数据专员"),
    ("data_admin", "郑华", "市数据局", DATA_ADMIN, "city", "数据资源处处长"),
]

CATALOG_FILE = Path(__file__).resolve().parent / "data" / "demo_catalog.json"
SHARE_CONDITIONS = "有条件共享：用于本部门法定职责和政务服务办理，经数据资源管理局审核后授权使用。"
SHARE_METHOD = "接口调用、库表交换"


def demo_resources() -> list[dict]:
    """The demo catalog: each entry's metadata, provider (short name) and fields."""
    with CATALOG_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def _extra_departments() -> dict[str, Department]:
    city = Department.objects.get(name="杭州市人民政府", parent=None)
    hangzhou = Region.objects.get(code="330100")
    made = {}
    for name, short in EXTRA_BUREAUS:
        department = Department.objects.filter(name=name, parent=city).first()
        if department is None:
            department = Department(
                name=name,
                short_name=short,
                kind=DepartmentKind.BUREAU,
                region=hangzhou,
                parent=city,
            )
            department.save()
        made[short] = department
    return made


def _accounts(departments: dict[str, Department]) -> dict[str, User]:
    users = {}
    for username, name, dept_key, role, scope, title in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_services.create_staff(
                actor=None, username=username, name=name, password=DEMO_PASSWORD
            )
        account_services.grant_initial_role(
            user=user, department=departments[dept_key], role_code=role, scope=scope, title=title
        )
        users[username] = user
    return users


@transaction.atomic
def load_demo_catalog(stdout=None) -> str:
    departments = {
        d.short_name: d
        for d in Department.objects.filter(parent__parent=None, parent__isnull=False)
    }
    departments.update(_extra_departments())
    users = _accounts(departments)
    officer, admin = users["data_officer"], users["data_admin"]
    for entry in demo_resources():
        if Resource.objects.filter(code=entry["code"]).exists():
            continue
        values = dict(entry)
        provider = departments[values.pop("provider")]
        # The police bureau's own officer registers its resources; the data bureau the rest.
        author = officer if provider.short_name == "市公安局" else admin
        resource = services.create_resource(
            actor=author,
            provider_id=provider.pk,
            share_conditions=SHARE_CONDITIONS if values["share_type"] == "conditional" else "",
            share_method=SHARE_METHOD if values["share_type"] != "none" else "",
            **values,
        )
        services.submit_resource(actor=author, resource_id=resource.pk, comment="提交审核")
        services.approve_resource(actor=admin, resource_id=resource.pk, comment="审核通过")
    if stdout is not None:
        stdout.write("\nCatalog demo accounts (same password)\n")
        for username, _name, dept_key, _role, _scope, title in DEMO_ACCOUNTS:
            stdout.write(f"  {username:<18} {'staff':<11} {title} · {departments[dept_key].name}\n")
    published = Resource.objects.filter(status=ResourceStatus.PUBLISHED).count()
    return f"{published} published catalog resources, {len(DEMO_ACCOUNTS)} demo accounts"
