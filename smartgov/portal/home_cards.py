"""Cards on the citizen / enterprise home page (首页), contributed by the modules.

A module registers a card in its AppConfig.ready():

    register_home_card(HomeCard(
        code="services.my_applications",
        title=_("My applications"),
        url_name="services:my_applications",
        description=_("Follow the progress of what you applied for."),
        summary=lambda user: ngettext(...),   # optional: one short line, e.g. "2 in progress"
    ))

Cards are shown to the account kinds they name, ordered by ``order``. A failing ``summary`` is
logged and the card says the figure is unavailable, so one module cannot break the home page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from smartgov.accounts.scope import has_perm

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HomeCard:
    code: str
    title: str
    url_name: str
    description: str = ""
    kinds: tuple[str, ...] = ("citizen", "enterprise")
    permission: str | None = None
    order: int = 100
    summary: Callable[[object], str | None] | None = None


_CARDS: dict[str, HomeCard] = {}


def register_home_card(card: HomeCard) -> None:
    _CARDS[card.code] = card


def unregister_home_card(code: str) -> None:
    _CARDS.pop(code, None)


def home_cards_for(user) -> list[dict]:
    """The cards ``user`` may see, with their link and summary line resolved."""
    if not getattr(user, "is_authenticated", False):
        return []
    visible = []
    for card in sorted(_CARDS.values(), key=lambda c: (c.order, c.code)):
        if user.kind not in card.kinds:
            continue
        if card.permission is not None and not has_perm(user, card.permission):
            continue
        try:
            url = reverse(card.url_name)
        except NoReverseMatch:
            logger.warning("Home card %s links to unknown URL %s", card.code, card.url_name)
            continue
        summary, unavailable = None, False
        if card.summary is not None:
            try:
                summary = card.summary(user)
            except Exception:  # one module's failure must not break the home page
                logger.exception("Home card %s failed", card.code)
                unavailable = True
        visible.append(
            {
                "code": card.code,
                "title": card.title,
                "description": card.description,
                "url": url,
                "summary": summary,
                "unavailable": unavailable,
            }
        )
    return visible


def _register_sharing_cards() -> None:
    """我的数据异议 for citizens and enterprises: objections to their own records, and the
    providers' answers they have not read yet."""
    from django.utils.translation import gettext_lazy, ngettext

    def summary(user) -> str | None:
        from smartgov.sharing import selectors
        from smartgov.sharing.models import ObjectionStatus

        mine = selectors.visible_objections(user)
        unread = mine.exclude(status=ObjectionStatus.OPEN).filter(objector_seen_at__isnull=True)
        count = unread.count()
        if count:
            return ngettext(
                "%(count)d answer not read yet", "%(count)d answers not read yet", count
            ) % {"count": count}
        pending = mine.filter(status=ObjectionStatus.OPEN).count()
        if pending:
            return ngettext(
                "%(count)d awaiting the provider", "%(count)d awaiting the provider", pending
            ) % {"count": pending}
        return None

    register_home_card(
        HomeCard(
            code="sharing.objections",
            title=gettext_lazy("My data objections"),
            url_name="portal:sharing_objections",
            description=gettext_lazy(
                "A value about you that is wrong? Ask the department that holds it to correct it."
            ),
            order=60,
            summary=summary,
        )
    )


def _register_governance_cards() -> None:
    """我反映的问题 for citizens and enterprises: their cases, and the closed ones they have not
    rated yet."""
    from django.utils.translation import gettext_lazy, ngettext

    def summary(user) -> str | None:
        from smartgov.governance import selectors
        from smartgov.governance.models import OPEN_STATUSES, CaseStatus

        mine = selectors.my_cases(user)
        to_rate = mine.filter(status=CaseStatus.CLOSED, rating__isnull=True).count()
        if to_rate:
            return ngettext(
                "%(count)d reply waiting for your rating",
                "%(count)d replies waiting for your rating",
                to_rate,
            ) % {"count": to_rate}
        open_count = mine.filter(status__in=OPEN_STATUSES).count()
        if open_count:
            return ngettext(
                "%(count)d case being handled", "%(count)d cases being handled", open_count
            ) % {"count": open_count}
        return None

    register_home_card(
        HomeCard(
            code="governance.my_cases",
            title=gettext_lazy("My reported problems"),
            url_name="portal:governance_my_cases",
            description=gettext_lazy(
                "Report a broken streetlight, rubbish or noise, follow the handling and rate it."
            ),
            order=30,
            summary=summary,
        )
    )
