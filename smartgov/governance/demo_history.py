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
from smartgov.core.crypto import blind_index, encrypt_field
from smartgov.core.models import Department, Region
from smartgov.core.workcalendar import add_working_days, is_workday
from smartgov.governance import demo_texts, routing
from smartgov.governance.models import (
    Case,
    CaseEvent,
    CaseFeedback,
    CaseRequest,
    CaseStatus,
    Category,
    Channel,
    EventKind,
    FeedbackKind,
    Grid,
    LimitUnit,
    RequestKind,
    RequestState,
    WarningLevel,
)

HISTORY_SOURCE = "demo-history"
HISTORY_CASES = 3600
SEED = 20261201
PHONE_PURPOSE = "governance.reporter_phone"  # the intake's blind-index purpose for phones
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
CANCEL_REASONS = [
    "信息不全，无法联系来电人",
    "重复来电，已合并处理",
    "不属于受理范围，已告知来电人",
]
RETURN_REASONS = [
    "不属于本单位职责，请重新派遣",
    "该区域由属地街道负责",
    "事项涉及其他部门，退回重派",
]
EXTENSION_REASONS = [
    "需协调产权单位到场处理",
    "涉及多个部门，需要更多时间",
    "材料需定制，到货后更换",
]
PROGRESS_NOTES = [
    "已到现场查看，正在安排处置",
    "已联系责任单位，约定处理时间",
    "已完成初步处置，待进一步整改",
]
REPLIES = [
    "经现场核实，问题已处理完毕，现场已恢复正常。",
    "已责令相关单位整改，并将加强日常巡查。",
    "已联系诉求人说明情况，问题已按政策解决。",
    "已安排人员现场处置，后续将持续关注。",
]
REWORK_NOTES = ["现场核查问题仍存在，请重新处理", "处置不彻底，请返工"]
LEVEL_WEIGHTS = [(5, 52), (4, 26), (3, 11), (2, 7), (1, 4)]
OFFICE = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))


# --- working time (office hours on working days, as the lifecycle's clock counts it) -----


