"""After handling: merging duplicates (their reporters are informed when the main case
closes), the reporter's five-level rating, the hotline revisit, and reopening."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from smartgov.core.errors import Conflict, InvalidInput, PermissionDeniedError
from smartgov.governance.intake import reporter_matches
from smartgov.governance.models import (
    Case,
    CaseFeedback,
    CaseStatus,
    EventKind,
    FeedbackKind,
    WarningLevel,
)
from smartgov.governance.permissions import Perm
from smartgov.governance.transitions import (
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

REOPEN_DAYS = 7
MAX_REOPENS = 2
MAX_MERGE = 100
SATISFIED_FROM = 3  # 5 非常满意, 4 满意, 3 基本满意 count as satisfied; 2 不满意, 1 非常不满意


def reopen_days() -> int:
    return int(getattr(settings, "GOVERNANCE_REOPEN_DAYS", REOPEN_DAYS))


def max_reopens() -> int:
    return int(getattr(settings, "GOVERNANCE_MAX_REOPENS", MAX_REOPENS))


def _level(level) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
        raise InvalidInput("rating_level", "A rating is a whole number from 1 to 5.")
    return level


# --- Merging --------------------------------------------------------------------------------


def merge_cases(*, actor, main: Case, duplicates, comment: str = "") -> Case:
    """Merge duplicate reports into ``main``: they stop on their own and follow the main
    case, and their reporters are informed when it closes."""
    comment = clean_text(comment, field="comment", required=False)
    duplicate_ids = sorted({getattr(d, "pk", d) for d in duplicates or ()})
    if not duplicate_ids:
        raise InvalidInput("duplicates_required", "Choose the duplicate cases to merge.")
    if len(duplicate_ids) > MAX_MERGE:
        raise InvalidInput("too_many_duplicates", "Too many cases to merge at once.")
    if main.pk in duplicate_ids:
        raise InvalidInput("merge_into_itself", "A case cannot be merged into itself.")
    with transaction.atomic():
        # Lock in key order, so two dispatchers merging overlapping sets cannot deadlock.
        locked = {pk: lock(pk) for pk in sorted([main.pk, *duplicate_ids])}
        main = locked[main.pk]
        dups = [locked[pk] for pk in duplicate_ids]
        for case in [main, *dups]:
            require_case_perm(actor, Perm.DISPATCH, case)
        check_transition(main, "merge_main")
        for dup in dups:
            check_transition(dup, "merge_duplicate")
        before = snapshot(main)
        at = now()
        for dup in dups:
            dup_before = snapshot(dup)
            drop_pending_requests(dup, actor=actor, reason="merged", at=at)
            write_event(
                dup,
                EventKind.MERGED,
                actor=actor,
                comment=comment,
                from_status=dup.status,
                to_status=CaseStatus.MERGED,
                data={"main": main.pk, "main_number": main.number},
                at=at,
            )
            dup.status = CaseStatus.MERGED
            dup.main_case = main
            # The duplicate is no longer due on its own (the main case carries the clock), so
            # the KPIs do not count it as due or overdue.
            dup.due_at = None
            dup.paused_at = None
            dup.warning = WarningLevel.NONE
            dup.save()
            # Cases merged into the duplicate earlier now follow the main case too.
            Case.objects.filter(main_case=dup).update(main_case=main)
            audit_case(actor, "merged_into", dup, dup_before)
        write_event(
            main,
            EventKind.MERGED,
            actor=actor,
            comment=comment,
            data={"duplicates": [d.pk for d in dups], "numbers": [d.number for d in dups]},
            at=at,
        )
        main.save()
        audit_case(actor, "merge", main, before)
    return main


def notify_duplicates(case: Case, *, actor, at: datetime) -> int:
    """Inform the reporters of the cases merged into ``case`` that it closed (a NOTIFIED
    event per duplicate, carrying the reply they can read)."""
    count = 0
    for dup in Case.objects.filter(main_case=case, status=CaseStatus.MERGED).order_by("pk"):
        write_event(
            dup,
            EventKind.NOTIFIED,
            actor=actor,
            comment=case.reply,
            data={"main": case.pk, "main_number": case.number, "reason": "main_closed"},
            at=at,
        )
        dup.reply = case.reply
        dup.save(update_fields=["reply", "updated_at"])
        count += 1
    return count


# --- Rating, revisit, reopening -------------------------------------------------------------


def rate_case(*, actor, case: Case, level: int, comment: str = "", phone: str = "") -> Case:
    """The reporter rates the handling (five levels), once per closing. A reporter without an
    account proves it with the phone given at intake."""
    level = _level(level)
    comment = clean_text(comment, field="comment", required=False)
    with transaction.atomic():
        case = lock(case)
        if not reporter_matches(case, actor=actor, phone=phone):
            raise PermissionDeniedError("not_reporter", "Only the reporter can do this.")
        before = snapshot(case)
        check_transition(case, "rate")
        if CaseFeedback.objects.filter(
            case=case, kind=FeedbackKind.RATING, created_at__gte=case.closed_at
        ).exists():
            raise Conflict("already_rated", "This case has already been rated.")
        at = now()
        CaseFeedback.objects.create(
            case=case,
            kind=FeedbackKind.RATING,
            level=level,
            comment=comment,
            actor=_user(actor),
            created_at=at,
        )
        write_event(
            case, EventKind.RATED, actor=actor, comment=comment, data={"level": level}, at=at
        )
        case.rating = level
        case.satisfied = level >= SATISFIED_FROM
        case.save()
        audit_case(actor, "rate", case, before)
    return case


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def record_revisit(
    *, actor, case: Case, level: int | None, reached: bool = True, comment: str = ""
) -> Case:
    """The hotline calls the reporter back (回访) and records their satisfaction; a call that
    did not reach them is recorded without one."""
    comment = clean_text(comment, field="comment", required=not reached)
    level = _level(level) if reached else 0
    with transaction.atomic():
        case = lock(case)
        require_case_perm(actor, Perm.VERIFY, case, recorder_ok=True)
        before = snapshot(case)
        check_transition(case, "revisit")
        if CaseFeedback.objects.filter(
            case=case, kind=FeedbackKind.REVISIT, reached=True, created_at__gte=case.closed_at
        ).exists():
            raise Conflict("already_revisited", "The reporter has already been revisited.")
        at = now()
        CaseFeedback.objects.create(
            case=case,
            kind=FeedbackKind.REVISIT,
            level=level,
            comment=comment,
            reached=bool(reached),
            actor=actor,
            created_at=at,
        )
        write_event(
            case,
            EventKind.REVISITED,
            actor=actor,
            comment=comment,
            data={"level": level or None, "reached": bool(reached)},
            at=at,
        )
        if reached:
            case.satisfied = level >= SATISFIED_FROM
        case.save()
        audit_case(actor, "revisit", case, before)
    return case


def reopen_case(*, actor, case: Case, reason: str, phone: str = "") -> Case:
    """The reporter (or the dispatcher or hotline agent for them) reopens a closed case within
    the reopening window and limit; it goes back to the dispatcher."""
    reason = clean_text(reason, field="reason")
    with transaction.atomic():
        case = lock(case)
        allowed = (
            reporter_matches(case, actor=actor, phone=phone)
            or in_scope(actor, Perm.DISPATCH, case)
            or (actor is not None and case.recorded_by_id == actor.pk)
        )
        if not allowed:
            raise PermissionDeniedError("not_reporter", "Only the reporter can do this.")
        before = snapshot(case)
        target = check_transition(case, "reopen")
        at = now()
        if case.closed_at is None or at > case.closed_at + timedelta(days=reopen_days()):
            raise Conflict(
                "reopen_window_passed",
                "The time for reopening this case has passed.",
                detail={"days": reopen_days()},
            )
        if case.reopen_count >= max_reopens():
            raise Conflict(
                "reopen_limit",
                "This case has been reopened as often as allowed.",
                detail={"max": max_reopens()},
            )
        write_event(
            case,
            EventKind.REOPENED,
            actor=actor,
            comment=reason,
            from_status=case.status,
            to_status=target,
            at=at,
        )
        case.status = target
        case.reopen_count += 1
        case.closed_at = None
        case.closed_on_time = None
        case.verified_by = None
        case.handled_at = None
        case.dispatched_at = None
        case.due_at = None
        case.paused_at = None
        case.paused_seconds = 0
        case.warning = WarningLevel.NONE
        case.escalation_level = 0
        case.rating = None
        case.satisfied = None
        case.save()
        audit_case(actor, "reopen", case, before)
    return case
