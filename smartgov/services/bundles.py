"""一件事 bundles: define and publish a bundle, apply once for all its items.

Lifecycle of a bundle (one function per transition)::

    draft ──publish──▶ published ──withdraw──▶ withdrawn ──publish──▶ published

Publishing checks that every item (by basic code) has a published version and that the
merged form has no field defined with two types. Applying (online or at the counter) is one
transaction: a ``BundleApplication`` (YJ + date + counter) and one submitted ``Application``
per item, each to its own department, with its part of the merged form data; every upload is
stored once and linked to every item that needs the material, e-licenses and shared records
are looked up once. If any item's application fails, nothing is created and the error lists
every problem per item. ``applications.ENDED`` moves the bundle application to completed (all
approved) or partial (all ended, not all approved).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from smartgov.accounts.scope import access, has_perm, require_perm, restrict
from smartgov.accounts.services.users import citizen_index
from smartgov.core import audit, events
from smartgov.core.errors import Conflict, InvalidInput, NotFound, SmartgovError
from smartgov.core.files import DOCUMENTS, sniff
from smartgov.core.models import Department
from smartgov.core.sequences import next_daily_number
from smartgov.core.validators import check_citizen_id, check_credit_code
from smartgov.licenses.services import find_valid_license
from smartgov.services import applications
from smartgov.services.application_models import (
    ApplicantType,
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    Channel,
    SatisfiedBy,
)
from smartgov.services.bundle_models import (
    Bundle,
    BundleApplication,
    BundleApplicationStatus,
    BundleItem,
    BundleSequence,
    BundleStatus,
)
from smartgov.services.forms import check_definition, form_of, validate_form
from smartgov.services.models import (
    ItemMaterial,
    ItemStatus,
    ProofSource,
    Requirement,
    ServiceItem,
)
from smartgov.services.permissions import Perm
from smartgov.services.shared_proofs import find_shared_record

NUMBER_PREFIX = "YJ"
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$", re.ASCII)
MAX_ITEMS = 20
MAX_TAGS = 20
MIN_ITEMS_TO_PUBLISH = 2
EDITABLE = ("name", "description", "lead_department_id", "basic_codes", "extra_fields", "tags")
ENDED = (
    ApplicationStatus.REFUSED,
    ApplicationStatus.APPROVED,
    ApplicationStatus.DENIED,
    ApplicationStatus.WITHDRAWN,
)


# --- Checking input -----------------------------------------------------------------------


def _text(value, *, code: str, limit: int, required: bool) -> str:
    text = str(value or "").strip()
    if (required and not text) or len(text) > limit:
        raise InvalidInput(code, "The text is missing or too long.", detail={"max": limit})
    return text


def _clean_codes(basic_codes) -> list[str]:
    if not isinstance(basic_codes, list) or not basic_codes or len(basic_codes) > MAX_ITEMS:
        raise InvalidInput("bundle_items_required", "A bundle names 1–20 items by basic code.")
    codes = [str(c or "").strip() for c in basic_codes]
    if any(not c or len(c) > 32 for c in codes):
        raise InvalidInput("bundle_item_code", "An item's basic code is 1–32 characters.")
    if len(set(codes)) != len(codes):
        raise InvalidInput("bundle_item_duplicate", "An item is named twice in the bundle.")
    return codes


def _clean_tags(tags) -> list[str]:
    if tags is None:
        return []
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        raise InvalidInput("tags_format", "Tags are a list of at most 20 words.")
    return [t for t in (str(t).strip()[:32] for t in tags) if t]


def _department(actor, department_id) -> Department:
    require_perm(actor, Perm.MANAGE_BUNDLES)
    department = restrict(
        Department.objects.filter(pk=department_id), actor, Perm.MANAGE_BUNDLES
    ).first()
    if department is None:
        raise NotFound(
            "department_not_found", "No such department, or it is outside your data scope."
        )
    return department


def snapshot(bundle: Bundle) -> dict:
    """JSON of a bundle with its item codes (audit before/after)."""
    data = audit.snapshot(bundle)
    data["basic_codes"] = list(bundle.entries.values_list("basic_code", flat=True))
    return data


def _replace_items(bundle: Bundle, codes: list[str]) -> None:
    bundle.entries.all().delete()
    BundleItem.objects.bulk_create(
        BundleItem(bundle=bundle, basic_code=code, position=position)
        for position, code in enumerate(codes)
    )


# --- Items, merged form, merged materials -------------------------------------------------


def _item_for(basic_code: str, lead_department_id: int) -> ServiceItem | None:
    """The published item version with this basic code (the lead department's if several
    departments implement it)."""
    candidates = list(
        ServiceItem.objects.select_related("department")
        .filter(basic_code=basic_code, status=ItemStatus.PUBLISHED)
        .order_by("implementation_code")
    )
    own = [i for i in candidates if i.department_id == lead_department_id]
    return (own or candidates or [None])[0]


def bundle_items(bundle: Bundle) -> tuple[list[ServiceItem], list[str]]:
    """The bundle's current published items in order, and the basic codes that have none."""
    items, missing = [], []
    for code in bundle.entries.values_list("basic_code", flat=True):
        item = _item_for(code, bundle.lead_department_id)
        if item is None:
            missing.append(code)
        else:
            items.append(item)
    return items, missing


