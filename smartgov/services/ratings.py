"""好差评: the applicant rates an ended application; a bad rating opens a rectification
(整改) for the item's department, which answers it; the service centre revisits the applicant.

Who rates, and when:

* The applicant rates their own application online (``channel="online"``), or front-desk staff
  record the rating the applicant gives on the counter's rating pad (``channel="counter"``,
  perm ``services.intake`` in the item's scope). One rating per application: a second one is
  refused with ``already_rated``.
* Only an application that has ended may be rated: approved (办结), denied (不予许可), refused
  at acceptance (不予受理) and withdrawn (撤回) — the national evaluation system lets every
  service event be rated, including a refusal, which is often what the applicant is unhappy
  with. Drafts and running applications cannot be rated.

Rectification (差评整改):

* A level ≤ 2 (不满意 / 非常不满意) opens a ``Rectification`` for the item's department, due 15
  working days later (core.workcalendar). The department answers (perm ``services.rectify``);
  the answer is shown to the applicant on the rating page.
* A revisit (回访, perm ``services.revisit``): satisfied closes it; unsatisfied sends it back
  to the department — status ``open`` again, a new 15-working-day due date, the previous answer
  kept on the application's timeline (event ``rectification_answered``) and cleared on the
  rectification, so that ``open`` always means "the department owes an answer".
* Overdue is computed, not stored: an open rectification whose due date has passed
  (``overdue_q``); ``check_rectification_deadlines`` lists them for the supervision view and
  the ``smartgov services rectifications`` command.

Every change writes an audit record and an ``ApplicationEvent`` (the application's timeline);
a rating publishes ``RATED`` (kwargs ``rating=``, ``application=``, ``actor=``).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import Case, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import access, has_perm, restrict
from smartgov.core import audit, events
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.workcalendar import add_working_days
from smartgov.services.application_models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Channel,
)
from smartgov.services.permissions import Perm
from smartgov.services.rating_models import (
    Rating,
    RatingLevel,
    Rectification,
    RectificationStatus,
)

RATED = "services.application_rated"
RECTIFICATION_DAYS = 15
BAD_LEVEL = 2  # a level at or below this is a 差评 and opens a rectification
GOOD_LEVEL = 4  # a level at or above this counts as satisfied in the statistics
MAX_COMMENT = 1000
MAX_ANSWER = 4000
RATABLE_STATUSES = frozenset(
    {
        ApplicationStatus.APPROVED,
        ApplicationStatus.DENIED,
        ApplicationStatus.REFUSED,
        ApplicationStatus.WITHDRAWN,
    }
)
CHANNELS = (Channel.ONLINE, Channel.COUNTER)

# The national 政务服务"好差评" indicators (国办发〔2019〕51号 and its evaluation index): the
# applicant ticks the aspects their rating is about — what went well or what went wrong.
INDICATORS: list[dict] = [
    {"code": "guide_accurate", "label": _("Accuracy of the service guide")},
    {"code": "one_time_notice", "label": _("Told everything needed at once")},
    {"code": "fewer_materials", "label": _("Fewer materials")},
    {"code": "handling_time", "label": _("Handling time")},
    {"code": "fewer_visits", "label": _("Trips in person")},
    {"code": "service_attitude", "label": _("Service attitude")},
    {"code": "window_environment", "label": _("Service hall and window")},
    {"code": "online_convenience", "label": _("Ease of applying online")},
    {"code": "process_transparent", "label": _("Openness of the process")},
    {"code": "result_satisfied", "label": _("The result")},
    {"code": "integrity", "label": _("Integrity of the staff")},
]
INDICATOR_CODES = frozenset(entry["code"] for entry in INDICATORS)
LEVEL_LABELS: dict[int, str] = {level.value: level.label for level in RatingLevel}


def indicator_labels(codes) -> list[str]:
    labels = {entry["code"]: entry["label"] for entry in INDICATORS}
    return [str(labels[code]) for code in codes if code in labels]


def overdue_q(today: date | None = None) -> Q:
    """Open rectifications whose due date has passed."""
    today = today or timezone.localdate()
    return Q(status=RectificationStatus.OPEN, due_date__lt=today)


def _event(application, *, kind, actor, comment="", data=None) -> None:
    ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        from_status=application.status,
        to_status=application.status,
        actor=actor if getattr(actor, "pk", None) else None,
        comment=comment,
        data=data or {},
    )


# --- checks -------------------------------------------------------------------------------


def check_level(level) -> int:
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = 0
    if isinstance(level, bool) or value not in LEVEL_LABELS:
        raise InvalidInput(
            "invalid_level",
            "The rating is a level from 1 (very dissatisfied) to 5 (very satisfied).",
            detail={"allowed": sorted(LEVEL_LABELS)},
        )
    return value


def check_indicators(indicators) -> list[str]:
    if indicators is None:
        return []
    if isinstance(indicators, str) or not isinstance(indicators, (list, tuple, set)):
        raise InvalidInput("invalid_indicators", "The indicators are a list of codes.")
    codes = [str(code) for code in indicators]
    unknown = sorted(set(codes) - INDICATOR_CODES)
    if unknown:
        raise InvalidInput(
            "unknown_indicator",
            "An indicator code is not one of the evaluation's indicators.",
            detail={"unknown": unknown[:10], "allowed": [e["code"] for e in INDICATORS]},
        )
    return [e["code"] for e in INDICATORS if e["code"] in set(codes)]  # catalogue order, once


def _locked_for_rating(actor, number: str, channel: str) -> Application:
    number = str(number or "")
    if channel == Channel.ONLINE:
        application = (
            Application.objects.select_for_update()
            .select_related("item")
            .filter(number=number, applicant=actor)
            .first()
            if getattr(actor, "pk", None)
            else None
        )
        if application is None:
            raise NotFound("application_not_found", "No such application of yours.")
        return application
    if not has_perm(actor, Perm.INTAKE):
        raise PermissionDeniedError(
            "counter_staff_only",
            "Only front-desk staff record a rating given at the counter.",
            detail={"permission": str(Perm.INTAKE)},
        )
    try:
        return access(
            Application.objects.select_for_update().select_related("item"),
            actor,
            Perm.INTAKE,
            number=number,
        )
    except NotFound:
        raise NotFound(
            "application_not_found", "No such application, or it is outside your data scope."
        ) from None


# --- rating -------------------------------------------------------------------------------


@transaction.atomic
def rate_application(
    *,
    actor,
    number: str,
    level: int,
    indicators: list[str] = (),
    comment: str = "",
    channel: str = "online",
) -> Rating:
    """The applicant's rating of an ended application (or the counter's, on their behalf);
    a level ≤ 2 opens a rectification for the item's department due in 15 working days."""
    if channel not in CHANNELS:
        raise InvalidInput(
            "invalid_channel",
            "A rating is given online or at the counter.",
            detail={"allowed": list(CHANNELS)},
        )
    level = check_level(level)
    codes = check_indicators(indicators)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput("comment_too_long", "The comment may have at most 1000 characters.")
    if level <= BAD_LEVEL and not codes and not comment:
        raise InvalidInput(
            "reason_required",
            "A dissatisfied rating needs at least one indicator or a comment.",
        )
    application = _locked_for_rating(actor, number, channel)
    if application.status not in RATABLE_STATUSES:
        raise Conflict(
            "not_ratable",
            "An application can be rated once it has ended.",
            detail={"status": application.status},
        )
    if Rating.objects.filter(application=application).exists():
        raise Conflict("already_rated", "This application has already been rated.")
    rating = Rating.objects.create(
        application=application,
        department_id=application.item.department_id,
        level=level,
        indicators=codes,
        comment=comment,
        channel=channel,
        rated_by=actor,
        rated_at=timezone.now(),
    )
    data = {"level": level, "indicators": codes, "channel": channel}
    rectification = None
    if level <= BAD_LEVEL:
        rectification = Rectification.objects.create(
            rating=rating,
            department_id=rating.department_id,
            due_date=add_working_days(timezone.localdate(), RECTIFICATION_DAYS),
            created_at=timezone.now(),
        )
        data["rectification_due"] = rectification.due_date.isoformat()
    _event(application, kind="rate", actor=actor, comment=comment, data=data)
    audit.record(actor=actor, action="services.rating.create", obj=rating, after=data)
    if rectification is not None:
        audit.record(
            actor=actor,
            action="services.rectification.open",
            obj=rectification,
            after={"due_date": rectification.due_date.isoformat(), "level": level},
        )
    events.publish(RATED, rating=rating, application=application, actor=actor)
    return rating


