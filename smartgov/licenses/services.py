"""E-license services: issue, suspend, reinstate, revoke, expire, verify and log uses.

Every function takes keyword arguments and an explicit ``actor``; each runs in one transaction
and writes its audit record in it. Permission and scope checks live here.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max

from smartgov.accounts.scope import ScopeFields, has_perm, require_perm, restrict, scope_filter
from smartgov.core import audit
from smartgov.core.crypto import (
    decrypt_field,
    encrypt_field,
    sm2_generate_keypair,
    sm2_sign,
    sm3_hex,
)
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import Department
from smartgov.core.validators import (
    check_citizen_id,
    check_credit_code,
    mask_citizen_id,
)
from smartgov.licenses import identifiers
from smartgov.licenses.models import (
    HolderKind,
    IssuerKey,
    License,
    LicenseStatus,
    LicenseType,
    LicenseUse,
)
from smartgov.licenses.permissions import Perm
from smartgov.licenses.verification import (  # re-exported: callers use services.*
    CITIZEN_PURPOSE,
    ENTERPRISE_PURPOSE,
    PAYLOAD_SEPARATOR,
    REASONS,
    VERIFY_PATH,
    VerifyResult,
    _today,
    canonical_content,
    clear_verify_cache,
    find_valid_license,
    holder_index,
    qr_code,
    qr_url,
    summary,
    verify_license,
)


class _DepartmentRows:
    scope_fields = ScopeFields(department="")


def _may_act_for(actor, perm: str, department: Department) -> bool:
    condition = scope_filter(_DepartmentRows, actor, perm)
    queryset = Department.objects.filter(pk=department.pk)
    return (queryset.filter(condition) if condition is not None else queryset).exists()


def _require_department(actor, perm: str, department: Department) -> None:
    require_perm(actor, perm)
    if not _may_act_for(actor, perm, department):
        raise PermissionDeniedError(
            "department_out_of_scope",
            "You may not act for this issuing department.",
            detail={"department": department.pk},
        )


# --- Holder identity --------------------------------------------------------------------------


def _check_holder(holder_kind: str, holder_id: str) -> str:
    if not isinstance(holder_id, str) or not holder_id.strip():
        raise InvalidInput("holder_id_required", "The holder's ID is required.")
    holder_id = holder_id.strip().upper()
    if holder_kind == HolderKind.CITIZEN:
        return check_citizen_id(holder_id)
    return check_credit_code(holder_id)


def _mask_holder(holder_kind: str, holder_id: str) -> str:
    if holder_kind == HolderKind.CITIZEN:
        return mask_citizen_id(holder_id)
    return holder_id  # a credit code is public


# --- Data schema ------------------------------------------------------------------------------


def check_schema(schema: Any) -> dict:
    """A type's data schema: {"fields": [{"name", "label", "type", "required"}]}."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields", []), list):
        raise InvalidInput("schema_invalid", "The data schema must have a list of fields.")
    seen = set()
    for item in schema.get("fields", []):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise InvalidInput("schema_invalid", "Every data field needs a name.")
        if item.get("type", "string") not in ("string", "date", "number"):
            raise InvalidInput(
                "schema_invalid", "A data field's type must be string, date or number."
            )
        if item["name"] in seen:
            raise InvalidInput("schema_invalid", "Data field names must be unique.")
        seen.add(item["name"])
    return schema


def check_data(license_type: LicenseType, data: Any) -> dict:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidInput("data_invalid", "The license data must be an object.")
    fields = {item["name"]: item for item in (license_type.schema or {}).get("fields", [])}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise InvalidInput(
            "data_unknown_field", "The data has fields the type does not define.", detail=unknown
        )
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, spec in fields.items():
        value = data.get(name)
        if value is None or value == "":
            if spec.get("required"):
                errors[name] = "required"
            continue
        kind = spec.get("type", "string")
        if kind == "string" and not isinstance(value, str):
            errors[name] = "not_a_string"
        elif kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
            errors[name] = "not_a_number"
        elif kind == "date":
            try:
                date.fromisoformat(str(value))
            except ValueError:
                errors[name] = "not_a_date"
        if isinstance(value, str) and len(value) > 500:
            errors[name] = "too_long"
        clean[name] = value
    if errors:
        raise InvalidInput(
            "data_invalid", "The license data does not match its type.", detail=errors
        )
    return clean


