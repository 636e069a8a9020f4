"""Shared presentation helpers of the governance pages: the tabs, the clock shown on a case,
which action forms a case page offers, and how a service refusal lands on a form.

No rule is decided here: the buttons offered follow the status and the user's permissions
only to hide what would certainly be refused; the service checks every action again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from smartgov.accounts.scope import has_perm
from smartgov.core.errors import NotFound, PermissionDeniedError, SmartgovError
from smartgov.governance import clock as gov_clock
from smartgov.governance import selectors, transitions
from smartgov.governance.models import CaseStatus, WarningLevel
from smartgov.governance.permissions import Perm

# Which form field a service refusal belongs to (anything else is shown above the form).
ERROR_FIELD = {
    "text_required": "description",
    "description_required": "description",
    "text_too_long": "description",
    "description_too_long": "description",
    "outside_city": None,
    "invalid_coordinates": None,
    "coordinates_invalid": None,
    "address_too_long": "address",
    "unknown_category": "category",
    "category_required": "category",
    "category_inactive": "category",
    "not_minor_category": "category",
    "phone_format": "reporter_phone",
    "invalid_phone": "reporter_phone",
    "phone_required": "reporter_phone",
    "attachment_too_large": "photos",
    "attachment_type": "photos",
    "too_many_attachments": "photos",
    "reason_required": "reason",
    "comment_required": "comment",
    "reply_required": "comment",
    "amount_range": "amount",
    "until_in_past": "until",
    "rating_level": "level",
    "too_many_duplicates": "duplicates",
    "duplicates_required": "duplicates",
    "merge_into_itself": "duplicates",
    "attachment_required": "photos",
    "invalid_category_code": "code",
    "invalid_category_name": "name",
    "invalid_category_kind": "kind",
    "invalid_category_parent": "parent",
    "invalid_time_limit": "time_limit",
    "invalid_time_limit_unit": "time_limit_unit",
    "invalid_rule_region": "region",
    "inactive_department": "department",
    "level_range": "level",
    "no_department": "department",
    "unknown_department": "department",
    "unknown_case": "duplicates",
    "duplicate_not_open": "duplicates",
}


# The service's name of a text (``detail.field`` of ``<field>_required``) → the form's field.
DETAIL_FIELD = {"reply": "comment", "text": "description"}


def add_error(form, exc: SmartgovError, mapping: dict | None = None) -> None:
    """Put a service refusal on the form field it concerns (or above the form)."""
    field = (mapping or ERROR_FIELD).get(exc.code)
    if field is None and isinstance(exc.detail, dict) and exc.detail.get("field"):
        field = DETAIL_FIELD.get(exc.detail["field"], exc.detail["field"])
    form.add_error(field if field in form.fields else None, exc.message)


def reraise_access(exc: SmartgovError) -> None:
    """Not-found and not-allowed go to the error page; the rest belong on the form."""
    if isinstance(exc, (NotFound, PermissionDeniedError)):
        raise exc


@dataclass(frozen=True)
class Tab:
    code: str
    label: str
    url_name: str
    count: int | None = None


def tabs_for(user, *, counts: bool = False) -> list[Tab]:
    """The staff tabs shown on every governance page, by permission (with the size of each
    work queue when ``counts``)."""

    def size(queryset) -> int | None:
        return queryset.count() if counts else None

    tabs = []
    if has_perm(user, Perm.INTAKE):
        tabs.append(Tab("intake", _("Hotline intake"), "portal:governance_intake"))
    if has_perm(user, Perm.DISPATCH):
        tabs.append(
            Tab(
                "queue",
                _("Dispatch queue"),
                "portal:governance_queue",
                size(selectors.dispatch_queue(user)),
            )
        )
        tabs.append(
            Tab(
                "requests",
                _("Extension requests"),
                "portal:governance_requests",
                size(selectors.pending_requests(user)),
            )
        )
    if has_perm(user, Perm.SUPERVISE):
        tabs.append(
            Tab(
                "overdue",
                _("Overdue warnings"),
                "portal:governance_overdue",
                size(selectors.overdue_cases(user)),
            )
        )
    if has_perm(user, Perm.HANDLE):
        tabs.append(
            Tab(
                "department",
                _("Our cases"),
                "portal:governance_department",
                size(selectors.department_cases(user)),
            )
        )
    if has_perm(user, Perm.VERIFY):
        tabs.append(
            Tab(
                "verify",
                _("Verification"),
                "portal:governance_verification",
                size(selectors.verification_queue(user)),
            )
        )
    if has_perm(user, Perm.VERIFY) and _is_hotline(user):
        tabs.append(
            Tab(
                "revisit",
                _("Revisits"),
                "portal:governance_revisits",
                size(selectors.revisit_queue(user)),
            )
        )
    if has_perm(user, Perm.INTAKE):
        tabs.append(Tab("field", _("Field report"), "portal:governance_field_report"))
    tabs.append(Tab("search", _("Find a case"), "portal:governance_search"))
    if any(has_perm(user, p) for p in (Perm.DISPATCH, Perm.SUPERVISE, Perm.CONFIGURE)):
        tabs.append(Tab("map", _("Case map"), "portal:governance_map"))
        tabs.append(Tab("hotspots", _("Hotspots"), "portal:governance_hotspots"))
    if has_perm(user, Perm.SUPERVISE) and _resolves("portal:governance_kpi"):
        tabs.append(Tab("kpi", _("Case KPIs"), "portal:governance_kpi"))
    if has_perm(user, Perm.CONFIGURE):
        tabs.append(Tab("config", _("Configuration"), "portal:governance_categories"))
    return tabs


def _is_hotline(user) -> bool:
    """Revisits are the hotline's work (inspectors hold the same permissions for the field)."""
    from smartgov.governance.permissions import HOTLINE_AGENT

    return user.memberships.filter(role__code=HOTLINE_AGENT).exists()


