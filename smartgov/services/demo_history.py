"""The demo's year of service history: an *import of history*, not live applications.

About 6,000 applications over the 365 days before today, weighted by how often each item is
applied for in a city (社保卡, 公积金提取, 居住证 … far more than 排污许可), four in five
online. Each is simulated on the working-day calendar — submitted, maybe corrected (补正) or
refused, accepted, every approval step done in its department (并联 steps side by side),
paid where the item has fees (sandbox provider), approved or denied or withdrawn, the result
issued (a signed e-license for the items whose result is one) and often rated (好差评), a bad
rating rectified and revisited. A step that would lie after now is not taken: the
application stays where it is, so the last days' applications are still in the workbench.

Everything is written with ``bulk_create`` (a few statements per table) with numbers BJ +
date + counter per day and the ``ApplicationSequence`` rows that make live numbering
continue after them. Loaded once: the submit events carry ``source = HISTORY_SOURCE``.
"""

from __future__ import annotations

import contextlib
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from smartgov.accounts.models import User
from smartgov.catalog.models import Resource
from smartgov.core import audit
from smartgov.core.workcalendar import is_workday
from smartgov.licenses.models import LicenseUse
from smartgov.services import ratings, stats
from smartgov.services.application_models import (
    Application,
    ApplicationEvent,
    ApplicationMaterial,
    ApplicationSequence,
    ApplicationStatus,
    Channel,
)
from smartgov.services.bundle_models import (
    Bundle,
    BundleApplication,
    BundleApplicationStatus,
    BundleSequence,
)
from smartgov.services.demo_people import LicenseBatch, People, Person, founding_licenses
from smartgov.services.demo_timeline import Stop, Timeline
from smartgov.services.fee_models import ApplicationFee, Payment
from smartgov.services.forms import form_of, validate_form
from smartgov.services.models import ApplicantKind, ItemStatus, ServiceItem
from smartgov.services.rating_models import Rating, Rectification
from smartgov.services.workflow_models import ApprovalTask, TimeRequest

SEED = 20261201
HISTORY_SOURCE = "demo-history"
HISTORY_APPLICATIONS = 6000
CITIZENS, ENTERPRISES = 1400, 180
PLACEHOLDER = "applications/demo/材料扫描件.pdf"
PLACEHOLDER_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
    b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# Applications a year by basic code (the rest of the catalogue: 40). Items whose result is an
# e-license are kept moderate: each issue is an SM2 signature.
WEIGHTS = {
    "000101001000": 130,  # 企业设立登记 (营业执照)
    "000101002000": 80,  # 营业执照变更登记
    "000101003000": 70,
    "000101004000": 330,  # 个体工商户注册登记
    "000101005000": 110,  # 食品经营许可
    "000101007000": 60,
    "001002001000": 520,  # 社会保障卡申领
    "001002002000": 300,
    "001002003000": 260,
    "001002004000": 220,
    "001002005000": 90,
    "001002006000": 160,
    "000130001000": 260,
    "000130002000": 420,  # 居住证申领
    "000130003000": 150,
    "000130004000": 360,  # 居民身份证换领 (fee)
    "000130005000": 120,  # 机动车驾驶证换证 (fee, e-license)
    "000126001000": 120,  # 结婚登记 (e-license)
    "000126002000": 50,
    "000126003000": 60,
    "000126004000": 55,
    "000126005000": 120,  # 高龄津贴
    "000126007000": 70,
    "000126008000": 40,  # 残疾人证 (e-license)
    "000140001000": 150,
    "000140002000": 60,
    "000140003000": 80,
    "000140005000": 100,
    "000181002000": 120,
    "000181003000": 70,
    "000170001000": 150,
    "000170003000": 430,  # 公积金提取（租房）
    "000170004000": 220,
    "000120001000": 300,  # 新生入学
    "000171001000": 80,
    "000171002000": 160,
}
DEFAULT_WEIGHT = 22
# Bundle applications a year (each fans out into one application per bundle item).
BUNDLE_APPLICATIONS = {"kaiban-canyin": 45, "qiye-kaiban": 40, "xinshenger": 60, "shiye": 35}


