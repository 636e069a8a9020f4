"""Service-item use cases: draft an item version, edit it, publish, withdraw, start a new one.

Lifecycle of one version (one function per transition)::

    draft ──publish──▶ published ──withdraw──▶ withdrawn
                           │
                           └──(a newer version is published)──▶ superseded

A published version is never edited: ``new_version`` copies it into a new draft (version + 1,
``supersedes`` pointing back); publishing that draft supersedes the old one. Applications keep
pointing at the version they were made under. Every change is audited in its transaction.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from smartgov.accounts.scope import access, require_perm, restrict
from smartgov.catalog.models import Field as CatalogField
from smartgov.catalog.models import Resource
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput, NotFound
from smartgov.core.models import Department
from smartgov.services import search
from smartgov.services.forms import check_definition
from smartgov.services.models import (
    ApplicantKind,
    FormDefinition,
    HandlingKind,
    ItemLevel,
    ItemMaterial,
    ItemStatus,
    ItemStep,
    ItemType,
    LimitUnit,
    MaterialForm,
    MaterialSource,
    MaterialType,
    OnlineLevel,
    ProofSource,
    Requirement,
    ServiceItem,
)
from smartgov.services.permissions import Perm

TEXT_FIELDS = {
    "basic_code": 32,
    "implementation_code": 64,
    "name": 128,
    "legal_basis": 20_000,
    "conditions": 20_000,
    "process": 20_000,
    "places": 5_000,
    "hours": 1_000,
    "consult_phone": 64,
    "complaint_phone": 64,
    "result_name": 128,
    "result_license_type": 32,
}
CHOICE_FIELDS = {
    "item_type": ItemType,
    "level": ItemLevel,
    "limit_unit": LimitUnit,
    "handling_kind": HandlingKind,
    "online_level": OnlineLevel,
    "applicant_kind": ApplicantKind,
}
COUNT_FIELDS = ("legal_days", "promised_days", "visits")
LIST_FIELDS = ("tags", "keywords")
ITEM_FIELDS = (
    *TEXT_FIELDS,
    *CHOICE_FIELDS,
    *COUNT_FIELDS,
    *LIST_FIELDS,
    "is_free",
    "fees",
)
# Fields a citizen must be able to read on the guide page before a version is published.
REQUIRED_TO_PUBLISH = (
    "basic_code",
    "implementation_code",
    "name",
    "legal_basis",
    "conditions",
    "process",
    "places",
    "hours",
    "consult_phone",
    "complaint_phone",
)
MAX_MATERIALS = 100
MAX_STEPS = 30
MAX_DAYS = 3650


# --- Validation ---------------------------------------------------------------------------


def _count(value, code: str, where: dict, *, nullable: bool) -> int | None:
    if value is None or value == "":
        if nullable:
            return None
        raise InvalidInput(code, "A whole number is required.", detail=where)
    if isinstance(value, bool):
        raise InvalidInput(code, "A whole number is required.", detail=where)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(code, "A whole number is required.", detail=where) from None
    if (number != value and str(number) != str(value).strip()) or not 0 <= number <= MAX_DAYS:
        raise InvalidInput(code, "A whole number between 0 and 3650 is required.", detail=where)
    return number


def _fees(items) -> list[dict]:
    if not isinstance(items, list):
        raise InvalidInput("fees_format", "Fees are a list of {name, amount, basis}.")
    cleaned = []
    for position, fee in enumerate(items):
        where = {"position": position}
        if not isinstance(fee, dict) or not str(fee.get("name") or "").strip():
            raise InvalidInput("fee_name_required", "Every fee needs a name.", detail=where)
        try:
            amount = Decimal(str(fee.get("amount")))
        except (InvalidOperation, ValueError):
            raise InvalidInput("fee_amount", "A fee amount is a number.", detail=where) from None
        if not amount.is_finite() or amount < 0:
            raise InvalidInput("fee_amount", "A fee amount is a number.", detail=where)
        cleaned.append(
            {
                "name": str(fee["name"]).strip()[:128],
                "amount": str(amount.quantize(Decimal("0.01"))),
                "basis": str(fee.get("basis") or "").strip()[:2000],
            }
        )
    return cleaned


def _clean_item(values: dict) -> dict:
    """Check an item's fields as a draft may hold them (completeness is checked on publish)."""
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise InvalidInput(
            "unknown_attribute", "Unknown item attribute.", detail={"unknown": sorted(unknown)}
        )
    cleaned: dict = {}
    for name, limit in TEXT_FIELDS.items():
        if name in values:
            text = str(values[name] or "").strip()
            if len(text) > limit:
                raise InvalidInput(
                    "text_too_long", "The text is too long.", detail={"field": name, "max": limit}
                )
            cleaned[name] = text
    for name, choices in CHOICE_FIELDS.items():
        if name in values:
            if values[name] not in choices.values:
                raise InvalidInput(
                    f"unknown_{name}",
                    "Unknown value.",
                    detail={"field": name, "value": values[name], "allowed": choices.values},
                )
            cleaned[name] = values[name]
    for name in COUNT_FIELDS:
        if name in values:
            cleaned[name] = _count(
                values[name], f"{name}_invalid", {"field": name}, nullable=name != "visits"
            )
    for name in LIST_FIELDS:
        if name in values:
            items = values[name] or []
            if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                raise InvalidInput(f"{name}_format", "A list of texts is required.")
            cleaned[name] = [v.strip()[:64] for v in items if v.strip()][:50]
    if "is_free" in values:
        cleaned["is_free"] = bool(values["is_free"])
    if "fees" in values:
        cleaned["fees"] = _fees(values["fees"] or [])
    return cleaned


