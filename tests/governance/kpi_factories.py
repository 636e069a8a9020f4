"""Cases built straight with the ORM for the KPI and Open311 tests (no lifecycle services)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from smartgov.core.models import Region
from smartgov.governance.models import Case, CaseStatus, Category, CategoryKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def local(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def categories():
    major, _ = Category.objects.get_or_create(
        code="01", defaults={"name": "市容环境", "kind": CategoryKind.EVENT}
    )
    minor, _ = Category.objects.get_or_create(
        code="0101",
        defaults={
            "name": "暴露垃圾",
            "kind": CategoryKind.EVENT,
            "parent": major,
            "time_limit": 2,
            "keywords": "垃圾 堆放",
        },
    )
    other, _ = Category.objects.get_or_create(
        code="0102",
        defaults={
            "name": "道路破损",
            "kind": CategoryKind.EVENT,
            "parent": major,
            "time_limit": 5,
        },
    )
    return minor, other


def make_case(
    *,
    department,
    category,
    due,
    dispatched=None,
    status=CaseStatus.CLOSED,
    closed=None,
    on_time=None,
    handling_hours=None,
    rework=0,
    extensions=0,
    satisfied=None,
    repeat=False,
    recorded_by=None,
    verified_by=None,
    street=None,
    district=None,
    **extra,
):
    dispatched = dispatched or due - timedelta(days=2)
    district = district or department.region
    if district.level != "county":
        district = Region.objects.filter(level="county").first()
    return Case.objects.create(
        number=f"T{next(_numbers):08d}",
        channel="hotline",
        title=extra.pop("title", "路边垃圾堆放"),
        description=extra.pop("description", "路边有垃圾堆放多日无人清理"),
        department=department,
        category=category,
        district=district,
        street=street,
        status=status,
        dispatched_at=dispatched,
        due_at=due,
        handled_at=closed,
        closed_at=closed if status == CaseStatus.CLOSED else None,
        closed_on_time=on_time,
        handling_seconds=int(handling_hours * 3600) if handling_hours is not None else None,
        rework_count=rework,
        extension_count=extensions,
        satisfied=satisfied,
        is_repeat=repeat,
        recorded_by=recorded_by,
        verified_by=verified_by,
        created_at=dispatched - timedelta(hours=1),
        **extra,
    )