def _merge_field(merged: dict, extra: dict) -> None:
    merged["required"] = merged.get("required", False) or bool(extra.get("required"))
    if merged["type"] == "choice":
        values = {c["value"] for c in merged["choices"]}
        merged["choices"] = merged["choices"] + [
            c for c in extra.get("choices", []) if c["value"] not in values
        ]


def _field_shape(definition: dict) -> tuple:
    return (definition["type"], bool(definition.get("multiple")))


def _merge(bundle: Bundle, items: list[ServiceItem]) -> tuple[list[dict], list[dict]]:
    """The merged form (fields by name, each saying which items ask for it) and conflicts."""
    merged: dict[str, dict] = {}
    shapes: dict[str, list[dict]] = {}
    sources = [(item.basic_code, item.name, form_of(item)) for item in items]
    sources.append(("", "", bundle.extra_fields or []))
    for basic_code, item_name, fields in sources:
        for definition in fields:
            name = definition["name"]
            shapes.setdefault(name, []).append(
                {"basic_code": basic_code, "item": item_name, "type": definition["type"]}
                | ({"multiple": True} if definition.get("multiple") else {})
            )
            if name not in merged:
                merged[name] = {**definition, "items": [basic_code] if basic_code else []}
                continue
            if _field_shape(merged[name]) != _field_shape(definition):
                continue
            _merge_field(merged[name], definition)
            if basic_code:
                merged[name]["items"].append(basic_code)
    conflicts = [
        {"name": name, "definitions": uses}
        for name, uses in shapes.items()
        if len({(u["type"], u.get("multiple", False)) for u in uses}) > 1
    ]
    return list(merged.values()), conflicts


def merged_form(bundle: Bundle) -> list[dict]:
    """The bundle's one form: the items' fields merged by name, then the bundle's own."""
    items, _missing = bundle_items(bundle)
    return _merge(bundle, items)[0]


def form_conflicts(bundle: Bundle) -> list[dict]:
    """Fields that two items (or the bundle) define with different types."""
    items, _missing = bundle_items(bundle)
    return _merge(bundle, items)[1]


def _normal_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "").lower()
    return re.sub(r"[\W_]+", "", text)


@dataclass
class _Group:
    """One distinct material of the bundle and the item materials it stands for."""

    key: str
    members: list[tuple[ServiceItem, ItemMaterial]] = field(default_factory=list)

    @property
    def license_type_code(self) -> str:
        return next(
            (
                m.license_type_code
                for _i, m in self.members
                if m.proof_source == ProofSource.E_LICENSE
            ),
            "",
        )

    @property
    def shared(self) -> list[tuple[ServiceItem, ItemMaterial]]:
        return [(i, m) for i, m in self.members if m.proof_source == ProofSource.SHARED_DATA]


