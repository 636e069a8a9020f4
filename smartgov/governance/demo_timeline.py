"""The steps of one historical case in the demo import: classified, opened or cancelled,
merged, dispatched, accepted, returned and re-dispatched, extended, deferred, progress,
handled, reworked, verified, revisited or rated — on the office-hours clock, each step an
event row; a step that would lie after now raises ``Stop`` and the case stays where it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from smartgov.governance.models import (
    CaseFeedback,
    CaseRequest,
    CaseStatus,
    Category,
    Channel,
    EventKind,
    FeedbackKind,
    RequestKind,
    RequestState,
)

if TYPE_CHECKING:
    from smartgov.governance.demo_history import _Draft


class Stop(Exception):
    """The next step of a case lies after now: the case stays where it is."""


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


class CaseTimeline:
    """Mixin of the history builder: the lifecycle of one case (see the module docstring)."""

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
        draft.case.handler = handler  # 签收 makes the actor the case's handler
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
