"""The demo city's people, organisations and places, generated from a fixed seed.

Everything here is invented; identifiers carry valid check digits (GB 11643 citizen IDs,
GB 32100 credit codes with a GB 11714 organisation code inside) and region codes are the real
GB/T 2260 codes of Hangzhou's districts and streets, so the records read like a city's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from smartgov.core.validators import CREDIT_ALPHABET, citizen_id_check_digit, credit_code_check_char

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰建国文辉力永健世广志义兴良海山仁波宁"
    "贵福生龙元全胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振"
    "壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克"
    "伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘婷雪琳晗瑶怡佳嘉琪欣悦涵梓萱诗雨"
)
# Characters that read alike, used to make the small spelling differences between sources that
# real data has (a name keyed in by a clerk from a paper form).
HOMOPHONES = {
    "伟": "炜",
    "芳": "方",
    "静": "婧",
    "丽": "莉",
    "军": "钧",
    "杰": "洁",
    "明": "铭",
    "华": "骅",
}
ETHNICITIES = ("汉族",) * 46 + ("回族", "满族", "畲族", "苗族", "土家族", "壮族")
ROADS = (  # noqa: SIM905
    "文三路 文二路 文一西路 天目山路 延安路 凤起路 莫干山路 教工路 "
    "学院路 古墩路 西溪路 余杭塘路 庆春路 解放路 体育场路 秋涛路 "
    "东新路 石桥路 江南大道 滨盛路 江陵路 长河路 市心北路 金城路 "
    "人民大道 文化路 临平大道 东湖路 金沙大道 学林街 富春街道路 鹳山路 "
    "衣锦街 石镜街 迎宾路 新安江路 "
).split()
ORG_WORDS = (  # noqa: SIM905
    "恒远 华信 中天 金桥 瑞丰 和达 东信 博雅 鼎盛 海纳 天成 宏图 "
    "新禾 云栖 钱塘 之江 西子 运河 良渚 湖畔 嘉和 启明 同辉 万象 "
    "星火 智汇 绿源 青山 明湖 富春 "
).split()
ORG_TRADES = (
    ("科技", "信息技术服务"),
    ("网络科技", "软件和信息技术服务"),
    ("贸易", "批发和零售"),
    ("餐饮管理", "餐饮服务"),
    ("食品", "食品销售"),
    ("建设工程", "建筑施工"),
    ("物业管理", "物业服务"),
    ("医药", "药品零售"),
    ("教育科技", "教育培训"),
    ("环保科技", "环境治理"),
    ("机械制造", "通用设备制造"),
    ("纺织", "纺织服装"),
)
ORG_SUFFIX_BY_TYPE = {
    "有限责任公司": "有限公司",
    "股份有限公司": "股份有限公司",
    "个人独资企业": "经营部",
    "合伙企业": "（有限合伙）",
    "个体工商户": "店",
    "农民专业合作社": "专业合作社",
}
# Districts with their share of the city's population (roughly the 2020 census).
DISTRICT_WEIGHTS = {
    "330102": 13,
    "330105": 11,
    "330106": 11,
    "330108": 5,
    "330109": 16,
    "330110": 13,
    "330111": 5,
    "330112": 4,
    "330113": 8,
    "330114": 7,
    "330122": 2,
    "330127": 2,
    "330182": 3,
}
# The city's bounding box, for generated coordinates (WGS-84).
LONGITUDE = (119.80, 120.45)
LATITUDE = (30.05, 30.45)
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass
class Place:
    district_code: str
    district: str
    street_code: str
    street: str

    @property
    def short_street(self) -> str:
        """The street's name without 街道 / 镇, as schools and clinics are named after it."""
        return self.street.removesuffix("街道").removesuffix("镇")


@dataclass
class Person:
    citizen_id: str
    name: str
    gender: str
    birth_date: date
    ethnicity: str
    place: Place
    address: str
    phone: str
    registered_on: date


@dataclass
class Organisation:
    credit_code: str
    name: str
    entity_type: str
    trade: str
    legal_representative: str
    capital: str
    established_on: date
    place: Place
    address: str
    phone: str