def _material_keys(material: ItemMaterial) -> list[str]:
    keys = []
    if material.proof_source == ProofSource.E_LICENSE and material.license_type_code:
        keys.append(f"license:{material.license_type_code.upper()}")
    if (
        material.proof_source == ProofSource.SHARED_DATA
        and material.resource_id
        and material.resource_field
    ):
        keys.append(f"shared:{material.resource_id}.{material.resource_field}")
    keys.append(f"name:{_normal_name(material.name)}")
    return keys


def _groups(items: list[ServiceItem]) -> list[_Group]:
    """Item materials grouped: the same e-license type, the same shared resource and field,
    or the same normalised name make one material (transitively)."""
    members = [
        (item, material)
        for item in items
        for material in item.materials.select_related("resource").order_by("position", "id")
    ]
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for index, (_item, material) in enumerate(members):
        for key in _material_keys(material):
            if key in first_with:
                parent[root(index)] = root(first_with[key])
            else:
                first_with[key] = index
    grouped: dict[int, _Group] = {}
    for index, member in enumerate(members):
        group = grouped.setdefault(root(index), _Group(key=""))
        group.members.append(member)
    for group in grouped.values():
        keys = [k for _i, m in group.members for k in _material_keys(m)]
        # A stable key: the e-license type, else the shared field, else the first name.
        group.key = min(keys, key=lambda k: ("license", "shared", "name").index(k.split(":")[0]))
    return list(grouped.values())


def _find_proofs(group: _Group, *, holder_id: str, reference: str, cache: dict) -> dict:
    """Proofs the platform holds for a group: {department id or "license": proof}."""
    found = {}
    if group.license_type_code:
        key = ("license", group.license_type_code)
        if key not in cache:
            cache[key] = find_valid_license(holder_id=holder_id, type_code=group.license_type_code)
        if cache[key] is not None:
            found["license"] = cache[key]
    for item, material in group.shared:
        key = ("shared", material.resource_id, material.resource_field, item.department_id)
        if key not in cache:
            cache[key] = find_shared_record(
                material=material,
                holder_id=holder_id,
                department=item.department,
                reference=reference,
            )
        if cache[key] is not None:
            found.setdefault(item.department_id, cache[key])
    return found


def _describe(group: _Group, found: dict | None) -> dict:
    first = group.members[0][1]
    shared = group.shared
    proof = (
        ProofSource.E_LICENSE
        if group.license_type_code
        else (ProofSource.SHARED_DATA if shared else ProofSource.NONE)
    )
    entry = {
        "key": group.key,
        "name": first.name,
        "required": any(m.requirement == Requirement.REQUIRED for _i, m in group.members),
        "proof_source": proof,
        "license_type_code": group.license_type_code,
        "resource": (
            {"id": shared[0][1].resource_id, "name": shared[0][1].resource.name} if shared else None
        ),
        "resource_field": shared[0][1].resource_field if shared else "",
        "items": [
            {
                "basic_code": item.basic_code,
                "item_code": item.implementation_code,
                "item_name": item.name,
                "material_id": material.pk,
                "material_name": material.name,
                "requirement": material.requirement,
                "condition": material.condition,
            }
            for item, material in group.members
        ],
    }
    if found is not None:
        license = found.get("license")
        records = [v for k, v in found.items() if k != "license"]
        if license is not None:
            entry["found"] = {
                "kind": SatisfiedBy.E_LICENSE,
                "identifier": license.identifier,
                "name": license.license_type.name,
            }
        elif records:
            entry["found"] = {
                "kind": SatisfiedBy.SHARED_DATA,
                "reference": records[0]["reference"],
                "resource": records[0]["resource"]["name"],
            }
        else:
            entry["found"] = None
    return entry


