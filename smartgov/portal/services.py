"""Presentation helpers for the pages: pagination, greetings, inbox filtering, audit diffs.

Pure presentation: no writes, no permission decisions (those belong to the service layer).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.translation import gettext as _

from smartgov.core.validators import mask_mobile

PAGE_SIZE = 20


def paginate(request, items, per_page: int = PAGE_SIZE) -> Page:
    """One page of ``items`` from ?page=, with ``page.page_range_elided`` for the partial."""
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page.page_range_elided = list(
        paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    return page


def greeting(now=None) -> str:
    """早上好 / 下午好 / 晚上好 by the hour in Asia/Shanghai."""
    hour = timezone.localtime(now or timezone.now()).hour
    if 5 <= hour < 12:
        return _("Good morning")
    if 12 <= hour < 18:
        return _("Good afternoon")
    return _("Good evening")


def masked_phone(phone: str) -> str:
    return mask_mobile(phone) if phone else ""


def is_htmx(request) -> bool:
    """A request from HTMX that wants a fragment (not a boosted full-page navigation)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


@dataclass(frozen=True)
class InboxRow:
    item: Any
    status: str


def inbox_rows(items, *, source: str = "", now=None) -> list[InboxRow]:
    """Inbox items (optionally of one source module) with their deadline status."""
    now = now or timezone.now()
    return [
        InboxRow(item=item, status=item.status(now))
        for item in items
        if not source or item.source == source
    ]


@dataclass(frozen=True)
class DiffRow:
    field: str
    before: str
    after: str
    changed: bool


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def audit_diff(before: dict | None, after: dict | None) -> list[DiffRow]:
    """Field-by-field comparison of an audit record's before and after snapshots."""
    before = before if isinstance(before, dict) else ({} if before is None else {"": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"": after})
    rows = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        rows.append(
            DiffRow(
                field=name,
                before=_shown(old) if name in before else "",
                after=_shown(new) if name in after else "",
                changed=(name in before) != (name in after) or old != new,
            )
        )
    return rows


def indent_label(node, base_depth: int = 1) -> str:
    """A tree node's name indented by depth for <select> options (full-width spaces)."""
    return "\u3000" * max(node.depth - base_depth, 0) + str(node)


def coverage_rows(status: list[dict]) -> list[dict]:
    """calendar_status() rows with ``covered`` and an entry count, whatever shape entries have."""
    rows = []
    for row in status:
        entries = row.get("entries") or 0
        rows.append(
            {
                "year": row["year"],
                "covered_by": row.get("covered_by") or "",
                "covered": bool(row.get("covered_by")),
                "entries": entries if isinstance(entries, int) else len(entries),
            }
        )
    return rows
