"""Status names as people read them, per kind of object.

The models' choice labels are shared words ("Rejected", "Revoked") whose Chinese differs by
what is rejected or revoked (a delivery is 拒收, a request 已驳回; a token 已吊销, an app
已注销), so the pages name each kind's statuses with their own msgids.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

STATUS_LABELS = {
    "accessrequest": {
        "pending_provider": _("Awaiting the provider"),
        "pending_bureau": _("Awaiting the data bureau"),
        "approved": _("Approved"),
        "rejected": _("Declined"),
        "withdrawn": _("Withdrawn"),
    },
    "approvalstep": {
        "waiting": _("Not yet due"),
        "pending": _("Awaiting decision"),
        "approved": _("Agreed"),
        "rejected": _("Declined"),
        "cancelled": _("Cancelled"),
    },
    "grant": {
        "active": _("In force"),
        "revoked": _("Revoked"),
        "expired": _("Expired"),
    },
    "consumerapp": {
        "active": _("Active"),
        "revoked": _("Deregistered"),
    },
    "objection": {
        "open": _("Awaiting an answer"),
        "corrected": _("Corrected"),
        "rejected": _("Declined"),
    },
}


def status_label(kind: str, status: str) -> str:
    """The shown name of ``status`` for a model (its ``_meta.model_name``)."""
    label = STATUS_LABELS.get(kind, {}).get(str(status))
    return str(label) if label is not None else str(status)