def organisation_code_check(first8: str) -> str:
    """GB 11714 check character of the 9-character organisation code inside a credit code."""
    values = [int(c, 36) for c in first8]
    remainder = 11 - sum(v * w for v, w in zip(values, _ORG_CODE_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


class World:
    """People, organisations and places of the demo city, the same for a given seed."""

    def __init__(self, places: list[Place], *, seed: int = 20261201, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.places = places
        self._by_district: dict[str, list[Place]] = {}
        for place in places:
            self._by_district.setdefault(place.district_code, []).append(place)
        self._districts = [d for d in DISTRICT_WEIGHTS if d in self._by_district]
        self._weights = [DISTRICT_WEIGHTS[d] for d in self._districts]
        self._used_ids: set[str] = set()
        self._used_codes: set[str] = set()
        self._used_names: set[str] = set()

    # --- small pieces -----------------------------------------------------------------

    def place(self) -> Place:
        district = self.rng.choices(self._districts, self._weights)[0]
        return self.rng.choice(self._by_district[district])

    def street_address(self, place: Place) -> str:
        road = self.rng.choice(ROADS)
        return f"杭州市{place.district}{place.street}{road}{self.rng.randint(1, 999)}号"

    def home_address(self, place: Place) -> str:
        rng = self.rng
        return (
            f"{self.street_address(place)}{rng.randint(1, 30)}幢"
            f"{rng.randint(1, 4)}单元{rng.randint(1, 28)}{rng.randint(1, 4):02d}室"
        )

    def phone(self) -> str:
        rng = self.rng
        return f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"

    def day_between(self, start: date, end: date) -> date:
        span = max((end - start).days, 0)
        return start + timedelta(days=self.rng.randint(0, span))

    def coordinates(self) -> tuple[str, str]:
        return (
            f"{self.rng.uniform(*LONGITUDE):.6f}",
            f"{self.rng.uniform(*LATITUDE):.6f}",
        )

    def personal_name(self) -> str:
        rng = self.rng
        given = rng.choice(GIVEN_CHARS)
        if rng.random() < 0.7:
            given += rng.choice(GIVEN_CHARS)
        return rng.choice(SURNAMES) + given

    def citizen_id(self, district_code: str, born: date, male: bool) -> str:
        while True:
            sequence = self.rng.randint(0, 499) * 2 + (1 if male else 0)
            first17 = f"{district_code}{born:%Y%m%d}{sequence:03d}"
            value = first17 + citizen_id_check_digit(first17)
            if value not in self._used_ids:
                self._used_ids.add(value)
                return value

    def credit_code(self, district_code: str, authority: str = "91") -> str:
        while True:
            body = "".join(self.rng.choice(CREDIT_ALPHABET) for _ in range(8))
            org_code = body + organisation_code_check(body)
            first17 = f"{authority}{district_code}{org_code}"
            value = first17 + credit_code_check_char(first17)
            if value not in self._used_codes:
                self._used_codes.add(value)
                return value

    @staticmethod
    def misspelt(name: str) -> str:
        """The same name with one character replaced by one that sounds alike (or appended)."""
        for index, char in enumerate(name[1:], start=1):
            if char in HOMOPHONES:
                return name[:index] + HOMOPHONES[char] + name[index + 1 :]
        return name[:1] + ("晓" if name[1:2] != "晓" else "小") + name[2:]

    # --- whole records ------------------------------------------------------------------

    def person(self, *, born_after: date = date(1938, 1, 1), born_before: date | None = None):
        place = self.place()
        born = self.day_between(born_after, born_before or self.today - timedelta(days=30))
        male = self.rng.random() < 0.51
        return Person(
            citizen_id=self.citizen_id(place.district_code, born, male),
            name=self.personal_name(),
            gender="男" if male else "女",
            birth_date=born,
            ethnicity=self.rng.choice(ETHNICITIES),
            place=place,
            address=self.home_address(place),
            phone=self.phone(),
            registered_on=max(born, self.day_between(date(1990, 1, 1), self.today)),
        )

    def people(self, count: int, **kwargs) -> list[Person]:
        return [self.person(**kwargs) for _ in range(count)]

    def organisation(self, entity_type: str | None = None) -> Organisation:
        rng = self.rng
        entity_type = entity_type or rng.choices(list(ORG_SUFFIX_BY_TYPE), [40, 6, 6, 3, 40, 5])[0]
        place = self.place()
        trade_word, trade = rng.choice(ORG_TRADES)
        while True:
            word = rng.choice(ORG_WORDS) + rng.choice(ORG_WORDS)
            if entity_type == "个体工商户":
                name = f"{place.district}{word}{trade_word}{ORG_SUFFIX_BY_TYPE[entity_type]}"
            else:
                name = f"杭州{word}{trade_word}{ORG_SUFFIX_BY_TYPE[entity_type]}"
            if name not in self._used_names:
                self._used_names.add(name)
                break
        authority = {"个体工商户": "92", "农民专业合作社": "93"}.get(entity_type, "91")
        capital = (
            ""
            if entity_type == "个体工商户"
            else str(rng.choice((10, 50, 100, 200, 500, 1000, 3000, 5000)))
        )
        return Organisation(
            credit_code=self.credit_code(place.district_code, authority),
            name=name,
            entity_type=entity_type,
            trade=trade,
            legal_representative=self.personal_name(),
            capital=capital,
            established_on=self.day_between(date(1998, 1, 1), self.today - timedelta(days=60)),
            place=place,
            address=self.street_address(place),
            phone=self.phone(),
        )

    def organisations(self, count: int) -> list[Organisation]:
        return [self.organisation() for _ in range(count)]


def iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def previous_months(today: date, count: int) -> list[str]:
    """The ``count`` months before this one, oldest first, as YYYY-MM."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(f"{year}-{month:02d}")
    return months[::-1]


class RecordsBase:
    """What every record generator shares: the world, its random source and today."""

    w: World
    rng: random.Random
    today: date
    residents: list[Person]
    non_residents: list[Person]
    adults: list[Person]
    workers: list[Person]
    retirees: list[Person]
    organisations: list[Organisation]
    companies: list[Organisation]

    def _age(self, person: Person) -> int:
        born = person.birth_date
        return (
            self.today.year
            - born.year
            - ((self.today.month, self.today.day) < (born.month, born.day))
        )

    def _sample(self, items: list, count: int) -> list:
        return self.rng.sample(items, min(count, len(items)))

    def _recent(self, days: int) -> date:
        return self.today - timedelta(days=self.rng.randint(0, days))

    def _name_as_keyed(self, person: Person, every: int, index: int) -> str:
        """The person's name, misspelt in one record of ``every`` (for the conflict list)."""
        return self.w.misspelt(person.name) if index % every == every - 1 else person.name
