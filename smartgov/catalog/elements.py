"""One data element, one source (一数一源): the register of data elements, the one resource
field authoritative for each, and the other fields that hold copies of it (holders).

The data bureau keeps the register (``catalog.manage_elements``, city scope); data officers read
it (``catalog.view_elements``). Every change is audited and leaves an ``ElementRevision``
(snapshot with the holders, actor, time, comment): the element's timeline. Sources and holders
name fields by name, since a resource's field list is replaced as a whole when it is edited;
``selectors.element_problems`` reports a source or holder whose field has since gone or changed
type; the register's reads are in selectors.py.

The data store compares the holders' current values with the source (datastore/sources.py).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from smartgov.accounts.scope import access, require_perm
from smartgov.catalog.models import (
    ELEMENT_CODE_RE,
    KEY_TYPES,
    DataElement,
    DataType,
    ElementAction,
    ElementRevision,
    Field,
    Resource,
    ResourceStatus,
    SourceHolder,
)
from smartgov.catalog.permissions import Perm
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput, NotFound

ELEMENT_FIELDS = (
    "code",
    "name",
    "description",
    "key_type",
    "source_resource_id",
    "source_field",
    "source_key_field",
)
HOLDER_FIELDS = ("key_field", "report_missing", "note")

# Values of these types are compared as trimmed text; any other type only with its own type.
TEXT_TYPES = frozenset(
    {
        DataType.STRING,
        DataType.ENUM,
        DataType.CITIZEN_ID,
        DataType.CREDIT_CODE,
        DataType.REGION_CODE,
        DataType.PHONE,
    }
)


def value_class(data_type: str) -> str:
    """How values of a data type are compared: ``"text"`` or the type itself."""
    return "text" if data_type in TEXT_TYPES else str(data_type)


def key_class(data_type: str) -> str:
    """How subject keys are matched: plain text keys trimmed; identifiers (citizen IDs, credit
    codes, …) as they are, since every delivery stores them in their canonical form."""
    return "text" if data_type == DataType.STRING else "identifier"


def compatible(source_type: str, holder_type: str) -> bool:
    """Whether a holder field's values can be compared with the source field's."""
    return value_class(source_type) == value_class(holder_type)


# --- Validation ---------------------------------------------------------------------------


def fields_of(resource: Resource) -> dict[str, Field]:
    """A resource's fields by name."""
    return {f.name: f for f in resource.fields.all()}


def _resource(resource_id) -> Resource:
    resource = Resource.objects.filter(pk=resource_id).first() if resource_id else None
    if resource is None:
        raise NotFound("resource_not_found", "No such data resource.")
    if resource.status == ResourceStatus.WITHDRAWN:
        raise InvalidInput(
            "resource_withdrawn",
            "The resource is withdrawn from the catalog; name a registered or published one.",
            detail={"resource_id": resource.pk},
        )
    if not resource.holds_records:
        raise InvalidInput(
            "resource_not_a_table",
            "Only resources that hold records store rows whose values can be compared.",
            detail={"resource_id": resource.pk},
        )
    return resource


def _field(fields: dict[str, Field], name: str, code: str, message: str) -> Field:
    field = fields.get((name or "").strip())
    if field is None:
        raise InvalidInput(code, message, detail={"field": name, "fields": sorted(fields)})
    return field


def _key_field(fields: dict[str, Field], name: str, key_type: str) -> Field:
    key = _field(
        fields,
        name,
        "key_field_not_found",
        gettext_noop("The resource has no such key field."),
    )
    if key.data_type != key_type:
        raise InvalidInput(
            "key_type_mismatch",
            "The key field's data type differs from the element's subject key type.",
            detail={"field": key.name, "data_type": key.data_type, "key_type": key_type},
        )
    return key