def _choice(item: dict, name: str, choices, default, where: dict) -> str:
    value = item.get(name) or default
    if value not in choices.values:
        raise InvalidInput(
            f"unknown_{name}",
            "Unknown value.",
            detail={**where, "value": value, "allowed": choices.values},
        )
    return value


def _clean_materials(items) -> list[dict]:
    """Check an item's whole material list (order = position)."""
    if not isinstance(items, list) or len(items) > MAX_MATERIALS:
        raise InvalidInput("materials_format", "Materials are a list of at most 100 entries.")
    cleaned = []
    for position, item in enumerate(items):
        where = {"material": position}
        if not isinstance(item, dict):
            raise InvalidInput("materials_format", "A material is an object.", detail=where)
        name = str(item.get("name") or "").strip()
        if not name or len(name) > 200:
            raise InvalidInput(
                "material_name_required",
                "A material needs a name of 1–200 characters.",
                detail=where,
            )
        requirement = _choice(item, "requirement", Requirement, Requirement.REQUIRED, where)
        condition = str(item.get("condition") or "").strip()
        if requirement == Requirement.CONDITIONAL and not condition:
            raise InvalidInput(
                "material_condition_required",
                "A conditional material states when it is required.",
                detail=where,
            )
        proof = _choice(item, "proof_source", ProofSource, ProofSource.NONE, where)
        license_type = str(item.get("license_type_code") or "").strip()
        resource, field = None, str(item.get("resource_field") or "").strip()
        if proof == ProofSource.E_LICENSE and not license_type:
            raise InvalidInput(
                "license_type_required",
                "A material satisfied by an e-license names the e-license type code.",
                detail=where,
            )
        if proof == ProofSource.SHARED_DATA:
            resource = Resource.objects.filter(pk=item.get("resource_id")).first()
            if resource is None:
                raise InvalidInput(
                    "resource_not_found",
                    "A material satisfied by shared data names an existing catalog resource.",
                    detail=where,
                )
            if field and not CatalogField.objects.filter(resource=resource, name=field).exists():
                raise InvalidInput(
                    "resource_field_not_found",
                    "The catalog resource has no such field.",
                    detail={**where, "field": field},
                )
        copies = _count(item.get("copies", 1), "material_copies", where, nullable=False)
        cleaned.append(
            {
                "position": position,
                "name": name,
                "material_type": _choice(
                    item, "material_type", MaterialType, MaterialType.ORIGINAL, where
                ),
                "form": _choice(item, "form", MaterialForm, MaterialForm.BOTH, where),
                "requirement": requirement,
                "condition": condition,
                "source": _choice(item, "source", MaterialSource, MaterialSource.APPLICANT, where),
                "copies": copies,
                "standard": str(item.get("standard") or "").strip(),
                "proof_source": proof,
                "license_type_code": license_type if proof == ProofSource.E_LICENSE else "",
                "resource": resource,
                "resource_field": field if resource else "",
            }
        )
    return cleaned


