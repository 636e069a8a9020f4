"""Workbench to-dos of data sharing: approval steps for the provider and the data bureau,
objections for the provider (each with its working-day deadline; overdue ones come first),
and, for the consumer, decisions and answers not yet looked at."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartgov.accounts.scope import has_city_scope, has_perm
from smartgov.core.workbench import InboxItem, register_inbox_source
from smartgov.sharing import selectors
from smartgov.sharing.models import (
    AccessRequest,
    ObjectionStatus,
    RequestStatus,
    StepStage,
)
from smartgov.sharing.permissions import Perm
from smartgov.sharing.services import end_of_day

SOURCE = "sharing"
MAX_ITEMS = 200
OUTCOME_DAYS = 30  # decisions and answers stay in the inbox this long unless looked at


def _link(name: str, pk: int) -> str:
    try:
        return reverse(f"portal:{name}", args=[pk])
    except NoReverseMatch:  # the portal is not installed
        return ""


def _steps(user) -> list[InboxItem]:
    steps = selectors.decidable_steps(user)
    if has_city_scope(user, Perm.PROVIDE):
        # City-wide providers (the data bureau) are not every department's provider: they
        # get the provider steps of their own departments only, and the bureau steps.
        own = list(user.memberships.values_list("department_id", flat=True))
        steps = steps.filter(
            Q(stage=StepStage.BUREAU) | Q(stage=StepStage.PROVIDER, department_id__in=own)
        )
    items = []
    for step in steps.order_by("due_date", "id")[:MAX_ITEMS]:
        request = step.request
        bureau = step.stage == StepStage.BUREAU
        items.append(
            InboxItem(
                title=(
                    _("Approve data request %(number)s: %(resource)s for %(consumer)s")
                    % {
                        "number": request.number,
                        "resource": request.resource.name,
                        "consumer": request.consumer.name,
                    }
                ),
                source=SOURCE,
                link=_link("sharing_step", step.pk),
                deadline=end_of_day(step.due_date) if step.due_date else None,
                kind="sharing_bureau_step" if bureau else "sharing_provider_step",
                kind_label=_("Data bureau approval") if bureau else _("Data request approval"),
                created_at=step.opened_at,
            )
        )
    return items


def _objections(user) -> list[InboxItem]:
    if has_city_scope(user, Perm.PROVIDE):
        return []
    objections = (
        selectors.answerable_objections(user)
        .filter(status=ObjectionStatus.OPEN)
        .order_by("due_date", "id")[:MAX_ITEMS]
    )
    return [
        InboxItem(
            title=_("Answer data objection %(number)s: %(resource)s")
            % {"number": o.number, "resource": o.resource.name},
            source=SOURCE,
            link=_link("sharing_objection", o.pk),
            deadline=end_of_day(o.due_date),
            kind="sharing_objection",
            kind_label=_("Data objection"),
            created_at=o.created_at,
        )
        for o in objections
    ]


def _outcomes(user) -> list[InboxItem]:
    """The submitter's decided requests and the objector's answered objections, unread."""
    since = timezone.now() - timedelta(days=OUTCOME_DAYS)
    items = []
    if has_perm(user, Perm.CONSUME):
        decided = (
            AccessRequest.objects.filter(
                submitted_by=user,
                outcome_seen_at__isnull=True,
                decided_at__gte=since,
                status__in=[RequestStatus.APPROVED, RequestStatus.REJECTED],
                steps__isnull=False,  # unconditional grants were seen when submitted
            )
            .select_related("resource")
            .distinct()
        )
        for request in decided.order_by("-decided_at")[:MAX_ITEMS]:
            approved = request.status == RequestStatus.APPROVED
            items.append(
                InboxItem(
                    title=(
                        _("Data request %(number)s approved: %(resource)s")
                        if approved
                        else _("Data request %(number)s rejected: %(resource)s")
                    )
                    % {"number": request.number, "resource": request.resource.name},
                    source=SOURCE,
                    link=_link("sharing_request", request.pk),
                    kind="sharing_outcome",
                    kind_label=_("Data request decided"),
                    created_at=request.decided_at,
                )
            )
    answered = (
        selectors.visible_objections(user)
        .filter(objector=user, objector_seen_at__isnull=True, responded_at__gte=since)
        .exclude(status=ObjectionStatus.OPEN)
        .order_by("-responded_at")[:MAX_ITEMS]
    )
    for objection in answered:
        items.append(
            InboxItem(
                title=(
                    _("Objection %(number)s: the value was corrected")
                    if objection.status == ObjectionStatus.CORRECTED
                    else _("Objection %(number)s: rejected by the provider")
                )
                % {"number": objection.number},
                source=SOURCE,
                link=_link("sharing_objection", objection.pk),
                kind="sharing_objection_answer",
                kind_label=_("Objection answered"),
                created_at=objection.responded_at,
            )
        )
    return items


def pending_for(user) -> list[InboxItem]:
    """Data sharing's to-dos for ``user``."""
    if getattr(user, "kind", "") != "staff":
        return []
    if not any(has_perm(user, p) for p in Perm):
        return []
    return [*_steps(user), *_objections(user), *_outcomes(user)]


def register() -> None:
    from django.utils.translation import gettext_lazy

    register_inbox_source(SOURCE, pending_for, label=gettext_lazy("Data sharing"))
