"""Catalog use cases: register and describe resources, and move them through their lifecycle.

Lifecycle (one function per transition, table in ``TRANSITIONS``)::

    draft ──submit──▶ submitted ──approve──▶ published ──withdraw──▶ withdrawn
      ▲                   │                                              │
      └──────reject───────┘                    (edit, then submit) ◀─────┘

Only draft and withdrawn resources can be edited; a published resource is changed by
withdrawing it, editing it and submitting it for review again. Every edit and transition is
audited and leaves a ``ResourceRevision`` (snapshot, actor, time, comment): the timeline.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from smartgov.accounts.scope import access, has_perm, require_perm, restrict
from smartgov.catalog import search
from smartgov.catalog.models import (
    CLASS_DIGIT,
    FIELD_NAME_RE,
    RECORD_FORMATS,
    RESOURCE_CODE_RE,
    BaseResource,
    Classification,
    DataType,
    Field,
    Grade,
    MaskingRule,
    OpenType,
    PersonalKind,
    Resource,
    ResourceFormat,
    ResourceRevision,
    ResourceStatus,
    RevisionAction,
    ShareType,
    UpdateCycle,
)
from smartgov.catalog.permissions import Perm
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput, NotFound
from smartgov.core.models import Department

EDITABLE = frozenset({ResourceStatus.DRAFT, ResourceStatus.WITHDRAWN})
# transition -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    RevisionAction.SUBMIT: (EDITABLE, ResourceStatus.SUBMITTED),
    RevisionAction.APPROVE: (frozenset({ResourceStatus.SUBMITTED}), ResourceStatus.PUBLISHED),
    RevisionAction.REJECT: (frozenset({ResourceStatus.SUBMITTED}), ResourceStatus.DRAFT),
    RevisionAction.WITHDRAW: (frozenset({ResourceStatus.PUBLISHED}), ResourceStatus.WITHDRAWN),
}
RESOURCE_FIELDS = (
    "code",
    "name",
    "summary",
    "classification",
    "base_resource",
    "format",
    "share_type",
    "share_conditions",
    "share_method",
    "open_type",
    "update_cycle",
    "release_date",
)
MAX_FIELDS = 500


# --- Validation ---------------------------------------------------------------------------


def _choice(value, choices, code: str, message: str) -> str:
    if value not in choices.values:
        raise InvalidInput(code, message, detail={"value": value, "allowed": choices.values})
    return value


def check_resource_code(code: str) -> str:
    code = (code or "").strip()
    if not RESOURCE_CODE_RE.match(code):
        raise InvalidInput(
            "resource_code_format",
            "A resource code is class (1 digit), subclass (2), item (3), detail (3), a slash "
            "and a 6-digit sequence, e.g. 101001001/000001.",
            detail={"code": code},
        )
    return code


def _clean_resource(values: dict) -> dict:
    """Check one resource's metadata (all of it: edits are validated as a whole)."""
    cleaned = dict(values)
    cleaned["code"] = check_resource_code(cleaned["code"])
    cleaned["name"] = (cleaned["name"] or "").strip()
    if not cleaned["name"] or len(cleaned["name"]) > 128:
        raise InvalidInput("name_required", "A resource needs a name of 1–128 characters.")
    cleaned["summary"] = (cleaned.get("summary") or "").strip()
    _choice(
        cleaned["classification"],
        Classification,
        "unknown_classification",
        gettext_noop("Unknown classification."),
    )
    if cleaned["code"][0] != CLASS_DIGIT[cleaned["classification"]]:
        raise InvalidInput(
            "resource_code_class",
            "The first digit of the resource code must match the classification "
            "(1 base, 2 theme, 3 department resources).",
            detail={"code": cleaned["code"], "classification": cleaned["classification"]},
        )
    base = cleaned.get("base_resource") or ""
    if cleaned["classification"] == Classification.BASE:
        _choice(
            base,
            BaseResource,
            "base_resource_required",
            gettext_noop("A base resource names which of the six base resources it belongs to."),
        )
    elif base:
        raise InvalidInput("base_resource_not_allowed", "Only base resources name a base resource.")
    cleaned["base_resource"] = base
    _choice(
        cleaned["format"],
        ResourceFormat,
        "unknown_format",
        gettext_noop("Unknown resource format."),
    )
    _choice(
        cleaned["share_type"], ShareType, "unknown_share_type", gettext_noop("Unknown share type.")
    )
    _choice(cleaned["open_type"], OpenType, "unknown_open_type", gettext_noop("Unknown open type."))
    _choice(
        cleaned["update_cycle"],
        UpdateCycle,
        "unknown_update_cycle",
        gettext_noop("Unknown update cycle."),
    )
    cleaned["share_conditions"] = (cleaned.get("share_conditions") or "").strip()
    cleaned["share_method"] = (cleaned.get("share_method") or "").strip()
    if cleaned["share_type"] == ShareType.CONDITIONAL and not cleaned["share_conditions"]:
        raise InvalidInput(
            "share_conditions_required", "Conditional sharing needs its conditions stated."
        )
    return cleaned


