"""Approval after acceptance (审批): one task per item step, steps in order, parallel steps
across departments (并联审批), decisions with opinions and attachments, the result (办结 —
a result document, an e-license when the item names a license type), withdrawal.

Steps run in ``position`` order; consecutive steps sharing a non-empty ``parallel_group`` are
one stage and are active at the same time, each in its own department; the next stage starts
when every task of the stage is approved. A denial in any task ends the application as
``denied`` and cancels the rest. The last approval ends it as ``approved``: it needs the fees
paid (``payment_status`` not ``unpaid``), sets completed_at / on_time / handling_days and the
result, and publishes ``applications.ENDED``.

The national guides list 受理 (acceptance) as the first step; acceptance is
``applications.accept_application`` itself, so a leading 受理 step followed by other steps is
recorded as done by the accepting officer rather than handled twice.

Time requests, resumption and the deadline sweep live in ``timelimits`` (re-exported here).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from smartgov.core import audit, events
from smartgov.core.errors import Conflict, InvalidInput, NotFound
from smartgov.core.workcalendar import add_working_days, working_days_between
from smartgov.licenses import services as license_services
from smartgov.licenses.models import HolderKind, License, LicenseType
from smartgov.services import approval_selectors as sel
from smartgov.services import attachments as attachment_files
from smartgov.services.application_models import (
    ApplicantType,
    Application,
    ApplicationEvent,
    PaymentStatus,
    WarningLevel,
)
from smartgov.services.applications import ENDED, _event, _transition, applicant_id
from smartgov.services.models import ItemStep
from smartgov.services.timelimits import (  # re-exported: approval.* is the interface
    check_deadlines,
    decide_time_request,
    request_time,
    resume_application,
)
from smartgov.services.workflow_models import (
    ApprovalTask,
    TaskDecision,
    TaskStatus,
    TimeRequest,
    TimeRequestStatus,
)

RESULT_ISSUED = "services.result_issued"  # payload: application=, license= (or None), actor=
ACCEPTANCE_STEP_NAMES = frozenset({"受理"})
IMPLICIT_STEP_NAME = "审批决定"
MAX_COMMENT = 2000
OPEN_TASK_STATUSES = (TaskStatus.WAITING, TaskStatus.ACTIVE)


# --- Stages -----------------------------------------------------------------------------------


def stages(tasks: list[ApprovalTask]) -> list[list[ApprovalTask]]:
    """Tasks in order, grouped: consecutive tasks with the same non-empty parallel group
    form one stage, every other task is a stage of its own."""
    result: list[list[ApprovalTask]] = []
    for task in sorted(tasks, key=lambda t: (t.position, t.pk or 0)):
        previous = result[-1][-1] if result else None
        if previous is not None and task.parallel_group == previous.parallel_group != "":
            result[-1].append(task)
        else:
            result.append([task])
    return result


def _activate(application: Application, stage: list[ApprovalTask], *, actor, now) -> None:
    today = timezone.localdate(now)
    for task in stage:
        task.status = TaskStatus.ACTIVE
        task.activated_at = now
        task.due_date = add_working_days(today, int(task.step.limit_days or 0))
        task.save(update_fields=["status", "activated_at", "due_date"])
        _event(
            application,
            kind="step_started",
            actor=actor,
            before=application.status,
            data={
                "task": task.pk,
                "step": task.name,
                "department": task.department_id,
                "due_date": task.due_date.isoformat(),
                "parallel_group": task.parallel_group,
            },
        )


def _implicit_step(application: Application) -> ItemStep:
    """The one step of an item version that defines none: a decision in its department."""
    item = application.item
    step, _created = ItemStep.objects.get_or_create(
        item=item,
        position=0,
        name=IMPLICIT_STEP_NAME,
        defaults={"limit_days": int(item.promised_days or 0)},
    )
    return step


def start_approval(application: Application, *, actor) -> list[ApprovalTask]:
    """Lay out the application's tasks (one per item step, in the step's department or the
    item's) and start the first stage. Runs inside ``accept_application``'s transaction."""
    if application.tasks.exists():
        raise Conflict("approval_started", "The approval of this application has started.")
    item = application.item
    steps = list(item.steps.select_related("department").order_by("position", "id"))
    if not steps:
        steps = [_implicit_step(application)]
    now = timezone.now()
    ApprovalTask.objects.bulk_create(
        ApprovalTask(
            application=application,
            step=step,
            position=step.position,
            name=step.name,
            parallel_group=step.parallel_group,
            role=step.role,
            department=step.department or item.department,
        )
        for step in steps
    )
    tasks = list(application.tasks.select_related("step").order_by("position", "pk"))
    ordered = stages(tasks)
    first = ordered[0]
    if len(ordered) > 1 and len(first) == 1 and first[0].name in ACCEPTANCE_STEP_NAMES:
        accepted = first[0]
        accepted.status = TaskStatus.DONE
        accepted.decision = TaskDecision.APPROVE
        accepted.activated_at = accepted.finished_at = now
        accepted.due_date = timezone.localdate(now)
        accepted.finished_by = accepted.assignee = actor if getattr(actor, "pk", None) else None
        accepted.save()
        ordered = ordered[1:]
    _activate(application, ordered[0], actor=actor, now=now)
    return tasks


# --- Locks and checks -------------------------------------------------------------------------


def _lock(actor, task_id) -> tuple[Application, ApprovalTask]:
    """The task in the actor's scope and role, then the application's lock and the task's:
    concurrent decisions on one application are serialised."""
    task = sel.task_for(actor, task_id)
    application = (
        Application.objects.select_for_update()
        .select_related("item", "item__department")
        .get(pk=task.application_id)
    )
    task = ApprovalTask.objects.select_for_update().select_related("step").get(pk=task.pk)
    return application, task


def _check_open(task: ApprovalTask, actor) -> None:
    if task.status == TaskStatus.DONE:
        raise Conflict(
            "task_already_done",
            "This step has already been completed.",
            detail={"status": task.status, "decision": task.decision},
        )
    if task.status == TaskStatus.CANCELLED:
        raise Conflict(
            "task_cancelled",
            "This step was cancelled: the application has ended.",
            detail={"status": task.status},
        )
    if task.status == TaskStatus.WAITING:
        raise Conflict(
            "task_not_active",
            "This step waits for the earlier steps to be completed.",
            detail={"status": task.status},
        )
    if task.assignee_id is not None and task.assignee_id != actor.pk:
        raise Conflict(
            "task_claimed",
            "Another officer has claimed this step.",
            detail={"assignee": task.assignee.display_name},
        )


def _clean_comment(comment) -> str:
    comment = str(comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(
            "comment_too_long", "The opinion is too long.", detail={"max_length": MAX_COMMENT}
        )
    return comment


# --- Claim and complete -----------------------------------------------------------------------


@transaction.atomic
def claim_task(*, actor, task_id: int) -> ApprovalTask:
    """Take an active step (claiming it again is a no-op; another's claim is a conflict)."""
    application, task = _lock(actor, task_id)
    _check_open(task, actor)
    _transition(application, "claim_step")
    if task.assignee_id == actor.pk:
        return task
    task.assignee = actor
    task.save(update_fields=["assignee"])
    _event(
        application,
        kind="step_claimed",
        actor=actor,
        before=application.status,
        data={"task": task.pk, "step": task.name},
    )
    return task


@transaction.atomic
def complete_task(
    *,
    actor,
    task_id: int,
    decision: str = TaskDecision.APPROVE,
    comment: str = "",
    attachments: list | None = None,
    result_data: dict | None = None,
) -> ApprovalTask:
    """Approve or deny an active step with an opinion and attachments (PDF/OFD/JPEG/PNG).

    A denial needs the reason and ends the application as ``denied``. The last approval ends
    it as ``approved`` and issues the result; ``result_data`` fills e-license fields the
    application's form does not answer (see ``result_license_fields``).
    """
    if decision not in TaskDecision.values:
        raise InvalidInput(
            "decision_invalid",
            "The decision is approve or deny.",
            detail={"allowed": list(TaskDecision.values)},
        )
    comment = _clean_comment(comment)
    if decision == TaskDecision.DENY and not comment:
        raise InvalidInput("deny_reason_required", "A denial needs the reason.")
    if result_data is not None and not isinstance(result_data, dict):
        raise InvalidInput("result_data_invalid", "The result data is an object.")
    files = attachment_files.prepare(attachments)
    application, task = _lock(actor, task_id)
    _check_open(task, actor)
    _transition(application, "complete_step")
    now = timezone.now()
    task.status = TaskStatus.DONE
    task.decision = decision
    task.comment = comment
    task.finished_at = now
    task.finished_by = actor
    task.assignee = task.assignee or actor
    task.save()
    audit.record(
        actor=actor,
        action="services.task.complete",
        obj=task,
        before={"status": TaskStatus.ACTIVE},
        after={"status": task.status, "decision": decision, "comment": comment},
    )
    step_event = ApplicationEvent.objects.create(
        application=application,
        kind="step_completed",
        from_status=application.status,
        to_status=application.status,
        actor=actor,
        comment=comment,
        data={"task": task.pk, "step": task.name, "decision": decision},
        at=now,
    )
    if decision == TaskDecision.DENY:
        _deny(application, actor=actor, comment=comment, now=now)
    else:
        _advance(application, task, actor=actor, now=now, result_data=result_data or {})
    attachment_files.store(step_event, files)  # last: nothing above can fail after a write
    return task


def _cancel_open_tasks(application: Application, *, now) -> list[int]:
    open_tasks = ApprovalTask.objects.select_for_update().filter(
        application=application, status__in=OPEN_TASK_STATUSES
    )
    ids = list(open_tasks.values_list("pk", flat=True))
    ApprovalTask.objects.filter(pk__in=ids).update(status=TaskStatus.CANCELLED, finished_at=now)
    return ids


def _finish(application: Application, *, now) -> None:
    """Completion figures: on time against the due date; handling days net of pauses."""
    application.completed_at = now
    application.paused_at = None
    # The warning is about time left; a completed application keeps its lateness in on_time.
    application.warning_level = WarningLevel.NONE
    if application.due_date is not None:
        application.on_time = timezone.localdate(now) <= application.due_date
    if application.accepted_at is not None:
        elapsed = max(working_days_between(application.accepted_at, now), 0)
        application.handling_days = max(elapsed - int(application.paused_days or 0), 0)


def _end_time_requests(application: Application, *, now, note: str) -> None:
    TimeRequest.objects.filter(application=application, status=TimeRequestStatus.PENDING).update(
        status=TimeRequestStatus.REJECTED, decided_at=now, decision_comment=note
    )
    TimeRequest.objects.filter(
        application=application, status=TimeRequestStatus.APPROVED, ended_at__isnull=True
    ).update(status=TimeRequestStatus.ENDED, ended_at=now)


def _deny(application: Application, *, actor, comment: str, now) -> None:
    before = application.status
    application.status = _transition(application, "deny")
    cancelled = _cancel_open_tasks(application, now=now)
    _end_time_requests(application, now=now, note="application denied")
    _finish(application, now=now)
    application.result_text = comment
    application.save()
    _event(
        application,
        kind="deny",
        actor=actor,
        before=before,
        comment=comment,
        data={"cancelled_tasks": cancelled, "on_time": application.on_time},
    )
    events.publish(ENDED, application=application, actor=actor)


def _advance(application: Application, task: ApprovalTask, *, actor, now, result_data) -> None:
    tasks = list(application.tasks.select_related("step").order_by("position", "pk"))
    ordered = stages(tasks)
    index = next(i for i, stage in enumerate(ordered) if any(t.pk == task.pk for t in stage))
    if any(t.status != TaskStatus.DONE for t in ordered[index]):
        return  # other parallel steps of the stage are still running
    if index + 1 < len(ordered):
        _activate(application, ordered[index + 1], actor=actor, now=now)
        return
    _approve(application, task, actor=actor, now=now, result_data=result_data)


def _approve(application: Application, task: ApprovalTask, *, actor, now, result_data) -> None:
    if application.payment_status == PaymentStatus.UNPAID:
        raise Conflict(
            "payment_required",
            "The fees of this application are not paid yet; it cannot be completed.",
            detail={"fee_total": str(application.fee_total)},
        )
    before = application.status
    application.status = _transition(application, "approve")
    _end_time_requests(application, now=now, note="application approved")
    _finish(application, now=now)
    application.result_text = application.item.result_name
    license, unavailable = _issue_result_license(
        application, task, actor=actor, result_data=result_data
    )
    application.result_license = license
    application.save()
    data = {"on_time": application.on_time, "handling_days": application.handling_days}
    if license is not None:
        data["license"] = license.identifier
    if unavailable:
        data["license_type_unavailable"] = unavailable
    _event(application, kind="approve", actor=actor, before=before, data=data)
    events.publish(RESULT_ISSUED, application=application, license=license, actor=actor)
    events.publish(ENDED, application=application, actor=actor)


# --- The result e-license ---------------------------------------------------------------------


def result_license_type(application: Application) -> LicenseType | None:
    """The active e-license type the item's result is issued as (None: a document only)."""
    code = (application.item.result_license_type or "").strip().upper()
    if not code:
        return None
    return (
        LicenseType.objects.filter(code=code, is_active=True).select_related("department").first()
    )


def _coerce(kind: str, value):
    if kind == "number" and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    if kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def result_license_fields(
    application: Application, *, result_data: dict | None = None, today: date | None = None
) -> list[dict]:
    """The result e-license's data fields with the values they would get: the approver's
    ``result_data``, else the form answer of the same name, else (a required date) the day of
    the decision. ``missing`` marks required fields still without a value."""
    license_type = result_license_type(application)
    if license_type is None:
        return []
    result_data = result_data or {}
    today = today or timezone.localdate()
    fields = []
    for spec in (license_type.schema or {}).get("fields", []):
        name, kind = spec["name"], spec.get("type", "string")
        value = result_data.get(name)
        source = "approver"
        if value in (None, ""):
            value, source = application.form_data.get(name), "form"
        if value in (None, "") and kind == "date" and spec.get("required"):
            value, source = today.isoformat(), "decision_day"
        if value in (None, ""):
            value, source = None, ""
        fields.append(
            {
                "name": name,
                "label": spec.get("label", name),
                "type": kind,
                "required": bool(spec.get("required")),
                "value": _coerce(kind, value) if value is not None else None,
                "source": source,
                "missing": bool(spec.get("required")) and value is None,
            }
        )
    return fields


def _issue_result_license(
    application: Application, task: ApprovalTask, *, actor, result_data: dict
) -> tuple[License | None, str]:
    """Issue the result e-license to the applicant; (None, code) when the item names a type
    the platform does not issue (the result is then a document only)."""
    code = (application.item.result_license_type or "").strip()
    if not code:
        return None, ""
    license_type = result_license_type(application)
    if license_type is None:
        return None, code
    fields = result_license_fields(application, result_data=result_data)
    unknown = sorted(set(result_data) - {f["name"] for f in fields})
    if unknown:
        raise InvalidInput(
            "result_data_unknown_field",
            "The result data names fields the e-license type does not have.",
            detail={"fields": unknown},
        )
    missing = [{"name": f["name"], "label": f["label"]} for f in fields if f["missing"]]
    if missing:
        raise Conflict(
            "result_license_data_missing",
            "The e-license needs data the application does not contain; give it as result data.",
            detail={"license_type": license_type.code, "fields": missing},
        )
    wanted = (
        HolderKind.CITIZEN
        if application.applicant_type == ApplicantType.CITIZEN
        else (HolderKind.ENTERPRISE)
    )
    if license_type.holder_kind != wanted:
        raise Conflict(
            "result_license_holder_mismatch",
            "The item's e-license type is for another kind of holder than the applicant.",
            detail={"license_type": license_type.code, "holder_kind": license_type.holder_kind},
        )
    license = license_services.issue_license_on_decision(
        decided_by=actor,
        license_type=license_type,
        holder_id=applicant_id(application),
        holder_name=application.applicant_name,
        data={f["name"]: f["value"] for f in fields if f["value"] is not None},
        source=f"services:application:{application.number}",
        decision=f"application {application.number} approved at step {task.name} "
        f"(task {task.pk}, item {application.item.implementation_code} "
        f"v{application.item.version})",
    )
    return license, ""


# --- Withdrawal -------------------------------------------------------------------------------


@transaction.atomic
def withdraw_application(*, actor, number: str, reason: str = "") -> Application:
    """The applicant withdraws an application before it is completed (撤回): open steps are
    cancelled, pending time requests closed, ``applications.ENDED`` published."""
    reason = _clean_comment(reason)
    application = (
        Application.objects.select_for_update()
        .filter(number=str(number or ""), applicant=actor)
        .first()
        if getattr(actor, "pk", None)
        else None
    )
    if application is None:
        raise NotFound("application_not_found", "No such application of yours.")
    before = application.status
    application.status = _transition(application, "withdraw")
    now = timezone.now()
    cancelled = _cancel_open_tasks(application, now=now)
    _end_time_requests(application, now=now, note="application withdrawn")
    application.paused_at = None
    application.save()
    _event(
        application,
        kind="withdraw",
        actor=actor,
        before=before,
        comment=reason,
        data={"cancelled_tasks": cancelled},
    )
    events.publish(ENDED, application=application, actor=actor)
    return application


__all__ = [
    "RESULT_ISSUED",
    "check_deadlines",
    "claim_task",
    "complete_task",
    "decide_time_request",
    "request_time",
    "result_license_fields",
    "resume_application",
    "start_approval",
    "withdraw_application",
]
