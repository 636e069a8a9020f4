"""The steps of one historical application in the demo import, on the working-day calendar:
submitted (materials linked, e-licenses found and their use logged), corrected or refused,
accepted, paid, each approval task done (并联 groups side by side), maybe extended, approved
(the result issued) or denied or withdrawn, rated and a bad rating rectified. Each step is an
event row; a step that would lie after now raises ``Stop`` and the application stays there.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from smartgov.core.workcalendar import is_workday
from smartgov.licenses.models import LicenseUse
from smartgov.services.application_models import (
    ApplicationMaterial,
    ApplicationStatus,
    Channel,
    PaymentStatus,
    SatisfiedBy,
    WarningLevel,
)
from smartgov.services.fee_models import ApplicationFee, AttemptStatus, Payment
from smartgov.services.models import ProofSource, Requirement
from smartgov.services.rating_models import Rating, Rectification, RectificationStatus
from smartgov.services.workflow_models import (
    ApprovalTask,
    TaskDecision,
    TaskStatus,
    TimeRequest,
    TimeRequestKind,
    TimeRequestStatus,
)

S = ApplicationStatus
SOURCE = "demo-history"

CORRECTIONS = [
    "住所使用相关文件未签字，请补充签字后重新上传",
    "身份证明复印件不清晰，请重新上传清晰扫描件",
    "申请表联系电话与实名信息不一致，请更正",
    "缺少经营场所平面布局图，请补充",
    "照片不符合要求（需近期白底免冠照片），请重新上传",
]
REFUSALS = [
    "申请事项不属于本机关职权范围，已告知向有权机关申请",
    "申请人不符合申请条件（户籍不在本市），不予受理",
    "同一事项已有正在办理的申请，请勿重复提交",
]
DENIALS = [
    "经审查，申请人不符合法定条件，不予许可",
    "现场核查不符合要求，经整改后仍未达标，不予批准",
    "家庭收入超过保障标准，不予认定",
]
WITHDRAWALS = ["信息填写有误，撤回后重新申请", "已不需要办理", "改为到窗口办理"]
OPINIONS = ["材料齐全，符合条件，同意", "经审查符合要求，拟同意", "同意", "准予办理", "已办结"]
EXTENSIONS = ["需组织专家现场评审，申请延长办理时限", "涉及跨部门核查，需延长时限"]
GOOD_COMMENTS = ["办事效率很高，一次都没跑", "工作人员态度很好，耐心解答", "网上办很方便", ""]
BAD_COMMENTS = [
    "审批时间太长，超过了承诺时限",
    "窗口人员解释不清楚，跑了两趟",
    "材料要求前后不一致，反复补正",
]
ANSWERS = [
    "已约谈相关窗口人员并开展业务培训，优化了一次性告知清单。",
    "已核实情况，对超时环节进行了督办，并向申请人致歉。",
    "已修订办事指南中的材料说明，避免重复补正。",
]
GOOD_LEVELS = [(5, 80), (4, 15), (3, 4), (2, 0.7), (1, 0.3)]
POOR_LEVELS = [(5, 38), (4, 27), (3, 20), (2, 9), (1, 6)]


class Stop(Exception):
    """The next step lies after now: the application stays where it is."""


class Timeline:
    """Mixin of the history builder (``demo_history.History``)."""

    # --- the calendar (the core working-day calendar, indexed for speed) --------------------

    def calendar(self, first: date, last: date) -> None:
        self.workdays: list[date] = []
        self.first_workday_from: dict[date, int] = {}
        self.workdays_through: dict[date, int] = {}
        day, pending, count = first, [], 0
        while day <= last:
            pending.append(day)
            if is_workday(day):
                for waiting in pending:
                    self.first_workday_from[waiting] = len(self.workdays)
                pending = []
                self.workdays.append(day)
                count += 1
            self.workdays_through[day] = count
            day += timedelta(days=1)

    def add_days(self, day: date, days: int) -> date:
        """core.workcalendar.add_working_days on dates."""
        return self.workdays[self.first_workday_from[day] + days]

    def days_between(self, start: date, end: date) -> int:
        """core.workcalendar.working_days_between on dates."""
        return self.workdays_through[end] - self.workdays_through[start]

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def work_moment(self, start: datetime, days: int) -> datetime:
        """A moment in office hours ``days`` working days after ``start`` (0: later that day
        when there is time left, else the next working day)."""
        rng = self.rng
        local = start.astimezone(self.tz)
        day = local.date()
        if days or not is_workday(day) or local.time() >= time(16, 30):
            day = self.add_days(day, max(days, 1) if is_workday(day) else max(days - 1, 0))
            hour = rng.choice([9, 9, 10, 10, 11, 13, 14, 14, 15, 16])
            return datetime.combine(day, time(hour, rng.randint(0, 59)), self.tz)
        return start + timedelta(minutes=rng.randint(10, 150))

    # --- one application --------------------------------------------------------------------

    def event(self, draft, kind, at, *, actor=None, to="", comment="", data=None) -> None:
        if at > self.now:
            raise Stop
        app = draft["app"]
        draft["events"].append(
            {
                "kind": kind,
                "from_status": app.status,
                "to_status": to or app.status,
                "actor": actor,
                "comment": comment,
                "data": data or {},
                "at": at,
            }
        )
        if to:
            app.status = to

    def timeline(self, draft) -> None:
        rng, app = self.rng, draft["app"]
        item, person = app.item, draft["person"]
        online = app.channel == Channel.ONLINE
        desk = app.recorded_by or self.desk(item)
        applicant_actor = person.account if online else desk
        self.event(
            draft,
            "submit",
            app.submitted_at,
            actor=applicant_actor,
            to=S.SUBMITTED,
            data={"channel": app.channel, "source": SOURCE},
        )
        self.link_materials(draft)
        outcome = (
            draft.get("outcome")
            or rng.choices(
                ["approve", "correct", "refuse", "deny", "withdraw"], [88, 5.5, 2.5, 2.5, 1.5]
            )[0]
        )
        if online:
            at = self.work_moment(app.submitted_at, rng.choice([0, 0, 0, 1, 1, 2]))
        else:
            at = app.submitted_at + timedelta(minutes=rng.randint(3, 25))
        if outcome == "correct":
            items = [{"description": rng.choice(CORRECTIONS), "material_id": None}]
            app.correction_items = items
            self.event(
                draft,
                "request_correction",
                at,
                actor=desk,
                to=S.CORRECTION_REQUESTED,
                comment="一次性告知需补正的材料",
                data={"items": items},
            )
            app.paused_at = at
            at = at + timedelta(hours=rng.randint(3, 96))
            self.event(draft, "resubmit", at, actor=applicant_actor, to=S.RESUBMITTED)
            app.paused_at = None
            at = self.work_moment(at, rng.choice([0, 0, 1]))
        if outcome == "refuse":
            reason = rng.choice(REFUSALS)
            app.refusal_reason = reason
            self.event(draft, "refuse", at, actor=desk, to=S.REFUSED, comment=reason)
            draft["ended_at"] = at
            self.rate(draft, at)
            return
        app.accepted_at = at
        app.due_date = self.add_days(self.local_day(at), item.promised_days or 0)
        self.event(
            draft, "accept", at, actor=desk, to=S.ACCEPTED, data={"due_date": str(app.due_date)}
        )
        self.fees(draft, at)
        self.approval(draft, at, outcome)

    def link_materials(self, draft) -> None:
        rng, app = self.rng, draft["app"]
        person = draft["person"]
        for material in app.item.materials.all():
            if material.requirement == Requirement.CONDITIONAL and rng.random() > 0.3:
                continue
            row = ApplicationMaterial(material=material)
            if material.proof_source == ProofSource.E_LICENSE and material.license_type_code:
                license = person.license_at(material.license_type_code.upper(), app.submitted_at)
                if license is not None:
                    row.satisfied_by = SatisfiedBy.E_LICENSE
                    row.license = license
                    row.license_identifier = license.identifier
                    use = LicenseUse(license=license, department=app.item.department)
                    use.at = app.submitted_at
                    use._draft, use._material = draft, material.name
                    self.uses.append(use)
                    draft["materials"].append(row)
                    continue
            if material.proof_source == ProofSource.SHARED_DATA and material.resource_id:
                row.satisfied_by = SatisfiedBy.SHARED_DATA
                row.shared_reference = (
                    f"{self.resource_codes.get(material.resource_id, '')}"
                    f"#{material.resource_field or 'record'}:{person.masked}"
                )[:200]
                draft["materials"].append(row)
                continue
            row.satisfied_by = SatisfiedBy.UPLOAD
            row.file = self.placeholder
            row.file_name = f"{material.name}.pdf"[:200]
            draft["materials"].append(row)

    def fees(self, draft, accepted: datetime) -> None:
        app = draft["app"]
        if app.item.is_free or not app.item.fees:
            return
        total = Decimal("0")
        for position, fee in enumerate(app.item.fees):
            amount = Decimal(str(fee["amount"]))
            total += amount
            draft["fees"].append(
                ApplicationFee(
                    position=position,
                    name=fee["name"],
                    amount=amount,
                    basis=fee.get("basis", ""),
                )
            )
        app.fee_total = total
        app.payment_status = PaymentStatus.UNPAID
        fees = [{"name": f.name, "amount": str(f.amount), "basis": f.basis} for f in draft["fees"]]
        self.event(draft, "fees_due", accepted, data={"fee_total": str(total), "fees": fees})
        minutes = (
            self.rng.randint(2, 8) if app.channel == Channel.COUNTER else self.rng.randint(5, 240)
        )
        paid = accepted + timedelta(minutes=minutes)
        started = paid - timedelta(minutes=1)
        self.event(
            draft,
            "payment_started",
            started,
            actor=draft["person"].account or app.recorded_by,
            data={"provider": "sandbox", "amount": str(total)},
        )
        trade_no = f"SANDBOX{self.rng.randint(10**11, 10**12 - 1)}"
        self.event(
            draft,
            "paid",
            paid,
            data={"provider": "sandbox", "amount": str(total), "trade_no": trade_no},
        )
        app.payment_status = PaymentStatus.PAID
        draft["paid_at"] = paid
        draft["payments"].append(
            Payment(
                provider="sandbox",
                amount=total,
                status=AttemptStatus.PAID,
                created_at=started,
                paid_at=paid,
                details={"trade_no": trade_no, "duplicate": False},
            )
        )

    def approval(self, draft, accepted: datetime, outcome: str) -> None:
        rng, app = self.rng, draft["app"]
        item = app.item
        groups: list[list[ApprovalTask]] = []
        for step in sorted(item.steps.all(), key=lambda s: (s.position, s.pk)):
            department_id = step.department_id or item.department_id
            task = ApprovalTask(
                step=step,
                position=step.position,
                name=step.name,
                parallel_group=step.parallel_group,
                role=step.role,
                department_id=department_id,
                status=TaskStatus.WAITING,
            )
            task._limit = step.limit_days
            draft["tasks"].append(task)
            if (
                groups
                and step.parallel_group
                and groups[-1][0].parallel_group == step.parallel_group
            ):
                groups[-1].append(task)
            else:
                groups.append([task])
        late = rng.random() < 0.045  # one step runs over its limit
        deny_at = None
        if outcome == "deny":
            deny_at = max(len(groups) - 2, 0)  # the decision before 办结
        start = accepted
        for number, group in enumerate(groups):
            for task in group:
                task.status = TaskStatus.ACTIVE
                task.activated_at = start
                task.due_date = self.add_days(self.local_day(start), task._limit)
                self.event(
                    draft,
                    "step_started",
                    start,
                    data={
                        "step": task.name,
                        "department": task.department_id,
                        "due_date": task.due_date.isoformat(),
                        "parallel_group": task.parallel_group,
                    },
                )
            if outcome == "withdraw" and number == len(groups) // 2:
                at = start + timedelta(hours=rng.randint(1, 30))
                self.event(
                    draft,
                    "withdraw",
                    at,
                    actor=draft["person"].account or app.recorded_by,
                    to=S.WITHDRAWN,
                    comment=rng.choice(WITHDRAWALS),
                )
                self.cancel(draft, at)
                # as approval.withdraw_application: a withdrawal is no completion (办结)
                draft["ended_at"] = at
                return
            if outcome == "hold" and number == 1:
                raise Stop  # the second stage is still being handled today
            finished = start
            for task in group:
                days = task._limit
                spent = rng.choice(range(0, days + 1)) if days else 0
                if outcome == "hold":
                    spent = days
                if days and rng.random() < 0.55:
                    spent = min(spent, max(days // 2, 0))
                if late and task._limit == max(t._limit for t in draft["tasks"]):
                    spent = days + rng.randint(1, 3)
                    late = False
                    if rng.random() < 0.4:
                        self.extend(draft, task, start)
                at = self.work_moment(start, spent)
                if number == len(groups) - 1 and draft.get("paid_at") and at < draft["paid_at"]:
                    at = draft["paid_at"] + timedelta(minutes=rng.randint(5, 60))
                handler = self.approver(task.department_id)
                deny = deny_at == number and task is group[0]
                task.finished_at = at
                task.finished_by = handler
                task.assignee = handler
                task.decision = TaskDecision.DENY if deny else TaskDecision.APPROVE
                task.comment = rng.choice(DENIALS) if deny else rng.choice(OPINIONS)
                if at > self.now:
                    task.finished_at = task.finished_by = None
                    task.decision = task.comment = ""
                    if rng.random() < 0.5:
                        task.assignee = None
                    continue
                self.event(
                    draft,
                    "step_completed",
                    at,
                    actor=handler,
                    comment=task.comment,
                    data={"step": task.name, "decision": task.decision},
                )
                task.status = TaskStatus.DONE
                finished = max(finished, at)
                if deny:
                    draft["tasks_comment"] = task.comment
                    self.cancel(draft, at)
                    self.end(draft, at, S.DENIED, handler)
                    return
            if any(task.status != TaskStatus.DONE for task in group):
                raise Stop
            start = finished
        self.end(draft, start, S.APPROVED, self.approver(draft["tasks"][-1].department_id))

    def cancel(self, draft, at: datetime) -> None:
        for task in draft["tasks"]:
            if task.status in (TaskStatus.WAITING, TaskStatus.ACTIVE):
                task.status = TaskStatus.CANCELLED
                task.finished_at = at
                task.finished_by = None
                task.decision = task.comment = ""
        for request in draft["requests"]:
            if request.status == TimeRequestStatus.APPROVED:
                request.status, request.ended_at = TimeRequestStatus.ENDED, at

    def extend(self, draft, task, start: datetime) -> None:
        rng, app = self.rng, draft["app"]
        asked = start + timedelta(hours=rng.randint(2, 20))
        decided = self.work_moment(asked, rng.choice([0, 1]))
        if decided > self.now:
            return
        handler = self.approver(task.department_id)
        supervisor = self.users.get("svc_supervisor")
        days = rng.choice([3, 5])
        reason = rng.choice(EXTENSIONS)
        self.event(
            draft,
            "time_request",
            asked,
            actor=handler,
            comment=reason,
            data={"kind": "extend", "days": days},
        )
        due = self.add_days(app.due_date, days)
        self.event(
            draft,
            "extend",
            decided,
            actor=supervisor,
            comment="同意延期",
            data={"kind": "extend", "days": days, "due_date": due.isoformat()},
        )
        draft["requests"].append(
            TimeRequest(
                task=task,
                kind=TimeRequestKind.EXTEND,
                days=days,
                reason=reason,
                status=TimeRequestStatus.APPROVED,
                requested_by=handler,
                requested_at=asked,
                decided_by=supervisor,
                decided_at=decided,
                decision_comment="同意延期",
            )
        )
        app.extended_days += days
        app.due_date = due
        task.due_date = self.add_days(task.due_date, days)

    def end(self, draft, at: datetime, status: str, actor) -> None:
        app = draft["app"]
        item = app.item
        approved = status == S.APPROVED
        app.completed_at = at
        app.handling_days = self.days_between(self.local_day(app.accepted_at), self.local_day(at))
        app.on_time = self.local_day(at) <= app.due_date
        app.result_text = item.result_name if approved else draft["tasks_comment"]
        self.event(
            draft,
            "approve" if approved else "deny",
            at,
            actor=actor,
            to=status,
            data={"on_time": app.on_time, "handling_days": app.handling_days},
        )
        draft["ended_at"] = at
        for request in draft["requests"]:
            if request.status == TimeRequestStatus.APPROVED:
                request.status, request.ended_at = TimeRequestStatus.ENDED, at
        if approved:
            self.issue_result(draft, at, actor)
        self.rate(draft, at)

    # --- results and ratings -------------------------------------------------------------------

    def issue_result(self, draft, at: datetime, actor) -> None:
        app, rng = draft["app"], self.rng
        code = (app.item.result_license_type or "").upper()
        if not code or not self.licenses.has(code):
            return
        person, form = draft["person"], app.form_data
        day = self.local_day(at).isoformat()
        data = {
            "YYZZ": lambda: {
                "entity_type": form.get("entity_type") or "有限责任公司（自然人投资或控股）",
                "legal_representative": form.get("legal_rep") or person.legal_rep or person.name,
                "registered_capital": float(form.get("registered_capital") or 100),
                "established_on": day,
                "address": form.get("address") or person.address or "浙江省杭州市",
                "scope": person.scope,
            },
            "SPJYXKZ": lambda: {
                "operator_type": form.get("main_form") or "餐饮服务经营者",
                "items": "热食类食品制售"
                if "餐饮" in form.get("main_form", "")
                else "预包装食品销售",
                "premises": form.get("premises") or person.address or "浙江省杭州市",
            },
            "JHZ": lambda: {
                "spouse_name": person.spouse or self.people.person_name(),
                "registered_on": day,
                "certificate_no": f"J330100-{day[:4]}-{rng.randint(1, 999999):06d}",
            },
            "CJRZ": lambda: {
                "category": rng.choice(["视力残疾", "肢体残疾", "听力残疾", "言语残疾"]),
                "grade": rng.choice(["一级", "二级", "三级", "四级"]),
            },
            "JDCJSZ": lambda: {
                "vehicle_class": rng.choice(["C1", "C1", "C2", "B2"]),
                "first_issued_on": date(
                    rng.randint(1995, 2019), rng.randint(1, 12), rng.randint(1, 28)
                ).isoformat(),
            },
        }.get(code)
        if data is None:
            return
        app._result_license = self.licenses.issue(
            code=code,
            person=person,
            data=data(),
            issued_at=at,
            by=self.users.get("license_officer"),
            source=f"services:application:{app.item.implementation_code}",
        )

    def rate(self, draft, ended: datetime) -> None:
        rng, app = self.rng, draft["app"]
        if rng.random() > 0.7:
            return
        counter = app.channel == Channel.COUNTER
        at = ended + (
            timedelta(minutes=rng.randint(1, 20))
            if counter
            else timedelta(hours=rng.randint(1, 72))
        )
        if at > self.now:
            return
        poor = app.status != S.APPROVED or app.on_time is False
        weights = POOR_LEVELS if poor else GOOD_LEVELS
        level = rng.choices([lv for lv, _ in weights], [w for _, w in weights])[0]
        comment = rng.choice(BAD_COMMENTS) if level <= 2 else rng.choice(GOOD_COMMENTS)
        channel = Channel.COUNTER if counter else Channel.ONLINE
        codes = self.indicators()
        draft["rating"] = Rating(
            department_id=app.item.department_id,
            level=level,
            indicators=codes,
            comment=comment,
            channel=channel,
            rated_by=draft["person"].account,
            rated_at=at,
        )
        data = {"level": level, "indicators": codes, "channel": channel}
        if level <= 2:
            data["rectification_due"] = self.add_days(self.local_day(at), 15).isoformat()
        self.note(draft, "rate", at, actor=draft["person"].account, comment=comment, data=data)
        if level <= 2:
            self.rectify(draft, at)

    def note(self, draft, kind, at, *, actor=None, comment="", data=None) -> None:
        """An event that changes no status (ratings and rectifications come after the end)."""
        status = draft["app"].status
        draft["events"].append(
            {
                "kind": kind,
                "from_status": status,
                "to_status": status,
                "actor": actor,
                "comment": comment,
                "data": data or {},
                "at": at,
            }
        )

    def indicators(self) -> list[str]:
        """The indicators ticked: what the rating is about (1–3 of ratings.INDICATORS)."""
        if not self.indicator_codes:
            return []
        count = self.rng.choice([1, 1, 2, 3])
        return sorted(self.rng.sample(self.indicator_codes, count))

    def rectify(self, draft, rated: datetime) -> None:
        rng, app = self.rng, draft["app"]
        day = self.local_day(rated)
        rectification = Rectification(
            department_id=app.item.department_id,
            status=RectificationStatus.OPEN,
            due_date=self.add_days(day, 15),
            created_at=rated,
        )
        draft["rectification"] = rectification
        answered = self.work_moment(rated, rng.randint(2, 9))
        if answered > self.now:
            return
        rectification.status = RectificationStatus.ANSWERED
        rectification.answer = rng.choice(ANSWERS)
        rectification.answered_by = self.approver(app.item.department_id)
        rectification.answered_at = answered
        self.note(
            draft,
            "rectification_answered",
            answered,
            actor=rectification.answered_by,
            comment=rectification.answer,
        )
        revisited = self.work_moment(answered, rng.randint(1, 3))
        if revisited > self.now:
            return
        # An unsatisfied revisit would send it back to the department (ratings.py): the
        # history keeps the rectifications that ended, satisfied.
        rectification.status = RectificationStatus.CLOSED
        rectification.revisit_satisfied = True
        rectification.revisit_comment = "电话回访，申请人对整改结果表示满意"
        rectification.revisited_by = self.users.get("svc_supervisor")
        rectification.revisited_at = revisited
        self.note(
            draft,
            "rectification_revisited",
            revisited,
            actor=rectification.revisited_by,
            comment=rectification.revisit_comment,
            data={"status": RectificationStatus.CLOSED, "satisfied": True},
        )

    def warn(self, draft) -> None:
        """Warnings of an application still in approval, as the deadline check would set."""
        app = draft["app"]
        if app.status != S.ACCEPTED or app.due_date is None:
            return
        app.warning_level = self.level(
            app.due_date, (app.item.promised_days or 0) + app.extended_days
        )
        for task in draft["tasks"]:
            if task.status == TaskStatus.ACTIVE and task.due_date is not None:
                task.warning_level = self.level(task.due_date, task._limit)

    def level(self, due: date, total: int) -> str:
        """Red after the due day; yellow with a fifth of the limit (or a day) left."""
        if self.today > due:
            return WarningLevel.RED
        if self.days_between(self.today, due) <= max(total * 0.2, 1):
            return WarningLevel.YELLOW
        return WarningLevel.NONE