# --- Keys -------------------------------------------------------------------------------------


def _new_key(department: Department) -> IssuerKey:
    pair = sm2_generate_keypair()
    return IssuerKey.objects.create(
        department=department,
        private_key_encrypted=encrypt_field(pair.private_key),
        public_key=pair.public_key,
        is_active=True,
    )


def active_key(department: Department) -> IssuerKey:
    """The department's active signing key, made on first use."""
    key = IssuerKey.objects.filter(department=department, is_active=True).first()
    if key is None:
        try:
            with transaction.atomic():
                key = _new_key(department)
        except IntegrityError:  # another issuer made it at the same moment
            key = IssuerKey.objects.get(department=department, is_active=True)
    return key


@transaction.atomic
def rotate_key(*, actor, department: Department) -> IssuerKey:
    """Retire the department's active key (kept for verifying) and make a new one."""
    _require_department(actor, Perm.MANAGE, department)
    IssuerKey.objects.filter(department=department, is_active=True).update(is_active=False)
    key = _new_key(department)
    audit.record(
        actor=actor,
        action="licenses.key.rotate",
        obj=key,
        after={"department": department.pk, "public_key": key.public_key},
    )
    return key


def key_fingerprint(key: IssuerKey) -> str:
    """A short fingerprint of the public key people can compare (SM3, first 16 hex digits)."""
    return sm3_hex(key.public_key.encode())[:16].upper()


def key_departments(actor):
    """The departments whose keys ``actor`` may rotate (licenses.manage in scope)."""
    condition = scope_filter(_DepartmentRows, actor, Perm.MANAGE)
    queryset = Department.objects.filter(is_active=True).order_by("code")
    return queryset.filter(condition) if condition is not None else queryset


def keys_of(department: Department) -> list[tuple[IssuerKey, int]]:
    """The department's keys, newest first, each with how many licenses it signed."""
    keys = list(IssuerKey.objects.filter(department=department).annotate(signed=Count("licenses")))
    return [(key, key.signed) for key in keys]


# --- Types ------------------------------------------------------------------------------------


@transaction.atomic
def create_license_type(
    *,
    actor,
    code: str,
    name: str,
    department: Department,
    holder_kind: str,
    validity_years: int | None = None,
    schema: dict | None = None,
) -> LicenseType:
    """Define an e-license type of a department (the department's license managers)."""
    _require_department(actor, Perm.MANAGE, department)
    code = (code or "").strip().upper()
    if not code or not code.isalnum() or not code.isascii() or len(code) > 32:
        raise InvalidInput("type_code_invalid", "The type code must be 1-32 letters or digits.")
    if not (name or "").strip():
        raise InvalidInput("name_required", "The type's name is required.")
    if holder_kind not in HolderKind.values:
        raise InvalidInput("holder_kind_invalid", "The holder kind must be citizen or enterprise.")
    if validity_years is not None and not 1 <= int(validity_years) <= 100:
        raise InvalidInput("validity_invalid", "The validity must be 1 to 100 years.")
    if LicenseType.objects.filter(code=code).exists():
        raise Conflict("type_exists", "A license type with this code already exists.")
    license_type = LicenseType.objects.create(
        code=code,
        name=name.strip(),
        department=department,
        holder_kind=holder_kind,
        validity_years=validity_years,
        schema=check_schema(schema or {"fields": []}),
    )
    audit.record(
        actor=actor,
        action="licenses.type.create",
        obj=license_type,
        after=audit.snapshot(license_type),
    )
    return license_type


# --- Canonical content and signature ------------------------------------------------------------


def issuer_code(department: Department) -> str:
    """The issuer segment: the department's credit code, else a stable ``D`` + id."""
    code = (department.code or "").strip().upper()
    if code and code.isalnum() and code.isascii():
        return code
    return f"D{department.pk:06d}"


