"""Demo service items: an item officer, a city-wide item publisher and the items of
data/items.json (six with application forms), drafted and published through the services
(idempotent)."""

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
from smartgov.services.permissions import ITEM_OFFICER, ITEM_PUBLISHER

ITEMS_FILE = Path(__file__).resolve().parent / "data" / "items.json"

# (username, name, department short name, role, scope, title)
DEMO_ACCOUNTS = [
    ("item_officer", "孙丽", "市市场监管局", ITEM_OFFICER, "department", "政务服务事项专员"),
    ("item_publisher", "钱伟", "市政府办公厅", ITEM_PUBLISHER, "city", "政务服务管理处处长"),
]


def demo_items() -> list[dict]:
    with ITEMS_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)["items"]


def _department(key: str) -> Department:
    """A city bureau by short name, or 'district code:suffix' for a district bureau."""
    if ":" in key:
        code, suffix = key.split(":", 1)
        return Department.objects.get(region__code=code, name__endswith=suffix)
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
            user=user, department=_department(dept_key), role_code=role, scope=scope, title=title
        )
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


@transaction.atomic
def load_demo_services(stdout=None) -> str:
    users = _accounts()
    publisher = users["item_publisher"]
    for entry in demo_items():
        if ServiceItem.objects.filter(implementation_code=entry["implementation_code"]).exists():
            continue
        values = dict(entry)
        department = _department(values.pop("department"))
        form_fields = values.pop("form", None)
        item = services.create_item(
            actor=publisher,
            department_id=department.pk,
            materials=_materials(values.pop("materials")),
            **values,
        )
        if form_fields:
            forms.set_form(actor=publisher, item_id=item.pk, fields=form_fields)
        services.publish_item(actor=publisher, item_id=item.pk, comment="演示数据发布")
    if stdout is not None:
        stdout.write("\nService-item demo accounts (same password)\n")
        for username, _name, dept_key, _role, _scope, title in DEMO_ACCOUNTS:
            stdout.write(f"  {username:<18} {'staff':<11} {title} · {_department(dept_key).name}\n")
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count()
    return f"{published} published service items, {len(DEMO_ACCOUNTS)} demo accounts"
