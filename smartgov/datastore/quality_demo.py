"""Demo quality rules on the demo catalog's resources, and a first check of every published
resource (idempotent: rules are added once; a resource is checked again only when its data
changed since its latest report)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from smartgov.accounts.models import User
from smartgov.catalog.models import Resource
from smartgov.core.errors import SmartgovError
from smartgov.datastore import quality
from smartgov.datastore.models import CheckTrigger, QualityReport, StoreTable

POPULATION = "101001001/000001"  # 户籍人口基本信息
LEGAL_ENTITIES = "101002001/000001"  # 法人单位基本信息

# (resource code, kind, fields, params, reference (code, field) or None, weight, threshold, note)
DEMO_RULES = [
    (
        "303001001/000001",
        "consistency",
        ["citizen_id"],
        {},
        (POPULATION, "citizen_id"),
        3,
        98,
        "参保人员应能在户籍人口基础库中找到",
    ),
    (
        "305001001/000001",
        "consistency",
        ["citizen_id"],
        {},
        (POPULATION, "citizen_id"),
        2,
        95,
        "公积金缴存人应能在户籍人口基础库中找到",
    ),
    (
        "309001001/000001",
        "consistency",
        ["citizen_id"],
        {},
        (POPULATION, "citizen_id"),
        3,
        99,
        "低保对象须为本市户籍人口",
    ),
    (
        "302001001/000001",
        "consistency",
        ["credit_code"],
        {},
        (LEGAL_ENTITIES, "credit_code"),
        2,
        98,
        "持证经营者应为已登记的法人单位",
    ),
    (
        POPULATION,
        "validity",
        ["birth_date"],
        {"not_future": True},
        None,
        2,
        100,
        "出生日期不能晚于今天",
    ),
    (
        POPULATION,
        "validity",
        ["household_region"],
        {"pattern": r"3301\d{2}(\d{3}){0,2}"},
        None,
        1,
        95,
        "户籍地行政区划应在杭州市内",
    ),
    (
        "301010002/000001",
        "validity",
        ["points"],
        {"min": "0", "max": "12"},
        None,
        2,
        100,
        "驾驶证记分在 0–12 分之间",
    ),
    (
        "304001001/000001",
        "validity",
        ["beds"],
        {"min": "0", "max": "5000"},
        None,
        1,
        100,
        "核定床位数在合理范围内",
    ),
    ("304001001/000001", "completeness", ["phone"], {}, None, 1, 90, "医疗机构应留有联系电话"),
    ("309001002/000001", "completeness", ["phone"], {}, None, 1, 90, "养老机构应留有联系电话"),
    (
        "303001002/000001",
        "validity",
        ["month"],
        {"pattern": r"20\d{2}-(0[1-9]|1[0-2])"},
        None,
        1,
        100,
        "发放月份格式为 YYYY-MM",
    ),
]


def _add_rules(admin) -> set[int]:
    """Add the demo rules not there yet; the ids of the resources that got one."""
    codes = {code for code, *_ in DEMO_RULES} | {r[4][0] for r in DEMO_RULES if r[4]}
    resources = dict(Resource.objects.filter(code__in=codes).values_list("code", "pk"))
    added: set[int] = set()
    for code, kind, fields, params, reference, weight, threshold, note in DEMO_RULES:
        if code not in resources or (reference and reference[0] not in resources):
            continue
        try:
            quality.create_rule(
                actor=admin,
                resource_id=resources[code],
                kind=kind,
                fields=fields,
                params=params,
                target_resource_id=resources[reference[0]] if reference else None,
                target_field=reference[1] if reference else "",
                weight=weight,
                threshold=threshold,
                note=note,
            )
        except SmartgovError as exc:
            if exc.code != "rule_exists":
                raise
            continue
        added.add(resources[code])
    return added


def _stale() -> list[Resource]:
    """Published table resources never checked, or whose data changed since the last check."""
    latest = QualityReport.objects.filter(resource=OuterRef("pk")).order_by("-created_at", "-id")
    version = StoreTable.objects.filter(resource=OuterRef("pk")).values("version")[:1]
    resources = quality.published_tables().annotate(
        checked_version=Subquery(latest.values("version")[:1]), table_version=Subquery(version)
    )
    return [
        r
        for r in resources
        if r.checked_version is None or r.checked_version != (r.table_version or 0)
    ]


def load_demo_quality(stdout=None) -> str:
    admin = User.objects.filter(username="data_admin").first()
    if admin is None:
        return "skipped (no demo catalog)"
    with_new_rules = _add_rules(admin)
    # Checked again: resources whose data changed since their latest report, and those whose
    # new rules that report could not include.
    stale = [r for r in quality.published_tables() if r.pk in with_new_rules]
    stale += [r for r in _stale() if r.pk not in with_new_rules]
    for resource in stale:
        quality.evaluate(resource, trigger=CheckTrigger.SCHEDULE, refresh=False)
    quality.refresh_snapshots(department_ids=None)
    return f"rules added to {len(with_new_rules)} resources, {len(stale)} resources checked"
