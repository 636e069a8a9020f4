"""One data element, one source (一数一源): the register of data elements, the one resource
field authoritative for each, and the other fields that hold copies of it (holders).

The data bureau keeps the register (``catalog.manage_elements``, city scope); data officers read
it (``catalog.view_elements``). Every change is audited and leaves an ``ElementRevision``
(snapshot with the holders, actor, time, comment): the element's timeline. Sources and holders
name fields by name, since a resource's field list is replaced as a whole when it is edited;
``element_problems`` reports a source or holder whose field has since gone or changed type.

The data store compares the holders' current values with the source (datastore/sources.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from smartgov.accounts.scope import access, has_perm, require_perm
from smartgov.catalog.models import (
    ELEMENT_CODE_RE,
    KEY_TYPES,
    DataElement,
    DataType,
    ElementAction,
    ElementRevision,
    Field,
    Resource,
    ResourceFormat,
    ResourceStatus,
    SourceHolder,
)
from smartgov.catalog.permissions import Perm
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError

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
MAX_SUGGESTIONS = 100

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


def _fields_of(resource: Resource) -> dict[str, Field]:
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
    if resource.format != ResourceFormat.TABLE:
        raise InvalidInput(
            "resource_not_a_table",
            "Only table resources store rows whose values can be compared.",
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
    fields = _fields_of(resource)
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
    fields = _fields_of(resource)
    value = _field(
        fields,
        field,
        "holder_field_not_found",
        gettext_noop("The holding resource has no such field."),
    )
    key = _key_field(fields, key_field, element.key_type)
    if value.name == key.name:
        raise InvalidInput("holder_field_is_key", "The holding field cannot be its key field.")
    source = _fields_of(element.source_resource).get(element.source_field)
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
    DataElement.objects.filter(pk=element.pk).update(revision=element.revision + 1)
    element.revision += 1
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


# --- Reads --------------------------------------------------------------------------------


def require_reader(actor) -> None:
    """The register is read by data officers and kept by the data bureau."""
    if not (has_perm(actor, Perm.VIEW_ELEMENTS) or has_perm(actor, Perm.MANAGE_ELEMENTS)):
        raise PermissionDeniedError(
            "permission_denied",
            "You do not have the permission for this action.",
            detail={"permission": str(Perm.VIEW_ELEMENTS)},
        )


def visible_elements(actor) -> QuerySet[DataElement]:
    require_reader(actor)
    return DataElement.objects.select_related("source_resource__provider")


def search_elements(
    actor,
    *,
    query: str = "",
    key_type: str | None = None,
    resource_id: int | None = None,
) -> QuerySet[DataElement]:
    """Elements whose code, name or description contains ``query``; ``resource_id`` keeps those
    the resource is authoritative for or holds copies of."""
    elements = visible_elements(actor)
    query = (query or "").strip()
    if query:
        elements = elements.filter(
            Q(code__icontains=query) | Q(name__icontains=query) | Q(description__icontains=query)
        )
    if key_type:
        elements = elements.filter(key_type=key_type)
    if resource_id is not None:
        held = SourceHolder.objects.filter(resource_id=resource_id).values("element_id")
        elements = elements.filter(Q(source_resource_id=resource_id) | Q(pk__in=held))
    return elements.order_by("code")


def get_element(actor, element_id: int) -> DataElement:
    element = (
        visible_elements(actor)
        .prefetch_related("holders__resource__provider")
        .filter(pk=element_id)
        .first()
    )
    if element is None:
        raise NotFound("not_found", "No such object, or it is outside your data scope.")
    return element


def get_element_by_code(actor, code: str) -> DataElement:
    element = visible_elements(actor).filter(code=code).first()
    if element is None:
        raise NotFound("element_not_found", "No data element has this code.")
    return element


def revisions(actor, element_id: int) -> QuerySet[ElementRevision]:
    element = get_element(actor, element_id)
    return (
        ElementRevision.objects.filter(element=element).select_related("actor").order_by("-number")
    )


@dataclass(frozen=True)
class Suggestion:
    """A field that looks like a copy of the element: same name or label, with a subject key."""

    resource: Resource
    field: str
    label: str
    data_type: str
    key_field: str
    reason: str  # "name" or "label"


def suggest_holders(actor, element_id: int) -> list[Suggestion]:
    """Fields in other resources with the source field's name or label, whose resource has a
    field of the element's key type; the admin confirms them as holders."""
    element = get_element(actor, element_id)
    source = _fields_of(element.source_resource).get(element.source_field)
    if source is None:
        return []
    taken = set(SourceHolder.objects.values_list("resource_id", "field"))
    taken |= set(DataElement.objects.values_list("source_resource_id", "source_field"))
    candidates = (
        Field.objects.filter(Q(name=source.name) | Q(label=source.label))
        .exclude(resource_id=element.source_resource_id)
        .exclude(resource__status=ResourceStatus.WITHDRAWN)
        .filter(resource__format=ResourceFormat.TABLE)
        .select_related("resource__provider")
        .order_by("resource__code", "position")
    )
    keys: dict[int, list[Field]] = {}
    for key in Field.objects.filter(
        resource_id__in=candidates.values("resource_id"), data_type=element.key_type
    ).order_by("position", "id"):
        keys.setdefault(key.resource_id, []).append(key)
    found = []
    for candidate in candidates:
        if (candidate.resource_id, candidate.name) in taken:
            continue
        if not compatible(source.data_type, candidate.data_type):
            continue
        options = [k for k in keys.get(candidate.resource_id, []) if k.name != candidate.name]
        if not options:
            continue
        # Prefer the key named like the source's, then a key field, then the first.
        options.sort(
            key=lambda k: (k.name != element.source_key_field, not k.is_key, k.position, k.pk)
        )
        found.append(
            Suggestion(
                resource=candidate.resource,
                field=candidate.name,
                label=candidate.label,
                data_type=candidate.data_type,
                key_field=options[0].name,
                reason="name" if candidate.name == source.name else "label",
            )
        )
        if len(found) >= MAX_SUGGESTIONS:
            break
    return found


