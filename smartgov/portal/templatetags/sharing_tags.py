"""Template helpers of the data-sharing pages: status badges and field lists by label."""

from __future__ import annotations

from django import template
from django.utils.translation import pgettext_lazy

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


# Status names as the sharing pages show them: the same English word reads differently in
# Chinese for a request (已驳回), a delivery (拒收) or a grant (已撤销), hence the contexts.
STATUS_LABELS = {
    "accessrequest": {
        "pending_provider": pgettext_lazy("sharing request status", "Awaiting the provider"),
        "pending_bureau": pgettext_lazy("sharing request status", "Awaiting the data bureau"),
        "approved": pgettext_lazy("sharing request status", "Approved"),
        "rejected": pgettext_lazy("sharing request status", "Rejected"),
        "withdrawn": pgettext_lazy("sharing request status", "Withdrawn"),
    },
    "approvalstep": {
        "waiting": pgettext_lazy("sharing step status", "Not yet due"),
        "pending": pgettext_lazy("sharing step status", "Pending"),
        "approved": pgettext_lazy("sharing step status", "Approved"),
        "rejected": pgettext_lazy("sharing step status", "Rejected"),
        "cancelled": pgettext_lazy("sharing step status", "Cancelled"),
    },
    "grant": {
        "active": pgettext_lazy("sharing grant status", "Active"),
        "revoked": pgettext_lazy("sharing grant status", "Revoked"),
        "expired": pgettext_lazy("sharing grant status", "Expired"),
    },
    "consumerapp": {
        "active": pgettext_lazy("sharing app status", "Active"),
        "revoked": pgettext_lazy("sharing app status", "Revoked"),
    },
    "objection": {
        "open": pgettext_lazy("sharing objection status", "Awaiting the provider's answer"),
        "corrected": pgettext_lazy("sharing objection status", "Corrected"),
        "rejected": pgettext_lazy("sharing objection status", "Rejected"),
    },
}


def status_label(kind: str, status: str) -> str:
    label = STATUS_LABELS.get(kind, {}).get(str(status))
    return str(label) if label is not None else str(status)


@register.filter
def sharing_status(obj) -> str:
    """The status of a request, step, grant, app or objection, named for its kind."""
    return status_label(obj._meta.model_name, obj.status)
