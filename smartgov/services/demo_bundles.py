"""Demo 一件事 bundles: real "one thing" packages of Zhejiang's 一网通办 built from the demo
items — opening a restaurant, opening a company, a newborn, becoming unemployed (idempotent).

They go through ``bundles.create_bundle`` and ``publish_bundle``, by the service supervisor.
"""

from __future__ import annotations

from smartgov.accounts.models import User
from smartgov.services import bundles
from smartgov.services.bundle_models import Bundle

# (code, name, lead department key, basic codes in order, tags, description)
BUNDLES = [
    (
        "kaiban-canyin",
        "开办餐饮店一件事",
        "市市场监管局",
        ["000101001000", "000101005000", "000181002000"],
        ["开饭店", "一件事", "企业开办"],
        "开一家餐馆只需填一张表、交一套材料：营业执照、食品经营许可和店招店牌设置备案同步办理，"
        "市场监管与城管部门并联审批，全部办结后一次告知。",
    ),
    (
        "qiye-kaiban",
        "企业开办一件事",
        "市市场监管局",
        ["000101001000", "000171001000"],
        ["开公司", "企业开办", "一件事"],
        "企业设立登记与住房公积金单位开户一次申请、一次办结，营业执照电子证照自动共享，"
        "开户无需再交执照。",
    ),
    (
        "xinshenger",
        "新生儿出生一件事",
        "市卫健委",
        ["000140001000", "000130003000", "001002001000"],
        ["生育", "一件事", "户口"],
        "出生医学证明、户口登记和社会保障卡申领合并办理：父母在线申请一次，医院、公安、人社"
        "部门数据共享，结果统一寄递。",
    ),
    (
        "shiye",
        "失业一件事",
        "市人社局",
        ["001002002000", "001002003000", "001002005000"],
        ["失业", "就业", "一件事"],
        "失业登记、失业保险金申领和就业困难人员认定一次申请，人社部门内部流转，"
        "符合条件的同步发放失业保险金。",
    ),
]


def load_bundles(users: dict[str, User]) -> int:
    """Create and publish the demo bundles that do not exist yet; returns how many exist."""
    from smartgov.services.demo import department_for

    actor = users["svc_supervisor"]
    for code, name, lead, basic_codes, tags, description in BUNDLES:
        if Bundle.objects.filter(code=code).exists():
            continue
        bundle = bundles.create_bundle(
            actor=actor,
            code=code,
            name=name,
            description=description,
            lead_department_id=department_for(lead).pk,
            basic_codes=basic_codes,
            tags=tags,
        )
        bundles.publish_bundle(actor=actor, bundle_id=bundle.pk)
    return Bundle.objects.filter(code__in=[spec[0] for spec in BUNDLES]).count()