def element_problems(element: DataElement, holders=None) -> dict[int | None, list[str]]:
    """What no longer fits since the element was registered, as error codes: ``None`` for
    the source, a holder's id for each holder (empty when all is well)."""
    problems: dict[int | None, list[str]] = {}
    source_fields = _fields_of(element.source_resource)
    found = []
    value = source_fields.get(element.source_field)
    key = source_fields.get(element.source_key_field)
    if element.source_resource.status == ResourceStatus.WITHDRAWN:
        found.append("resource_withdrawn")
    if value is None:
        found.append("source_field_not_found")
    if key is None:
        found.append("key_field_not_found")
    elif key.data_type != element.key_type:
        found.append("key_type_mismatch")
    elif not key.is_key or sum(f.is_key for f in source_fields.values()) != 1:
        found.append("source_key_not_unique")
    if found:
        problems[None] = found
    for holder in element.holders.all() if holders is None else holders:
        fields = _fields_of(holder.resource)
        found = []
        held = fields.get(holder.field)
        holder_key = fields.get(holder.key_field)
        if holder.resource.status == ResourceStatus.WITHDRAWN:
            found.append("resource_withdrawn")
        if held is None:
            found.append("holder_field_not_found")
        elif value is not None and not compatible(value.data_type, held.data_type):
            found.append("data_type_mismatch")
        if holder_key is None:
            found.append("key_field_not_found")
        elif holder_key.data_type != element.key_type:
            found.append("key_type_mismatch")
        if found:
            problems[holder.pk] = found
    return problems


def elements_of_resource(resource: Resource) -> dict[str, list]:
    """Elements a resource is authoritative for, and the ones whose copies it holds."""
    return {
        "authoritative": list(
            DataElement.objects.filter(source_resource=resource).order_by("code")
        ),
        "held": list(
            SourceHolder.objects.filter(resource=resource)
            .select_related("element")
            .order_by("element__code")
        ),
    }
