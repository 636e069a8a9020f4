"""The demo history's applicants: generated citizens and enterprises with valid check digits,
plus the demo accounts (``citizen``, ``elder``, ``enterprise``), and the e-licenses the
enterprises already held before the year began (their 营业执照)."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from smartgov.accounts.demo import demo_citizen_id, demo_credit_code
from smartgov.accounts.models import User
from smartgov.accounts.services.users import citizen_index
from smartgov.core.crypto import decrypt_field as _decrypt
from smartgov.core.crypto import encrypt_field, sm2_sign
from smartgov.core.validators import mask_citizen_id
from smartgov.licenses import identifiers
from smartgov.licenses.models import HolderKind, License, LicenseStatus, LicenseType
from smartgov.licenses.services import (
    active_key,
    canonical_content,
    check_data,
    holder_index,
    issuer_code,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建文辉力浩宇欣怡晨轩子涵梓睿"
DISTRICTS = ["330102", "330105", "330106", "330108", "330109", "330110", "330114"]
COMPANY_WORDS = [
    "西溪", "钱塘", "之江", "云栖", "湖畔", "良渚", "运河", "滨江", "紫金", "天目", "九溪",
    "望江", "武林", "文澜", "拱宸", "湘湖", "富春", "临平", "青山", "未来",
]  # fmt: skip
INDUSTRIES = [
    ("科技", "软件开发；信息技术咨询服务"),
    ("餐饮管理", "餐饮服务；食品销售"),
    ("贸易", "日用百货销售；货物进出口"),
    ("建设工程", "建设工程施工；建筑材料销售"),
    ("文化传媒", "广告设计、代理；文艺创作"),
    ("医药", "药品零售；医疗器械销售"),
    ("物业管理", "物业管理；家政服务"),
    ("环保科技", "环境保护监测；固体废物治理"),
    ("电子商务", "互联网销售；供应链管理服务"),
    ("教育咨询", "教育咨询服务；会议及展览服务"),
]
ROADS = [
    "文三路",
    "学院路",
    "教工路",
    "天目山路",
    "西溪路",
    "江南大道",
    "滨盛路",
    "解放路",
    "延安路",
]
ENTITY_TYPES = ["有限责任公司", "有限责任公司", "有限责任公司", "股份有限公司", "个人独资企业"]


@dataclass
class Person:
    """A citizen or an enterprise the history can file applications for."""

    kind: str  # "citizen" | "enterprise"
    name: str
    id_value: str
    encrypted: str = ""
    index: str = ""
    masked: str = ""
    account: User | None = None
    gender: str = ""
    district: str = "330106"
    legal_rep: str = ""
    address: str = ""
    scope: str = ""
    phone: str = ""
    spouse: str = ""  # named on a 结婚登记 form
    # (type code) → [License] the person holds, issued in order
    licenses: dict[str, list] = field(default_factory=dict)

    def license_at(self, code: str, moment: datetime):
        """The person's newest license of the type issued before ``moment`` (None)."""
        for license in reversed(self.licenses.get(code, [])):
            if license.issued_at <= moment:
                return license
        return None


class People:
    """Deterministic pools of demo applicants (see the module docstring)."""

    def __init__(self, rng: random.Random, *, citizens: int, enterprises: int) -> None:
        self.rng = rng
        self.taken: set[str] = set(
            User.objects.exclude(citizen_id_index="").values_list("citizen_id_index", flat=True)
        )
        self.codes: set[str] = set(
            User.objects.exclude(credit_code="").values_list("credit_code", flat=True)
        )
        self.citizens = [self.new_citizen() for _ in range(citizens)]
        self.enterprises = [self.new_enterprise() for _ in range(enterprises)]
        self.accounts: dict[str, Person] = {}
        for user in User.objects.filter(username__in=["citizen", "elder", "enterprise"]):
            if user.kind == "citizen":
                person = Person(
                    kind="citizen",
                    name=user.display_name,
                    id_value=_decrypt(user.citizen_id_encrypted),
                    account=user,
                    phone=user.phone,
                )
                person.gender = "男" if int(person.id_value[16]) % 2 else "女"
            else:
                person = Person(
                    kind="enterprise",
                    name=user.display_name,
                    id_value=user.credit_code,
                    account=user,
                    legal_rep=user.legal_representative,
                    phone=user.phone,
                    address="浙江省杭州市西湖区西溪路 525 号 A 座 6 楼",
                    scope="软件开发；信息系统集成服务；数据处理服务",
                )
            self._protect(person)
            self.accounts[user.username] = person

    def _protect(self, person: Person) -> None:
        person.encrypted = encrypt_field(person.id_value) if person.kind == "citizen" else ""
        person.index = citizen_index(person.id_value) if person.kind == "citizen" else ""
        person.masked = (
            mask_citizen_id(person.id_value) if person.kind == "citizen" else person.id_value
        )

    def person_name(self) -> str:
        rng = self.rng
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        return rng.choice(SURNAMES) + given

    def new_citizen(self, *, born_before: int = 2004, born_after: int = 1950) -> Person:
        rng = self.rng
        while True:
            birth = date(
                rng.randint(born_after, born_before), rng.randint(1, 12), rng.randint(1, 28)
            )
            district = rng.choice(DISTRICTS)
            sequence = f"{rng.randint(0, 999):03d}"
            citizen_id = demo_citizen_id(district, f"{birth:%Y%m%d}", sequence)
            index = citizen_index(citizen_id)
            if index not in self.taken:
                self.taken.add(index)
                break
        person = Person(
            kind="citizen",
            name=self.person_name(),
            id_value=citizen_id,
            district=district,
            gender="男" if int(sequence[-1]) % 2 else "女",
            phone=f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
        )
        self._protect(person)
        return person

    def new_enterprise(self) -> Person:
        rng = self.rng
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        while True:
            district = rng.choice(DISTRICTS)
            org = "MA" + "".join(rng.choice(alphabet) for _ in range(7))
            code = demo_credit_code(district, org)
            if code not in self.codes:
                self.codes.add(code)
                break
        word, (industry, scope) = rng.choice(COMPANY_WORDS), rng.choice(INDUSTRIES)
        person = Person(
            kind="enterprise",
            name=f"杭州{word}{industry}有限公司",
            id_value=code,
            district=district,
            legal_rep=self.person_name(),
            address=f"浙江省杭州市{rng.choice(ROADS)} {rng.randint(1, 900)} 号",
            scope=scope,
            phone=f"0571-{rng.randint(80000000, 89999999)}",
        )
        self._protect(person)
        return person