def merged_materials(bundle: Bundle, *, holder_id: str | None = None) -> list[dict]:
    """One entry per distinct material: key, name, the items it serves, its no-proof source
    and — with ``holder_id`` — what the platform found for that applicant (``found``)."""
    items, _missing = bundle_items(bundle)
    cache: dict = {}
    out = []
    for group in _groups(items):
        found = None
        if holder_id:
            found = _find_proofs(group, holder_id=holder_id, reference=bundle.code, cache=cache)
        out.append(_describe(group, found))
    return out


# --- Bundle lifecycle (staff) -------------------------------------------------------------


def manageable_bundles(actor):
    """Bundles whose lead department is in the actor's MANAGE_BUNDLES scope."""
    require_perm(actor, Perm.MANAGE_BUNDLES)
    return restrict(
        Bundle.objects.select_related("lead_department").prefetch_related("entries"),
        actor,
        Perm.MANAGE_BUNDLES,
    )


def bundle_for_staff(actor, bundle_id: int) -> Bundle:
    return access(
        Bundle.objects.select_related("lead_department"), actor, Perm.MANAGE_BUNDLES, pk=bundle_id
    )


def _locked(actor, bundle_id: int) -> Bundle:
    return access(Bundle.objects.select_for_update(), actor, Perm.MANAGE_BUNDLES, pk=bundle_id)


@transaction.atomic
def create_bundle(
    *,
    actor,
    code: str,
    name: str,
    description: str = "",
    lead_department_id: int,
    basic_codes: list[str],
    extra_fields=None,
    tags=None,
) -> Bundle:
    """Draft a bundle led by a department in the actor's scope."""
    department = _department(actor, lead_department_id)
    code = str(code or "").strip()
    if not CODE_RE.match(code):
        raise InvalidInput(
            "bundle_code_invalid", "A bundle code is 1–32 letters, digits, '-' or '_'."
        )
    bundle = Bundle(
        code=code,
        name=_text(name, code="name_required", limit=128, required=True),
        description=_text(description, code="text_too_long", limit=5000, required=False),
        lead_department=department,
        tags=_clean_tags(tags),
        extra_fields=check_definition(extra_fields or []),
    )
    codes = _clean_codes(basic_codes)
    try:
        with transaction.atomic():
            bundle.save()
    except IntegrityError:
        raise Conflict("bundle_code_exists", "Another bundle has this code.") from None
    _replace_items(bundle, codes)
    audit.record(actor=actor, action="services.bundle.create", obj=bundle, after=snapshot(bundle))
    return bundle


@transaction.atomic
def update_bundle(*, actor, bundle_id: int, **values) -> Bundle:
    """Edit a draft or withdrawn bundle (a published one is withdrawn first)."""
    bundle = _locked(actor, bundle_id)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInput(
            "unknown_attribute", "Unknown bundle attribute.", detail={"unknown": sorted(unknown)}
        )
    if bundle.status == BundleStatus.PUBLISHED:
        raise Conflict("bundle_published", "A published bundle is withdrawn before it is changed.")
    before = snapshot(bundle)
    if "name" in values:
        bundle.name = _text(values["name"], code="name_required", limit=128, required=True)
    if "description" in values:
        bundle.description = _text(
            values["description"], code="text_too_long", limit=5000, required=False
        )
    if values.get("lead_department_id") is not None:
        bundle.lead_department = _department(actor, values["lead_department_id"])
    if "extra_fields" in values:
        bundle.extra_fields = check_definition(values["extra_fields"] or [])
    if "tags" in values:
        bundle.tags = _clean_tags(values["tags"])
    bundle.save()
    if values.get("basic_codes") is not None:
        _replace_items(bundle, _clean_codes(values["basic_codes"]))
    audit.record(
        actor=actor,
        action="services.bundle.update",
        obj=bundle,
        before=before,
        after=snapshot(bundle),
    )
    return bundle


