"""Demo open data: topics and tags for the demo catalog's open resources, two resources the data
bureau reclassifies as conditionally open, the demo enterprise as a developer (an open-API key,
one approved and one pending application) and some usage counts. Idempotent."""

from __future__ import annotations

from django.db import transaction

from smartgov.accounts.models import User
from smartgov.catalog import services as catalog_services
from smartgov.catalog.models import OpenType, Resource, ResourceStatus
from smartgov.opendata import services
from smartgov.opendata.models import (
    ApplicationStatus,
    DeveloperKey,
    OpenApplication,
    Publication,
    Topic,
)
from smartgov.opendata.selectors import open_resources

TOPICS = [
    ("economy", "经济建设", "宏观经济、市场主体与产业发展"),
    ("market", "市场监管", "市场主体登记、许可、抽检与信用"),
    ("education", "教育文化", "学校、幼儿园与文化设施"),
    ("health", "医疗卫生", "医疗机构、药店与公共卫生"),
    ("environment", "生态环境", "空气质量、污染源与生态保护"),
    ("city", "城市建设", "城市管理、交通设施与房地产"),
    ("social", "社会民生", "养老、社会救助与公共服务"),
    ("safety", "公共安全", "应急避难、特种设备与安全生产"),
]
# resource code: (topic, tags, page views, downloads, API calls)
FILING = {
    "101002001/000001": ("market", ["企业", "法人"], 1824, 312, 5120),
    "106001001/000001": ("market", ["信用", "经营异常"], 963, 201, 2210),
    "302001001/000001": ("market", ["食品安全", "许可"], 742, 95, 880),
    "302001002/000001": ("health", ["食品安全", "抽检"], 1320, 260, 1405),
    "302001004/000001": ("health", ["药店", "医药"], 655, 88, 430),
    "304001001/000001": ("health", ["医院", "医疗机构"], 2011, 410, 3300),
    "306001001/000001": ("education", ["学校", "教育"], 2450, 530, 1900),
    "306001002/000001": ("education", ["幼儿园", "教育"], 1702, 344, 960),
    "307001001/000001": ("city", ["停车", "交通"], 3120, 220, 15400),
    "308001001/000001": ("environment", ["空气质量", "监测站点"], 870, 140, 2600),
    "308001002/000001": ("environment", ["空气质量", "实时"], 2900, 610, 24800),
    "308001003/000001": ("environment", ["污染源", "排污"], 512, 73, 390),
    "309001002/000001": ("social", ["养老", "社会服务"], 1180, 150, 700),
    "310001001/000001": ("city", ["房地产", "预售许可"], 2230, 480, 1750),
    "103001001/000001": ("safety", ["应急", "避难场所"], 940, 190, 820),
    "103001002/000001": ("city", ["地名地址", "空间地理"], 1530, 300, 6100),
    "105001001/000001": ("economy", ["统计", "宏观经济"], 1990, 720, 2300),
    "106001002/000001": ("market", ["信用", "行政处罚"], 1410, 260, 2050),
    "302001003/000001": ("safety", ["特种设备", "电梯"], 420, 35, 160),
    "307001002/000001": ("city", ["路灯", "市政设施"], 310, 22, 95),
}
# Closed in the demo catalog; the data bureau opens them to approved developers.
CONDITIONAL = ["302001003/000001", "307001002/000001"]
CONDITIONAL_NOTE = "数据局调整为有条件开放：经数据提供部门审核同意后向开发者开放。"
DEVELOPER = "enterprise"
APPROVED_PURPOSE = "开发电梯维保提醒小程序，向物业和业主提示下次检验日期。"
PENDING_PURPOSE = "研究城市道路照明设施的分布，为夜间出行安全分析提供依据。"


def _reclassify(admin: User) -> None:
    for code in CONDITIONAL:
        resource = Resource.objects.filter(code=code).first()
        if resource is None or resource.open_type != OpenType.CLOSED:
            continue
        if resource.status == ResourceStatus.PUBLISHED:
            catalog_services.withdraw_resource(
                actor=admin, resource_id=resource.pk, reason=CONDITIONAL_NOTE
            )
        catalog_services.update_resource(
            actor=admin, resource_id=resource.pk, changes={"open_type": OpenType.CONDITIONAL}
        )
        catalog_services.submit_resource(actor=admin, resource_id=resource.pk, comment="重新提交")
        catalog_services.approve_resource(
            actor=admin, resource_id=resource.pk, comment=CONDITIONAL_NOTE
        )


def _file(admin: User) -> None:
    for position, (code, name, description) in enumerate(TOPICS):
        Topic.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )
    for resource in open_resources():
        filing = FILING.get(resource.code)
        if filing is None or Publication.objects.filter(resource=resource, topic__isnull=False):
            continue
        topic, tags, views, downloads, calls = filing
        services.file_publication(actor=admin, resource_id=resource.pk, topic_code=topic, tags=tags)
        Publication.objects.filter(resource=resource).update(
            view_count=views, download_count=downloads, api_count=calls
        )


def _developer(admin: User) -> str | None:
    """The demo enterprise's key (its secret, when made now) and applications."""
    developer = User.objects.filter(username=DEVELOPER).first()
    if developer is None:
        return None
    secret = None
    if not DeveloperKey.objects.filter(user=developer).exists():
        _key, secret = services.create_key(actor=developer, name="西溪数智数据应用")
    elevator, lighting = (Resource.objects.filter(code=c).first() for c in CONDITIONAL)
    if elevator is not None and not OpenApplication.objects.filter(
        resource=elevator, applicant=developer
    ):
        application = services.apply_for_resource(
            actor=developer, resource_id=elevator.pk, purpose=APPROVED_PURPOSE
        )
        services.decide_application(
            actor=admin, application_id=application.pk, approve=True, comment="同意，仅限所述用途"
        )
    if lighting is not None and not OpenApplication.objects.filter(
        resource=lighting, applicant=developer
    ):
        services.apply_for_resource(
            actor=developer, resource_id=lighting.pk, purpose=PENDING_PURPOSE
        )
    return secret


@transaction.atomic
def load_demo_opendata(stdout=None) -> str:
    admin = User.objects.filter(username="data_admin").first()
    if admin is None:
        return "open data: no catalog demo (data_admin missing), skipped"
    _reclassify(admin)
    _file(admin)
    secret = _developer(admin)
    if stdout is not None and secret:
        stdout.write(f"\nOpen-API key of the demo developer 'enterprise' (shown once): {secret}\n")
    opened = open_resources().count()
    pending = OpenApplication.objects.filter(status=ApplicationStatus.PENDING).count()
    return (
        f"{opened} open resources, {Topic.objects.count()} topics, {pending} pending applications"
    )
