"""Demo catalog: data officers, a data-bureau administrator and ~36 published resources of
the demo city's departments, registered and reviewed through the services (idempotent)."""

from __future__ import annotations

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


def F(name, label, data_type="string", **extra):
    """One field of the demo catalog (defaults: optional, not personal, general grade)."""
    return {"name": name, "label": label, "data_type": data_type, **extra}


def KEY(name, label, data_type="string", **extra):
    return F(name, label, data_type, is_key=True, **extra)


CITIZEN_ID = KEY(
    "citizen_id",
    "公民身份号码",
    "citizen_id",
    personal_kind="citizen_id",
    grade="important",
    masking="citizen_id",
)
PERSON_ID = F(
    "citizen_id",
    "公民身份号码",
    "citizen_id",
    required=True,
    personal_kind="citizen_id",
    grade="important",
    masking="citizen_id",
)
NAME = F(
    "name",
    "姓名",
    required=True,
    max_length=50,
    personal_kind="name",
    grade="important",
    masking="name",
)
GENDER = F("gender", "性别", "enum", enum_values=["男", "女"], personal_kind="other")
BIRTH_DATE = F("birth_date", "出生日期", "date", personal_kind="other")
PHONE = F("phone", "联系电话", "phone", personal_kind="phone", masking="phone")
ADDRESS = F("address", "地址", max_length=200)
HOME_ADDRESS = F("address", "居住地址", max_length=200, personal_kind="address", masking="address")
REGION = F("region_code", "所属行政区划", "region_code")
CREDIT_CODE = KEY("credit_code", "统一社会信用代码", "credit_code")
ORG_CREDIT = F("credit_code", "统一社会信用代码", "credit_code", required=True)
ORG_NAME = F("org_name", "单位名称", required=True, max_length=200)
LONGITUDE = F("longitude", "经度", "decimal")
LATITUDE = F("latitude", "纬度", "decimal")

COND = "有条件共享：用于本部门法定职责和政务服务办理，经数据资源管理局审核后授权使用。"