def _clean_steps(items) -> list[dict]:
    """Check an item's whole step list (order = position)."""
    if not isinstance(items, list) or len(items) > MAX_STEPS:
        raise InvalidInput("steps_format", "Steps are a list of at most 30 entries.")
    cleaned = []
    for position, item in enumerate(items):
        where = {"step": position}
        if not isinstance(item, dict):
            raise InvalidInput("steps_format", "A step is an object.", detail=where)
        name = str(item.get("name") or "").strip()
        if not name or len(name) > 64:
            raise InvalidInput(
                "step_name_required", "A step needs a name of 1–64 characters.", detail=where
            )
        department = None
        if item.get("department_id") is not None:
            department = Department.objects.filter(pk=item["department_id"]).first()
            if department is None:
                raise InvalidInput("step_department_not_found", "No such department.", detail=where)
        cleaned.append(
            {
                "position": position,
                "name": name,
                "role": str(item.get("role") or "").strip()[:64],
                "department": department,
                "limit_days": _count(
                    item.get("limit_days", 0), "step_limit_invalid", where, nullable=False
                ),
                "parallel_group": str(item.get("parallel_group") or "").strip()[:32],
            }
        )
    return cleaned


def publication_problems(item: ServiceItem) -> list[dict]:
    """What keeps a draft from being published (empty when it can be): code and detail each."""
    problems = []
    missing = [name for name in REQUIRED_TO_PUBLISH if not getattr(item, name)]
    if missing:
        problems.append({"code": "item_incomplete", "fields": missing})
    if item.promised_days is None:
        problems.append({"code": "promised_limit_required"})
    elif item.legal_days is not None and item.promised_days > item.legal_days:
        problems.append(
            {
                "code": "promised_exceeds_legal",
                "promised_days": item.promised_days,
                "legal_days": item.legal_days,
            }
        )
    if item.promised_days is not None:
        immediate = item.handling_kind == HandlingKind.IMMEDIATE
        if immediate and item.promised_days != 0:
            problems.append({"code": "immediate_has_limit"})
        if not immediate and item.promised_days == 0:
            problems.append({"code": "promised_limit_zero"})
    if not item.is_free and not item.fees:
        problems.append({"code": "fees_required"})
    steps = list(item.steps.all())
    if not steps:
        problems.append({"code": "steps_required"})
    elif item.promised_days:
        too_long = [s.position for s in steps if s.limit_days > item.promised_days]
        if too_long:
            problems.append({"code": "step_exceeds_promised", "steps": too_long})
    if not item.materials.exists():
        problems.append({"code": "materials_required"})
    return problems


# --- Helpers ------------------------------------------------------------------------------


def snapshot(item: ServiceItem) -> dict:
    """JSON of an item version with its materials and steps (audit before/after)."""
    data = audit.snapshot(item)
    data.pop("search_name", None)
    data.pop("search_text", None)
    data["materials"] = [audit.snapshot(m) for m in item.materials.order_by("position", "id")]
    data["steps"] = [audit.snapshot(s) for s in item.steps.order_by("position", "id")]
    definition = FormDefinition.objects.filter(item=item).first()
    data["form"] = definition.fields if definition else []
    return data


def _audit(item: ServiceItem, *, actor, action: str, before=None, comment: str = "") -> None:
    after = snapshot(item)
    if comment:
        after["comment"] = comment
    audit.record(
        actor=actor, action=f"services.item.{action}", obj=item, before=before, after=after
    )


