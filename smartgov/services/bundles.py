"""一件事 bundles: define and publish a bundle (this module), what it is made of
(``bundle_contents``: merged form and materials), applying for it and following it
(``bundle_applications``). The public names of all three are importable from here.

Lifecycle of a bundle (one function per transition)::

    draft ──publish──▶ published ──withdraw──▶ withdrawn ──publish──▶ published

Publishing checks that every item (by basic code) has a published version and that the
merged form has no field defined with two types (the error lists such fields by name).
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from smartgov.accounts.scope import access, require_perm, restrict
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput, NotFound
from smartgov.core.models import Department
from smartgov.services.bundle_applications import (  # noqa: F401 (public names)
    apply_bundle,
    bundle_application_for,
    counter_bundle_intake,
    my_bundle_applications,
    next_bundle_number,
    on_application_ended,
    progress,
    subscribe,
)
from smartgov.services.bundle_contents import (  # noqa: F401 (public names)
    _merge,
    bundle_by_code,
    bundle_items,
    form_conflicts,
    merged_form,
    merged_materials,
    published_bundles,
)
from smartgov.services.bundle_models import Bundle, BundleItem, BundleStatus
from smartgov.services.forms import check_definition
from smartgov.services.permissions import Perm

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$", re.ASCII)
MAX_ITEMS = 20
MAX_TAGS = 20
MIN_ITEMS_TO_PUBLISH = 2
EDITABLE = ("name", "description", "lead_department_id", "basic_codes", "extra_fields", "tags")


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
