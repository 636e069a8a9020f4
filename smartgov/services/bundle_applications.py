"""Applying for a 一件事 bundle and following it.

Applying (online or at the counter) is one transaction: a ``BundleApplication`` (YJ + date +
counter) and one submitted ``Application`` per item, each to its own department, with its part
of the merged form data; every upload is stored once and linked to every item that needs the
material, e-licenses and shared records are looked up once. If any item's application fails,
nothing is created and the error lists every problem per item. ``applications.ENDED`` moves
the bundle application to completed (all approved) or partial (all ended, not all approved).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from smartgov.accounts.scope import has_perm, require_perm, restrict
from smartgov.accounts.services.users import citizen_index
from smartgov.core import audit, events
from smartgov.core.errors import Conflict, InvalidInput, NotFound, SmartgovError
from smartgov.core.files import DOCUMENTS, sniff
from smartgov.core.sequences import next_daily_number
from smartgov.core.validators import check_citizen_id, check_credit_code
from smartgov.services import applications
from smartgov.services.application_models import (
    ApplicantType,
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    Channel,
    SatisfiedBy,
)
from smartgov.services.bundle_contents import (
    _find_proofs,
    _groups,
    _merge,
    bundle_by_code,
    bundle_items,
)
from smartgov.services.bundle_models import (
    Bundle,
    BundleApplication,
    BundleApplicationStatus,
    BundleSequence,
)
from smartgov.services.forms import form_of, validate_form
from smartgov.services.models import ServiceItem
from smartgov.services.permissions import Perm

NUMBER_PREFIX = "YJ"
ENDED = (
    ApplicationStatus.REFUSED,
    ApplicationStatus.APPROVED,
    ApplicationStatus.DENIED,
    ApplicationStatus.WITHDRAWN,
)


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
    name = str(name or "").strip()
    if not name or len(name) > 128:
        raise InvalidInput("applicant_name_required", "The applicant's name is required.")
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
