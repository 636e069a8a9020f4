"""What a 一件事 bundle is made of: its items' current published versions, the merged form
(the items' fields united by name, then the bundle's own) and the merged materials (one entry
per distinct material: the same e-license type, the same shared resource and field, or the
same normalised name make one, serving every item that asks for it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from smartgov.core.errors import NotFound
from smartgov.licenses.services import find_valid_license
from smartgov.services.application_models import SatisfiedBy
from smartgov.services.bundle_models import Bundle, BundleStatus
from smartgov.services.forms import form_of
from smartgov.services.models import (
    ItemMaterial,
    ItemStatus,
    ProofSource,
    Requirement,
    ServiceItem,
)
from smartgov.services.shared_proofs import find_shared_record


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
