"""Objections (数据异议): a consumer department, or a citizen or enterprise about its own
record, says a value is wrong; the provider corrects it (a new version of the record, stored
through the data store's delivery service) or rejects the objection with a reason, within a
working-day limit. The objector sees the answer on their pages and in their inbox.

A record is named by its key: the key field's value, or for resources with several key
fields their values joined by ``|`` in field order.
"""

# SQL here names a resource's table and key columns (catalog field names, quoted with db.q);
# every value is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from smartgov.accounts.scope import has_perm
from smartgov.catalog.models import DataType, Resource, ResourceStatus
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.workcalendar import add_working_days
from smartgov.datastore import db
from smartgov.datastore import selectors as datastore_selectors
from smartgov.datastore import services as datastore_services
from smartgov.datastore.models import Rejection
from smartgov.datastore.validation import Rejected, build_checker, output
from smartgov.sharing import selectors
from smartgov.sharing.models import (
    GrantStatus,
    Objection,
    ObjectionStatus,
    ObjectorKind,
)
from smartgov.sharing.permissions import Perm
from smartgov.sharing.services import MAX_TEXT, clean_text, create_numbered

KEY_SEPARATOR = "|"


def objection_working_days() -> int:
    return int(getattr(settings, "SHARING_OBJECTION_WORKING_DAYS", 10))


# --- Reading the record -------------------------------------------------------------------


def key_columns(table) -> list[dict]:
    return [c for c in table.schema if c["is_key"]]


def find_record(resource: Resource, record_key: str) -> dict | None:
    """The current row of ``resource`` whose key is ``record_key`` (None when there is none)."""
    table = datastore_selectors.store_table(resource)
    if table is None:
        return None
    keys = key_columns(table)
    parts = record_key.split(KEY_SEPARATOR) if len(keys) > 1 else [record_key]
    if len(parts) != len(keys):
        raise InvalidInput(
            "record_key_format",
            gettext_noop("Give the record's key values, separated by | in key-field order."),
            detail={"key_fields": [c["name"] for c in keys]},
        )
    where, params = db.as_of(None)
    for column, part in zip(keys, parts, strict=True):
        try:
            stored = build_checker({**column, "required": True})(part.strip())
        except Rejected:
            return None
        where += f" AND {db.q(column['name'])} = %s"
        params.append(stored)
    names = [c["name"] for c in table.schema]
    convert = [output(c["data_type"]) for c in table.schema]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(db.q(n) for n in names)} FROM {db.q(table.table_name)} "
            f"WHERE {where} LIMIT 1",
            params,
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip(names, (f(v) for f, v in zip(convert, row, strict=True)), strict=True))


def _shown(value) -> str:
    return "" if value is None else str(value)


# --- Raising ------------------------------------------------------------------------------


def _subject_key_field(resource: Resource, kind: str) -> str:
    wanted = DataType.CITIZEN_ID if kind == "citizen" else DataType.CREDIT_CODE
    field = resource.fields.filter(is_key=True, data_type=wanted).order_by("position").first()
    if field is None:
        raise InvalidInput(
            "not_your_record",
            gettext_noop("This resource's records are not keyed by your identity number."),
        )
    return field.name


def _subject_key(actor, resource: Resource, record_key: str) -> str:
    """A citizen or enterprise objects only about its own record (keyed by its ID)."""
    identity = actor.citizen_id if actor.kind == "citizen" else (actor.credit_code or "")
    key_field = _subject_key_field(resource, actor.kind)
    keys = list(resource.fields.filter(is_key=True).order_by("position", "id"))
    if len(keys) == 1:
        record_key = record_key or identity
        if record_key != identity:
            raise PermissionDeniedError(
                "not_your_record", gettext_noop("You can object only to your own record.")
            )
        return record_key
    parts = (record_key or "").split(KEY_SEPARATOR)
    index = [f.name for f in keys].index(key_field)
    if len(parts) != len(keys) or parts[index].strip() != identity:
        raise PermissionDeniedError(
            "not_your_record", gettext_noop("You can object only to your own record.")
        )
    return record_key


def _consumer_grant(actor, resource: Resource, field: str, department_id: int | None):
    """The active grant through which the actor's department reads the field."""
    grants = selectors.visible_grants(actor).filter(
        resource=resource,
        status=GrantStatus.ACTIVE,
        consumer__in=selectors.consumer_departments(actor),
    )
    if department_id is not None:
        grants = grants.filter(consumer_id=department_id)
    grants = list(grants)
    if not grants:
        raise PermissionDeniedError(
            "no_grant",
            gettext_noop("Your department holds no active grant on this resource."),
        )
    for grant in grants:
        if field in grant.fields:
            return grant
    raise PermissionDeniedError(
        "field_not_granted",
        gettext_noop("The field is not among the fields granted to your department."),
        detail={"field": field},
    )