@transaction.atomic
def delete_bundle(*, actor, bundle_id: int) -> None:
    """Delete a draft that was never published (a published one is withdrawn instead)."""
    bundle = _locked(actor, bundle_id)
    if bundle.status != BundleStatus.DRAFT or bundle.published_at is not None:
        raise Conflict(
            "bundle_not_deletable",
            "Only a draft that was never published can be deleted; withdraw it instead.",
            detail={"status": bundle.status},
        )
    before = snapshot(bundle)
    audit.record(actor=actor, action="services.bundle.delete", obj=bundle, before=before)
    bundle.delete()


def publication_problems(bundle: Bundle) -> list[dict]:
    """What keeps a bundle from being published (empty when it can be)."""
    problems = []
    items, missing = bundle_items(bundle)
    if missing:
        problems.append({"code": "bundle_item_unpublished", "basic_codes": missing})
    if len(items) + len(missing) < MIN_ITEMS_TO_PUBLISH:
        problems.append({"code": "bundle_too_small", "min_items": MIN_ITEMS_TO_PUBLISH})
    conflicts = _merge(bundle, items)[1]
    if conflicts:
        problems.append({"code": "form_conflict", "fields": conflicts})
    return problems


@transaction.atomic
def publish_bundle(*, actor, bundle_id: int) -> Bundle:
    """Publish a draft (or withdrawn) bundle once all its items are published and its merged
    form is consistent."""
    bundle = _locked(actor, bundle_id)
    if bundle.status == BundleStatus.PUBLISHED:
        raise Conflict("invalid_transition", "The bundle is published already.")
    problems = publication_problems(bundle)
    if problems:
        raise InvalidInput(
            problems[0]["code"],
            "The bundle cannot be published; see detail for every problem "
            "(fields defined with different types are listed by name).",
            detail={"problems": problems},
        )
    before = snapshot(bundle)
    bundle.status = BundleStatus.PUBLISHED
    bundle.published_at = timezone.now()
    bundle.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(
        actor=actor,
        action="services.bundle.publish",
        obj=bundle,
        before=before,
        after=snapshot(bundle),
    )
    return bundle


@transaction.atomic
def withdraw_bundle(*, actor, bundle_id: int, reason: str) -> Bundle:
    """Take a published bundle off the service hall (applications already made go on)."""
    bundle = _locked(actor, bundle_id)
    reason = _text(reason, code="reason_required", limit=2000, required=True)
    if bundle.status != BundleStatus.PUBLISHED:
        raise Conflict(
            "invalid_transition",
            "Only a published bundle can be withdrawn.",
            detail={"status": bundle.status},
        )
    before = snapshot(bundle)
    bundle.status = BundleStatus.WITHDRAWN
    bundle.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="services.bundle.withdraw",
        obj=bundle,
        before=before,
        after={**snapshot(bundle), "comment": reason},
    )
    return bundle


def published_bundles():
    return (
        Bundle.objects.filter(status=BundleStatus.PUBLISHED)
        .select_related("lead_department")
        .prefetch_related("entries")
    )


def bundle_by_code(code: str) -> Bundle:
    """The published bundle with this code."""
    bundle = published_bundles().filter(code=str(code or "")).first()
    if bundle is None:
        raise NotFound("bundle_not_found", "No published bundle has this code.")
    return bundle


# --- Applying -----------------------------------------------------------------------------


def next_bundle_number(at) -> str:
    return next_daily_number(
        BundleSequence,
        prefix=NUMBER_PREFIX,
        at=at,
        failure_message=gettext_noop("Could not number the application; please try again."),
    )