def _clean_element(values: dict) -> dict:
    cleaned = dict(values)
    cleaned["code"] = (cleaned.get("code") or "").strip()
    if not ELEMENT_CODE_RE.match(cleaned["code"]):
        raise InvalidInput(
            "element_code_format",
            "An element code starts with a lower-case letter and holds 2–64 lower-case "
            "letters, digits and underscores, e.g. citizen_name.",
            detail={"code": cleaned["code"]},
        )
    cleaned["name"] = (cleaned.get("name") or "").strip()
    if not cleaned["name"] or len(cleaned["name"]) > 128:
        raise InvalidInput("name_required", "A data element needs a name of 1–128 characters.")
    cleaned["description"] = (cleaned.get("description") or "").strip()
    if cleaned.get("key_type") not in KEY_TYPES:
        raise InvalidInput(
            "unknown_key_type",
            "The subject key type is a citizen ID, credit code, text, integer, region code or "
            "phone number.",
            detail={"value": cleaned.get("key_type"), "allowed": [str(t) for t in KEY_TYPES]},
        )
    cleaned["source_field"] = (cleaned.get("source_field") or "").strip()
    cleaned["source_key_field"] = (cleaned.get("source_key_field") or "").strip()
    return cleaned


def _check_source(values: dict, *, element_id: int | None = None) -> Resource:
    """The authoritative resource, field and key field must exist and identify one value per
    subject; the field may not be authoritative for another element nor hold a copy."""
    resource = _resource(values["source_resource_id"])
    fields = fields_of(resource)
    value = _field(
        fields,
        values["source_field"],
        "source_field_not_found",
        gettext_noop("The authoritative resource has no such field."),
    )
    key = _key_field(fields, values["source_key_field"], values["key_type"])
    if value.name == key.name:
        raise InvalidInput(
            "source_field_is_key", "The authoritative field cannot be the key field itself."
        )
    if not key.is_key or [f.name for f in fields.values() if f.is_key] != [key.name]:
        raise InvalidInput(
            "source_key_not_unique",
            "The source's key field must be the resource's only key field, so that the source "
            "holds one value per subject.",
            detail={"field": key.name},
        )
    other = (
        DataElement.objects.filter(source_resource=resource, source_field=value.name)
        .exclude(pk=element_id)
        .first()
    )
    if other is not None:
        raise Conflict(
            "field_already_authoritative",
            "This field is already the authoritative source of another data element.",
            detail={"element": other.code},
        )
    holder = SourceHolder.objects.filter(resource=resource, field=value.name).first()
    if holder is not None:
        raise Conflict(
            "field_is_a_holder",
            "This field is registered as holding a copy of a data element; it cannot be "
            "authoritative as well.",
            detail={"element_id": holder.element_id},
        )
    return resource


def _check_holder(
    element: DataElement,
    *,
    resource_id: int,
    field: str,
    key_field: str,
    holder_id: int | None = None,
) -> tuple[Resource, str, str]:
    """A holder field must exist, be comparable with the source, and hold no other element."""
    resource = _resource(resource_id)
    if resource.pk == element.source_resource_id:
        raise InvalidInput(
            "holder_is_source", "The authoritative resource cannot hold a copy of its own element."
        )
    fields = fields_of(resource)
    value = _field(
        fields,
        field,
        "holder_field_not_found",
        gettext_noop("The holding resource has no such field."),
    )
    key = _key_field(fields, key_field, element.key_type)
    if value.name == key.name:
        raise InvalidInput("holder_field_is_key", "The holding field cannot be its key field.")
    source = fields_of(element.source_resource).get(element.source_field)
    if source is not None and not compatible(source.data_type, value.data_type):
        raise InvalidInput(
            "data_type_mismatch",
            "The holding field's data type cannot be compared with the authoritative field's.",
            detail={"field": value.name, "data_type": value.data_type, "source": source.data_type},
        )
    if DataElement.objects.filter(source_resource=resource, source_field=value.name).exists():
        raise Conflict(
            "field_already_authoritative",
            "This field is already the authoritative source of another data element.",
            detail={"field": value.name},
        )
    other = (
        SourceHolder.objects.filter(resource=resource, field=value.name)
        .exclude(pk=holder_id)
        .select_related("element")
        .first()
    )
    if other is not None:
        raise Conflict(
            "field_already_held",
            "This field is already registered as holding a copy of a data element.",
            detail={"element": other.element.code},
        )
    return resource, value.name, key.name