class History(Timeline):
    """Builds the year in memory (``build``), then writes it in bulk (``write``)."""

    def __init__(self, users: dict[str, User]) -> None:
        from smartgov.services.demo import DEMO_ACCOUNTS

        self.rng = random.Random(SEED)
        self.users = users
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        today = timezone.localdate()
        self.today = today
        self.first_day = today - timedelta(days=365)
        self.calendar(self.first_day - timedelta(days=10), today + timedelta(days=70))
        self.items = list(
            ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
            .select_related("department", "department__region", "form")
            .prefetch_related("materials", "steps")
            .order_by("basic_code")
        )
        self.by_basic = {item.basic_code: item for item in self.items}
        self.weights = [WEIGHTS.get(i.basic_code, DEFAULT_WEIGHT) for i in self.items]
        self.forms = {i.pk: form_of(i) for i in self.items}
        self.approvers: dict[int, User] = {}
        for username, _n, _d, role, _s, _t in DEMO_ACCOUNTS:
            if role == "approver" and username in users:
                membership = users[username].memberships.first()
                self.approvers[membership.department_id] = users[username]
        self.people = People(self.rng, citizens=CITIZENS, enterprises=ENTERPRISES)
        self.licenses = LicenseBatch()
        founding_licenses(self.people, self.licenses, users.get("license_officer"), self.rng)
        self.resource_codes = dict(
            Resource.objects.filter(
                pk__in={m.resource_id for i in self.items for m in i.materials.all()}
            ).values_list("pk", "code")
        )
        self.indicator_codes = [entry["code"] for entry in ratings.INDICATORS]
        self.placeholder = PLACEHOLDER
        self.drafts: list[dict] = []
        self.bundle_drafts: list[dict] = []
        self.bundle_items: dict[str, tuple] = {}
        self.uses: list[LicenseUse] = []

    # --- applicants -------------------------------------------------------------------------

    def applicant(self, item: ServiceItem, moment: datetime) -> Person:
        rng, people = self.rng, self.people
        kind = item.applicant_kind
        if kind == ApplicantKind.BOTH:
            kind = ApplicantKind.CITIZEN if rng.random() < 0.6 else ApplicantKind.ENTERPRISE
        if kind == ApplicantKind.ENTERPRISE:
            if item.basic_code == "000101001000":  # 企业设立登记: a company that is new
                person = people.new_enterprise()
                people.enterprises.append(person)
                return person
            if moment < self.now - timedelta(days=45) and rng.random() < 0.012:
                return people.accounts.get("enterprise") or rng.choice(people.enterprises)
            return rng.choice(people.enterprises)
        if moment < self.now - timedelta(days=45) and rng.random() < 0.006:
            name = "elder" if item.basic_code.startswith("000126") else "citizen"
            if name in people.accounts:
                return people.accounts[name]
        return rng.choice(people.citizens)

    def submit_moment(self, online: bool) -> datetime:
        rng = self.rng
        # Slightly more applications in recent months than a year ago.
        offset = int((rng.random() ** 0.9) * 365)
        day = self.today - timedelta(days=365 - offset)
        if day >= self.today:
            day = self.today - timedelta(days=1)
        if online:
            hour = rng.choices(range(7, 24), [2, 5, 8, 9, 8, 5, 6, 8, 8, 7, 6, 5, 6, 7, 6, 4, 2])[0]
        else:
            while not is_workday(day):
                day -= timedelta(days=1)
            hour = rng.choice([9, 9, 10, 10, 11, 13, 14, 14, 15, 16])
        return datetime.combine(day, time(hour, rng.randint(0, 59), rng.randint(0, 59)), self.tz)

    # --- the year ---------------------------------------------------------------------------

    def build(self) -> None:
        rng = self.rng
        for _ in range(HISTORY_APPLICATIONS - sum(self._bundle_sizes().values())):
            item = rng.choices(self.items, self.weights)[0]
            online = self.online(item)
            moment = self.submit_moment(online)
            self.drafts.append(self.application(item, self.applicant(item, moment), moment, online))
        self.bundles()
        self.in_approval_today()
        self.drafts.sort(key=lambda d: d["app"].submitted_at)

    def in_approval_today(self) -> None:
        """Two applications taken in at the counter earlier whose decision step is still
        open today: one close to its deadline (yellow), one past it (red)."""
        for code, working_days_ago in (("000140005000", 4), ("000101005000", 6)):
            item = self.by_basic.get(code)
            if item is None:
                continue
            day = self.workdays[self.first_workday_from[self.today] - working_days_ago]
            moment = datetime.combine(day, time(9, self.rng.randint(5, 50)), self.tz)
            person = self.applicant(item, moment)
            self.drafts.append(self.application(item, person, moment, False, outcome="hold"))

    def online(self, item: ServiceItem) -> bool:
        share = {"fully_online": 0.86, "online_preview": 0.62, "window": 0.0}[item.online_level]
        return self.rng.random() < share

    def _bundle_sizes(self) -> dict[str, int]:
        sizes = {}
        for bundle in Bundle.objects.prefetch_related("entries"):
            count = BUNDLE_APPLICATIONS.get(bundle.code, 0)
            codes = [e.basic_code for e in bundle.entries.all()]
            if count and all(code in self.by_basic for code in codes):
                sizes[bundle.code] = count * len(codes)
                self.bundle_items[bundle.code] = (bundle, [self.by_basic[c] for c in codes])
        return sizes

    def bundles(self) -> None:
        rng = self.rng
        for code, (bundle, items) in self.bundle_items.items():
            for _ in range(BUNDLE_APPLICATIONS[code]):
                online = rng.random() < 0.85
                moment = self.submit_moment(online)
                person = self.applicant(items[0], moment)
                record = BundleApplication(
                    bundle=bundle,
                    applicant=person.account,
                    applicant_type=person.kind,
                    applicant_name=person.name,
                    applicant_id_index=person.index,
                    applicant_credit_code=person.id_value if person.kind == "enterprise" else "",
                    channel=Channel.ONLINE if online else Channel.COUNTER,
                    recorded_by=None if online else self.desk(items[0]),
                    submitted_at=moment,
                )
                members = []
                for item in items:
                    draft = self.application(item, person, moment, online, bundle=record)
                    members.append(draft)
                    self.drafts.append(draft)
                record.form_data = {k: v for d in members for k, v in d["app"].form_data.items()}
                ends = [d["app"] for d in members]
                if all(a.status in ENDED for a in ends):
                    record.completed_at = max(d["ended_at"] for d in members)
                    approved = all(a.status == ApplicationStatus.APPROVED for a in ends)
                    record.status = (
                        BundleApplicationStatus.COMPLETED
                        if approved
                        else BundleApplicationStatus.PARTIAL
                    )
                self.bundle_drafts.append({"record": record, "members": members})

    def application(self, item, person: Person, moment, online, bundle=None, outcome="") -> dict:
        app = Application(
            item=item,
            applicant=person.account,
            applicant_type=person.kind,
            applicant_name=person.name,
            applicant_id_encrypted=person.encrypted,
            applicant_id_index=person.index,
            applicant_id_masked=person.masked,
            applicant_credit_code=person.id_value if person.kind == "enterprise" else "",
            channel=Channel.ONLINE if online else Channel.COUNTER,
            recorded_by=None if online else self.desk(item),
            submitted_at=moment,
            visits=item.visits if online else max(item.visits, 1),
        )
        draft = {
            "app": app,
            "person": person,
            "events": [],
            "tasks": [],
            "materials": [],
            "fees": [],
            "payments": [],
            "requests": [],
            "rating": None,
            "rectification": None,
            "bundle": bundle,
            "ended_at": None,
            "outcome": outcome,
            "tasks_comment": "",
        }
        app.form_data = self.form_data(item, person, moment)
        app.status = ApplicationStatus.DRAFT
        with contextlib.suppress(Stop):
            self.timeline(draft)
        self.warn(draft)
        return draft

    def desk(self, item: ServiceItem) -> User | None:
        region = item.department.region
        if region.code == "330106" or (region.parent and region.parent.code == "330106"):
            return self.users.get("desk_xihu") or self.users.get("desk_center")
        return self.users.get("desk_center")

    def approver(self, department_id: int) -> User | None:
        return self.approvers.get(department_id)

    # --- forms ------------------------------------------------------------------------------

    def form_data(self, item: ServiceItem, person: Person, moment: datetime) -> dict:
        definition = self.forms[item.pk]
        if not definition:
            return {}
        rng = self.rng
        phone = (
            person.phone if person.phone.startswith("1") else f"139{rng.randint(0, 99999999):08d}"
        )
        answers = {
            "applicant_name": person.name,
            "citizen_id": person.id_value,
            "phone": phone,
            "company_name": person.name,
            "registered_capital": str(rng.choice([10, 50, 100, 200, 500, 1000])),
            "entity_type": rng.choice(["有限责任公司", "有限责任公司", "股份有限公司", "合伙企业"]),
            "address": person.address or f"浙江省杭州市{rng.choice(['文三路', '解放路'])} 8 号",
            "legal_rep": person.legal_rep or person.name,
            "legal_rep_id": self.people.new_citizen().id_value
            if person.kind == "enterprise"
            else person.id_value,
            "operator_name": person.name,
            "credit_code": person.id_value,
            "premises": person.address or "浙江省杭州市西湖区文三路 90 号",
            "area": str(rng.choice([36, 60, 85, 120, 200])),
            "main_form": rng.choice(
                ["餐饮服务经营者", "餐饮服务经营者", "食品销售经营者", "单位食堂"]
            ),
            "cold_dishes": rng.choice(["是", "否"]),
            "mailing": rng.choice(["邮寄到家", "网点自取"]),
            "household_size": str(rng.randint(1, 5)),
            "monthly_income": str(rng.randint(1800, 5200)),
            "hukou": rng.choice(["本市户籍", "本市户籍", "非本市户籍"]),
            "work_years": str(rng.randint(1, 12)),
            "appointment": (moment + timedelta(days=rng.randint(3, 20))).date().isoformat(),
        }
        if "man_name" in {f["name"] for f in definition}:
            other = self.people.new_citizen(born_before=2000, born_after=1975)
            man, woman = (person, other) if person.gender == "男" else (other, person)
            answers.update(
                man_name=man.name,
                man_id=man.id_value,
                woman_name=woman.name,
                woman_id=woman.id_value,
            )
            answers["spouse"] = other.name
        cleaned, errors = validate_form(definition, answers)
        if errors:
            raise ValueError(f"demo form of {item.name} does not validate: {errors}")
        if "spouse" in answers:
            person.spouse = answers["spouse"]
        return cleaned

    # --- writing ----------------------------------------------------------------------------

    def number(self) -> None:
        per_day: dict[date, int] = defaultdict(int)
        for draft in self.drafts:
            day = timezone.localtime(draft["app"].submitted_at, self.tz).date()
            per_day[day] += 1
            draft["app"].number = f"BJ{day:%Y%m%d}{per_day[day]:05d}"
        self.per_day = per_day
        bundle_days: dict[date, int] = defaultdict(int)
        for bundle in sorted(self.bundle_drafts, key=lambda b: b["record"].submitted_at):
            day = timezone.localtime(bundle["record"].submitted_at, self.tz).date()
            bundle_days[day] += 1
            bundle["record"].number = f"YJ{day:%Y%m%d}{bundle_days[day]:05d}"
        self.bundle_days = bundle_days

    def write(self) -> dict[str, int]:
        self.number()
        licenses = self.licenses.write()
        BundleApplication.objects.bulk_create([b["record"] for b in self.bundle_drafts])
        if self.bundle_drafts:
            ids = [b["record"].pk for b in self.bundle_drafts]
            BundleApplication.objects.filter(pk__gte=min(ids), pk__lte=max(ids)).update(
                created_at=F("submitted_at")
            )
        for draft in self.drafts:
            if draft["bundle"] is not None:
                draft["app"].bundle_application = draft["bundle"]
            license = getattr(draft["app"], "_result_license", None)
            if license is not None:
                draft["app"].result_license = license
        apps = [d["app"] for d in self.drafts]
        Application.objects.bulk_create(apps, batch_size=1000)
        # created_at is auto_now_add: one statement puts back the historical moments.
        ids = [a.pk for a in apps]
        Application.objects.filter(pk__gte=min(ids), pk__lte=max(ids)).update(
            created_at=F("submitted_at"),
            updated_at=Coalesce("completed_at", "accepted_at", "submitted_at"),
        )
        ApplicationSequence.objects.bulk_create(
            [ApplicationSequence(day=day, last=last) for day, last in self.per_day.items()],
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["last"],
        )
        BundleSequence.objects.bulk_create(
            [BundleSequence(day=day, last=last) for day, last in self.bundle_days.items()],
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["last"],
        )
        events, tasks, materials, fees, payments, requests, ratings = [], [], [], [], [], [], []
        for draft in self.drafts:
            app = draft["app"]
            for spec in sorted(draft["events"], key=lambda e: e["at"]):
                events.append(ApplicationEvent(application_id=app.pk, **spec))
            for task in draft["tasks"]:
                task.application_id = app.pk
                tasks.append(task)
            for row in draft["materials"]:
                row.application_id = app.pk
                materials.append(row)
            for row in draft["fees"]:
                row.application_id = app.pk
                fees.append(row)
            for row in draft["payments"]:
                row.application_id = app.pk
                row.reference = f"SBX{app.number}"
                payments.append(row)
            for row in draft["requests"]:
                row.application_id = app.pk
                requests.append(row)
            if draft["rating"] is not None:
                draft["rating"].application_id = app.pk
                ratings.append(draft["rating"])
        ApplicationEvent.objects.bulk_create(events, batch_size=2000)
        ApprovalTask.objects.bulk_create(tasks, batch_size=2000)
        for request in requests:
            request.task_id = request.task.pk if request.task else None
        TimeRequest.objects.bulk_create(requests)
        ApplicationMaterial.objects.bulk_create(materials, batch_size=2000)
        ApplicationFee.objects.bulk_create(fees)
        Payment.objects.bulk_create(payments)
        Rating.objects.bulk_create(ratings, batch_size=2000)
        rectifications = []
        for draft in self.drafts:
            if draft["rectification"] is not None:
                draft["rectification"].rating_id = draft["rating"].pk
                rectifications.append(draft["rectification"])
        Rectification.objects.bulk_create(rectifications)
        for use in self.uses:
            use.reference = use._draft["app"].number
            use.purpose = f"Application {use.reference}: {use._material}"[:200]
        LicenseUse.objects.bulk_create(self.uses, batch_size=2000)
        return {
            "applications": len(apps),
            "events": len(events),
            "tasks": len(tasks),
            "materials": len(materials),
            "ratings": len(ratings),
            "rectifications": len(rectifications),
            "licenses": licenses,
            "license_uses": len(self.uses),
            "payments": len(payments),
            "bundle_applications": len(self.bundle_drafts),
        }


ENDED = frozenset(
    {
        ApplicationStatus.APPROVED,
        ApplicationStatus.DENIED,
        ApplicationStatus.REFUSED,
        ApplicationStatus.WITHDRAWN,
    }
)


def history_loaded() -> bool:
    return ApplicationEvent.objects.filter(kind="submit", data__source=HISTORY_SOURCE).exists()


def _placeholder() -> str:
    if not default_storage.exists(PLACEHOLDER):
        return default_storage.save(PLACEHOLDER, ContentFile(PLACEHOLDER_PDF))
    return PLACEHOLDER


def load_history(users: dict[str, User]) -> dict[str, int] | None:
    """Import the year (see the module docstring); None when it is already there."""
    if history_loaded():
        return None
    with transaction.atomic():
        history = History(users)
        history.placeholder = _placeholder()
        history.build()
        counts = history.write()
        audit.record(
            actor=None,
            action="services.application.demo_history",
            object_type="services.application",
            object_id=HISTORY_SOURCE,
            object_repr="demo service history",
            after=counts,
        )
    # The statistics' rollup follows the application events; bulk rows send none.
    counts["rollup"] = stats.rebuild_rollup()
    return counts