def _sign(license: License, key: IssuerKey, holder_id: str) -> None:
    content = canonical_content(license, holder_id=holder_id)
    license.signature = sm2_sign(
        decrypt_field(key.private_key_encrypted), content, public_key=key.public_key
    )
    license.signed_content_sha = hashlib.sha256(content).hexdigest()
    license.key = key


def _years_later(day: date, years: int) -> date:
    try:
        end = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        end = day.replace(year=day.year + years, day=28)
    return end - timedelta(days=1)


# --- Issue ------------------------------------------------------------------------------------


def _get_type(license_type) -> LicenseType:
    if isinstance(license_type, LicenseType):
        return license_type
    found = LicenseType.objects.filter(code=str(license_type or "").upper()).first()
    if found is None:
        raise NotFound("license_type_not_found", "No such e-license type.")
    return found


def _parse_day(value, code: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(code, "The date must be YYYY-MM-DD.") from exc


@transaction.atomic
def issue_license(
    *,
    actor,
    license_type: LicenseType | str,
    holder_id: str,
    holder_name: str,
    data: dict | None = None,
    valid_from: date | str | None = None,
    valid_until: date | str | None = None,
    source: str = "",
) -> License:
    """Issue an e-license of ``license_type`` (object or code) to a citizen or enterprise.

    The actor needs ``licenses.issue`` over the type's department. ``valid_until`` defaults to
    ``valid_from`` + the type's validity (none: indefinite). The canonical content is signed
    with the department's active SM2 key. ``source`` names what caused it, e.g.
    ``"services:application:123"``.
    """
    license_type = _get_type(license_type)
    _require_department(actor, Perm.ISSUE, license_type.department)
    license = _issue(
        license_type=license_type,
        holder_id=holder_id,
        holder_name=holder_name,
        data=data,
        valid_from=valid_from,
        valid_until=valid_until,
        source=source,
        issued_by=actor,
    )
    audit.record(
        actor=actor, action="licenses.license.issue", obj=license, after=audit.snapshot(license)
    )
    return license


@transaction.atomic
def issue_license_on_decision(
    *,
    decided_by,
    license_type: LicenseType | str,
    holder_id: str,
    holder_name: str,
    source: str,
    decision: str,
    data: dict | None = None,
) -> License:
    """Issue the e-license that an approval decision grants (the services app's 办结).

    Trusted code only (like ``record_use``): the authority is the decision, not a
    ``licenses.issue`` permission of the person who took it — an approver whose last approval
    step grants the result need not be a license officer. The issuer is still the type's
    department and its key signs; ``source`` (e.g. ``"services:application:BJ…"``) and
    ``decision`` (what authorised it) are required and go into the audit record, which names
    ``decided_by`` as the actor.
    """
    source, decision = (source or "").strip(), (decision or "").strip()
    if not source or not decision:
        raise InvalidInput(
            "decision_required", "A license issued on a decision names its source and decision."
        )
    license_type = _get_type(license_type)
    license = _issue(
        license_type=license_type,
        holder_id=holder_id,
        holder_name=holder_name,
        data=data,
        valid_from=None,
        valid_until=None,
        source=source,
        issued_by=decided_by,
    )
    audit.record(
        actor=decided_by,
        action="licenses.license.issue_on_decision",
        obj=license,
        after={**audit.snapshot(license), "decision": decision[:500]},
    )
    return license


def _issue(
    *,
    license_type: LicenseType,
    holder_id,
    holder_name,
    data,
    valid_from,
    valid_until,
    source,
    issued_by,
) -> License:
    department = license_type.department
    if not license_type.is_active:
        raise Conflict("license_type_inactive", "This e-license type is no longer issued.")
    holder_id = _check_holder(license_type.holder_kind, holder_id)
    holder_name = (holder_name or "").strip()
    if not holder_name or len(holder_name) > 128:
        raise InvalidInput("holder_name_required", "The holder's name is required (at most 128).")
    data = check_data(license_type, data)
    start = _parse_day(valid_from, "valid_from_invalid") or _today()
    end = _parse_day(valid_until, "valid_until_invalid")
    if end is None and license_type.validity_years:
        end = _years_later(start, license_type.validity_years)
    if end is not None and end < start:
        raise InvalidInput("validity_invalid", "The license cannot end before it starts.")
    # Serials per (type, department): the type row's lock orders concurrent issuers.
    LicenseType.objects.select_for_update().filter(pk=license_type.pk).first()
    serial = (
        License.objects.filter(license_type=license_type, department=department).aggregate(
            top=Max("serial")
        )["top"]
        or 0
    ) + 1
    license = License(
        identifier=identifiers.make_identifier(
            type_code=license_type.code,
            issuer_code=issuer_code(department),
            serial=serial,
            version=1,
        ),
        license_type=license_type,
        department=department,
        serial=serial,
        version=1,
        holder_kind=license_type.holder_kind,
        holder_id_encrypted=encrypt_field(holder_id),
        holder_index=holder_index(license_type.holder_kind, holder_id),
        holder_id_masked=_mask_holder(license_type.holder_kind, holder_id),
        holder_name=holder_name,
        data=data,
        valid_from=start,
        valid_until=end,
        status=LicenseStatus.VALID,
        issued_by=issued_by if getattr(issued_by, "pk", None) else None,
        source=(source or "")[:128],
    )
    _sign(license, active_key(department), holder_id)
    license.save()
    return license


# --- Status changes ---------------------------------------------------------------------------


def _locked(actor, license: License | str) -> License:
    identifier = license.identifier if isinstance(license, License) else str(license)
    found = (
        License.objects.select_for_update()
        .select_related("license_type", "department")
        .filter(identifier=identifier)
        .first()
    )
    if found is None:
        raise NotFound("license_not_found", "No such e-license.")
    _require_department(actor, Perm.MANAGE, found.department)
    return found


def _change_status(actor, found: License, status: str, reason: str, action: str) -> License:
    before = {"status": found.status, "status_reason": found.status_reason}
    found.status = status
    found.status_reason = reason
    found.save(update_fields=["status", "status_reason", "updated_at"])
    audit.record(
        actor=actor,
        action=action,
        obj=found,
        before=before,
        after={"status": status, "status_reason": reason},
    )
    return found


def _reason(reason: str | None, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput("reason_required", "A reason is required.")
    if len(reason) > 500:
        raise InvalidInput("reason_too_long", "The reason is at most 500 characters.")
    return reason


@transaction.atomic
def suspend_license(*, actor, license: License | str, reason: str) -> License:
    """Suspend a valid license (e.g. during an investigation); reinstating restores it."""
    reason = _reason(reason, required=True)
    found = _locked(actor, license)
    if found.status != LicenseStatus.VALID:
        raise Conflict("license_not_valid", "Only a valid license can be suspended.")
    return _change_status(actor, found, LicenseStatus.SUSPENDED, reason, "licenses.license.suspend")


@transaction.atomic
def reinstate_license(*, actor, license: License | str, reason: str = "") -> License:
    reason = _reason(reason, required=False)
    found = _locked(actor, license)
    if found.status != LicenseStatus.SUSPENDED:
        raise Conflict("license_not_suspended", "Only a suspended license can be reinstated.")
    return _change_status(actor, found, LicenseStatus.VALID, reason, "licenses.license.reinstate")


@transaction.atomic
def revoke_license(*, actor, license: License | str, reason: str) -> License:
    """Revoke a license for good (a reason is required)."""
    reason = _reason(reason, required=True)
    found = _locked(actor, license)
    if found.status not in (LicenseStatus.VALID, LicenseStatus.SUSPENDED):
        raise Conflict("license_not_revocable", "Only a valid or suspended license can be revoked.")
    return _change_status(actor, found, LicenseStatus.REVOKED, reason, "licenses.license.revoke")


def expire_licenses(*, today: date | None = None) -> int:
    """Mark valid and suspended licenses whose validity ended before ``today`` as expired."""
    today = today or _today()
    count = 0
    ids = list(
        License.objects.filter(
            status__in=[LicenseStatus.VALID, LicenseStatus.SUSPENDED], valid_until__lt=today
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            found = License.objects.select_for_update().filter(pk=pk).first()
            if found is None or found.status not in (LicenseStatus.VALID, LicenseStatus.SUSPENDED):
                continue
            _change_status(
                None, found, LicenseStatus.EXPIRED, "validity ended", "licenses.license.expire"
            )
            count += 1
    return count


# --- Uses and holders -------------------------------------------------------------------------


def record_use(*, license: License, by, purpose: str, reference: str = "") -> LicenseUse:
    """Log one use of ``license`` by a department or a user (the holder sees it).

    Called by trusted code (the services app when an application relies on the license); it
    does not check permissions, but the license must be currently valid.
    """
    purpose = (purpose or "").strip()
    if not purpose or len(purpose) > 200:
        raise InvalidInput("purpose_required", "The purpose of the use is required (at most 200).")
    if len(reference or "") > 128:
        raise InvalidInput("reference_too_long", "The reference is at most 128 characters.")
    current = License.objects.filter(pk=license.pk).values_list("status", flat=True).first()
    if current != LicenseStatus.VALID:  # read fresh: the caller's object may be stale
        raise Conflict("license_not_valid", "Only a valid license can be used.")
    department = by if isinstance(by, Department) else None
    user = None if department is not None else by
    if department is None and getattr(user, "pk", None) is None:
        raise InvalidInput("use_by_required", "A use needs the department or user that used it.")
    # Checked above, written here; no savepoint: a failure of the writes undoes the caller's
    # change anyway (its transaction), and a savepoint is two more statements per use.
    with transaction.atomic(savepoint=False):
        use = LicenseUse.objects.create(
            license=license,
            department=department,
            user=user,
            purpose=purpose,
            reference=reference or "",
        )
        audit.record(
            actor=user,
            action="licenses.license.use",
            obj=license,
            after={
                "use": use.pk,
                "department": department.pk if department else None,
                "purpose": purpose,
                "reference": reference or "",
            },
        )
    return use


def user_holder_index(user) -> str | None:
    kind = getattr(user, "kind", "")
    if kind == "citizen" and user.citizen_id_index:
        return user.citizen_id_index
    if kind == "enterprise" and user.credit_code:
        return holder_index(HolderKind.ENTERPRISE, user.credit_code)
    return None


def holder_licenses(user):
    """The user's own licenses (citizen by ID, enterprise by credit code), newest first."""
    index = user_holder_index(user)
    if index is None:
        return License.objects.none()
    return License.objects.select_related("license_type", "department").filter(holder_index=index)


def get_license(*, actor, identifier: str) -> License:
    """One license for its holder or the issuing department's managers; others: not found."""
    found = (
        License.objects.select_related("license_type", "department", "key")
        .filter(identifier=identifier)
        .first()
    )
    if found is None:
        raise NotFound("license_not_found", "No such e-license.")
    if found.holder_index == user_holder_index(actor):
        return found
    if (
        has_perm(actor, Perm.MANAGE)
        and restrict(License.objects.filter(pk=found.pk), actor, Perm.MANAGE).exists()
    ):
        return found
    raise NotFound("license_not_found", "No such e-license.")


def may_manage(actor, license: License) -> bool:
    """Whether ``actor`` may suspend, reinstate or revoke ``license`` (issuing department)."""
    return (
        has_perm(actor, Perm.MANAGE)
        and restrict(License.objects.filter(pk=license.pk), actor, Perm.MANAGE).exists()
    )


def license_uses(*, actor, identifier: str):
    found = get_license(actor=actor, identifier=identifier)
    return found, found.uses.select_related("department", "user").all()


def department_licenses(actor):
    """The licenses of the departments the actor manages, newest first."""
    return restrict(
        License.objects.select_related("license_type", "department"), actor, Perm.MANAGE
    )


def issuable_types(actor):
    """The active types the actor may issue."""
    return restrict(
        LicenseType.objects.filter(is_active=True).select_related("department"), actor, Perm.ISSUE
    )


__all__ = [
    "CITIZEN_PURPOSE",
    "ENTERPRISE_PURPOSE",
    "PAYLOAD_SEPARATOR",
    "REASONS",
    "VERIFY_PATH",
    "VerifyResult",
    "canonical_content",
    "clear_verify_cache",
    "find_valid_license",
    "holder_index",
    "qr_code",
    "qr_url",
    "summary",
    "verify_license",
]
