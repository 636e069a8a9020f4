"""How stored values are shown on the pages (masked per field rule), badges and link flags
shared by the data-store pages, and the data section of the catalog detail page."""

from __future__ import annotations

from datetime import datetime
from itertools import islice

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from smartgov.accounts.scope import has_perm, restrict
from smartgov.catalog.masking import mask_value
from smartgov.catalog.models import (
    DataType,
    MaskingRule,
    Resource,
    ResourceStatus,
)
from smartgov.datastore import selectors, services
from smartgov.datastore.models import Delivery, DeliveryStatus
from smartgov.datastore.permissions import Perm

SAMPLE_ROWS = 5
RECENT_DELIVERIES = 3
STATUS_BADGE = {
    DeliveryStatus.SUCCEEDED: "bg-green-lt",
    DeliveryStatus.PARTIALLY_REJECTED: "bg-yellow-lt",
    DeliveryStatus.FAILED: "bg-red-lt",
}


class FieldMasks:
    """How a resource's stored values are shown: each column's label, and its value masked by
    the field's rule. A column no catalog field describes any more is hidden entirely."""

    def __init__(self, resource: Resource, schema: list[dict] | None = None) -> None:
        fields = list(resource.fields.all())
        self.labels = {f.name: f.label for f in fields}
        self.rules = {f.name: f.masking for f in fields}
        self.types = {f.name: f.data_type for f in fields}
        self.names = [c["name"] for c in schema] if schema else [f.name for f in fields]
        self.masked_any = any(rule != MaskingRule.NONE for rule in self.rules.values())

    def rule(self, name: str) -> str:
        return self.rules.get(name, MaskingRule.FULL)

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    def columns(self) -> list[dict]:
        return [
            {"name": n, "label": self.label(n), "masked": self.rule(n) != MaskingRule.NONE}
            for n in self.names
        ]

    def show(self, name: str, value) -> str:
        rule = self.rule(name)
        if value is None or value == "":
            return ""
        if rule == MaskingRule.NONE:
            return _plain(self.types.get(name, ""), value)
        return str(mask_value(rule, value))

    def row(self, record: dict) -> list[tuple[str, str]]:
        """(column label, shown value) for each column of a stored row."""
        return [(self.label(name), self.show(name, record.get(name))) for name in self.names]

    def rejected_value(self, field: str, value: str) -> str:
        """A rejected value, masked by its field's rule. Values that belong to no single known
        field (a ragged row, an unknown field, a composite key) are hidden whenever any field
        of the resource is masked."""
        names = field.split(",") if field else []
        if names and all(n in self.rules for n in names):
            parts = value.split(",") if len(names) > 1 else [value]
            if len(parts) == len(names):
                return ",".join(
                    str(mask_value(self.rules[n], p)) for n, p in zip(names, parts, strict=True)
                )
        return str(mask_value(MaskingRule.FULL, value)) if self.masked_any else value

    def rejected_field(self, field: str) -> str:
        if not field:
            return _("Whole row")
        if field == "_delete":
            return _("Key to delete")
        names = field.split(",")
        if all(n in self.labels for n in names):
            return "、".join(self.labels[n] for n in names)
        return _("%(name)s (not a field of the resource)") % {"name": field}


def _plain(data_type: str, value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if data_type == DataType.DATETIME and isinstance(value, str):
        try:
            return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            return value
    return str(value)


def with_badges(deliveries) -> list[Delivery]:
    deliveries = list(deliveries)
    for delivery in deliveries:
        delivery.status_badge = STATUS_BADGE.get(delivery.status, "")
    return deliveries


def can(user, perm: str, resource: Resource) -> bool:
    return (
        has_perm(user, perm)
        and restrict(Resource.objects.filter(pk=resource.pk), user, perm).exists()
    )


def upload_limit() -> int:
    return int(getattr(settings, "DATASTORE_MAX_UPLOAD_BYTES", services.DEFAULT_MAX_UPLOAD_BYTES))


def resource_tabs(user, resource: Resource) -> dict:
    """Which tabs and buttons the resource's data pages offer (the selectors decide again)."""
    return {
        "can_view_data": can(user, Perm.VIEW_DATA, resource),
        "can_deliver_here": can(user, Perm.DELIVER, resource)
        and resource.status == ResourceStatus.PUBLISHED,
    }


# --- The catalog detail page's data section -----------------------------------------------


def catalog_data_section(user, resource: Resource) -> dict | None:
    """Current version, row count, last delivery and a masked sample of a published table
    resource, for any staff member who can read its catalog entry (the caller checked that)."""
    if resource.status != ResourceStatus.PUBLISHED or not resource.holds_records:
        return None
    table = selectors.store_table(resource)
    masks = FieldMasks(resource, table.schema if table else None)
    can_view = can(user, Perm.VIEW_DATA, resource)
    section = {
        "resource": resource,
        "version": table.version if table else 0,
        "row_count": 0,
        "columns": masks.columns(),
        "sample": [],
        "last_delivery": None,
        "recent": [],
        "can_deliver": can(user, Perm.DELIVER, resource),
        "can_view": can_view,
    }
    deliveries = Delivery.objects.filter(resource=resource).select_related("actor")
    recent = with_badges(deliveries.order_by("-started_at", "-id")[:RECENT_DELIVERIES])
    section["last_delivery"] = recent[0] if recent else None
    section["recent"] = recent if can_view else []
    if table is not None and table.version:
        section["row_count"] = selectors.row_count(table)
        names = [c["name"] for c in table.schema]
        rows = islice(selectors.iter_rows(table, batch=SAMPLE_ROWS), SAMPLE_ROWS)
        section["sample"] = [masks.row(dict(zip(names, row, strict=True))) for row in rows]
    return section