def _clean_fields(items: list[dict]) -> list[dict]:
    """Check a resource's whole field list: names, types, enumerations, duplicates."""
    if len(items) > MAX_FIELDS:
        raise InvalidInput("too_many_fields", "A resource has at most 500 fields.")
    cleaned, seen = [], set()
    for position, item in enumerate(items):
        item = dict(item)
        name = (item.get("name") or "").strip()
        where = {"position": position, "name": name}
        if not FIELD_NAME_RE.match(name):
            raise InvalidInput(
                "field_name_format",
                "A field name starts with a lower-case letter and holds up to 63 lower-case "
                "letters, digits and underscores.",
                detail=where,
            )
        if name in seen:
            raise InvalidInput("duplicate_field", "Two fields have the same name.", detail=where)
        seen.add(name)
        label = (item.get("label") or "").strip()
        if not label or len(label) > 128:
            raise InvalidInput(
                "field_label_required", "A field needs a label of 1–128 characters.", detail=where
            )
        data_type = _choice(
            item.get("data_type"), DataType, "unknown_data_type", gettext_noop("Unknown data type.")
        )
        enum_values = item.get("enum_values") or []
        if data_type == DataType.ENUM:
            enum_values = [str(value).strip() for value in enum_values]
            if not enum_values or "" in enum_values or len(set(enum_values)) != len(enum_values):
                raise InvalidInput(
                    "enum_values_required",
                    "An enumeration field needs a list of distinct, non-empty values.",
                    detail=where,
                )
        elif enum_values:
            raise InvalidInput(
                "enum_values_not_allowed", "Only enumeration fields have values.", detail=where
            )
        max_length = item.get("max_length")
        if max_length is not None and not (1 <= int(max_length) <= 100_000):
            raise InvalidInput(
                "max_length_range", "A maximum length is between 1 and 100000.", detail=where
            )
        cleaned.append(
            {
                "position": position,
                "name": name,
                "label": label,
                "data_type": data_type,
                "max_length": max_length,
                "enum_values": enum_values,
                "required": bool(item.get("required", False)) or bool(item.get("is_key", False)),
                "is_key": bool(item.get("is_key", False)),
                "personal_kind": _choice(
                    item.get("personal_kind", PersonalKind.NONE),
                    PersonalKind,
                    "unknown_personal_kind",
                    gettext_noop("Unknown personal-data kind."),
                ),
                "grade": _choice(
                    item.get("grade", Grade.GENERAL),
                    Grade,
                    "unknown_grade",
                    gettext_noop("Unknown grade."),
                ),
                "masking": _choice(
                    item.get("masking", MaskingRule.NONE),
                    MaskingRule,
                    "unknown_masking_rule",
                    gettext_noop("Unknown masking rule."),
                ),
            }
        )
    return cleaned


# --- Helpers ------------------------------------------------------------------------------


FIELD_SNAPSHOT = (
    "position",
    "name",
    "label",
    "data_type",
    "max_length",
    "enum_values",
    "required",
    "is_key",
    "personal_kind",
    "grade",
    "masking",
)


def snapshot(resource: Resource) -> dict:
    """JSON of a resource with its fields and related resources (revisions and audit)."""
    data = audit.snapshot(resource)
    data.pop("search_name", None)
    data.pop("search_text", None)
    data["related"] = sorted(resource.related.values_list("pk", flat=True))
    data["fields"] = [
        audit.snapshot(field, fields=list(FIELD_SNAPSHOT))
        for field in resource.fields.order_by("position", "id")
    ]
    return data


