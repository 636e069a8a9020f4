"""Template helpers of the governance pages: status badges, the rating's words."""

from __future__ import annotations

from django import template

from smartgov.portal.forms_governance import RATING_CHOICES
from smartgov.portal.views.governance_common import STATUS_BADGE

register = template.Library()

_RATING = dict(RATING_CHOICES)


@register.filter
def case_badge(status: str) -> str:
    return STATUS_BADGE.get(status, "bg-secondary-lt")


@register.filter
def rating_label(level) -> str:
    try:
        return str(_RATING.get(int(level), ""))
    except (TypeError, ValueError):
        return ""


@register.filter
def score_percent(score) -> int:
    try:
        return round(float(score) * 100)
    except (TypeError, ValueError):
        return 0


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