class _Clock:
    """Office-time arithmetic for the import (same office hours and calendar as live cases)."""

    def __init__(self) -> None:
        self._workday: dict[date, bool] = {}
        self.tz = timezone.get_default_timezone()

    def periods(self, day: date):
        if day not in self._workday:
            self._workday[day] = is_workday(day)
        if not self._workday[day]:
            return []
        return [
            (datetime.combine(day, a, tzinfo=self.tz), datetime.combine(day, b, tzinfo=self.tz))
            for a, b in OFFICE
        ]

    def add_seconds(self, start: datetime, seconds: float) -> datetime:
        cursor = timezone.localtime(start, self.tz)
        remaining = timedelta(seconds=max(seconds, 0))
        day = cursor.date()
        for _ in range(800):
            for begin, end in self.periods(day):
                if cursor >= end:
                    continue
                begin = max(begin, cursor)
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
                cursor = end
            day += timedelta(days=1)
            cursor = datetime.combine(day, time(0), tzinfo=self.tz)
        return cursor

    def add(self, start: datetime, amount: int, unit: str) -> datetime:
        if unit == LimitUnit.HOURS:
            return self.add_seconds(start, amount * 3600)
        return timezone.localtime(add_working_days(start, amount), self.tz)

    def between(self, start: datetime, end: datetime) -> int:
        if end <= start:
            return 0
        total = timedelta(0)
        day = timezone.localtime(start, self.tz).date()
        last = timezone.localtime(end, self.tz).date()
        while day <= last:
            for begin, finish in self.periods(day):
                overlap = min(finish, end) - max(begin, start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return int(total.total_seconds())


# --- history ------------------------------------------------------------------------------


@dataclass
class _Draft:
    case: Case
    events: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[CaseFeedback] = field(default_factory=list)
    requests: list[CaseRequest] = field(default_factory=list)
    main_index: int | None = None


class _Stop(Exception):
    """The next step of a case lies after now: the case stays where it is."""


class _History:
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
        with contextlib.suppress(_Stop):
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
            case.reporter_phone_index = blind_index(phone, purpose=PHONE_PURPOSE)
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
            raise _Stop
        if to_status:
            draft.case.status = to_status
        draft.events.append(
            {
                "kind": kind,
                "created_at": at,
                "actor": actor,
                "actor_name": actor_name or (actor.username if actor else "system"),
                "department": department,
                "from_status": from_status,
                "to_status": to_status,
                "comment": comment,
                "data": data or {},
            }
        )

    def timeline(self, draft: _Draft, category: Category, outcome: str | None) -> None:
        rng, case, clock = self.rng, draft.case, self.clock
        district = case.district
        case.status = CaseStatus.REPORTED
        self.event(
            draft,
            EventKind.REPORTED,
            case.created_at,
            actor=case.recorded_by,
            to_status=CaseStatus.REPORTED,
            data={"channel": case.channel},
        )
        outcome = (
            outcome
            or rng.choices(
                ["normal", "cancel", "merge", "return", "extend", "rework", "defer", "reject_ext"],
                [78, 4, 3, 6, 4, 4, 0.6, 0.8],
            )[0]
        )
        # The classifier's proposal (a wrong first guess on some returned cases).
        wrong = outcome == "return" and rng.random() < 0.5
        proposed = rng.choice(self.categories) if wrong else category
        confident = not wrong and case.channel != Channel.HOTLINE and rng.random() < 0.6
        score = rng.uniform(0.86, 0.99) if confident else rng.uniform(0.3, 0.8)
        others = rng.sample(self.categories, 2)
        case.suggestions = [
            {"category": proposed.pk, "code": proposed.code, "score": round(score, 3)},
            *[
                {"category": c.pk, "code": c.code, "score": round((1 - score) / (i + 2), 3)}
                for i, c in enumerate(others)
            ],
        ]
        case.confidence = round(score, 3)
        at = case.created_at + timedelta(seconds=2)
        self.event(
            draft,
            EventKind.CLASSIFIED,
            at,
            data={"source": "classifier", "code": proposed.code, "score": case.confidence},
        )
        dispatcher = self.user(
            "xihu_dispatcher" if district.code == "330106" and rng.random() < 0.5 else "dispatcher"
        )
        if outcome == "merge" and draft.main_index is None:
            previous = self.recent_by_key.get((category.pk, case.district_id))
            if previous is not None and case.created_at - self.drafts[previous].case.created_at < (
                timedelta(days=10)
            ):
                draft.main_index = previous
            else:
                outcome = "normal"
        if draft.main_index is not None:
            main = self.drafts[draft.main_index].case
            at = max(clock.add_seconds(case.created_at, rng.randint(300, 5400)), case.created_at)
            case.category = category
            self.event(
                draft,
                EventKind.MERGED,
                at,
                actor=dispatcher,
                from_status=CaseStatus.REPORTED,
                to_status=CaseStatus.MERGED,
                comment="同一问题重复反映，合并处理",
                data={"main": main.number or None},
            )
            if main.closed_at is not None and main.closed_at > at:
                self.event(
                    draft,
                    EventKind.NOTIFIED,
                    main.closed_at,
                    data={"main": None},
                    comment="主案卷已办结，已告知反映人",
                )
            return
        if outcome == "cancel":
            at = clock.add_seconds(case.created_at, rng.randint(300, 3600))
            self.event(
                draft,
                EventKind.CANCELLED,
                at,
                actor=dispatcher,
                from_status=CaseStatus.REPORTED,
                to_status=CaseStatus.CANCELLED,
                comment=rng.choice(CANCEL_REASONS),
            )
            return
        auto = confident and score >= 0.9
        case.category = proposed
        at = (
            case.created_at + timedelta(seconds=5)
            if auto
            else clock.add_seconds(case.created_at, rng.randint(300, 5400))
        )
        actor = None if auto else dispatcher
        case.opened_at = at
        self.event(
            draft,
            EventKind.OPENED,
            at,
            actor=actor,
            actor_name="自动立案" if auto else "",
            from_status=CaseStatus.REPORTED,
            to_status=CaseStatus.PENDING_DISPATCH,
        )
        street = case.street
        department = self.route(proposed, street, district)
        if wrong or department is None:
            # Sent where the first guess pointed (or anywhere), returned, then re-dispatched.
            department = department or category.default_department
        if department is None:
            return  # no department: waits in the dispatcher's queue
        self.dispatch(draft, proposed, department, at, actor, auto=auto)
        if outcome == "return":
            at = clock.add_seconds(at, rng.randint(1800, 4 * 3600))
            self.event(
                draft,
                EventKind.RETURNED,
                at,
                actor=self.handler_for(department, district),
                actor_name="" if self.handler_for(department, district) else department.name,
                department=department,
                from_status=CaseStatus.DISPATCHED,
                to_status=CaseStatus.PENDING_DISPATCH,
                comment=rng.choice(RETURN_REASONS),
            )
            case.return_count += 1
            at = clock.add_seconds(at, rng.randint(600, 3 * 3600))
            if proposed.pk != category.pk:
                self.event(
                    draft,
                    EventKind.CLASSIFIED,
                    at,
                    actor=dispatcher,
                    data={
                        "corrected": True,
                        "from": proposed.code,
                        "to": category.code,
                        "proposed": proposed.code,
                        "source": "staff",
                    },
                )
            target = self.route(category, street, district) or category.default_department
            if target is None:
                return
            if target.pk == department.pk:
                target = self.departments.get(district.code) or target
            self.dispatch(draft, category, target, at, dispatcher, redispatch=True)
            department = target
        handler = self.handler_for(department, district)
        name = "" if handler else department.name
        at = clock.add_seconds(case.dispatched_at, rng.randint(300, 3600))
        self.event(
            draft, EventKind.ACCEPTED, at, actor=handler, actor_name=name, department=department
        )
        limit = clock.between(case.dispatched_at, case.due_at)
        if outcome == "hold":  # still being handled (the hotspot's main case)
            at = clock.add_seconds(at, rng.randint(1800, 7200))
            self.event(
                draft,
                EventKind.PROGRESS,
                at,
                actor=handler,
                actor_name=name,
                department=department,
                comment="已安排维修班组排查整条线路的供电故障",
            )
            return
        if outcome in ("extend", "reject_ext", "defer"):
            asked = clock.add_seconds(case.dispatched_at, limit * rng.uniform(0.3, 0.7))
            amount = max(1, (category.time_limit or 5) // 2)
            request = CaseRequest(
                kind=RequestKind.DEFERRAL if outcome == "defer" else RequestKind.EXTENSION,
                reason=rng.choice(EXTENSION_REASONS),
                department=department,
                requested_by=handler,
                requested_at=asked,
                amount=None if outcome == "defer" else amount,
                unit="" if outcome == "defer" else category.time_limit_unit,
                defer_until=(asked + timedelta(days=60)).date() if outcome == "defer" else None,
            )
            draft.requests.append(request)
            kind = (
                EventKind.DEFERRAL_REQUESTED
                if outcome == "defer"
                else (EventKind.EXTENSION_REQUESTED)
            )
            self.event(
                draft,
                kind,
                asked,
                actor=handler,
                actor_name=name,
                department=department,
                comment=request.reason,
                data={"amount": request.amount, "unit": request.unit},
            )
            case.paused_at = asked
            decided = clock.add_seconds(asked, rng.randint(1800, 6 * 3600))
            approve = outcome != "reject_ext"
            kind = {
                "defer": EventKind.DEFERRAL_APPROVED,
                "extend": EventKind.EXTENSION_APPROVED,
                "reject_ext": EventKind.EXTENSION_REJECTED,
            }[outcome]
            self.event(
                draft,
                kind,
                decided,
                actor=dispatcher,
                from_status=CaseStatus.DISPATCHED if outcome == "defer" else "",
                to_status=CaseStatus.DEFERRED if outcome == "defer" else "",
                comment="同意" if approve else "不予延期，请按时办结",
            )
            request.state = RequestState.APPROVED if approve else RequestState.REJECTED
            request.decided_by, request.decided_at = dispatcher, decided
            request.decision_comment = "同意" if approve else "不予延期"
            if outcome == "defer":
                return  # deferred (挂账): the clock stands until the matter can be handled
            paused = clock.between(asked, decided)
            case.paused_seconds += paused
            case.paused_at = None
            case.due_at = clock.add_seconds(case.due_at, paused)
            if approve:
                case.due_at = clock.add(case.due_at, amount, category.time_limit_unit)
                case.extension_count += 1
            limit = clock.between(case.dispatched_at, case.due_at) - case.paused_seconds
        overdue = rng.random() < 0.1
        share = rng.uniform(1.05, 2.6) if overdue else rng.uniform(0.08, 0.95)
        if rng.random() < 0.3:
            mid = clock.add_seconds(case.dispatched_at, limit * share * 0.5 + case.paused_seconds)
            self.event(
                draft,
                EventKind.PROGRESS,
                max(mid, at),
                actor=handler,
                actor_name=name,
                department=department,
                comment=rng.choice(PROGRESS_NOTES),
            )
        handled = clock.add_seconds(case.dispatched_at, limit * share + case.paused_seconds)
        handled = max(handled, at + timedelta(minutes=10))
        self.handled(draft, handled, handler, name, department)
        verifier = self.verifier(case, category)
        if outcome == "rework":
            at = clock.add_seconds(handled, rng.randint(1800, 8 * 3600))
            self.event(
                draft,
                EventKind.REWORK,
                at,
                actor=verifier,
                from_status=CaseStatus.HANDLED,
                to_status=CaseStatus.DISPATCHED,
                comment=rng.choice(REWORK_NOTES),
            )
            case.rework_count += 1
            handled = clock.add_seconds(at, max(limit * 0.2, 1800))
            self.handled(draft, handled, handler, name, department)
        closed = clock.add_seconds(handled, rng.randint(1800, 12 * 3600))
        self.event(
            draft,
            EventKind.VERIFIED,
            closed,
            actor=verifier,
            from_status=CaseStatus.HANDLED,
            to_status=CaseStatus.CLOSED,
            comment="经核查，问题已解决，予以结案",
        )
        case.closed_at = closed
        case.verified_by = verifier  # kpi keeps it from the VERIFIED event; bulk rows skip that
        case.closed_on_time = case.handled_at <= case.due_at
        self.evaluate(draft, closed)

    def dispatch(self, draft, category, department, at, actor, *, auto=False, redispatch=False):
        case = draft.case
        case.category = category
        case.department = department
        case.dispatched_at = at
        case.due_at = self.clock.add(at, category.time_limit or 5, category.time_limit_unit)
        case.dispatch_count += 1
        case.auto_dispatched = auto and not redispatch
        self.event(
            draft,
            EventKind.REDISPATCHED if redispatch else EventKind.DISPATCHED,
            at,
            actor=actor,
            actor_name="自动派遣" if auto else "",
            department=department,
            from_status=CaseStatus.PENDING_DISPATCH,
            to_status=CaseStatus.DISPATCHED,
            data={
                "department": department.pk,
                "department_name": department.name,
                "category": category.code,
                "due_at": case.due_at.isoformat(),
                "auto": auto,
            },
        )

    def handled(self, draft, at, handler, name, department) -> None:
        case = draft.case
        case.reply = self.rng.choice(REPLIES)
        self.event(
            draft,
            EventKind.HANDLED,
            at,
            actor=handler,
            actor_name=name,
            department=department,
            from_status=CaseStatus.DISPATCHED,
            to_status=CaseStatus.HANDLED,
            comment=case.reply,
        )
        case.handled_at = at
        case.handling_seconds = max(
            self.clock.between(case.dispatched_at, at) - case.paused_seconds, 0
        )

    def verifier(self, case, category):
        if case.channel == Channel.GRID or category.kind != "complaint":
            return self.user(f"{self.district_key(case.district)}_inspector")
        return self.user("hotline_li", "city_staff")

    def evaluate(self, draft: _Draft, closed: datetime) -> None:
        rng, case = self.rng, draft.case
        level = rng.choices([lv for lv, _w in LEVEL_WEIGHTS], [w for _l, w in LEVEL_WEIGHTS])[0]
        if not case.closed_on_time or case.rework_count:
            level = max(1, level - rng.choice([0, 1, 2]))
        at = closed + timedelta(hours=rng.randint(2, 40))
        if case.channel == Channel.HOTLINE and rng.random() < 0.75:
            reached = rng.random() < 0.9
            agent = self.user(
                rng.choice(["hotline_li", "hotline_zhou", "city_staff"]), "city_staff"
            )
            self.event(
                draft,
                EventKind.REVISITED,
                at,
                actor=agent,
                comment="回访来电人" if reached else "回访未接通",
                data={"level": level if reached else None, "reached": reached},
            )
            if reached:
                draft.feedback.append(
                    CaseFeedback(
                        kind=FeedbackKind.REVISIT,
                        level=level,
                        reached=True,
                        actor=agent,
                        created_at=at,
                    )
                )
                case.satisfied = level >= 3
        elif case.reporter_id and rng.random() < 0.7:
            self.event(draft, EventKind.RATED, at, actor=case.reporter, data={"level": level})
            draft.feedback.append(
                CaseFeedback(
                    kind=FeedbackKind.RATING, level=level, actor=case.reporter, created_at=at
                )
            )
            case.rating = level
            case.satisfied = level >= 3

    # the whole year
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