def _record(
    resource: Resource, *, actor, action: str, from_status: str, comment: str = "", before=None
) -> ResourceRevision:
    """Number the change, keep its snapshot as a revision and audit it (same transaction)."""
    Resource.objects.filter(pk=resource.pk).update(revision=resource.revision + 1)
    resource.revision += 1
    after = snapshot(resource)
    revision = ResourceRevision.objects.create(
        resource=resource,
        number=resource.revision,
        action=action,
        from_status=from_status,
        to_status=resource.status,
        actor=actor,
        comment=comment,
        snapshot=after,
    )
    audit.record(
        actor=actor,
        action=f"catalog.resource.{action}",
        obj=resource,
        before=before,
        after={**after, "comment": comment} if comment else after,
    )
    return revision


def _managed(actor, resource_id: int) -> Resource:
    """The resource, locked, when the actor manages resources of its provider."""
    return access(Resource.objects.select_for_update(), actor, Perm.MANAGE_RESOURCE, pk=resource_id)


def _require_editable(resource: Resource) -> None:
    if resource.status not in EDITABLE:
        raise Conflict(
            "not_editable",
            "Only draft or withdrawn resources can be changed; withdraw a published resource "
            "first.",
            detail={"status": resource.status},
        )


def _provider(actor, provider_id: int) -> Department:
    require_perm(actor, Perm.MANAGE_RESOURCE)
    provider = restrict(
        Department.objects.filter(pk=provider_id), actor, Perm.MANAGE_RESOURCE
    ).first()
    if provider is None:
        raise NotFound(
            "provider_not_found", "No such department, or it is outside your data scope."
        )
    return provider