# (code, name, provider, classification, base, format, share, open, cycle, summary, fields)
RESOURCES = [
    (
        "101001001/000001",
        "杭州市户籍人口基本信息",
        "市公安局",
        "base",
        "population",
        "table",
        "conditional",
        "closed",
        "realtime",
        "全市户籍登记人口的身份、性别、民族、出生日期和户籍地址等基本信息，是人口基础库的权威来源。",
        [
            CITIZEN_ID,
            NAME,
            GENDER,
            F("ethnicity", "民族"),
            BIRTH_DATE,
            F("household_address", "户籍地址", personal_kind="address", masking="address"),
            F("household_region", "户籍地行政区划", "region_code"),
            F("registered_on", "户籍登记日期", "date"),
        ],
    ),
    (
        "101001002/000001",
        "流动人口居住登记信息",
        "市公安局",
        "base",
        "population",
        "table",
        "conditional",
        "closed",
        "daily",
        "来杭流动人口的居住登记和居住证办理情况，包括居住地址、居住事由和登记日期。",
        [
            CITIZEN_ID,
            NAME,
            HOME_ADDRESS,
            REGION,
            F("reason", "居住事由", "enum", enum_values=["务工", "经商", "就学", "投亲", "其他"]),
            F("registered_on", "登记日期", "date"),
            F("permit_no", "居住证编号"),
        ],
    ),
    (
        "101001003/000001",
        "出生登记信息",
        "市公安局",
        "base",
        "population",
        "table",
        "conditional",
        "closed",
        "daily",
        "新生儿出生落户登记信息，含出生日期、出生地和监护人。",
        [
            CITIZEN_ID,
            NAME,
            GENDER,
            BIRTH_DATE,
            F("birth_place", "出生地点"),
            F(
                "guardian_citizen_id",
                "监护人公民身份号码",
                "citizen_id",
                personal_kind="citizen_id",
                grade="important",
                masking="citizen_id",
            ),
        ],
    ),
    (
        "101001004/000001",
        "死亡注销户籍信息",
        "市公安局",
        "base",
        "population",
        "table",
        "conditional",
        "closed",
        "daily",
        "因死亡注销户口的人员信息，用于养老金停发、社保核查等业务协同。",
        [
            CITIZEN_ID,
            NAME,
            F("death_date", "死亡日期", "date", required=True),
            F("cancelled_on", "注销日期", "date"),
        ],
    ),
    (
        "301010001/000001",
        "机动车登记信息",
        "市公安局",
        "department",
        "",
        "table",
        "conditional",
        "closed",
        "daily",
        "本市登记的机动车号牌、车辆类型、品牌型号和所有人信息。",
        [
            KEY("plate_no", "号牌号码", max_length=10),
            F(
                "vehicle_type",
                "车辆类型",
                "enum",
                enum_values=["小型汽车", "大型汽车", "新能源小型车", "摩托车", "挂车"],
            ),
            F("brand_model", "品牌型号"),
            F("owner_name", "所有人", personal_kind="name", masking="name"),
            F(
                "owner_citizen_id",
                "所有人身份证明号码",
                "citizen_id",
                personal_kind="citizen_id",
                grade="important",
                masking="citizen_id",
            ),
            F("registered_on", "初次登记日期", "date"),
        ],
    ),
    (
        "301010002/000001",
        "机动车驾驶证信息",
        "市公安局",
        "department",
        "",
        "table",
        "conditional",
        "closed",
        "daily",
        "驾驶人的准驾车型、初次领证日期、有效期和记分状态。",
        [
            CITIZEN_ID,
            NAME,
            F(
                "permitted_class",
                "准驾车型",
                "enum",
                enum_values=["A1", "A2", "B1", "B2", "C1", "C2", "D", "E"],
            ),
            F("first_issued_on", "初次领证日期", "date"),
            F("valid_until", "有效期止", "date"),
            F("points", "累积记分", "integer"),
        ],
    ),
    (
        "101002001/000001",
        "法人单位基本信息",
        "市市场监管局",
        "base",
        "legal_entity",
        "table",
        "unconditional",
        "open",
        "daily",
        "在本市登记的企业、个体工商户和农民专业合作社的名称、类型、法定代表人、注册资本和住所。",
        [
            CREDIT_CODE,
            ORG_NAME,
            F(
                "entity_type",
                "市场主体类型",
                "enum",
                enum_values=[
                    "有限责任公司",
                    "股份有限公司",
                    "个人独资企业",
                    "合伙企业",
                    "个体工商户",
                    "农民专业合作社",
                ],
            ),
            F("legal_representative", "法定代表人", personal_kind="name", masking="name"),
            F("registered_capital", "注册资本（万元）", "decimal"),
            F("established_on", "成立日期", "date"),
            ADDRESS,
            REGION,
        ],
    ),
    (
        "104001001/000001",
        "营业执照电子证照",
        "市市场监管局",
        "base",
        "e_license",
        "table",
        "unconditional",
        "closed",
        "realtime",
        "营业执照电子证照的照面信息和签发机关，用于办事免提交纸质执照。",
        [
            KEY("license_no", "证照编号"),
            ORG_CREDIT,
            ORG_NAME,
            F("issued_on", "发证日期", "date"),
            F("authority", "发证机关"),
        ],
    ),
    (
        "106001001/000001",
        "企业经营异常名录信息",
        "市市场监管局",
        "base",
        "social_credit",
        "table",
        "unconditional",
        "open",
        "daily",
        "被列入和移出经营异常名录的企业、列入原因和作出决定机关。",
        [
            ORG_CREDIT,
            ORG_NAME,
            KEY("decision_no", "决定书文号"),
            F(
                "reason",
                "列入经营异常名录原因",
                "enum",
                enum_values=[
                    "未按规定报送年度报告",
                    "通过登记的住所无法联系",
                    "未按规定公示即时信息",
                    "公示信息隐瞒真实情况",
                ],
            ),
            F("listed_on", "列入日期", "date"),
            F("removed_on", "移出日期", "date"),
        ],
    ),
    (
        "302001001/000001",
        "食品经营许可证信息",
        "市市场监管局",
        "department",
        "",
        "table",
        "unconditional",
        "open",
        "daily",
        "食品经营许可证的经营者、经营场所、经营项目和有效期限。",
        [
            KEY("permit_no", "许可证编号"),
            ORG_CREDIT,
            F("operator_name", "经营者名称"),
            F("premises", "经营场所"),
            F("scope", "经营项目"),
            F("valid_until", "有效期至", "date"),
        ],
    ),
    (
        "302001002/000001",
        "食品安全监督抽检结果",
        "市市场监管局",
        "department",
        "",
        "table",
        "unconditional",
        "open",
        "monthly",
        "食品安全监督抽检的样品、生产经营单位、检验项目和判定结论。",
        [
            KEY("sample_no", "抽样单编号"),
            F("product_name", "样品名称"),
            F("producer", "标称生产企业"),
            F("seller", "被抽样单位"),
            F("result", "检验结论", "enum", enum_values=["合格", "不合格"]),
            F("sampled_on", "抽样日期", "date"),
        ],
    ),
    (
        "302001003/000001",
        "电梯等特种设备使用登记信息",
        "市市场监管局",
        "department",
        "",
        "table",
        "conditional",
        "closed",
        "weekly",
        "电梯、锅炉、压力容器等特种设备的使用单位、安装地点和下次检验日期。",
        [
            KEY("device_code", "设备代码"),
            F(
                "device_type",
                "设备类别",
                "enum",
                enum_values=["电梯", "锅炉", "压力容器", "起重机械", "场（厂）内专用机动车辆"],
            ),
            F("user_unit", "使用单位名称"),
            F("location", "安装地点"),
            F("next_inspection_on", "下次检验日期", "date"),
        ],
    ),
    (
        "302001004/000001",
        "药品零售企业（药店）信息",
        "市市场监管局",
        "department",
        "",
        "table",
        "unconditional",
        "open",
        "weekly",
        "零售药店的名称、地址、许可证号、执业药师和营业时间。",
        [
            KEY("permit_no", "药品经营许可证号"),
            F("pharmacy_name", "药店名称"),
            ADDRESS,
            F("pharmacist", "执业药师", personal_kind="name", masking="name"),
            F("medical_insurance", "医保定点", "boolean"),
            F("opening_hours", "营业时间"),
        ],
    ),
    (
        "303001001/000001",
        "社会保险参保信息",
        "市人社局",
        "department",
        "",
        "table",
        "conditional",
        "closed",
        "monthly",
        "职工和城乡居民参加基本养老、医疗、失业、工伤保险的险种和缴费状态。",
        [
            CITIZEN_ID,
            NAME,
            KEY(
                "insurance_type",
                "险种",
                "enum",
                enum_values=[
                    "企业职工基本养老保险",
                    "城乡居民基本养老保险",
                    "职工基本医疗保险",
                    "失业保险",
                    "工伤保险",
                ],
            ),
            F("employer_credit_code", "参保单位统一社会信用代码", "credit_code"),
            F("started_on", "参保日期", "date"),
            F("status", "参保状态", "enum", enum_values=["正常参保", "暂停缴费", "终止参保"]),
        ],
    ),
    (
        "303001002/000001",
        "养老金发放信息",
        "市人社局",
        "department",
        "",
        "table",
        "conditional",
        "closed",
        "monthly",
        "按月发放的基本养老金金额和发放状态。",
        [
            CITIZEN_ID,
            NAME,
            KEY("month", "发放年月", max_length=7),
            F("amount", "发放金额（元）", "decimal", grade="important"),
        ],
    ),
    (
        "303001003/000001",
        "就业登记信息",
        "市人社局",
        "department",
        "",
        "table",
        "conditional",
        "closed",
        "monthly",
        "劳动者就业和失业登记情况，含用人单位和登记日期。",
        [
            CITIZEN_ID,
            NAME,
            ORG_CREDIT,
            F("registered_on", "就业登记日期", "date"),
            F("kind", "登记类型", "enum", enum_values=["就业登记", "失业登记"]),
        ],
    ),
    (
        "303001004/000001",
        "职业技能等级证书信息",
        "市人社局",
        "department",
        "",
        "table",
        "unconditional",
        "closed",
        "monthly",
        "职业技能等级认定结果和证书编号。",
        [
            KEY("certificate_no", "证书编号"),
            PERSON_ID,
            NAME,
            F("occupation", "职业（工种）"),
            F("level", "技能等级", "enum", enum_values=["五级", "四级", "三级", "二级", "一级"]),
        ],
    ),
    (
        "304001001/000001",
        "医疗机构执业登记信息",
        "市卫健委",
        "department",
        "",
        "table",
        "unconditional",
        "open",
        "monthly",
        "医院、社区卫生服务中心等医疗机构的名称、等级、地址、床位数和诊疗科目。",
        [
            CREDIT_CODE,
            ORG_NAME,
            F(
                "level",
                "医院等级",
                "enum",
                enum_values=["三级甲等", "三级乙等", "二级甲等", "二级乙等", "一级", "未定级"],
            ),
            ADDRESS,
            REGION,
            F("beds", "核定床位数", "integer"),
            F("departments", "诊疗科目"),
            F("phone", "联系电话", "phone"),
        ],
    ),
    (
        "304001002/000001",
        "出生医学证明信息",
        "市卫健委",
        "department",
        "",
        "table",
        "conditional",
        "closed",
        "daily",
        "出生医学证明签发信息，含新生儿、母亲和签发机构。",
        [
            KEY("certificate_no", "出生医学证明编号"),
            F("baby_name", "新生儿姓名", personal_kind="name", masking="name"),
            F("birth_date", "出生日期", "datetime"),
            F(
                "mother_citizen_id",
                "母亲公民身份号码",
                "citizen_id",
                personal_kind="citizen_id",
                grade="important",
                masking="citizen_id",
            ),
            F("hospital", "签发机构"),
        ],
    ),
    (
        "304001003/000001",
        "预防接种记录",
        "市卫健委",
        "department",
        "",
        "table",
        "conditional",
        "closed",
        "daily",
        "儿童和成人的疫苗接种记录，用于入托入学查验。",
        [
            CITIZEN_ID,
            KEY("vaccine", "疫苗名称"),
            KEY("dose", "剂次", "integer"),
            F("vaccinated_on", "接种日期", "date", grade="important"),
            F("clinic", "接种单位"),
        ],
    ),
    (
        "305001001/000001",
        "住房公积金缴存信息",
        "市公积金中心",
        "department",
        "",
        "table",
        "conditional",
        "closed",
        "monthly",
        "职工住房公积金账户、缴存单位、月缴存额和账户余额。",
        [
            KEY("account_no", "个人公积金账号"),
            PERSON_ID,
            NAME,
            ORG_CREDIT,
            F("monthly_amount", "月缴存额（元）", "decimal"),
            F("balance", "账户余额（元）", "decimal", grade="important"),
        ],
    ),
    (
        "305001002/000001",
        "住房公积金贷款信息",
        "市公积金中心",
        "department",
        "",
        "table",
        "conditional",
        "closed",
        "monthly",
        "住房公积金个人贷款的金额、期限和还款状态。",
        [
            KEY("loan_no", "贷款合同编号"),
            PERSON_ID,
            NAME,
            F("amount", "贷款金额（万元）", "decimal", grade="important"),
            F("term_months", "贷款期限（月）", "integer"),
            F("status", "还款状态", "enum", enum_values=["正常", "逾期", "结清"]),
        ],
    ),
    (
        "306001001/000001",
        "中小学校基本信息",
        "市教育局",
        "department",
        "",
        "table",
        "unconditional",
        "open",
        "yearly",
        "全市中小学校的名称、办学类型、学段、地址和在校生数。",
        [
            KEY("school_code", "学校标识码"),
            F("school_name", "学校名称"),
            F(
                "school_type",
                "办学类型",
                "enum",
                enum_values=["小学", "初级中学", "九年一贯制学校", "完全中学", "高级中学"],
            ),
            F("ownership", "办学性质", "enum", enum_values=["公办", "民办"]),
            ADDRESS,
            REGION,
            F("students", "在校生数", "integer"),
        ],
    ),
    (
        "306001002/000001",
        "幼儿园基本信息",
        "市教育局",
        "department",
        "",
        "table",
        "unconditional",
        "open",
        "yearly",
        "幼儿园的名称、等级、性质、地址和招生范围。",
        [
            KEY("school_code", "学校标识码"),
            F("kindergarten_name", "幼儿园名称"),
            F("grade_level", "等级", "enum", enum_values=["一级", "二级", "三级", "准三级"]),
            ADDRESS,
            REGION,
            F("catchment", "招生范围"),
        ],
    ),
    (
        "307001001/000001",
        "公共停车场信息",
        "市城管局",
        "department",
        "",
        "api",
        "unconditional",
        "open",
        "realtime",
        "公共停车场的位置、总泊位数、实时空余泊位和收费标准。",
        [
            KEY("lot_code", "停车场编号"),
            F("lot_name", "停车场名称"),
            ADDRESS,
            LONGITUDE,
            LATITUDE,
            F("spaces", "总泊位数", "integer"),
            F("free_spaces", "空余泊位数", "integer"),
            F("tariff", "收费标准"),
        ],
    ),
    (
        "307001002/000001",
        "城市道路照明设施信息",
        "市城管局",
        "department",
        "",
        "table",
        "unconditional",
        "closed",
        "quarterly",
        "路灯等城市照明设施的编号、位置、灯具类型和养护单位。",
        [
            KEY("facility_code", "设施编号"),
            F("road", "所在道路"),
            LONGITUDE,
            LATITUDE,
            F("lamp_type", "灯具类型"),
            F("maintainer", "养护单位"),
        ],
    ),
    (
        "308001001/000001",
        "环境空气质量监测站点信息",
        "市生态环境局",
        "department",
        "",
        "table",
        "unconditional",
        "open",
        "irregular",
        "国控、省控和市控空气质量自动监测站点的位置和监测项目。",
        [
            KEY("station_code", "站点编码"),
            F("station_name", "站点名称"),
            F("level", "站点级别", "enum", enum_values=["国控", "省控", "市控"]),
            REGION,
            LONGITUDE,
            LATITUDE,
        ],
    ),
    (
        "308001002/000001",
        "空气质量小时监测数据",
        "市生态环境局",
        "department",
        "",
        "api",
        "unconditional",
        "open",
        "realtime",
        "各监测站点逐小时的PM2.5、PM10、臭氧浓度和空气质量指数。",
        [
            KEY("station_code", "站点编码"),
            KEY("observed_at", "监测时间", "datetime"),
            F("pm25", "PM2.5浓度（微克/立方米）", "decimal"),
            F("pm10", "PM10浓度（微克/立方米）", "decimal"),
            F("o3", "臭氧浓度", "decimal"),
            F("aqi", "空气质量指数", "integer"),
        ],
    ),
    (
        "308001003/000001",
        "重点排污单位名录",
        "市生态环境局",
        "department",
        "",
        "table",
        "unconditional",
        "open",
        "yearly",
        "水、大气、土壤等环境要素的重点排污单位名单。",
        [
            CREDIT_CODE,
            ORG_NAME,
            F(
                "category",
                "重点类别",
                "enum",
                enum_values=["水环境", "大气环境", "土壤污染", "声环境", "环境风险管控"],
            ),
            ADDRESS,
            REGION,
        ],
    ),
    (
        "309001001/000001",
        "最低生活保障对象信息",
        "市民政局",
        "department",
        "",
        "table",
        "conditional",
        "closed",
        "monthly",
        "城乡最低生活保障家庭的成员、保障人数和保障金额。",
        [
            CITIZEN_ID,
            NAME,
            F("household_size", "保障人数", "integer"),
            F("amount", "月保障金额（元）", "decimal", grade="important"),
            REGION,
            F("approved_on", "批准日期", "date"),
        ],
    ),
    (
        "309001002/000001",
        "养老服务机构信息",
        "市民政局",
        "department",
        "",
        "table",
        "unconditional",
        "open",
        "quarterly",
        "养老院、居家养老服务照料中心的名称、床位和服务内容。",
        [CREDIT_CODE, ORG_NAME, ADDRESS, REGION, F("beds", "床位数", "integer"), PHONE],
    ),
    (
        "310001001/000001",
        "商品房预售许可信息",
        "市住保房管局",
        "department",
        "",
        "table",
        "unconditional",
        "open",
        "weekly",
        "商品房预售许可证的项目名称、开发企业、预售面积和套数。",
        [
            KEY("permit_no", "预售许可证号"),
            F("project", "项目名称"),
            ORG_CREDIT,
            F("area", "预售面积（平方米）", "decimal"),
            F("units", "预售套数", "integer"),
            F("issued_on", "发证日期", "date"),
        ],
    ),
    (
        "103001001/000001",
        "应急避难场所信息",
        "市应急管理局",
        "base",
        "spatial",
        "spatial",
        "unconditional",
        "open",
        "yearly",
        "应急避难场所的位置、类型、有效面积和可容纳人数。",
        [
            KEY("shelter_code", "场所编号"),
            F("shelter_name", "场所名称"),
            F("shelter_type", "场所类型", "enum", enum_values=["室内", "室外", "综合"]),
            ADDRESS,
            LONGITUDE,
            LATITUDE,
            F("capacity", "可容纳人数", "integer"),
        ],
    ),
    (
        "103001002/000001",
        "标准地名地址信息",
        "市数据局",
        "base",
        "spatial",
        "table",
        "unconditional",
        "open",
        "monthly",
        "标准地址的行政区划、街路巷、门牌号和空间坐标。",
        [
            KEY("address_code", "地址编码"),
            F("full_address", "标准地址"),
            REGION,
            F("street_name", "街路巷名"),
            F("house_no", "门牌号"),
            LONGITUDE,
            LATITUDE,
        ],
    ),
    (
        "105001001/000001",
        "国民经济主要指标",
        "市数据局",
        "base",
        "macro_economy",
        "table",
        "unconditional",
        "open",
        "monthly",
        "地区生产总值、规模以上工业增加值、社会消费品零售总额等月度指标。",
        [
            KEY("indicator_code", "指标代码"),
            KEY("period", "统计期", max_length=7),
            F("indicator_name", "指标名称"),
            F("value", "指标值", "decimal"),
            F("unit", "计量单位"),
        ],
    ),
    (
        "106001002/000001",
        "行政处罚信息",
        "市市场监管局",
        "base",
        "social_credit",
        "table",
        "unconditional",
        "open",
        "daily",
        "行政处罚决定的当事人、违法事实、处罚依据和处罚结果。",
        [
            KEY("decision_no", "处罚决定书文号"),
            ORG_CREDIT,
            F("party_name", "当事人名称"),
            F("facts", "主要违法事实"),
            F("penalty", "处罚结果"),
            F("decided_on", "处罚决定日期", "date"),
        ],
    ),
]


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
    for (
        code,
        name,
        provider,
        classification,
        base,
        fmt,
        share,
        open_type,
        cycle,
        summary,
        fields,
    ) in RESOURCES:
        if Resource.objects.filter(code=code).exists():
            continue
        # The police bureau's own officer registers its resources; the data bureau the rest.
        author = officer if provider == "市公安局" else admin
        resource = services.create_resource(
            actor=author,
            provider_id=departments[provider].pk,
            code=code,
            name=name,
            summary=summary,
            classification=classification,
            base_resource=base,
            format=fmt,
            share_type=share,
            share_conditions=COND if share == "conditional" else "",
            share_method="接口调用、库表交换" if share != "none" else "",
            open_type=open_type,
            update_cycle=cycle,
            fields=fields,
        )
        services.submit_resource(actor=author, resource_id=resource.pk, comment="提交审核")
        services.approve_resource(actor=admin, resource_id=resource.pk, comment="审核通过")
    if stdout is not None:
        stdout.write("\nCatalog demo accounts (same password)\n")
        for username, _name, dept_key, _role, _scope, title in DEMO_ACCOUNTS:
            stdout.write(f"  {username:<18} {'staff':<11} {title} · {departments[dept_key].name}\n")
    published = Resource.objects.filter(status=ResourceStatus.PUBLISHED).count()
    return f"{published} published catalog resources, {len(DEMO_ACCOUNTS)} demo accounts"