def rating_for(user, number: str) -> Rating | None:
    """The rating of an application the user may see (their own, or staff in scope); None when
    it has not been rated yet; NotFound when the application is not theirs to see."""
    application = application_for_rating(user, number)
    return Rating.objects.filter(application=application).select_related("rectification").first()


def application_for_rating(user, number: str) -> Application:
    """The user's own application, or one in their scope (intake, rectify, revisit)."""
    number = str(number or "")
    queryset = Application.objects.select_related("item", "item__department")
    if getattr(user, "pk", None):
        own = queryset.filter(number=number, applicant=user).first()
        if own is not None:
            return own
        for perm in (Perm.INTAKE, Perm.ACCEPT, Perm.RECTIFY, Perm.REVISIT, Perm.VIEW_STATS):
            if has_perm(user, perm):
                found = restrict(queryset, user, perm).filter(number=number).first()
                if found is not None:
                    return found
    raise NotFound("application_not_found", "No such application of yours.")


# --- rectification ------------------------------------------------------------------------


def rectifications_for(user, *, status: str | None = None) -> QuerySet:
    """Rectifications the user answers (rectify) or revisits (revisit), in their scope;
    ``status`` is open / answered / closed, or "overdue" (open past the due date)."""
    base = Rectification.objects.select_related(
        "department", "rating", "rating__application", "rating__application__item"
    )
    scoped = None
    for perm in (Perm.RECTIFY, Perm.REVISIT):
        if has_perm(user, perm):
            part = restrict(base, user, perm)
            scoped = part if scoped is None else scoped | part
    if scoped is None:
        return base.none()
    if status == "overdue":
        scoped = scoped.filter(overdue_q())
    elif status:
        if status not in RectificationStatus.values:
            raise InvalidInput(
                "invalid_status",
                "Unknown status: use open, answered, closed or overdue.",
                detail={"allowed": [*RectificationStatus.values, "overdue"]},
            )
        scoped = scoped.filter(status=status)
    # The ones still owed an answer or a revisit first (earliest due first), closed ones last.
    closed_last = Case(When(status=RectificationStatus.CLOSED, then=1), default=0)
    return scoped.order_by(closed_last, "due_date", "pk")