def _related(resource_ids, *, exclude: int | None = None) -> list[Resource]:
    ids = set(resource_ids or [])
    if exclude is not None and exclude in ids:
        raise InvalidInput("related_to_itself", "A resource cannot be related to itself.")
    found = list(Resource.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        raise InvalidInput(
            "related_not_found",
            "A related resource does not exist.",
            detail={"missing": sorted(ids - {r.pk for r in found})},
        )
    return found


def _save(resource: Resource) -> None:
    try:
        with transaction.atomic():
            resource.save()
    except IntegrityError as exc:
        raise Conflict("resource_code_exists", "Another resource has this resource code.") from exc


# --- Registering and editing --------------------------------------------------------------


@transaction.atomic
def create_resource(
    *,
    actor,
    provider_id: int,
    code: str,
    name: str,
    classification: str,
    share_type: str,
    open_type: str,
    update_cycle: str,
    summary: str = "",
    base_resource: str = "",
    format: str = ResourceFormat.TABLE,
    share_conditions: str = "",
    share_method: str = "",
    release_date: date | None = None,
    related_ids: list[int] | None = None,
    fields: list[dict] | None = None,
) -> Resource:
    """Register a draft resource for a provider department within the actor's scope."""
    provider = _provider(actor, provider_id)
    values = _clean_resource(
        {
            "code": code,
            "name": name,
            "summary": summary,
            "classification": classification,
            "base_resource": base_resource,
            "format": format,
            "share_type": share_type,
            "share_conditions": share_conditions,
            "share_method": share_method,
            "open_type": open_type,
            "update_cycle": update_cycle,
            "release_date": release_date,
        }
    )
    field_values = _clean_fields(fields or [])
    related = _related(related_ids)
    resource = Resource(provider=provider, status=ResourceStatus.DRAFT, **values)
    _save(resource)
    resource.related.set(related)
    Field.objects.bulk_create(Field(resource=resource, **item) for item in field_values)
    search.index_resource(resource, resource.fields.all())
    _record(resource, actor=actor, action=RevisionAction.CREATE, from_status="")
    return resource


@transaction.atomic
def update_resource(*, actor, resource_id: int, changes: dict) -> Resource:
    """Change a draft or withdrawn resource's metadata (any of RESOURCE_FIELDS, related_ids)."""
    resource = _managed(actor, resource_id)
    _require_editable(resource)
    unknown = set(changes) - set(RESOURCE_FIELDS) - {"related_ids", "provider_id"}
    if unknown:
        raise InvalidInput(
            "unknown_attribute", "Unknown resource attribute.", detail={"unknown": sorted(unknown)}
        )
    before = snapshot(resource)
    current = {name: getattr(resource, name) for name in RESOURCE_FIELDS}
    values = _clean_resource({**current, **{k: v for k, v in changes.items() if k in current}})
    if "provider_id" in changes and changes["provider_id"] != resource.provider_id:
        resource.provider = _provider(actor, changes["provider_id"])
    for name, value in values.items():
        setattr(resource, name, value)
    _save(resource)
    if "related_ids" in changes:
        resource.related.set(_related(changes["related_ids"], exclude=resource.pk))
    search.index_resource(resource, resource.fields.all())
    _record(
        resource,
        actor=actor,
        action=RevisionAction.UPDATE,
        from_status=resource.status,
        before=before,
    )
    return resource


@transaction.atomic
def set_fields(*, actor, resource_id: int, fields: list[dict]) -> Resource:
    """Replace a draft or withdrawn resource's whole field list (order = position)."""
    resource = _managed(actor, resource_id)
    _require_editable(resource)
    before = snapshot(resource)
    field_values = _clean_fields(fields)
    resource.fields.all().delete()
    Field.objects.bulk_create(Field(resource=resource, **item) for item in field_values)
    search.index_resource(resource, resource.fields.all())
    _record(
        resource,
        actor=actor,
        action=RevisionAction.SET_FIELDS,
        from_status=resource.status,
        before=before,
    )
    return resource


# --- Lifecycle ----------------------------------------------------------------------------


def _transition(resource: Resource, *, actor, action: str, comment: str = "") -> Resource:
    sources, target = TRANSITIONS[action]
    if resource.status not in sources:
        raise Conflict(
            "invalid_transition",
            "This step is not possible in the resource's current status.",
            detail={"status": resource.status, "action": str(action)},
        )
    before = snapshot(resource)
    from_status = resource.status
    resource.status = target
    resource.save(update_fields=["status", "version", "release_date", "updated_at"])
    _record(
        resource,
        actor=actor,
        action=action,
        from_status=from_status,
        comment=comment,
        before=before,
    )
    return resource


@transaction.atomic
def submit_resource(*, actor, resource_id: int, comment: str = "") -> Resource:
    """Send a draft (or withdrawn) resource to the data bureau for review."""
    resource = _managed(actor, resource_id)
    if resource.status in EDITABLE:
        fields = list(resource.fields.all())
        if not fields:
            raise InvalidInput("fields_required", "Describe at least one field before submitting.")
        if resource.format in RECORD_FORMATS and not any(f.is_key for f in fields):
            raise InvalidInput(
                "key_field_required", "A resource that holds records needs at least one key field."
            )
    return _transition(resource, actor=actor, action=RevisionAction.SUBMIT, comment=comment)


def _reviewed(actor, resource_id: int) -> Resource:
    return access(Resource.objects.select_for_update(), actor, Perm.REVIEW_RESOURCE, pk=resource_id)


@transaction.atomic
def approve_resource(*, actor, resource_id: int, comment: str = "") -> Resource:
    """Data bureau: publish a submitted resource (its version number goes up by one)."""
    resource = _reviewed(actor, resource_id)
    if resource.status == ResourceStatus.SUBMITTED:
        resource.version += 1
        resource.release_date = resource.release_date or timezone.localdate()
    return _transition(resource, actor=actor, action=RevisionAction.APPROVE, comment=comment)


@transaction.atomic
def reject_resource(*, actor, resource_id: int, reason: str) -> Resource:
    """Data bureau: return a submitted resource to its provider with the reason."""
    resource = _reviewed(actor, resource_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason_required", "Give the reason for returning the resource.")
    return _transition(resource, actor=actor, action=RevisionAction.REJECT, comment=reason)


@transaction.atomic
def withdraw_resource(*, actor, resource_id: int, reason: str) -> Resource:
    """Take a published resource out of the catalog (data bureau, or its provider)."""
    perm = Perm.REVIEW_RESOURCE if has_perm(actor, Perm.REVIEW_RESOURCE) else Perm.MANAGE_RESOURCE
    resource = access(Resource.objects.select_for_update(), actor, perm, pk=resource_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason_required", "Give the reason for withdrawing the resource.")
    return _transition(resource, actor=actor, action=RevisionAction.WITHDRAW, comment=reason)