def _resolves(url_name: str) -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


def is_governance_staff(user) -> bool:
    return getattr(user, "kind", "") == "staff" and any(has_perm(user, p) for p in Perm)


def require_governance_staff(user) -> None:
    if not is_governance_staff(user):
        raise PermissionDeniedError("permission_denied", "You cannot use the governance pages.")


def page(request, template: str, context: dict, *, tab: str = "", status: int = 200):
    tabs = tabs_for(request.user, counts=True) if is_governance_staff(request.user) else []
    context = {**context, "gov_tab": tab, "gov_tabs": tabs}
    return render(request, f"portal/governance/{template}", context, status=status)


@dataclass(frozen=True)
class Clock:
    """What a case page shows about the time limit."""

    due_at: object
    remaining_seconds: int | None
    paused: bool
    warning: str
    css: str
    label: str


def clock_for(case, now=None) -> Clock:
    """The due time, the remaining working time and the warning colour of a case."""
    now = now or timezone.now()
    remaining = None
    if case.due_at and case.status in (CaseStatus.DISPATCHED, CaseStatus.DEFERRED):
        remaining = int(gov_clock.remaining(case, now=now).total_seconds())
    warning = case.warning or WarningLevel.NONE
    if remaining is not None and remaining < 0:
        warning = WarningLevel.RED
    css = {"red": "bg-red-lt", "yellow": "bg-yellow-lt"}.get(warning, "bg-green-lt")
    if remaining is not None:
        label = duration_label(remaining)
    elif case.status in (CaseStatus.HANDLED, CaseStatus.CLOSED) and case.due_at:
        # The clock stopped at the report back: say whether it was in time.
        late = case.handled_at is not None and case.handled_at > case.due_at
        label = _("Reported back late") if late else _("Reported back in time")
        css = "bg-red-lt" if late else "bg-green-lt"
    else:
        label = ""
    return Clock(
        due_at=case.due_at,
        remaining_seconds=remaining,
        paused=case.paused_at is not None,
        warning=warning,
        css=css,
        label=label,
    )


