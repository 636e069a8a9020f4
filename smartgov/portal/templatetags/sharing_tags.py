"""Template helpers of the data-sharing pages: status badges and field lists by label."""

from __future__ import annotations

from django import template

from smartgov.sharing.labels import status_label

register = template.Library()

BADGES = {
    "active": "bg-green-lt",
    "approved": "bg-green-lt",
    "corrected": "bg-green-lt",
    "pending": "bg-yellow-lt",
    "pending_provider": "bg-yellow-lt",
    "pending_bureau": "bg-orange-lt",
    "open": "bg-yellow-lt",
    "waiting": "bg-secondary-lt",
    "rejected": "bg-red-lt",
    "revoked": "bg-red-lt",
    "expired": "bg-secondary-lt",
    "withdrawn": "bg-secondary-lt",
    "cancelled": "bg-secondary-lt",
}


@register.filter
def status_badge(status: str) -> str:
    """The badge colour of a request, step, grant, app or objection status."""
    return BADGES.get(str(status), "bg-secondary-lt")


@register.filter
def labelled(names, labels) -> str:
    """Field names shown by their labels, in order: 姓名、性别."""
    labels = labels or {}
    return "、".join(str(labels.get(name, name)) for name in names or [])


@register.filter
def sharing_status(obj) -> str:
    """The status of a request, step, grant, app or objection, named for its kind."""
    return status_label(obj._meta.model_name, obj.status)