def _department(actor, department_id) -> Department:
    require_perm(actor, Perm.MANAGE_ITEMS)
    department = restrict(
        Department.objects.filter(pk=department_id), actor, Perm.MANAGE_ITEMS
    ).first()
    if department is None:
        raise NotFound(
            "department_not_found", "No such department, or it is outside your data scope."
        )
    return department


def _locked(actor, item_id: int, perm: str) -> ServiceItem:
    return access(ServiceItem.objects.select_for_update(), actor, perm, pk=item_id)


def _require_draft(item: ServiceItem) -> None:
    if item.status != ItemStatus.DRAFT:
        raise Conflict(
            "not_a_draft",
            "Only a draft can be changed; start a new version of a published item.",
            detail={"status": item.status},
        )


def _replace_materials(item: ServiceItem, materials: list[dict]) -> None:
    item.materials.all().delete()
    ItemMaterial.objects.bulk_create(ItemMaterial(item=item, **m) for m in materials)


def _replace_steps(item: ServiceItem, steps: list[dict]) -> None:
    item.steps.all().delete()
    ItemStep.objects.bulk_create(ItemStep(item=item, **s) for s in steps)


def _save(item: ServiceItem) -> None:
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise Conflict(
            "item_code_exists", "Another item version has this implementation code and version."
        ) from exc


def _level_of(department: Department) -> str:
    return {
        "province": ItemLevel.PROVINCE,
        "city": ItemLevel.CITY,
        "county": ItemLevel.DISTRICT,
        "street": ItemLevel.STREET,
        "community": ItemLevel.STREET,
    }.get(department.region.level, ItemLevel.CITY)


# --- Drafting and editing -----------------------------------------------------------------


@transaction.atomic
def create_item(
    *,
    actor,
    department_id: int,
    implementation_code: str,
    name: str,
    item_type: str,
    materials: list[dict] | None = None,
    steps: list[dict] | None = None,
    **fields,
) -> ServiceItem:
    """Draft version 1 of a new item for a department in the actor's scope."""
    department = _department(actor, department_id)
    values = _clean_item(
        {**fields, "implementation_code": implementation_code, "name": name, "item_type": item_type}
    )
    if not values["implementation_code"] or not values["name"]:
        raise InvalidInput("name_required", "An item needs an implementation code and a name.")
    if ServiceItem.objects.filter(implementation_code=values["implementation_code"]).exists():
        raise Conflict(
            "item_code_exists",
            "An item with this implementation code exists; start a new version of it instead.",
            detail={"implementation_code": values["implementation_code"]},
        )
    values.setdefault("level", _level_of(department))
    material_values = _clean_materials(materials or [])
    step_values = _clean_steps(steps or [])
    item = ServiceItem(
        department=department, version=1, status=ItemStatus.DRAFT, created_by=actor, **values
    )
    _save(item)
    _replace_materials(item, material_values)
    _replace_steps(item, step_values)
    search.index_item(item)
    _audit(item, actor=actor, action="create")
    return item


@transaction.atomic
def update_item(
    *,
    actor,
    item_id: int,
    changes: dict | None = None,
    materials: list[dict] | None = None,
    steps: list[dict] | None = None,
    form: list[dict] | None = None,
) -> ServiceItem:
    """Edit a draft: any of ITEM_FIELDS (and department_id); materials, steps and the
    application form, when given, replace what the draft had."""
    item = _locked(actor, item_id, Perm.MANAGE_ITEMS)
    _require_draft(item)
    changes = dict(changes or {})
    department_id = changes.pop("department_id", None)
    if "implementation_code" in changes and changes["implementation_code"] != (
        item.implementation_code
    ):
        raise InvalidInput(
            "code_not_editable", "The implementation code names the item across its versions."
        )
    values = _clean_item(changes)
    if "name" in values and not values["name"]:
        raise InvalidInput("name_required", "An item needs a name.")
    before = snapshot(item)
    if department_id is not None and department_id != item.department_id:
        item.department = _department(actor, department_id)
    for name, value in values.items():
        setattr(item, name, value)
    _save(item)
    if materials is not None:
        _replace_materials(item, _clean_materials(materials))
    if steps is not None:
        _replace_steps(item, _clean_steps(steps))
    if form is not None:
        FormDefinition.objects.update_or_create(
            item=item, defaults={"fields": check_definition(form)}
        )
    search.index_item(item)
    _audit(item, actor=actor, action="update", before=before)
    return item