def _clean_uploads(uploads, keys: set[str]) -> dict[str, tuple[str, bytes]]:
    """``[{key, file_name, content}]`` → {key: (file name, bytes)} (checked)."""
    if not uploads:
        return {}
    if not isinstance(uploads, list):
        raise InvalidInput("upload_invalid", "Uploads are a list of {key, file_name, content}.")
    files = {}
    for position, upload in enumerate(uploads):
        if not isinstance(upload, dict):
            raise InvalidInput(
                "upload_invalid", "An upload is an object.", detail={"upload": position}
            )
        key = str(upload.get("key") or "")
        name = str(upload.get("file_name") or "").strip()[:200]
        content = upload.get("content")
        if key not in keys:
            raise InvalidInput(
                "material_unknown",
                "An upload names a material the bundle does not have.",
                detail={"upload": position, "key": key[:200]},
            )
        if (
            not name
            or not isinstance(content, bytes | bytearray)
            or not content
            or len(content) > applications.MAX_UPLOAD
        ):
            raise InvalidInput(
                "upload_invalid",
                "An upload needs a file name and 1 byte to 5 MB of content.",
                detail={"upload": position},
            )
        if sniff(bytes(content[:16]), DOCUMENTS) is None:
            raise InvalidInput(
                "upload_type",
                "Materials must be PDF or OFD documents or JPEG/PNG scans.",
                detail={"upload": position, "key": key[:200], "file_name": name},
            )
        files[key] = (name, bytes(content))
    return files


def _store_once(files: dict[str, tuple[str, bytes]]) -> dict[str, tuple[str, str]]:
    """Each upload written once: {key: (stored path, file name)}."""
    file_field = ApplicationMaterial._meta.get_field("file")
    stored = {}
    for key, (name, content) in files.items():
        path = file_field.generate_filename(None, name)
        stored[key] = (file_field.storage.save(path, ContentFile(content)), name)
    return stored


def _delete_stored(stored: dict[str, tuple[str, str]]) -> None:
    storage = ApplicationMaterial._meta.get_field("file").storage
    for path, _name in stored.values():
        storage.delete(path)


def _item_problem(item: ServiceItem, error: SmartgovError, keys: dict[int, str]) -> dict:
    detail = error.detail
    if isinstance(detail, dict) and isinstance(detail.get("materials"), list):
        detail = {
            **detail,
            "materials": [
                {**m, "key": keys.get(m.get("material_id"), "")} for m in detail["materials"]
            ],
        }
    return {
        "basic_code": item.basic_code,
        "item_code": item.implementation_code,
        "item_name": item.name,
        "department": item.department.name,
        "code": error.code,
        "message": error.message,
        "detail": detail,
    }


@dataclass
class _Applicant:
    kind: str
    name: str
    id_value: str
    account: object | None
    channel: str
    recorded_by: object | None


