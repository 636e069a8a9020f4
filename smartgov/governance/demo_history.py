"""The demo's year of case history: an *import of history*, not live intake.

Each case is simulated step by step on the office-hours clock (reported, classified, opened,
dispatched, accepted, possibly returned and re-dispatched, extended, deferred, reworked,
handled, verified, revisited or rated); a step that would lie after now is not taken, so
recent cases stay open where they are. The rows are then written with ``bulk_create`` —
cases, timeline events, requests and feedback — so a year loads in seconds.
"""

from __future__ import annotations

import contextlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from smartgov.accounts.models import User
from smartgov.core import audit
from smartgov.core.crypto import encrypt_field
from smartgov.core.models import Department, Region
from smartgov.governance import clock, demo_texts, routing
from smartgov.governance.demo_timeline import CaseTimeline, Stop
from smartgov.governance.intake import phone_index
from smartgov.governance.models import (
    Case,
    CaseEvent,
    CaseFeedback,
    CaseRequest,
    CaseStatus,
    Category,
    Channel,
    Grid,
    WarningLevel,
)
from smartgov.governance.transitions import actor_label

HISTORY_SOURCE = "demo-history"
HISTORY_CASES = 3600
SEED = 20261201

DEMO_DISTRICTS = ("330102", "330106", "330108")
HOTSPOT_STREET, HOTSPOT_ROAD, HOTSPOT_CODE, HOTSPOT_REPORTS = "330106004", "文三路", "0110", 40
COMMON = {  # extra weight of the classes reported most often
    "0110": 5,
    "1101": 5,
    "1501": 6,
    "1105": 5,
    "1110": 4,
    "1104": 3,
    "1502": 4,
    "1601": 3,
    "1301": 4,
    "2101": 5,
    "2501": 4,
    "2801": 4,
    "2202": 3,
    "2903": 3,
    "0101": 2,
    "0102": 2,
    "1503": 3,
    "1402": 2,
    "2302": 2,
    "2603": 2,
    "3001": 2,
    "1109": 2,
}


# --- working time (office hours on working days, as the lifecycle's clock counts it) -----


class _Clock:
    """The lifecycle's working-time clock (office hours on working days), as the import uses it."""

    def __init__(self) -> None:
        self.tz = timezone.get_default_timezone()

    def add_seconds(self, start: datetime, seconds: float) -> datetime:
        return clock.add_working_seconds(start, max(int(seconds), 0))

    def add(self, start: datetime, amount: int, unit: str) -> datetime:
        return clock.add_working_time(start, amount, unit)

    def between(self, start: datetime, end: datetime) -> int:
        return max(clock.working_seconds_between(start, end), 0)


# --- history ------------------------------------------------------------------------------


@dataclass
class _Draft:
    case: Case
    events: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[CaseFeedback] = field(default_factory=list)
    requests: list[CaseRequest] = field(default_factory=list)
    main_index: int | None = None