@transaction.atomic
def raise_objection(
    *,
    actor,
    resource_id: int,
    field: str,
    reason: str,
    record_key: str = "",
    proposed_value: str = "",
    department_id: int | None = None,
) -> Objection:
    """Object that one field of one record is wrong; it goes to the provider."""
    kind = getattr(actor, "kind", "")
    if kind not in ("citizen", "enterprise", "staff"):
        raise PermissionDeniedError("permission_denied", "You cannot raise objections.")
    if kind == "staff" and not has_perm(actor, Perm.CONSUME):
        raise PermissionDeniedError(
            "permission_denied",
            "You do not have the permission for this action.",
            detail={"permission": str(Perm.CONSUME)},
        )
    resource = Resource.objects.select_related("provider").filter(pk=resource_id).first()
    if resource is None or resource.status != ResourceStatus.PUBLISHED:
        raise NotFound("resource_not_found", "No such published resource.")
    field = (field or "").strip()
    catalog_field = resource.fields.filter(name=field).first()
    if catalog_field is None:
        raise InvalidInput(
            "unknown_fields", "The resource has no such field.", detail={"unknown": [field]}
        )
    if catalog_field.is_key:
        raise InvalidInput(
            "key_field", gettext_noop("A key field names the record; it cannot be objected to.")
        )
    reason = clean_text(
        reason, code="reason_required", message=gettext_noop("Say why the value is wrong.")
    )
    proposed = clean_text(
        proposed_value,
        code="proposed_value_too_long",
        message=gettext_noop("A proposed value is at most 2000 characters."),
        required=False,
    )
    record_key = (record_key or "").strip()[:255]
    objector_department = None
    if kind == "staff":
        grant = _consumer_grant(actor, resource, field, department_id)
        objector_department = grant.consumer
        objector_kind = ObjectorKind.CONSUMER
        if not record_key:
            raise InvalidInput("record_key_required", gettext_noop("Give the record's key."))
    else:
        record_key = _subject_key(actor, resource, record_key)
        objector_kind = ObjectorKind.SUBJECT
    record = find_record(resource, record_key)
    if record is None:
        raise NotFound(
            "record_not_found", gettext_noop("The resource holds no record with this key.")
        )
    duplicate = Objection.objects.filter(
        resource=resource,
        record_key=record_key,
        field=field,
        objector=actor,
        status=ObjectionStatus.OPEN,
    ).exists()
    if duplicate:
        raise Conflict(
            "objection_open", gettext_noop("You already have an open objection to this value.")
        )
    objection = create_numbered(
        Objection,
        "YY",
        resource=resource,
        provider=resource.provider,
        objector_kind=objector_kind,
        objector=actor,
        objector_department=objector_department,
        record_key=record_key,
        field=field,
        current_value=_shown(record.get(field))[:MAX_TEXT],
        proposed_value=proposed,
        reason=reason,
        due_date=add_working_days(timezone.localdate(), objection_working_days()),
    )
    audit.record(
        actor=actor,
        action="sharing.objection.raise",
        obj=objection,
        after=audit.snapshot(objection),
    )
    return objection


# --- Answering ----------------------------------------------------------------------------


def _answerable(actor, objection_id: int) -> Objection:
    objection = (
        selectors.answerable_objections(actor)
        .select_for_update(of=("self",))
        .filter(pk=objection_id)
        .first()
    )
    if objection is None:
        if selectors.visible_objections(actor).filter(pk=objection_id).exists():
            raise PermissionDeniedError(
                "not_provider", gettext_noop("Only the provider department answers objections.")
            )
        raise NotFound("not_found", selectors.NOT_FOUND)
    if objection.status != ObjectionStatus.OPEN:
        raise Conflict(
            "objection_closed",
            gettext_noop("The objection has already been answered."),
            detail={"status": objection.status},
        )
    return objection


def _answer(objection: Objection, *, actor, status: str, response: str, version=None) -> None:
    objection.status = status
    objection.response = response
    objection.responded_by = actor
    objection.responded_at = timezone.now()
    objection.corrected_version = version
    objection.save()
    audit.record(
        actor=actor,
        action=f"sharing.objection.{status}",
        obj=objection,
        after={"status": status, "response": response, "corrected_version": version},
    )


@transaction.atomic
def correct_objection(
    *, actor, objection_id: int, response: str = "", value: str | None = None
) -> Objection:
    """The provider corrects the value (the proposed one unless ``value`` is given): the record
    is stored again through the data store, as a new version."""
    objection = _answerable(actor, objection_id)
    response = clean_text(
        response,
        code="response_too_long",
        message=gettext_noop("A response is at most 2000 characters."),
        required=False,
    )
    record = find_record(objection.resource, objection.record_key)
    if record is None:
        raise Conflict(
            "record_gone", gettext_noop("The record no longer exists; reject the objection.")
        )
    new_value = objection.proposed_value if value is None else str(value)
    corrected = {**record, objection.field: new_value if new_value != "" else None}
    delivery = datastore_services.push_records(
        actor=actor, resource_id=objection.resource_id, mode="upsert", records=[corrected]
    )
    if delivery.rejected:
        problem = Rejection.objects.filter(delivery=delivery).first()
        raise InvalidInput(
            "correction_rejected",
            gettext_noop("The corrected value does not pass the resource's validation."),
            detail={"code": problem.code, "reason": problem.reason} if problem else None,
        )
    if not delivery.updated:
        raise InvalidInput("value_unchanged", gettext_noop("The record already holds this value."))
    _answer(
        objection,
        actor=actor,
        status=ObjectionStatus.CORRECTED,
        response=response or gettext("The value has been corrected."),
        version=delivery.version,
    )
    return objection


@transaction.atomic
def reject_objection(*, actor, objection_id: int, reason: str) -> Objection:
    """The provider keeps the value and says why."""
    objection = _answerable(actor, objection_id)
    reason = clean_text(
        reason, code="reason_required", message=gettext_noop("Give the reason for the rejection.")
    )
    _answer(objection, actor=actor, status=ObjectionStatus.REJECTED, response=reason)
    return objection


@transaction.atomic
def mark_answer_seen(*, actor, objection_id: int) -> None:
    """The objector has read the answer: their inbox item goes away."""
    Objection.objects.filter(
        pk=objection_id, objector=actor, objector_seen_at__isnull=True
    ).exclude(status=ObjectionStatus.OPEN).update(objector_seen_at=timezone.now())