# --- Lifecycle ----------------------------------------------------------------------------


@transaction.atomic
def publish_item(*, actor, item_id: int, comment: str = "") -> ServiceItem:
    """Publish a complete draft; the item's previously published version becomes superseded."""
    item = _locked(actor, item_id, Perm.PUBLISH_ITEMS)
    _require_draft(item)
    problems = publication_problems(item)
    if problems:
        raise InvalidInput(
            problems[0]["code"],
            "The draft cannot be published yet; see detail for what is missing or wrong.",
            detail={"problems": problems},
        )
    before = snapshot(item)
    previous = list(
        ServiceItem.objects.select_for_update()
        .filter(implementation_code=item.implementation_code, status=ItemStatus.PUBLISHED)
        .exclude(pk=item.pk)
    )
    for old in previous:
        old_before = snapshot(old)
        old.status = ItemStatus.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
        _audit(old, actor=actor, action="supersede", before=old_before)
    item.status = ItemStatus.PUBLISHED
    item.published_at = timezone.now()
    item.save(update_fields=["status", "published_at", "updated_at"])
    _audit(item, actor=actor, action="publish", before=before, comment=comment)
    return item


@transaction.atomic
def withdraw_item(*, actor, item_id: int, reason: str) -> ServiceItem:
    """Take a published version off the service hall (with the reason)."""
    item = _locked(actor, item_id, Perm.PUBLISH_ITEMS)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason_required", "Give the reason for withdrawing the item.")
    if item.status != ItemStatus.PUBLISHED:
        raise Conflict(
            "invalid_transition",
            "Only a published item can be withdrawn.",
            detail={"status": item.status},
        )
    before = snapshot(item)
    item.status = ItemStatus.WITHDRAWN
    item.save(update_fields=["status", "updated_at"])
    _audit(item, actor=actor, action="withdraw", before=before, comment=reason)
    return item


@transaction.atomic
def new_version(*, actor, item_id: int) -> ServiceItem:
    """Copy a published (or withdrawn) version into a new draft, version + 1."""
    source = _locked(actor, item_id, Perm.MANAGE_ITEMS)
    if source.status not in (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN):
        raise Conflict(
            "invalid_transition",
            "A new version starts from a published or withdrawn version.",
            detail={"status": source.status},
        )
    siblings = ServiceItem.objects.filter(implementation_code=source.implementation_code)
    if siblings.filter(status=ItemStatus.DRAFT).exists():
        raise Conflict("draft_exists", "This item already has a draft version; edit that one.")
    number = siblings.aggregate(top=Max("version"))["top"] + 1
    draft = ServiceItem(
        **{name: getattr(source, name) for name in ITEM_FIELDS},
        department=source.department,
        version=number,
        status=ItemStatus.DRAFT,
        supersedes=source,
        created_by=actor,
    )
    _save(draft)
    ItemMaterial.objects.bulk_create(
        ItemMaterial(
            item=draft,
            **{
                f.attname: getattr(m, f.attname)
                for f in ItemMaterial._meta.concrete_fields
                if f.name not in ("id", "item")
            },
        )
        for m in source.materials.all()
    )
    ItemStep.objects.bulk_create(
        ItemStep(
            item=draft,
            **{
                f.attname: getattr(s, f.attname)
                for f in ItemStep._meta.concrete_fields
                if f.name not in ("id", "item")
            },
        )
        for s in source.steps.all()
    )
    previous_form = FormDefinition.objects.filter(item=source).first()
    if previous_form is not None:
        FormDefinition.objects.create(item=draft, fields=previous_form.fields)
    search.index_item(draft)
    _audit(draft, actor=actor, action="new_version")
    return draft


def compression_ratio(item: ServiceItem) -> float | None:
    """承诺时限压缩比 = 1 − promised / legal; None when there is no legal limit."""
    return item.compression_ratio