def _fan_out(bundle: Bundle, *, actor, applicant: _Applicant, form_data, uploads, comment=""):
    if not isinstance(form_data, dict):
        raise InvalidInput("form_data_format", "The form data is an object.")
    items, missing = bundle_items(bundle)
    if missing:
        raise Conflict(
            "bundle_item_unavailable",
            "An item of the bundle is not published at the moment; try again later.",
            detail={"basic_codes": missing},
        )
    groups = _groups(items)
    key_of = {m.pk: g.key for g in groups for _i, m in g.members}
    files = _clean_uploads(uploads, {g.key for g in groups})
    definition, _conflicts = _merge(bundle, items)
    cleaned, field_errors = validate_form(definition, form_data)
    now = timezone.now()
    number = next_bundle_number(now)
    # Proofs found once for the whole bundle; each serves the items that need the material.
    found_proofs: dict[int, dict] = {item.pk: {} for item in items}
    cache: dict = {}
    for group in groups:
        if group.key in files:
            continue
        found = _find_proofs(group, holder_id=applicant.id_value, reference=number, cache=cache)
        for item, material in group.members:
            proof = found.get("license") or found.get(item.department_id)
            found_proofs[item.pk][material.pk] = proof  # None: looked up, nothing found
    bundle_application = BundleApplication(
        number=number,
        bundle=bundle,
        applicant=applicant.account,
        applicant_type=applicant.kind,
        applicant_name=applicant.name,
        channel=applicant.channel,
        recorded_by=applicant.recorded_by,
        form_data=cleaned,
        submitted_at=now,
    )
    if applicant.kind == ApplicantType.CITIZEN:
        bundle_application.applicant_id_index = citizen_index(applicant.id_value)
    else:
        bundle_application.applicant_credit_code = applicant.id_value
    bundle_application.save(force_insert=True)
    stored = _store_once(files)
    problems = []
    try:
        for item in items:
            names = {f["name"] for f in form_of(item)}
            try:
                with transaction.atomic():
                    application = applications._new(
                        item,
                        kind=applicant.kind,
                        name=applicant.name,
                        id_value=applicant.id_value,
                        applicant=applicant.account,
                        channel=applicant.channel,
                        recorded_by=applicant.recorded_by,
                        form_data={k: v for k, v in form_data.items() if k in names},
                    )
                    application.bundle_application = bundle_application
                    application.save(update_fields=["bundle_application", "updated_at"])
                    ApplicationMaterial.objects.bulk_create(
                        ApplicationMaterial(
                            application=application,
                            material=material,
                            satisfied_by=SatisfiedBy.UPLOAD,
                            file=stored[key_of[material.pk]][0],
                            file_name=stored[key_of[material.pk]][1],
                        )
                        for material in item.materials.all()
                        if key_of[material.pk] in stored
                    )
                    applications._submit(
                        application,
                        actor=actor,
                        comment=comment,
                        found_proofs=found_proofs[item.pk],
                    )
            except SmartgovError as error:
                problems.append(_item_problem(item, error, key_of))
        detail = {"fields": field_errors, "items": problems}
        if (
            problems
            and not field_errors
            and all(p["code"] == "duplicate_application" for p in problems)
        ):
            raise Conflict(
                "duplicate_application",
                "The applicant already has open applications for the bundle's items.",
                detail=detail,
            )
        if field_errors or problems:
            raise InvalidInput(
                "bundle_application_invalid",
                "The bundle application is incomplete; nothing was submitted. See detail for "
                "every problem, per item.",
                detail=detail,
            )
    except BaseException:
        _delete_stored(stored)
        raise
    audit.record(
        actor=actor,
        action="services.bundle_application.submit",
        obj=bundle_application,
        after={
            "bundle": bundle.code,
            "channel": applicant.channel,
            "applications": list(bundle_application.applications.values_list("number", flat=True)),
            "uploads": len(stored),
        },
    )
    return bundle_application


@transaction.atomic
def apply_bundle(*, actor, code: str, form_data: dict, uploads: list | None = None):
    """Apply online for a published bundle: one application per item, all or nothing."""
    kind, name, id_value = applications._online_applicant(actor)
    bundle = bundle_by_code(code)
    return _fan_out(
        bundle,
        actor=actor,
        applicant=_Applicant(kind, name, id_value, actor, Channel.ONLINE, None),
        form_data=form_data,
        uploads=uploads,
    )


@transaction.atomic
def counter_bundle_intake(
    *,
    actor,
    code: str,
    applicant_kind: str,
    name: str,
    id_value: str,
    form_data: dict,
    uploads: list | None = None,
    comment: str = "",
):
    """前台综合受理 of a bundle: front-desk staff of the lead department's scope apply on an
    applicant's behalf."""
    require_perm(actor, Perm.INTAKE)
    bundle = bundle_by_code(code)
    if not restrict(Bundle.objects.filter(pk=bundle.pk), actor, Perm.INTAKE).exists():
        raise NotFound("bundle_not_found", "No published bundle has this code in your scope.")
    if applicant_kind == ApplicantType.CITIZEN:
        id_value = check_citizen_id(id_value)
    elif applicant_kind == ApplicantType.ENTERPRISE:
        id_value = check_credit_code(id_value)
    else:
        raise InvalidInput(
            "applicant_type_invalid",
            "The applicant is a citizen or an enterprise.",
            detail={"allowed": list(ApplicantType.values)},
        )
    name = _text(name, code="applicant_name_required", limit=128, required=True)
    account = applications.account_of(applicant_kind, id_value)
    return _fan_out(
        bundle,
        actor=actor,
        applicant=_Applicant(applicant_kind, name, id_value, account, Channel.COUNTER, actor),
        form_data=form_data,
        uploads=uploads,
        comment=comment,
    )