def duration_label(seconds: int) -> str:
    """A working-time span in words: "3 h 20 min left" or "overdue by 1 h 5 min"."""
    overdue = seconds < 0
    seconds = abs(seconds)
    hours, rest = divmod(seconds // 60, 60)
    if hours >= 8:
        # 8 working hours make a working day in the office hours of the clock.
        days, hours = divmod(hours, 8)
        span = _("%(days)d wd %(hours)d h") % {"days": days, "hours": hours}
    elif hours:
        span = _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    else:
        span = _("%(minutes)d min") % {"minutes": rest}
    if overdue:
        return _("overdue by %(span)s") % {"span": span}
    return _("%(span)s left") % {"span": span}


STATUS_BADGE = {
    CaseStatus.REPORTED: "bg-azure-lt",
    CaseStatus.PENDING_DISPATCH: "bg-orange-lt",
    CaseStatus.DISPATCHED: "bg-blue-lt",
    CaseStatus.DEFERRED: "bg-purple-lt",
    CaseStatus.HANDLED: "bg-cyan-lt",
    CaseStatus.CLOSED: "bg-green-lt",
    CaseStatus.CANCELLED: "bg-secondary-lt",
    CaseStatus.MERGED: "bg-secondary-lt",
}

# Colours of the case points on the map, by status (red/yellow warnings override).
STATUS_COLOUR = {
    CaseStatus.REPORTED: "#4299e1",
    CaseStatus.PENDING_DISPATCH: "#f76707",
    CaseStatus.DISPATCHED: "#206bc4",
    CaseStatus.DEFERRED: "#ae3ec9",
    CaseStatus.HANDLED: "#17a2b8",
    CaseStatus.CLOSED: "#2fb344",
    CaseStatus.CANCELLED: "#868e96",
    CaseStatus.MERGED: "#868e96",
}
WARNING_COLOUR = {WarningLevel.YELLOW: "#f59f00", WarningLevel.RED: "#d63939"}


# Page action → (the transition it starts, the permission it needs over the case).
ACTION_TRANSITION = {
    "dispatch": ("dispatch", Perm.DISPATCH),
    "redispatch": ("redispatch", Perm.DISPATCH),
    "cancel": ("cancel", Perm.DISPATCH),
    "merge": ("merge_main", Perm.DISPATCH),
    "accept": ("accept", Perm.HANDLE),
    "progress": ("progress", Perm.HANDLE),
    "report_back": ("report_back", Perm.HANDLE),
    "extension": ("request_extension", Perm.HANDLE),
    "deferral": ("request_deferral", Perm.HANDLE),
    "return": ("return", Perm.HANDLE),
    "verify": ("verify_pass", Perm.VERIFY),
    "revisit": ("revisit", Perm.VERIFY),
    "supervise": ("supervise", Perm.SUPERVISE),
}


def offered_actions(user, case) -> list[str]:
    """The action forms the case page shows to ``user``: the transitions the state machine
    allows from the case's status, for which the user's role and scope cover the case (the
    service checks both again when the form is sent)."""
    allowed = set(transitions.allowed_actions(case))
    covered: dict[str, bool] = {}
    actions = []
    for action, (transition, perm) in ACTION_TRANSITION.items():
        if transition not in allowed:
            continue
        if perm not in covered:
            covered[perm] = transitions.in_scope(user, perm, case)
        if not covered[perm]:
            if action == "revisit" and case.recorded_by_id == getattr(user, "pk", None):
                actions.append(action)  # the agent who took the call revisits the caller
            continue
        if action == "merge" and case.status not in (
            CaseStatus.REPORTED,
            CaseStatus.PENDING_DISPATCH,
            CaseStatus.DISPATCHED,
        ):
            continue
        if action == "accept" and case.handler_id is not None:
            continue
        if action in ("extension", "deferral") and case.paused_at is not None:
            continue
        actions.append(action)
    return actions
