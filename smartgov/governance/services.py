"""Use cases of the governance loop: one function per transition of the GB/T 30428 lifecycle
(see ``transitions.TRANSITIONS``), keyword-only with an explicit ``actor``, one transaction
each; every transition checks the table, writes a timeline event and an audit record.

Intake lives in ``intake``, the reporter's side and merging in ``feedback``, the deadline
sweep in ``deadlines``; their public functions are re-exported here.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from smartgov.accounts.scope import has_perm
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import Department
from smartgov.governance import attachments as files
from smartgov.governance import clock, dispatching
from smartgov.governance.deadlines import check_deadlines, resume_case
from smartgov.governance.feedback import (
    merge_cases,
    notify_duplicates,
    rate_case,
    record_revisit,
    reopen_case,
)
from smartgov.governance.intake import case_for_reporter, next_case_number, report_case
from smartgov.governance.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    CaseRequest,
    CaseStatus,
    Category,
    EventKind,
    LimitUnit,
    RequestKind,
    RequestState,
    WarningLevel,
)
from smartgov.governance.permissions import Perm
from smartgov.governance.transitions import (
    MAX_COMMENT,
    audit_case,
    check_transition,
    clean_text,
    drop_pending_requests,
    in_scope,
    lock,
    now,
    require_case_perm,
    snapshot,
    write_event,
)

__all__ = [
    "accept_case",
    "add_attachment",
    "add_progress",
    "cancel_case",
    "case_for_reporter",
    "check_deadlines",
    "decide_request",
    "dispatch_case",
    "merge_cases",
    "next_case_number",
    "notify_duplicates",
    "open_case",
    "rate_case",
    "record_revisit",
    "reopen_case",
    "report_back",
    "report_case",
    "request_deferral",
    "request_extension",
    "resume_case",
    "return_case",
    "supervise_case",
    "verify_case",
]

MAX_EXTENSION = {LimitUnit.HOURS: 7 * 20, LimitUnit.DAYS: 60}
MAX_DEFERRAL_DAYS = 366


# --- Dispatch centre: open, cancel, dispatch ------------------------------------------------


def open_case(*, actor, case: Case, comment: str = "") -> Case:
    """Accept a report as a case (立案): it enters the dispatch queue."""
    comment = clean_text(comment, field="comment", required=False)
    with transaction.atomic():
        case = lock(case)
        require_case_perm(actor, Perm.DISPATCH, case)
        before = snapshot(case)
        target = check_transition(case, "open")
        write_event(
            case,
            EventKind.OPENED,
            actor=actor,
            comment=comment,
            from_status=case.status,
            to_status=target,
        )
        case.status = target
        case.opened_at = now()
        case.save()
        audit_case(actor, "open", case, before)
    return case


def cancel_case(*, actor, case: Case, reason: str) -> Case:
    """Cancel a report as invalid (作废): not a problem the city handles, or a prank."""
    reason = clean_text(reason, field="reason")
    with transaction.atomic():
        case = lock(case)
        require_case_perm(actor, Perm.DISPATCH, case)
        before = snapshot(case)
        target = check_transition(case, "cancel")
        write_event(
            case,
            EventKind.CANCELLED,
            actor=actor,
            comment=reason,
            from_status=case.status,
            to_status=target,
        )
        case.status = target
        case.closed_at = now()
        case.save()
        audit_case(actor, "cancel", case, before)
    return case


def _department(department) -> Department:
    if isinstance(department, Department):
        found = department
    else:
        found = Department.objects.filter(pk=department).first()
    if found is None or not found.is_active:
        raise InvalidInput("unknown_department", "There is no such active department.")
    return found


def _category(category) -> Category:
    if isinstance(category, Category):
        if not category.active or category.parent_id is None:
            raise InvalidInput(
                "unknown_category",
                "There is no such active category.",
                detail={"code": category.code},
            )
        return category
    if isinstance(category, int):
        found = Category.objects.filter(pk=category).first()
        if found is None:
            raise InvalidInput("unknown_category", "There is no such active category.")
        return _category(found)
    return dispatching.get_minor_category(category)


def dispatch_case(*, actor, case: Case, department=None, category=None, comment: str = "") -> Case:
    """Send the case to a department (任务派遣), or re-dispatch one being handled.

    Without ``department`` the dispatch rules choose it; without ``category`` the case's own
    (or the classifier's top suggestion) is used. A category other than the classifier's
    proposal is recorded as a correction, which the next training uses.
    """
    comment = clean_text(comment, field="comment", required=False)
    with transaction.atomic():
        case = lock(case)
        require_case_perm(actor, Perm.DISPATCH, case)
        before = snapshot(case)
        redispatch = case.status == CaseStatus.DISPATCHED
        check_transition(case, "redispatch" if redispatch else "dispatch")
        if category is not None:
            chosen = _category(category)
        elif case.category_id is not None:
            chosen = case.category
        elif case.suggestions:
            chosen = _category(int(case.suggestions[0]["category"]))
        else:
            raise InvalidInput("category_required", "Choose the case's category first.")
        target = _department(department) if department is not None else None
        if target is None:
            target = dispatching.route(case, chosen)
            if target is None:
                raise InvalidInput(
                    "no_department",
                    "No dispatch rule names a department for this category here; choose one.",
                    detail={"category": chosen.code},
                )
        at = now()
        proposed = case.suggestions[0]["code"] if case.suggestions else None
        previous = case.category.code if case.category_id else None
        if (previous or proposed) and chosen.code != (previous or proposed):
            write_event(
                case,
                EventKind.CLASSIFIED,
                actor=actor,
                data={
                    "corrected": True,
                    "from": previous or proposed,
                    "to": chosen.code,
                    "proposed": proposed,
                    "source": "staff",
                },
                at=at,
            )
        if case.status == CaseStatus.REPORTED:
            write_event(
                case,
                EventKind.OPENED,
                actor=actor,
                from_status=case.status,
                to_status=CaseStatus.PENDING_DISPATCH,
                at=at,
            )
            case.status = CaseStatus.PENDING_DISPATCH
        if redispatch:
            drop_pending_requests(case, actor=actor, reason="re-dispatched", at=at)
        dispatching.apply_dispatch(
            case,
            actor=actor,
            department=target,
            category=chosen,
            at=at,
            comment=comment,
            redispatch=redispatch,
        )
        case.save()
        audit_case(actor, "redispatch" if redispatch else "dispatch", case, before)
    return case


# --- Department: accept, return, progress, report back --------------------------------------


def accept_case(*, actor, case: Case, comment: str = "") -> Case:
    """The department acknowledges the case (签收) and the actor becomes its handler."""
    comment = clean_text(comment, field="comment", required=False)
    with transaction.atomic():
        case = lock(case)
        require_case_perm(actor, Perm.HANDLE, case)
        before = snapshot(case)
        check_transition(case, "accept")
        write_event(
            case, EventKind.ACCEPTED, actor=actor, comment=comment, department=case.department
        )
        case.handler = actor
        case.save()
        audit_case(actor, "accept", case, before)
    return case


def return_case(*, actor, case: Case, reason: str) -> Case:
    """Send the case back to the dispatcher (wrong department, 退回)."""
    reason = clean_text(reason, field="reason")
    with transaction.atomic():
        case = lock(case)
        require_case_perm(actor, Perm.HANDLE, case)
        before = snapshot(case)
        target = check_transition(case, "return")
        at = now()
        drop_pending_requests(case, actor=actor, reason="returned", at=at)
        write_event(
            case,
            EventKind.RETURNED,
            actor=actor,
            comment=reason,
            from_status=case.status,
            to_status=target,
            department=case.department,
            at=at,
        )
        case.status = target
        case.department = None
        case.handler = None
        case.dispatched_at = None
        case.due_at = None
        case.paused_at = None
        case.paused_seconds = 0
        case.warning = WarningLevel.NONE
        case.escalation_level = 0
        case.auto_dispatched = False
        case.return_count += 1
        case.save()
        audit_case(actor, "return", case, before)
    return case


def add_progress(*, actor, case: Case, comment: str, attachments=()) -> CaseEvent:
    """A progress note (with photos) from the department while handling."""
    comment = clean_text(comment, field="comment")
    prepared = files.prepare(attachments)
    with transaction.atomic():
        case = lock(case)
        require_case_perm(actor, Perm.HANDLE, case)
        check_transition(case, "progress")
        event = write_event(
            case, EventKind.PROGRESS, actor=actor, comment=comment, department=case.department
        )
        files.store(case, prepared, actor=actor, event=event)
        audit_case(actor, "progress", case, None)
    return event


def report_back(*, actor, case: Case, reply: str, attachments=()) -> Case:
    """The department reports the case handled (处理反馈), with its reply to the reporter."""
    reply = clean_text(reply, field="reply", limit=MAX_COMMENT)
    prepared = files.prepare(attachments)
    with transaction.atomic():
        case = lock(case)
        require_case_perm(actor, Perm.HANDLE, case)
        before = snapshot(case)
        target = check_transition(case, "report_back")
        at = now()
        drop_pending_requests(case, actor=actor, reason="reported back", at=at)
        clock.resume(case, at)
        event = write_event(
            case,
            EventKind.HANDLED,
            actor=actor,
            comment=reply,
            from_status=case.status,
            to_status=target,
            department=case.department,
            at=at,
        )
        files.store(case, prepared, actor=actor, event=event)
        case.status = target
        case.reply = reply
        case.handled_at = at
        case.handler = case.handler or actor
        case.handling_seconds = clock.handling_seconds(case, at)
        case.save()
        audit_case(actor, "report_back", case, before)
    return case


# --- Verification: close or rework ----------------------------------------------------------


def verify_case(*, actor, case: Case, passed: bool, comment: str = "", attachments=()) -> Case:
    """Check the handling on the spot or by phone (核查): close, or send back for rework."""
    comment = clean_text(comment, field="comment", required=not passed)
    prepared = files.prepare(attachments)
    with transaction.atomic():
        case = lock(case)
        require_case_perm(actor, Perm.VERIFY, case, recorder_ok=True)
        before = snapshot(case)
        target = check_transition(case, "verify_pass" if passed else "verify_fail")
        at = now()
        event = write_event(
            case,
            EventKind.VERIFIED if passed else EventKind.REWORK,
            actor=actor,
            comment=comment,
            from_status=case.status,
            to_status=target,
            at=at,
        )
        files.store(case, prepared, actor=actor, event=event)
        case.status = target
        if passed:
            case.closed_at = at
            case.verified_by = actor  # the KPIs group by the inspector who closed it
            case.closed_on_time = (
                case.due_at is None or case.handled_at is None or case.handled_at <= case.due_at
            )
        else:
            case.rework_count += 1
            case.handled_at = None
            case.handling_seconds = None
        case.save()
        if passed:
            notify_duplicates(case, actor=actor, at=at)
        audit_case(actor, "verify" if passed else "rework", case, before)
    return case


# --- Extension (延期) and deferral (挂账) -------------------------------------------------------


def _open_request(actor, case: Case, *, kind: str, reason: str, **values) -> CaseRequest:
    if CaseRequest.objects.filter(case=case, state=RequestState.PENDING).exists():
        raise Conflict("request_pending", "A request for this case is already waiting.")
    at = now()
    request = CaseRequest.objects.create(
        case=case,
        kind=kind,
        reason=reason,
        department=case.department,
        requested_by=actor,
        requested_at=at,
        **values,
    )
    clock.pause(case, at)
    return request


def request_extension(*, actor, case: Case, amount: int, reason: str) -> CaseRequest:
    """Ask the dispatcher for more working time (in the category's unit); the clock stands
    until the decision."""
    reason = clean_text(reason, field="reason")
    with transaction.atomic():
        case = lock(case)
        require_case_perm(actor, Perm.HANDLE, case)
        before = snapshot(case)
        check_transition(case, "request_extension")
        _amount, unit = clock.time_limit(case.category)
        if (
            not isinstance(amount, int)
            or isinstance(amount, bool)
            or not (1 <= amount <= MAX_EXTENSION[unit])
        ):
            raise InvalidInput(
                "extension_amount",
                "The extension must be a whole number of working hours or days within the limit.",
                detail={"unit": unit, "max": MAX_EXTENSION[unit]},
            )
        request = _open_request(
            actor, case, kind=RequestKind.EXTENSION, reason=reason, amount=amount, unit=unit
        )
        write_event(
            case,
            EventKind.EXTENSION_REQUESTED,
            actor=actor,
            comment=reason,
            department=case.department,
            data={"request": request.pk, "amount": amount, "unit": unit},
        )
        case.save()
        audit_case(actor, "request_extension", case, before)
    return request


def request_deferral(*, actor, case: Case, until: date, reason: str) -> CaseRequest:
    """Ask to defer the case until a date (挂账: it cannot be solved now, e.g. needs funds);
    the clock stands until the decision, and while the deferral lasts."""
    reason = clean_text(reason, field="reason")
    with transaction.atomic():
        case = lock(case)
        require_case_perm(actor, Perm.HANDLE, case)
        before = snapshot(case)
        check_transition(case, "request_deferral")
        today = timezone.localdate()
        if (
            not isinstance(until, date)
            or until <= today
            or (until - today).days > (MAX_DEFERRAL_DAYS)
        ):
            raise InvalidInput(
                "deferral_date",
                "The deferral must end on a date after today and within a year.",
            )
        request = _open_request(
            actor, case, kind=RequestKind.DEFERRAL, reason=reason, defer_until=until
        )
        write_event(
            case,
            EventKind.DEFERRAL_REQUESTED,
            actor=actor,
            comment=reason,
            department=case.department,
            data={"request": request.pk, "until": until},
        )
        case.save()
        audit_case(actor, "request_deferral", case, before)
    return request


def decide_request(*, actor, request: CaseRequest, approve: bool, comment: str = "") -> CaseRequest:
    """The dispatcher approves or rejects an extension or a deferral request."""
    comment = clean_text(comment, field="comment", required=not approve)
    with transaction.atomic():
        case = lock(request.case_id)
        request = CaseRequest.objects.select_for_update().get(pk=request.pk)
        require_case_perm(actor, Perm.DISPATCH, case)
        if request.state != RequestState.PENDING:
            raise Conflict("request_decided", "This request has already been decided.")
        before = snapshot(case)
        extension = request.kind == RequestKind.EXTENSION
        if approve:
            target = check_transition(
                case, "approve_extension" if extension else "approve_deferral"
            )
        else:
            target = check_transition(case, "reject_request")
        at = now()
        if extension or not approve:
            clock.resume(case, at)  # a granted deferral keeps the clock standing
        if extension and approve:
            clock.extend(case, request.amount, request.unit)
            case.extension_count += 1
            if case.warning != WarningLevel.NONE and clock.remaining(case, at).total_seconds() > 0:
                case.warning = WarningLevel.NONE  # the new deadline is ahead again
        kind = {
            (True, True): EventKind.EXTENSION_APPROVED,
            (True, False): EventKind.EXTENSION_REJECTED,
            (False, True): EventKind.DEFERRAL_APPROVED,
            (False, False): EventKind.DEFERRAL_REJECTED,
        }[(extension, bool(approve))]
        write_event(
            case,
            kind,
            actor=actor,
            comment=comment,
            from_status=case.status,
            to_status=target,
            data={
                "request": request.pk,
                "due_at": case.due_at,
                "amount": request.amount,
                "unit": request.unit,
                "until": request.defer_until,
            },
        )
        case.status = target
        case.save()
        request.state = RequestState.APPROVED if approve else RequestState.REJECTED
        request.decided_by = actor
        request.decided_at = at
        request.decision_comment = comment
        request.save()
        audit_case(actor, "approve_request" if approve else "reject_request", case, before)
    return request


# --- Supervision and attachments ------------------------------------------------------------


def supervise_case(*, actor, case: Case, comment: str) -> CaseEvent:
    """A supervisor's note on an open case (督办): urges the department, stays on the
    timeline."""
    comment = clean_text(comment, field="comment")
    with transaction.atomic():
        case = lock(case)
        require_case_perm(actor, Perm.SUPERVISE, case)
        check_transition(case, "supervise")
        event = write_event(
            case, EventKind.SUPERVISED, actor=actor, comment=comment, department=case.department
        )
        audit_case(actor, "supervise", case, None)
    return event


def _may_attach(actor, case: Case) -> bool:
    if actor is not None and case.reporter_id is not None and case.reporter_id == actor.pk:
        return True
    return any(in_scope(actor, perm, case) for perm in Perm) or (
        actor is not None and case.recorded_by_id == actor.pk
    )


def add_attachment(*, actor, case: Case, attachments=(), comment: str = "") -> list[CaseAttachment]:
    """Add photos or documents to a case (the reporter, the recorder, or staff in scope)."""
    comment = clean_text(comment, field="comment", required=False)
    prepared = files.prepare(attachments)
    if not prepared:
        raise InvalidInput("attachment_required", "Choose at least one file.")
    with transaction.atomic():
        case = lock(case)
        if not _may_attach(actor, case):
            if actor is None or not any(has_perm(actor, p) for p in Perm):
                raise NotFound("not_found", "No such case.")
            raise PermissionDeniedError(
                "case_out_of_scope",
                "This case is outside your data scope.",
                detail={"case": case.number},
            )
        check_transition(case, "attach")
        event = write_event(
            case, EventKind.PROGRESS, actor=actor, comment=comment, data={"attachments_only": True}
        )
        stored = files.store(case, prepared, actor=actor, event=event)
        audit_case(actor, "attach", case, None)
    return stored


def get_request(request_id: int) -> CaseRequest:
    found = CaseRequest.objects.select_related("case").filter(pk=request_id).first()
    if found is None:
        raise NotFound("not_found", "No such request.")
    return found
