"""The to-do inbox registry: every module contributes the work waiting for a user.

A module registers a source function in its AppConfig.ready():

    register_inbox_source("governance", pending_cases_for)

where ``pending_cases_for(user)`` returns ``InboxItem`` objects. The portal's workbench merges
the sources, sorting by deadline (overdue first). A failing source is logged and reported as
unavailable rather than breaking the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboxItem:
    title: str
    source: str  # module code, e.g. "services"
    link: str
    deadline: datetime | None = None
    kind: str = ""  # code for filtering, e.g. "approval", "case", "access_request"
    kind_label: str = ""  # the kind as shown, in the active language
    created_at: datetime | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)

    def status(self, now: datetime | None = None) -> str:
        """'overdue', 'due_soon' (within 24 h), 'open' or 'no_deadline'."""
        if self.deadline is None:
            return "no_deadline"
        now = now or timezone.now()
        if self.deadline < now:
            return "overdue"
        if (self.deadline - now).total_seconds() < 24 * 3600:
            return "due_soon"
        return "open"


InboxSource = Callable[[object], Iterable[InboxItem]]
_SOURCES: dict[str, tuple[str, InboxSource]] = {}


def register_inbox_source(code: str, source: InboxSource, *, label: str = "") -> None:
    _SOURCES[code] = (label or code, source)


def unregister_inbox_source(code: str) -> None:
    _SOURCES.pop(code, None)


def inbox_sources() -> dict[str, str]:
    return {code: label for code, (label, _) in _SOURCES.items()}


@dataclass
class Inbox:
    items: list[InboxItem]
    unavailable: list[str]

    def counts(self) -> dict[str, int]:
        result = {"overdue": 0, "due_soon": 0, "open": 0, "no_deadline": 0}
        now = timezone.now()
        for item in self.items:
            result[item.status(now)] += 1
        return result


def inbox_for(user) -> Inbox:
    """All pending work for ``user``: earliest deadline first, items without one last."""
    items: list[InboxItem] = []
    unavailable: list[str] = []
    for code, (label, source) in _SOURCES.items():
        try:
            items.extend(source(user))
        except Exception:  # one module's failure must not empty the whole inbox
            logger.exception("Inbox source %s failed", code)
            unavailable.append(str(label))
    far = datetime.max.replace(tzinfo=timezone.get_current_timezone())
    items.sort(key=lambda i: (i.deadline is None, i.deadline or far, i.title))
    return Inbox(items=items, unavailable=unavailable)