class LicenseBatch:
    """E-licenses to write in one ``bulk_create``, numbered and signed as issue_license does."""

    def __init__(self) -> None:
        self.types = {t.code: t for t in LicenseType.objects.select_related("department")}
        self.keys: dict[int, object] = {}
        self.serials: dict[tuple[int, int], int] = {}
        self.rows: list[License] = []

    def has(self, code: str) -> bool:
        return code in self.types

    def _next_serial(self, license_type: LicenseType) -> int:
        key = (license_type.pk, license_type.department_id)
        if key not in self.serials:
            top = (
                License.objects.filter(
                    license_type=license_type, department_id=license_type.department_id
                )
                .order_by("-serial")
                .values_list("serial", flat=True)
                .first()
            )
            self.serials[key] = top or 0
        self.serials[key] += 1
        return self.serials[key]

    def issue(
        self, *, code: str, person: Person, data: dict, issued_at: datetime, by, source: str
    ) -> License:
        license_type = self.types[code]
        department = license_type.department
        if department.pk not in self.keys:
            self.keys[department.pk] = active_key(department)
        key = self.keys[department.pk]
        serial = self._next_serial(license_type)
        start = timezone.localdate(issued_at)
        end = None
        if license_type.validity_years:
            end = _years_later(start, license_type.validity_years)
        license = License(
            identifier=identifiers.make_identifier(
                type_code=license_type.code,
                issuer_code=issuer_code(department),
                serial=serial,
                version=1,
            ),
            license_type=license_type,
            department=department,
            serial=serial,
            version=1,
            holder_kind=license_type.holder_kind,
            holder_id_encrypted=encrypt_field(person.id_value),
            holder_index=holder_index(license_type.holder_kind, person.id_value),
            holder_id_masked=person.masked
            if license_type.holder_kind == HolderKind.CITIZEN
            else person.id_value,
            holder_name=person.name,
            data=check_data(license_type, data),
            valid_from=start,
            valid_until=end,
            status=LicenseStatus.VALID,
            issued_by=by,
            issued_at=issued_at,
            source=source[:128],
        )
        content = canonical_content(license, holder_id=person.id_value)
        license.signature = sm2_sign(
            _decrypt(key.private_key_encrypted), content, public_key=key.public_key
        )
        license.signed_content_sha = hashlib.sha256(content).hexdigest()
        license.key = key
        self.rows.append(license)
        person.licenses.setdefault(code, []).append(license)
        return license

    def write(self) -> int:
        License.objects.bulk_create(self.rows, batch_size=500)
        return len(self.rows)


def _years_later(day: date, years: int) -> date:
    """As issue_license counts a type's validity: the day before the anniversary."""
    try:
        end = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        end = day.replace(year=day.year + years, day=28)
    return end - timedelta(days=1)


def founding_licenses(people: People, batch: LicenseBatch, officer, rng: random.Random) -> None:
    """The 营业执照 every generated enterprise already held when the year began."""
    if not batch.has("YYZZ"):
        return
    tz = timezone.get_current_timezone()
    for person in people.enterprises:
        founded = date(rng.randint(2008, 2024), rng.randint(1, 12), rng.randint(1, 28))
        batch.issue(
            code="YYZZ",
            person=person,
            data={
                "entity_type": "有限责任公司（自然人投资或控股）",
                "legal_representative": person.legal_rep,
                "registered_capital": rng.choice([50, 100, 200, 300, 500, 1000]),
                "established_on": founded.isoformat(),
                "address": person.address,
                "scope": person.scope,
            },
            issued_at=datetime.combine(founded, time(10, rng.randint(0, 59)), tzinfo=tz),
            by=officer,
            source="demo",
        )