# --- Following the bundle application -----------------------------------------------------


def on_application_ended(*, application: Application, actor, **_payload) -> None:
    """``applications.ENDED`` handler: the bundle application completes when all its
    applications have ended (completed when all approved, else partial)."""
    if not application.bundle_application_id:
        return
    bundle_application = BundleApplication.objects.select_for_update().get(
        pk=application.bundle_application_id
    )
    statuses = dict(bundle_application.applications.values_list("pk", "status"))
    statuses[application.pk] = application.status
    before = bundle_application.status
    action = "item_ended"
    if all(status in ENDED for status in statuses.values()):
        approved = all(s == ApplicationStatus.APPROVED for s in statuses.values())
        bundle_application.status = (
            BundleApplicationStatus.COMPLETED if approved else BundleApplicationStatus.PARTIAL
        )
        bundle_application.completed_at = timezone.now()
        bundle_application.save(update_fields=["status", "completed_at"])
        action = "complete" if approved else "partial"
    audit.record(
        actor=actor,
        action=f"services.bundle_application.{action}",
        obj=bundle_application,
        before={"status": before},
        after={
            "status": bundle_application.status,
            "application": application.number,
            "application_status": application.status,
        },
    )


def subscribe() -> None:
    events.subscribe(applications.ENDED, on_application_ended)


def my_bundle_applications(user):
    if not getattr(user, "pk", None):
        return BundleApplication.objects.none()
    return BundleApplication.objects.filter(applicant=user).select_related("bundle")


def bundle_application_for(user, number: str) -> BundleApplication:
    """The applicant's own bundle application, or one in a staff member's scope (bundle
    managers, front desk or acceptance staff of the lead department)."""
    queryset = BundleApplication.objects.select_related("bundle", "bundle__lead_department")
    number = str(number or "")
    found = None
    if getattr(user, "pk", None):
        found = queryset.filter(number=number, applicant=user).first()
        for perm in (Perm.MANAGE_BUNDLES, Perm.INTAKE, Perm.ACCEPT):
            if found is None and has_perm(user, perm):
                found = restrict(queryset, user, perm).filter(number=number).first()
    if found is None:
        raise NotFound("bundle_application_not_found", "No such bundle application.")
    return found


def progress(bundle_application: BundleApplication) -> dict:
    """The bundle application and each item's application: status, department, due date."""
    rows = bundle_application.applications.select_related("item", "item__department").order_by("pk")
    entries = [
        {
            "number": a.number,
            "basic_code": a.item.basic_code,
            "item_code": a.item.implementation_code,
            "item_name": a.item.name,
            "department": a.item.department.name,
            "department_id": a.item.department_id,
            "status": a.status,
            "status_label": a.get_status_display(),
            "due_date": a.due_date,
            "completed_at": a.completed_at,
            "payment_status": a.payment_status,
            "fee_total": str(a.fee_total),
        }
        for a in rows
    ]
    ended = sum(1 for e in entries if e["status"] in ENDED)
    return {
        "number": bundle_application.number,
        "bundle": {"code": bundle_application.bundle.code, "name": bundle_application.bundle.name},
        "status": bundle_application.status,
        "status_label": bundle_application.get_status_display(),
        "channel": bundle_application.channel,
        "applicant_name": bundle_application.applicant_name,
        "submitted_at": bundle_application.submitted_at,
        "completed_at": bundle_application.completed_at,
        "total": len(entries),
        "ended": ended,
        "approved": sum(1 for e in entries if e["status"] == ApplicationStatus.APPROVED),
        "applications": entries,
    }
