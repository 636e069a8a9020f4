"""Demo e-licenses: six license types of real Hangzhou departments, licenses for the demo
citizen (``citizen``), the elder (``elder``) and the enterprise (``enterprise``), a few uses.

Made through the services, as real staff would; idempotent (a type or a holder's license of a
type that exists is left alone). The demo e-license officer (``license_officer``, password as
every demo account) may issue for every department (city scope).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from smartgov.accounts import services as account_services
from smartgov.accounts.demo import DEMO_PASSWORD
from smartgov.accounts.models import User
from smartgov.core.models import Department
from smartgov.licenses import services
from smartgov.licenses.models import HolderKind, License, LicenseType, LicenseUse
from smartgov.licenses.permissions import LICENSE_OFFICER

OFFICER = "license_officer"


def _fields(*specs: tuple[str, str, str, bool]) -> dict:
    return {
        "fields": [
            {"name": name, "label": label, "type": kind, "required": required}
            for name, label, kind, required in specs
        ]
    }


# (code, name, department short name, holder kind, validity years, schema)
TYPES = [
    (
        "YYZZ",
        "营业执照",
        "市市场监管局",
        HolderKind.ENTERPRISE,
        None,
        _fields(
            ("entity_type", "类型", "string", True),
            ("legal_representative", "法定代表人", "string", True),
            ("registered_capital", "注册资本（万元）", "number", True),
            ("established_on", "成立日期", "date", True),
            ("address", "住所", "string", True),
            ("scope", "经营范围", "string", False),
        ),
    ),
    (
        "SPJYXKZ",
        "食品经营许可证",
        "市市场监管局",
        HolderKind.ENTERPRISE,
        5,
        _fields(
            ("operator_type", "主体业态", "string", True),
            ("items", "经营项目", "string", True),
            ("premises", "经营场所", "string", True),
        ),
    ),
    (
        "JHZ",
        "结婚证",
        "市民政局",
        HolderKind.CITIZEN,
        None,
        _fields(
            ("spouse_name", "配偶姓名", "string", True),
            ("registered_on", "登记日期", "date", True),
            ("certificate_no", "结婚证字号", "string", True),
        ),
    ),
    (
        "CJRZ",
        "残疾人证",
        "市民政局",
        HolderKind.CITIZEN,
        10,
        _fields(("category", "残疾类别", "string", True), ("grade", "残疾等级", "string", True)),
    ),
    (
        "BDCQZS",
        "不动产权证书",
        "市住保房管局",
        HolderKind.CITIZEN,
        None,
        _fields(
            ("location", "坐落", "string", True),
            ("unit_no", "不动产单元号", "string", True),
            ("area", "面积（平方米）", "number", True),
            ("usage", "用途", "string", True),
            ("rights_type", "权利类型", "string", True),
        ),
    ),
    (
        "JDCJSZ",
        "机动车驾驶证",
        "市公安局",
        HolderKind.CITIZEN,
        6,
        _fields(
            ("vehicle_class", "准驾车型", "string", True),
            ("first_issued_on", "初次领证日期", "date", True),
        ),
    ),
]

# (username, type code, holder name or None for the account's name, data, valid_from)
LICENSES = [
    (
        "citizen",
        "JHZ",
        {
            "spouse_name": "李梅",
            "registered_on": "2019-10-01",
            "certificate_no": "J330106-2019-004521",
        },
        date(2019, 10, 1),
    ),
    (
        "citizen",
        "JDCJSZ",
        {"vehicle_class": "C1", "first_issued_on": "2012-07-16"},
        date(2024, 7, 16),
    ),
    (
        "citizen",
        "BDCQZS",
        {
            "location": "杭州市西湖区文三路 478 号 3 幢 1202 室",
            "unit_no": "330106001002GB00031F00011202",
            "area": 89.6,
            "usage": "住宅",
            "rights_type": "国有建设用地使用权/房屋所有权",
        },
        date(2021, 4, 12),
    ),
    ("elder", "CJRZ", {"category": "视力残疾", "grade": "二级"}, date(2022, 3, 1)),
    (
        "elder",
        "BDCQZS",
        {
            "location": "杭州市上城区清波街道河坊街 216 号 2 单元 301 室",
            "unit_no": "330102003005GB00112F00020301",
            "area": 62.3,
            "usage": "住宅",
            "rights_type": "国有建设用地使用权/房屋所有权",
        },
        date(1998, 11, 20),
    ),
    (
        "enterprise",
        "YYZZ",
        {
            "entity_type": "有限责任公司（自然人投资或控股）",
            "legal_representative": "刘洋",
            "registered_capital": 500,
            "established_on": "2020-06-18",
            "address": "浙江省杭州市西湖区西溪路 525 号 A 座 6 楼",
            "scope": "软件开发；信息系统集成服务；数据处理服务",
        },
        date(2020, 6, 18),
    ),
    (
        "enterprise",
        "SPJYXKZ",
        {
            "operator_type": "单位食堂",
            "items": "热食类食品制售",
            "premises": "浙江省杭州市西湖区西溪路 525 号 A 座 1 楼",
        },
        date(2023, 9, 5),
    ),
]

# (username, type code, using department short name, purpose, reference)
USES = [
    ("citizen", "JHZ", "市住保房管局", "办理不动产登记时核验婚姻状况", "BDC2026110300087"),
    ("enterprise", "YYZZ", "市人社局", "办理社会保险登记免提交营业执照", "SB2026111800342"),
    ("elder", "CJRZ", "市民政局", "申领困难残疾人生活补贴", "MZ2026112000019"),
]


def _officer(departments: dict[str, Department]) -> User:
    user = User.objects.filter(username=OFFICER).first()
    if user is None:
        user = account_services.create_staff(
            actor=None, username=OFFICER, name="周敏", password=DEMO_PASSWORD
        )
    account_services.grant_initial_role(
        user=user,
        department=departments["市数据局"],
        role_code=LICENSE_OFFICER,
        scope="city",
        title="电子证照管理员",
    )
    return user


def _holder_id(user: User) -> str:
    return user.citizen_id if user.kind == "citizen" else user.credit_code


@transaction.atomic
def load_demo_licenses(stdout=None) -> str:
    departments = {
        d.short_name: d
        for d in Department.objects.filter(parent__parent=None, parent__isnull=False)
    }
    if "市数据局" not in departments:
        return "accounts demo missing: no e-license demo"
    officer = _officer(departments)
    for code, name, short, kind, years, schema in TYPES:
        if not LicenseType.objects.filter(code=code).exists():
            services.create_license_type(
                actor=officer,
                code=code,
                name=name,
                department=departments[short],
                holder_kind=kind,
                validity_years=years,
                schema=schema,
            )
    issued = {}
    for username, code, data, valid_from in LICENSES:
        holder = User.objects.filter(username=username).first()
        if holder is None:
            continue
        license_type = LicenseType.objects.get(code=code)
        existing = services.holder_licenses(holder).filter(license_type=license_type).first()
        issued[(username, code)] = existing or services.issue_license(
            actor=officer,
            license_type=license_type,
            holder_id=_holder_id(holder),
            holder_name=holder.display_name,
            data=data,
            valid_from=valid_from,
            source="demo",
        )
    for username, code, short, purpose, reference in USES:
        license = issued.get((username, code))
        if (
            license is None
            or LicenseUse.objects.filter(license=license, reference=reference).exists()
        ):
            continue
        services.record_use(
            license=license, by=departments[short], purpose=purpose, reference=reference
        )
    if stdout is not None:
        stdout.write(f"  {OFFICER:<18} staff       电子证照管理员 (all departments)\n")
    return (
        f"{LicenseType.objects.count()} e-license types, {License.objects.count()} e-licenses, "
        f"{LicenseUse.objects.count()} uses"
    )
