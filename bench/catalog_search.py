"""Catalog search benchmark: 10,000 resources with fields, then p50/p95 of ranked Chinese
full-text searches (with and without filters) on the current DATABASE_URL.
Prints figures; asserts nothing about speed."""

from __future__ import annotations

import random
import statistics
import time

from _setup import setup_django

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import QuerySet  # noqa: E402

N_RESOURCES = 10_000

PLACES = [
    "杭州市",
    "上城区",
    "拱墅区",
    "西湖区",
    "滨江区",
    "萧山区",
    "余杭区",
    "临平区",
    "钱塘区",
    "富阳区",
    "临安区",
    "桐庐县",
    "淳安县",
    "建德市",
]
# (topic, summary phrase, field labels)
TOPICS = [
    ("户籍人口", "户籍登记人口的身份和户籍地址", ["公民身份号码", "姓名", "性别", "户籍地址"]),
    (
        "流动人口",
        "流动人口居住登记和居住证办理",
        ["公民身份号码", "姓名", "居住地址", "居住证编号"],
    ),
    (
        "企业登记",
        "市场主体登记注册事项",
        ["统一社会信用代码", "企业名称", "法定代表人", "注册资本"],
    ),
    ("营业执照", "营业执照电子证照照面信息", ["证照编号", "统一社会信用代码", "发证日期"]),
    ("社会保险参保", "社会保险参保和缴费状态", ["公民身份号码", "险种", "参保日期", "参保单位"]),
    ("养老金发放", "基本养老金按月发放情况", ["公民身份号码", "发放年月", "发放金额"]),
    ("住房公积金缴存", "住房公积金账户缴存和余额", ["公积金账号", "月缴存额", "账户余额"]),
    ("机动车登记", "机动车号牌和所有人", ["号牌号码", "车辆类型", "品牌型号", "所有人"]),
    ("中小学校", "学校办学类型和在校生数", ["学校标识码", "学校名称", "在校生数"]),
    ("医疗机构", "医疗机构执业登记和床位", ["机构名称", "医院等级", "核定床位数"]),
    ("零售药店", "药品零售企业和执业药师", ["许可证号", "药店名称", "执业药师"]),
    ("电梯设备", "电梯等特种设备使用登记", ["设备代码", "使用单位", "下次检验日期"]),
    ("食品安全抽检", "食品安全监督抽检结论", ["抽样单编号", "样品名称", "检验结论"]),
    ("空气质量监测", "空气质量自动监测站点数据", ["站点编码", "PM2.5浓度", "空气质量指数"]),
    ("公共停车场", "停车场泊位和收费标准", ["停车场编号", "总泊位数", "空余泊位数"]),
    ("最低生活保障", "低保家庭保障人数和金额", ["公民身份号码", "保障人数", "月保障金额"]),
    ("养老服务机构", "养老机构床位和服务内容", ["机构名称", "床位数", "联系电话"]),
    ("应急避难场所", "避难场所位置和容纳人数", ["场所编号", "可容纳人数", "经度", "纬度"]),
    ("行政处罚", "行政处罚决定和违法事实", ["处罚决定书文号", "当事人名称", "处罚结果"]),
    ("不动产登记", "不动产权利和抵押登记", ["不动产单元号", "权利人", "房屋坐落"]),
]
SUFFIXES = ["基本信息", "明细数据", "统计数据", "台账", "变更记录", "年度报表", "名录", "档案"]
QUERIES = [
    ("户籍", None),
    ("户籍人口 信息", None),
    ("营业执照", None),
    ("公积金缴存", None),
    ("公民身份号码", None),  # a field label
    ("停车场 空余泊位", None),
    ("电梯 检验", None),
    ("西湖区 医疗机构", None),
    ("人口", {"base_resource": "population"}),
    ("社会保险", {"share_type": "conditional", "update_cycle": "monthly"}),
    ("养老", {"grade": "important"}),
    ("不存在的资源名称", None),
    ("", None),  # list by name
    ("", {"open_type": "open"}),
]


def latency(label: str, func, *, repeat: int) -> None:
    func()  # warm up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{label:<46} p50 {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms")


def build(departments) -> None:
    from smartgov.catalog import search
    from smartgov.catalog.models import Field, Resource

    rng = random.Random(20261123)
    providers = [d for d in departments.values() if d.parent_id is not None][:40]
    choices = {
        "share_type": ["unconditional", "conditional", "none"],
        "open_type": ["open", "conditional", "closed"],
        "update_cycle": ["realtime", "daily", "weekly", "monthly", "quarterly", "yearly"],
    }
    resources, fields_of = [], []
    for i in range(N_RESOURCES):
        topic, phrase, labels = TOPICS[i % len(TOPICS)]
        place = PLACES[rng.randrange(len(PLACES))]
        name = f"{place}{topic}{SUFFIXES[rng.randrange(len(SUFFIXES))]}"
        base = "population" if topic in ("户籍人口", "流动人口") else ""
        resource = Resource(
            code=f"{'1' if base else '3'}{i % 100:02d}{i % 1000:03d}001/{i:06d}",
            name=name,
            summary=f"{place}{phrase}，按{rng.choice(['日', '月', '季度'])}更新。",
            provider=providers[i % len(providers)],
            classification="base" if base else "department",
            base_resource=base,
            status="published",
            version=1,
            revision=3,
            **{key: rng.choice(values) for key, values in choices.items()},
        )
        fields = [
            Field(
                position=k,
                name=f"f{k}",
                label=label,
                data_type="string",
                is_key=k == 0,
                required=k == 0,
                grade=rng.choice(["general", "general", "important", "core"]),
            )
            for k, label in enumerate(labels)
        ]
        resource.search_name, resource.search_text = search.document(resource, fields)
        resources.append(resource)
        fields_of.append(fields)
    with transaction.atomic():
        Resource.objects.bulk_create(resources, batch_size=500)
        for resource, fields in zip(resources, fields_of, strict=True):
            for field in fields:
                field.resource = resource
        Field.objects.bulk_create([f for fields in fields_of for f in fields], batch_size=2000)
        search.rebuild_index()


def main() -> None:
    from smartgov.accounts.demo import load_departments, load_users
    from smartgov.accounts.models import User
    from smartgov.catalog import selectors
    from smartgov.catalog.models import Field, Resource
    from smartgov.core.services import load_regions

    call_command("migrate", verbosity=0)
    load_regions()
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    departments = load_departments()
    load_users(departments)
    started = time.perf_counter()
    build(departments)
    print(
        f"built {Resource.objects.count():,} resources, {Field.objects.count():,} fields "
        f"(tokenised with jieba, bulk insert, index) in {time.perf_counter() - started:.1f} s"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_resource")
    staff = User.objects.get(username="xihu_staff")

    for query, filters in QUERIES:
        catalog_filter = selectors.CatalogFilter(**(filters or {}))

        def run(query=query, catalog_filter=catalog_filter):
            results = selectors.search_resources(staff, query=query, filters=catalog_filter)
            total = results.count() if isinstance(results, QuerySet) else len(results)
            page = list(results[0:20])
            return total, page

        total, _page = run()
        label = f"{query or '(empty)'}{' ' + str(filters) if filters else ''}"
        latency(f"{label[:34]:<34} {total:>6,} hits", run, repeat=50)


if __name__ == "__main__":
    main()