def rectification_for(user, rectification_id: int) -> Rectification:
    rectification = rectifications_for(user).filter(pk=_id(rectification_id)).first()
    if rectification is None:
        raise NotFound(
            "rectification_not_found", "No such rectification, or it is outside your scope."
        )
    return rectification


def _id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound("rectification_not_found", "No such rectification.") from None


def _locked(actor, perm: str, rectification_id) -> Rectification:
    try:
        return access(
            Rectification.objects.select_for_update().select_related("rating__application"),
            actor,
            perm,
            pk=_id(rectification_id),
        )
    except NotFound:
        raise NotFound(
            "rectification_not_found", "No such rectification, or it is outside your scope."
        ) from None


def _require_status(rectification: Rectification, status: str, action: str) -> None:
    if rectification.status != status:
        raise Conflict(
            "transition_not_allowed",
            "This action is not allowed in the rectification's current status.",
            detail={"action": action, "status": rectification.status},
        )


@transaction.atomic
def answer_rectification(*, actor, rectification_id: int, answer: str) -> Rectification:
    """The department's answer (整改情况) to a bad rating; the applicant sees it."""
    answer = (answer or "").strip()
    if not answer or len(answer) > MAX_ANSWER:
        raise InvalidInput("answer_required", "The answer is required (at most 4000 characters).")
    rectification = _locked(actor, Perm.RECTIFY, rectification_id)
    _require_status(rectification, RectificationStatus.OPEN, "answer")
    before = {"status": rectification.status}
    rectification.answer = answer
    rectification.answered_by = actor
    rectification.answered_at = timezone.now()
    rectification.status = RectificationStatus.ANSWERED
    rectification.save()
    _event(
        rectification.rating.application,
        kind="rectification_answered",
        actor=actor,
        comment=answer,
        data={"rectification": rectification.pk},
    )
    audit.record(
        actor=actor,
        action="services.rectification.answer",
        obj=rectification,
        before=before,
        after={"status": rectification.status, "answer": answer},
    )
    return rectification