class _History(CaseTimeline):
    def __init__(self, users: dict[str, User], departments: dict[str, Department]) -> None:
        self.rng = random.Random(SEED)
        self.clock = _Clock()
        self.users = users
        self.departments = departments
        self.now = timezone.now()
        local_today = timezone.localdate()
        self.end = datetime.combine(local_today, time(0), tzinfo=self.clock.tz)
        self.start = self.end - timedelta(days=365)
        self.categories = list(
            Category.objects.filter(parent__isnull=False, active=True).select_related(
                "parent", "default_department"
            )
        )
        self.by_code = {c.code: c for c in self.categories}
        self.siblings = defaultdict(list)
        for category in self.categories:
            self.siblings[category.parent_id].append(category)
        self.weights = [1 + COMMON.get(c.code, 0) for c in self.categories]
        self.streets = defaultdict(list)
        for street in Region.objects.filter(parent__code__in=DEMO_DISTRICTS, level="street"):
            self.streets[street.parent.code].append(street)
        self.districts = Region.objects.in_bulk(list(DEMO_DISTRICTS), field_name="code")
        self.grids = defaultdict(list)
        for grid in Grid.objects.filter(district__code__in=DEMO_DISTRICTS, active=True):
            self.grids[grid.street_id].append(grid)
        self.routes: dict[tuple, Department | None] = {}
        self.phones: list[str] = [f"13{self.rng.randint(0, 9)}{n:08d}" for n in range(1400)]
        self.recent_by_key: dict[tuple, int] = {}
        self.recent_callers: dict[int, int] = {}  # category → last hotline case with a phone
        self.drafts: list[_Draft] = []

    # helpers
    def user(self, *names):
        for name in names:
            if name in self.users:
                return self.users[name]
        return None

    def district_key(self, district: Region) -> str:
        return {"330102": "sc", "330106": "xihu", "330108": "bj"}[district.code]

    def route(self, category, street, district):
        key = (category.pk, street.pk if street else None, district.pk)
        if key not in self.routes:
            self.routes[key] = routing.department_for(
                category=category, street=street, district=district
            )
        return self.routes[key]

    def handler_for(self, department: Department | None, district: Region):
        if department is None:
            return None
        prefix = self.district_key(district)
        if department.name.endswith("城市管理局") and department.region_id == district.pk:
            return self.user(f"{prefix}_cg_handler")
        if department.name.endswith("市场监督管理局") and department.region_id == district.pk:
            return self.user(f"{prefix}_sj_handler")
        return None

    def point_in(self, street: Region) -> tuple[float, float, Grid | None]:
        grids = self.grids.get(street.pk)
        if not grids:
            return None, None, None
        grid = self.rng.choice(grids)
        lon = self.rng.uniform(grid.min_lon + 1e-5, grid.max_lon - 1e-5)
        lat = self.rng.uniform(grid.min_lat + 1e-5, grid.max_lat - 1e-5)
        return round(lon, 6), round(lat, 6), grid

    # one case
    def draft(
        self,
        *,
        created: datetime,
        category: Category,
        district: Region,
        street: Region | None = None,
        road: str = "",
        point: tuple | None = None,
        outcome: str | None = None,
        main_index: int | None = None,
    ) -> _Draft:
        rng = self.rng
        complaint = category.kind == "complaint"
        if complaint:
            channel = rng.choices(
                [Channel.HOTLINE, Channel.PORTAL, Channel.API, Channel.SYSTEM], [80, 9, 5, 6]
            )[0]
        else:
            channel = rng.choices(
                [
                    Channel.HOTLINE,
                    Channel.GRID,
                    Channel.PORTAL,
                    Channel.API,
                    Channel.IOT,
                    Channel.OPEN311,
                ],
                [40, 42, 6, 4, 4 if category.code[:2] in ("01", "14") else 0, 4],
            )[0]
        street = street or rng.choice(self.streets[district.code])
        # A few reports read like a neighbouring class (the dispatcher filed them here anyway).
        wording = category
        if outcome is None and rng.random() < 0.04:
            wording = rng.choice(self.siblings[category.parent_id])
        report = demo_texts.report(
            wording.code, rng, district=district.code, road=road, keywords=wording.keywords
        )
        lon = lat = grid = None
        if point is not None:
            lon, lat, grid = point
        elif channel != Channel.HOTLINE or rng.random() < 0.35:
            lon, lat, grid = self.point_in(street)
        if complaint and channel == Channel.HOTLINE and rng.random() < 0.5:
            street = None  # the caller named only the district
            lon = lat = grid = None
        case = Case(
            channel=channel,
            title=report.title,
            description=report.description,
            address=report.address,
            lon=lon,
            lat=lat,
            grid=grid,
            street=street,
            district=district,
            category=None,
            created_at=created,
        )
        draft = _Draft(case=case, main_index=main_index)
        self.reporter(draft, channel, category)
        with contextlib.suppress(Stop):
            self.timeline(draft, category, outcome)
        if case.status in (CaseStatus.DISPATCHED,) and case.due_at is not None:
            if case.due_at < self.now:
                case.warning = WarningLevel.RED
            elif self.clock.between(self.now, case.due_at) < 3600 * 2:
                case.warning = WarningLevel.YELLOW
        return draft

    def reporter(self, draft: _Draft, channel: str, category: Category) -> None:
        rng, case = self.rng, draft.case
        if channel == Channel.HOTLINE:
            agent = self.user(
                rng.choice(["city_staff", "hotline_li", "hotline_zhou"]), "city_staff"
            )
            case.recorded_by = agent
            phone = rng.choice(self.phones)
            previous = self.recent_callers.get(category.pk)
            if previous is not None and rng.random() < 0.12:
                earlier = self.drafts[previous].case
                if case.created_at - earlier.created_at < timedelta(days=30):
                    phone = earlier._demo_phone
                    case.is_repeat = True
            case._demo_phone = phone
            case.reporter_name = rng.choice("张王李赵刘陈杨黄周吴") + rng.choice(["先生", "女士"])
            case.reporter_phone_encrypted = encrypt_field(phone)
            case.reporter_phone_index = phone_index(phone)
        elif channel == Channel.GRID:
            case.recorded_by = self.user(f"{self.district_key(case.district)}_inspector")
            case._demo_phone = ""
        elif channel == Channel.PORTAL and rng.random() < 0.15:
            case.reporter = self.user(rng.choice(["citizen", "elder"]))
            case.reporter_name = case.reporter.display_name if case.reporter else ""
            case._demo_phone = ""
        else:
            case.anonymous = channel in (Channel.PORTAL, Channel.API)
            case.source_system = {
                Channel.IOT: "iot",
                Channel.SYSTEM: "城市大脑",
                Channel.OPEN311: "open311",
            }.get(channel, "")
            case._demo_phone = ""

    def event(
        self,
        draft,
        kind,
        at,
        *,
        actor=None,
        actor_name="",
        department=None,
        from_status="",
        to_status="",
        comment="",
        data=None,
    ) -> None:
        if at > self.now:
            raise Stop
        if to_status:
            draft.case.status = to_status
        draft.events.append(
            {
                "kind": kind,
                "created_at": at,
                "actor": actor,
                "actor_name": actor_name or actor_label(actor),
                "department": department,
                "from_status": from_status,
                "to_status": to_status,
                "comment": comment,
                "data": data or {},
            }
        )

    def add(self, draft: _Draft) -> int:
        self.drafts.append(draft)
        index = len(self.drafts) - 1
        case = draft.case
        if case.category_id or case.category:
            key = (case.category.pk, case.district_id)
            if draft.main_index is None and case.status != CaseStatus.CANCELLED:
                self.recent_by_key[key] = index
            if getattr(case, "_demo_phone", ""):
                self.recent_callers[case.category.pk] = index
        return index

    def hotspot(self) -> None:
        """Forty reports of broken streetlights on 文三路 in the last week, merged into one."""
        rng = self.rng
        street = Region.objects.get(code=HOTSPOT_STREET)
        district = street.parent
        category = self.by_code[HOTSPOT_CODE]
        first = self.end - timedelta(days=6) + timedelta(hours=8)  # inside "the last 7 days"
        main_index = None
        for n in range(HOTSPOT_REPORTS):
            created = first + timedelta(
                minutes=int(n * 5.5 * 24 * 60 / HOTSPOT_REPORTS) + rng.randint(0, 90)
            )
            lon = round(rng.uniform(120.1365, 120.1430), 6)  # 600 m of the road
            lat = round(rng.uniform(30.2762, 30.2772), 6)
            grid = next(
                (
                    g
                    for g in self.grids[street.pk]
                    if g.min_lon <= lon <= g.max_lon and g.min_lat <= lat <= g.max_lat
                ),
                None,
            )
            draft = self.draft(
                created=created,
                category=category,
                district=district,
                street=street,
                road=HOTSPOT_ROAD,
                point=(lon, lat, grid),
                outcome="hold" if main_index is None else None,
                main_index=main_index,
            )
            index = self.add(draft)
            if main_index is None:
                main_index = index

    def write(self) -> dict[str, int]:
        """Number the cases by local day, then insert cases, events, requests and feedback."""
        per_day: dict[date, int] = defaultdict(int)
        for i, draft in enumerate(self.drafts):
            case = draft.case
            day = timezone.localtime(case.created_at, self.clock.tz).date()
            per_day[day] += 1
            case.number = f"GZ{day:%Y%m%d}{per_day[day]:05d}"
            case.external_id = f"{HISTORY_SOURCE}-{i:05d}"
            case.source_system = case.source_system or HISTORY_SOURCE
        index_of = {id(d): i for i, d in enumerate(self.drafts)}
        ordered_mains = {}
        # main_index pointed into the unsorted list: map through the draft objects.
        unsorted = list(self._unsorted)
        for draft in self.drafts:
            if draft.main_index is not None:
                ordered_mains[index_of[id(draft)]] = index_of[id(unsorted[draft.main_index])]
        Case.objects.bulk_create([d.case for d in self.drafts], batch_size=500)
        merged = []
        for index, main in ordered_mains.items():
            case = self.drafts[index].case
            case.main_case_id = self.drafts[main].case.pk
            merged.append(case)
        Case.objects.bulk_update(merged, ["main_case"], batch_size=500)
        events, requests, feedback = [], [], []
        for draft in self.drafts:
            case = draft.case
            for spec in draft.events:
                data = dict(spec["data"])
                if "main" in data:
                    main = ordered_mains.get(index_of[id(draft)])
                    data["main"] = self.drafts[main].case.number if main is not None else None
                events.append(CaseEvent(case_id=case.pk, **{**spec, "data": data}))
            for request in draft.requests:
                request.case_id = case.pk
                requests.append(request)
            for item in draft.feedback:
                item.case_id = case.pk
                feedback.append(item)
        CaseEvent.objects.bulk_create(events, batch_size=1000)
        CaseRequest.objects.bulk_create(requests, batch_size=500)
        CaseFeedback.objects.bulk_create(feedback, batch_size=1000)
        # bulk_create sends no signals: sum the closed cases into the KPIs' rollup (K).
        from smartgov.governance import kpi

        kpi.rebuild_rollup()
        return {
            "cases": len(self.drafts),
            "events": len(events),
            "feedback": len(feedback),
            "requests": len(requests),
        }

    def run(self) -> dict[str, int]:
        self.build_unsorted()
        return self.write()

    def build_unsorted(self) -> None:
        self.build_raw()
        self._unsorted = list(self.drafts)
        self.drafts.sort(key=lambda d: d.case.created_at)

    def build_raw(self) -> None:
        rng = self.rng
        span = (self.end - self.start).total_seconds()
        times = sorted(
            self.start + timedelta(seconds=rng.random() ** 0.85 * span)
            for _ in range(HISTORY_CASES)
        )
        for created in times:
            local = timezone.localtime(created, self.clock.tz)
            created = local.replace(hour=rng.choice(range(7, 22)), minute=rng.randint(0, 59))
            category = rng.choices(self.categories, self.weights)[0]
            district = self.districts[rng.choice(DEMO_DISTRICTS)]
            self.add(self.draft(created=created, category=category, district=district))
        self.hotspot()


def load_history(users, departments) -> dict[str, int]:
    """A year of cases (see the module docstring: an import of history, in bulk)."""
    history = _History(users, departments)
    counts = history.run()
    audit.record(
        actor=None,
        action="governance.case.demo_history",
        object_type="governance.case",
        object_id=HISTORY_SOURCE,
        object_repr="demo case history",
        after=counts,
    )
    return counts