# --- Helpers ------------------------------------------------------------------------------


def snapshot(element: DataElement) -> dict:
    """JSON of an element with its holders (revisions and audit)."""
    data = audit.snapshot(element)
    data["holders"] = [
        audit.snapshot(holder, fields=["id", "resource", "field", "key_field", "report_missing"])
        for holder in element.holders.order_by("id")
    ]
    return data


def _record(
    element: DataElement, *, actor, action: str, comment: str = "", before=None
) -> ElementRevision:
    """Number the change, keep its snapshot as a revision and audit it (same transaction)."""
    # updated_at too: a holder change makes the last comparison out of date.
    now = timezone.now()
    DataElement.objects.filter(pk=element.pk).update(revision=element.revision + 1, updated_at=now)
    element.revision += 1
    element.updated_at = now
    after = snapshot(element)
    revision = ElementRevision.objects.create(
        element=element,
        number=element.revision,
        action=action,
        actor=actor,
        comment=comment,
        snapshot=after,
    )
    audit.record(
        actor=actor,
        action=f"catalog.element.{action}",
        obj=element,
        before=before,
        after={**after, "comment": comment} if comment else after,
    )
    return revision


def _managed(actor, element_id: int) -> DataElement:
    """The element, locked, when the actor keeps the register."""
    return access(
        DataElement.objects.select_for_update().select_related("source_resource"),
        actor,
        Perm.MANAGE_ELEMENTS,
        pk=element_id,
    )


def _save(element: DataElement) -> None:
    try:
        with transaction.atomic():
            element.save()
    except IntegrityError as exc:
        raise Conflict("element_code_exists", "Another data element has this code.") from exc


# --- Registering and editing --------------------------------------------------------------


@transaction.atomic
def create_element(
    *,
    actor,
    code: str,
    name: str,
    key_type: str,
    source_resource_id: int,
    source_field: str,
    source_key_field: str,
    description: str = "",
    holders: list[dict] | None = None,
) -> DataElement:
    """Register a data element with its authoritative source (and, optionally, holders)."""
    require_perm(actor, Perm.MANAGE_ELEMENTS)
    values = _clean_element(
        {
            "code": code,
            "name": name,
            "description": description,
            "key_type": key_type,
            "source_resource_id": source_resource_id,
            "source_field": source_field,
            "source_key_field": source_key_field,
        }
    )
    if DataElement.objects.filter(code=values["code"]).exists():
        raise Conflict("element_code_exists", "Another data element has this code.")
    resource = _check_source(values)
    values.pop("source_resource_id")
    element = DataElement(source_resource=resource, **values)
    _save(element)
    for item in holders or []:
        _add_holder(element, **item)
    _record(element, actor=actor, action=ElementAction.CREATE)
    return element


@transaction.atomic
def update_element(*, actor, element_id: int, changes: dict) -> DataElement:
    """Change an element's name, description, key type or authoritative source; the holders
    must still fit the changed source."""
    element = _managed(actor, element_id)
    unknown = set(changes) - set(ELEMENT_FIELDS)
    if unknown:
        raise InvalidInput(
            "unknown_attribute",
            "Unknown data element attribute.",
            detail={"unknown": sorted(unknown)},
        )
    before = snapshot(element)
    current = {name: getattr(element, name) for name in ELEMENT_FIELDS}
    values = _clean_element({**current, **changes})
    if values["code"] != element.code and (
        DataElement.objects.filter(code=values["code"]).exclude(pk=element.pk).exists()
    ):
        raise Conflict("element_code_exists", "Another data element has this code.")
    resource = _check_source(values, element_id=element.pk)
    values.pop("source_resource_id")
    for name, value in values.items():
        setattr(element, name, value)
    element.source_resource = resource
    _save(element)
    for holder in element.holders.all():
        _check_holder(
            element,
            resource_id=holder.resource_id,
            field=holder.field,
            key_field=holder.key_field,
            holder_id=holder.pk,
        )
    _record(element, actor=actor, action=ElementAction.UPDATE, before=before)
    return element