@transaction.atomic
def revisit_rectification(
    *, actor, rectification_id: int, satisfied: bool, comment: str = ""
) -> Rectification:
    """回访: satisfied closes the rectification; unsatisfied sends it back to the department
    (open again, due 15 working days from today, the previous answer cleared)."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput("comment_too_long", "The comment may have at most 1000 characters.")
    if not isinstance(satisfied, bool):
        raise InvalidInput("invalid_satisfied", "Say whether the applicant is satisfied.")
    if not satisfied and not comment:
        raise InvalidInput("comment_required", "Say why the applicant is still dissatisfied.")
    rectification = _locked(actor, Perm.REVISIT, rectification_id)
    _require_status(rectification, RectificationStatus.ANSWERED, "revisit")
    before = {"status": rectification.status, "due_date": rectification.due_date.isoformat()}
    rectification.revisit_satisfied = satisfied
    rectification.revisit_comment = comment
    rectification.revisited_by = actor
    rectification.revisited_at = timezone.now()
    if satisfied:
        rectification.status = RectificationStatus.CLOSED
    else:
        rectification.status = RectificationStatus.OPEN
        rectification.due_date = add_working_days(timezone.localdate(), RECTIFICATION_DAYS)
        rectification.answer = ""
        rectification.answered_by = None
        rectification.answered_at = None
    rectification.save()
    after = {
        "status": rectification.status,
        "satisfied": satisfied,
        "due_date": rectification.due_date.isoformat(),
    }
    _event(
        rectification.rating.application,
        kind="rectification_revisited",
        actor=actor,
        comment=comment,
        data={"rectification": rectification.pk, **after},
    )
    audit.record(
        actor=actor,
        action="services.rectification.revisit",
        obj=rectification,
        before=before,
        after=after,
    )
    return rectification


def rectification_history(rectification: Rectification) -> list[ApplicationEvent]:
    """The answers and revisits of a rectification, oldest first (from the timeline)."""
    return list(
        ApplicationEvent.objects.filter(
            application_id=rectification.rating.application_id,
            kind__in=["rectification_answered", "rectification_revisited"],
            data__rectification=rectification.pk,
        )
        .select_related("actor")
        .order_by("at", "pk")
    )


def check_rectification_deadlines(now: datetime | None = None) -> dict:
    """The open rectifications past their due date (computed; nothing is stored), per
    department, for the supervision view and the ``rectifications`` command."""
    today = timezone.localdate(now) if now else timezone.localdate()
    overdue = (
        Rectification.objects.filter(overdue_q(today))
        .select_related("department", "rating__application")
        .order_by("due_date", "pk")
    )
    per_department: dict[str, int] = {}
    rows = []
    for rectification in overdue:
        name = rectification.department.name
        per_department[name] = per_department.get(name, 0) + 1
        rows.append(
            {
                "id": rectification.pk,
                "number": rectification.rating.application.number,
                "department": name,
                "due_date": rectification.due_date.isoformat(),
                "days_late": (today - rectification.due_date).days,
            }
        )
    return {
        "today": today.isoformat(),
        "open": Rectification.objects.filter(status=RectificationStatus.OPEN).count(),
        "overdue": len(rows),
        "per_department": per_department,
        "rectifications": rows,
    }