@transaction.atomic
def delete_element(*, actor, element_id: int, reason: str = "") -> None:
    """Take an element out of the register, with its holders and their recorded conflicts
    (the audit log keeps the element's last snapshot and every conflict decision)."""
    element = _managed(actor, element_id)
    before = snapshot(element)
    audit.record(
        actor=actor,
        action="catalog.element.delete",
        obj=element,
        before=before,
        after={"comment": (reason or "").strip()} if (reason or "").strip() else None,
    )
    element.delete()


def _add_holder(
    element: DataElement,
    *,
    resource_id: int,
    field: str,
    key_field: str,
    report_missing: bool = True,
    note: str = "",
) -> SourceHolder:
    resource, field_name, key_name = _check_holder(
        element, resource_id=resource_id, field=field, key_field=key_field
    )
    note = (note or "").strip()
    if len(note) > 255:
        raise InvalidInput("note_too_long", "A remark has at most 255 characters.")
    return SourceHolder.objects.create(
        element=element,
        resource=resource,
        field=field_name,
        key_field=key_name,
        report_missing=bool(report_missing),
        note=note,
    )


@transaction.atomic
def add_holder(
    *,
    actor,
    element_id: int,
    resource_id: int,
    field: str,
    key_field: str,
    report_missing: bool = True,
    note: str = "",
) -> SourceHolder:
    """Register a field of another resource as holding a copy of the element."""
    element = _managed(actor, element_id)
    before = snapshot(element)
    holder = _add_holder(
        element,
        resource_id=resource_id,
        field=field,
        key_field=key_field,
        report_missing=report_missing,
        note=note,
    )
    _record(element, actor=actor, action=ElementAction.ADD_HOLDER, before=before)
    return holder


def _managed_holder(actor, holder_id: int) -> SourceHolder:
    holder = SourceHolder.objects.filter(pk=holder_id).only("element_id").first()
    if holder is None:
        raise NotFound("not_found", "No such object, or it is outside your data scope.")
    element = _managed(actor, holder.element_id)
    holder = SourceHolder.objects.select_related("resource").get(pk=holder_id)
    holder.element = element
    return holder


@transaction.atomic
def update_holder(*, actor, holder_id: int, changes: dict) -> SourceHolder:
    """Change a holder's key field, whether missing keys are reported, or its remark."""
    holder = _managed_holder(actor, holder_id)
    unknown = set(changes) - set(HOLDER_FIELDS)
    if unknown:
        raise InvalidInput(
            "unknown_attribute", "Unknown holder attribute.", detail={"unknown": sorted(unknown)}
        )
    element = holder.element
    before = snapshot(element)
    key_field = changes.get("key_field", holder.key_field)
    _, _, key_name = _check_holder(
        element,
        resource_id=holder.resource_id,
        field=holder.field,
        key_field=key_field,
        holder_id=holder.pk,
    )
    holder.key_field = key_name
    if "report_missing" in changes:
        holder.report_missing = bool(changes["report_missing"])
    if "note" in changes:
        note = (changes["note"] or "").strip()
        if len(note) > 255:
            raise InvalidInput("note_too_long", "A remark has at most 255 characters.")
        holder.note = note
    holder.save()
    _record(element, actor=actor, action=ElementAction.UPDATE_HOLDER, before=before)
    return holder


@transaction.atomic
def remove_holder(*, actor, holder_id: int, reason: str = "") -> DataElement:
    """Take a holder off an element; its recorded conflicts go with it."""
    holder = _managed_holder(actor, holder_id)
    element = holder.element
    before = snapshot(element)
    holder.delete()
    _record(
        element,
        actor=actor,
        action=ElementAction.REMOVE_HOLDER,
        comment=(reason or "").strip(),
        before=before,
    )
    return element
