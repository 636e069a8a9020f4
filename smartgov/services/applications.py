"""Applying for a service item (申请) and acceptance (受理): drafts, submission, counter intake,
accept / refuse / correction (补正) with the clock stopped while the applicant corrects.

Each service takes keyword-only arguments and an explicit ``actor``, runs in one transaction,
writes an audit record and an ``ApplicationEvent``. Status changes follow ``TRANSITIONS``.
The clock: ``accept_application`` sets the due date ``promised_days`` working days after the
acceptance day; a correction requested after acceptance stops it, and the resubmission moves
the due date by the working days it was stopped.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_noop

from smartgov.accounts.models import User, UserKind
from smartgov.accounts.scope import access, has_perm, require_perm, restrict
from smartgov.accounts.services.users import citizen_index
from smartgov.core import audit, events
from smartgov.core.crypto import decrypt_field, encrypt_field
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.files import DOCUMENTS, head_of, sniff
from smartgov.core.sequences import next_daily_number
from smartgov.core.validators import check_citizen_id, check_credit_code, mask_citizen_id
from smartgov.core.workcalendar import add_working_days, working_days_between
from smartgov.licenses.services import find_valid_license, record_use
from smartgov.services.application_models import (
    ApplicantType,
    Application,
    ApplicationEvent,
    ApplicationMaterial,
    ApplicationSequence,
    ApplicationStatus,
    Channel,
    SatisfiedBy,
)
from smartgov.services.application_selectors import (  # noqa: F401 (re-exported)
    application_for,
    my_applications,
    receipt,
)
from smartgov.services.forms import form_of, validate_form
from smartgov.services.models import (
    ApplicantKind,
    ItemMaterial,
    ItemStatus,
    ProofSource,
    Requirement,
    ServiceItem,
)
from smartgov.services.permissions import Perm
from smartgov.services.shared_proofs import find_shared_record

S = ApplicationStatus
NUMBER_PREFIX = "BJ"
MAX_UPLOAD = 5 * 1024 * 1024
MAX_CORRECTION_ITEMS = 50

# action → (statuses it may start from, status it leads to; None: the status stays);
# resubmission goes back to ``accepted`` when the correction was asked after acceptance (see
# resubmit_application). The approval actions are carried out in approval.py / timelimits.py.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "submit": (frozenset({S.DRAFT}), S.SUBMITTED),
    "accept": (frozenset({S.SUBMITTED, S.RESUBMITTED}), S.ACCEPTED),
    "refuse": (frozenset({S.SUBMITTED, S.RESUBMITTED}), S.REFUSED),
    "request_correction": (
        frozenset({S.SUBMITTED, S.RESUBMITTED, S.ACCEPTED}),
        S.CORRECTION_REQUESTED,
    ),
    "resubmit": (frozenset({S.CORRECTION_REQUESTED}), S.RESUBMITTED),
    # Approval (审批): steps are claimed and completed while the clock runs.
    "claim_step": (frozenset({S.ACCEPTED, S.SUSPENDED}), None),
    "complete_step": (frozenset({S.ACCEPTED}), None),
    "approve": (frozenset({S.ACCEPTED}), S.APPROVED),
    "deny": (frozenset({S.ACCEPTED}), S.DENIED),
    "request_time": (frozenset({S.ACCEPTED, S.SUSPENDED}), None),
    "suspend": (frozenset({S.ACCEPTED}), S.SUSPENDED),
    "extend": (frozenset({S.ACCEPTED, S.SUSPENDED}), None),
    "resume": (frozenset({S.SUSPENDED}), S.ACCEPTED),
    "withdraw": (
        frozenset({S.SUBMITTED, S.RESUBMITTED, S.CORRECTION_REQUESTED, S.ACCEPTED, S.SUSPENDED}),
        S.WITHDRAWN,
    ),
}
# Not ended: a second application for the same item by the same applicant is refused.
OPEN_STATUSES = (S.SUBMITTED, S.RESUBMITTED, S.CORRECTION_REQUESTED, S.ACCEPTED, S.SUSPENDED)
END_STATUSES = (S.REFUSED, S.APPROVED, S.DENIED, S.WITHDRAWN)

# Domain events (core.events), each with ``application=`` and ``actor=``. ENDED is published
# once per application when it reaches an end status (refused, approved, denied, withdrawn).
SUBMITTED = "services.application_submitted"
ACCEPTED = "services.application_accepted"
ENDED = "services.application_ended"


# --- Numbers ------------------------------------------------------------------------------


def next_application_number(at) -> str:
    """BJ + local date + a five-digit daily sequence, safe under concurrent submissions."""
    return next_daily_number(
        ApplicationSequence,
        prefix=NUMBER_PREFIX,
        at=at,
        failure_message=gettext_noop("Could not number the application; please try again."),
    )


# --- Helpers ------------------------------------------------------------------------------


def _transition(application: Application, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if application.status not in sources:
        raise Conflict(
            "transition_not_allowed",
            "This action is not allowed in the application's current status.",
            detail={"action": action, "status": application.status},
        )
    return target or application.status


def _event(application, *, kind, actor, before: str, comment: str = "", data=None) -> None:
    ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        from_status=before,
        to_status=application.status,
        actor=actor if getattr(actor, "pk", None) else None,
        comment=comment,
        data=data or {},
    )
    audit.record(
        actor=actor,
        action=f"services.application.{kind}",
        obj=application,
        before={"status": before},
        after={"status": application.status, "comment": comment, **(data or {})},
    )


def _published(item_code: str) -> ServiceItem:
    """The published version of ``item_code`` with its department, form and materials (one
    query each, read once for the whole submission)."""
    item = (
        ServiceItem.objects.select_related("department", "form")
        .prefetch_related(
            Prefetch("materials", queryset=ItemMaterial.objects.select_related("resource"))
        )
        .filter(implementation_code=str(item_code or ""), status=ItemStatus.PUBLISHED)
        .first()
    )
    if item is None:
        raise NotFound("item_not_found", "No published service item has this code.")
    return item


def _set_applicant(application: Application, *, kind: str, name: str, id_value: str) -> None:
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise InvalidInput("applicant_name_required", "The applicant's name is required.")
    application.applicant_name = name
    application.applicant_type = kind
    if kind == ApplicantType.CITIZEN:
        citizen_id = check_citizen_id(id_value)
        application.applicant_id_encrypted = encrypt_field(citizen_id)
        application.applicant_id_index = citizen_index(
            citizen_id
        )  # accounts' index: one person matches
        application.applicant_id_masked = mask_citizen_id(citizen_id)
        application.applicant_credit_code = ""
    elif kind == ApplicantType.ENTERPRISE:
        application.applicant_credit_code = check_credit_code(id_value)
        application.applicant_id_encrypted = ""
        application.applicant_id_index = ""
        application.applicant_id_masked = application.applicant_credit_code
    else:
        raise InvalidInput(
            "applicant_type_invalid",
            "The applicant is a citizen or an enterprise.",
            detail={"allowed": list(ApplicantType.values)},
        )


def applicant_id(application: Application) -> str:
    """The applicant's citizen ID (decrypted) or credit code."""
    if application.applicant_type == ApplicantType.CITIZEN:
        return decrypt_field(application.applicant_id_encrypted)
    return application.applicant_credit_code


def account_of(applicant_type: str, id_value: str) -> User | None:
    """The citizen or enterprise account with this ID (checked), if it has one."""
    if applicant_type == ApplicantType.CITIZEN:
        index = citizen_index(check_citizen_id(id_value))
        return User.objects.filter(citizen_id_index=index, kind=UserKind.CITIZEN).first()
    if applicant_type == ApplicantType.ENTERPRISE:
        code = check_credit_code(id_value)
        return User.objects.filter(credit_code=code, kind=UserKind.ENTERPRISE).first()
    return None


def _check_kind(item: ServiceItem, kind: str) -> None:
    if item.applicant_kind not in (ApplicantKind.BOTH, kind):
        raise InvalidInput(
            "applicant_kind_not_allowed",
            "This item does not take applications from this kind of applicant.",
            detail={"item_applicants": item.applicant_kind},
        )


def _online_applicant(actor) -> tuple[str, str, str]:
    if getattr(actor, "kind", None) == UserKind.CITIZEN and actor.citizen_id_encrypted:
        return ApplicantType.CITIZEN, actor.display_name, actor.citizen_id
    if getattr(actor, "kind", None) == UserKind.ENTERPRISE and actor.credit_code:
        return ApplicantType.ENTERPRISE, actor.display_name, actor.credit_code
    raise PermissionDeniedError(
        "applicant_only",
        "Only a citizen or an enterprise account with a verified identity applies online.",
    )


def _decode_uploads(uploads) -> dict[int, ContentFile]:
    """``[{material_id, file_name, content_base64}]`` or ``{material_id: File}`` → files."""
    if not uploads:
        return {}
    if isinstance(uploads, dict):
        return {int(k): v for k, v in uploads.items()}
    files: dict[int, ContentFile] = {}
    for position, upload in enumerate(uploads):
        try:
            material_id = int(upload["material_id"])
            name = str(upload.get("file_name") or "").strip()[:200]
            content = base64.b64decode(str(upload["content_base64"]), validate=True)
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise InvalidInput(
                "upload_invalid",
                "An upload needs material_id, file_name and base64 content.",
                detail={"upload": position},
            ) from None
        if not name or not content or len(content) > MAX_UPLOAD:
            raise InvalidInput(
                "upload_invalid",
                "An upload needs a file name and 1 byte to 5 MB of content.",
                detail={"upload": position},
            )
        files[material_id] = ContentFile(content, name=name)
    return files


def _checked_uploads(item: ServiceItem, uploads) -> dict[int, ContentFile]:
    """The uploads decoded and checked (known materials, documents by their first bytes);
    nothing is written."""
    files = _decode_uploads(uploads)
    if not files:
        return {}
    known = {m.pk for m in item.materials.all()}
    unknown = sorted(set(files) - known)
    if unknown:
        raise InvalidInput(
            "material_unknown",
            "An upload names a material the item does not have.",
            detail={"material_ids": unknown},
        )
    for material_id, file in files.items():
        if sniff(head_of(file), DOCUMENTS) is None:
            raise InvalidInput(
                "upload_type",
                "Materials must be PDF or OFD documents or JPEG/PNG scans.",
                detail={"material_id": material_id, "file_name": file.name},
            )
    return files


def _write_upload(row: ApplicationMaterial, file) -> None:
    row.file.save(file.name, file, save=False)
    row.file_name = file.name
    row.satisfied_by = SatisfiedBy.UPLOAD


def _store_uploads(application: Application, uploads) -> None:
    files = _checked_uploads(application.item, uploads)
    materials = {m.pk: m for m in application.item.materials.all()}
    for material_id, file in files.items():
        row, _created = ApplicationMaterial.objects.get_or_create(
            application=application, material=materials[material_id]
        )
        _write_upload(row, file)
        row.save()


@dataclass
class _Proofs:
    """What a submission found for its materials before it writes anything."""

    cleaned: dict
    errors: dict
    licenses: list = field(default_factory=list)  # (material, License)
    records: list = field(default_factory=list)  # (material, shared record)
    shared: list = field(default_factory=list)  # materials whose shared record is looked up
    missing: list = field(default_factory=list)  # [{material_id, name}]


def _collect_proofs(application: Application, *, found_proofs, uploaded: set[int]) -> _Proofs:
    """Validate the form and find the e-licenses (reads only). Shared-data look-ups write the
    sharing call log with the application's number, so they wait in ``proofs.shared``.

    ``found_proofs`` ({material id: License, shared record or None}) are what a caller already
    looked up for this applicant (a bundle looks each proof up once for all its items)."""
    item = application.item
    cleaned, errors = validate_form(form_of(item), application.form_data)
    proofs = _Proofs(cleaned=cleaned, errors=errors)
    if application.pk is not None:
        uploaded = uploaded | {
            r.material_id
            for r in application.materials.all()
            if r.satisfied_by == SatisfiedBy.UPLOAD and r.file_name
        }
    holder = applicant_id(application)
    found_proofs = found_proofs or {}
    for material in item.materials.all():
        if material.pk in uploaded:
            continue
        if material.pk in found_proofs:  # looked up by the caller (None: nothing found)
            proof = found_proofs[material.pk]
        elif material.proof_source == ProofSource.E_LICENSE and material.license_type_code:
            proof = find_valid_license(holder_id=holder, type_code=material.license_type_code)
        elif material.proof_source == ProofSource.SHARED_DATA:
            proofs.shared.append(material)
            continue
        else:
            proof = None
        if isinstance(proof, dict):
            proofs.records.append((material, proof))
        elif proof is not None:
            proofs.licenses.append((material, proof))
        elif material.requirement == Requirement.REQUIRED:
            proofs.missing.append({"material_id": material.pk, "name": material.name})
    return proofs


def _lookup_shared(application: Application, proofs: _Proofs) -> None:
    holder = applicant_id(application)
    for material in proofs.shared:
        record = find_shared_record(
            material=material,
            holder_id=holder,
            department=application.item.department,
            reference=application.number,
        )
        if record is not None:
            proofs.records.append((material, record))
        elif material.requirement == Requirement.REQUIRED:
            proofs.missing.append({"material_id": material.pk, "name": material.name})
    proofs.shared = []
    order = {m.pk: position for position, m in enumerate(application.item.materials.all())}
    proofs.missing.sort(key=lambda entry: order.get(entry["material_id"], 0))


def _refuse_incomplete(proofs: _Proofs) -> None:
    if proofs.errors or proofs.missing:
        raise InvalidInput(
            "form_invalid" if proofs.errors else "materials_missing",
            "The application is incomplete; see detail for every problem.",
            detail={"fields": proofs.errors, "materials": proofs.missing},
        )


def _check_and_link_materials(application: Application, *, found_proofs=None) -> None:
    """A saved application's materials all satisfied (raise with every problem at once), the
    proofs found linked and their use logged (resubmission after a correction)."""
    proofs = _collect_proofs(application, found_proofs=found_proofs, uploaded=set())
    _lookup_shared(application, proofs)
    _refuse_incomplete(proofs)
    application.form_data = proofs.cleaned
    _link_materials(application, proofs, None, fresh=False)


def _link_materials(application: Application, proofs: _Proofs, files, *, fresh: bool) -> None:
    """Write the material rows (uploads, shared records, e-licenses) and log each license's
    use. A ``fresh`` application has no rows yet: they are inserted in one statement."""
    rows: list[ApplicationMaterial] = []

    def row_for(material) -> ApplicationMaterial:
        if fresh:
            row = ApplicationMaterial(application=application, material=material)
        else:
            row, _created = ApplicationMaterial.objects.get_or_create(
                application=application, material=material
            )
        rows.append(row)
        return row

    materials = {m.pk: m for m in application.item.materials.all()}
    for material_id, file in (files or {}).items():
        _write_upload(row_for(materials[material_id]), file)
    for material, record in proofs.records:
        row = row_for(material)
        row.satisfied_by = SatisfiedBy.SHARED_DATA
        row.shared_reference = record["reference"]
    for material, license in proofs.licenses:
        row = row_for(material)
        row.satisfied_by = SatisfiedBy.E_LICENSE
        row.license = license
        row.license_identifier = license.identifier
    if fresh:
        ApplicationMaterial.objects.bulk_create(rows)
    else:
        for row in rows:
            row.save()
    for material, license in proofs.licenses:
        record_use(
            license=license,
            by=application.item.department,
            purpose=f"Application {application.number}: {material.name}"[:200],
            reference=application.number,
        )


def _refuse_duplicate(application: Application) -> None:
    others = Application.objects.filter(
        item__implementation_code=application.item.implementation_code, status__in=OPEN_STATUSES
    ).exclude(pk=application.pk)
    if application.applicant_type == ApplicantType.CITIZEN:
        others = others.filter(applicant_id_index=application.applicant_id_index)
    else:
        others = others.filter(applicant_credit_code=application.applicant_credit_code)
    other = others.values_list("number", flat=True).first()
    if other:
        raise Conflict(
            "duplicate_application",
            "The applicant already has an open application for this item.",
            detail={"number": other},
        )


def _locked_own(actor, number: str) -> Application:
    application = (
        Application.objects.select_for_update()
        .filter(number=str(number or ""), applicant=actor)
        .first()
        if getattr(actor, "pk", None)
        else None
    )
    if application is None:
        raise NotFound("application_not_found", "No such application of yours.")
    return application


def _locked_for_resubmission(actor, number: str) -> Application:
    if getattr(actor, "pk", None) and not has_perm(actor, Perm.INTAKE):
        return _locked_own(actor, number)
    own = Application.objects.filter(number=str(number or ""), applicant=actor)
    if getattr(actor, "pk", None) and own.exists():
        return _locked_own(actor, number)
    queryset = Application.objects.select_for_update().filter(channel=Channel.COUNTER)
    try:
        return access(queryset, actor, Perm.INTAKE, number=str(number or ""))
    except NotFound:
        raise NotFound(
            "application_not_found", "No such application, or it is outside your data scope."
        ) from None


def _locked_staff(actor, number: str) -> Application:
    try:
        return access(
            Application.objects.select_for_update(), actor, Perm.ACCEPT, number=str(number or "")
        )
    except NotFound:
        raise NotFound(
            "application_not_found", "No such application, or it is outside your data scope."
        ) from None


def _insert(application: Application) -> None:
    """Number and insert a new application: the day's counter row stays locked until commit,
    so callers do this as late as they can."""
    application.number = next_application_number(timezone.now())
    application.save(force_insert=True)


def _new(item, *, kind, name, id_value, applicant, channel, recorded_by, form_data, save=True):
    """A new application of ``item``; ``save=False`` leaves it unnumbered and unsaved (the
    submission numbers and inserts it once everything has been checked)."""
    _check_kind(item, kind)
    application = Application(
        item=item,
        applicant=applicant,
        channel=channel,
        recorded_by=recorded_by,
        form_data=form_data if isinstance(form_data, dict) else {},
    )
    if not isinstance(form_data, (dict, type(None))):
        raise InvalidInput("form_data_format", "The form data is an object.")
    _set_applicant(application, kind=kind, name=name, id_value=id_value)
    if save:
        _insert(application)
    return application


def _submit(
    application: Application, *, actor, comment: str = "", found_proofs=None, files=None
) -> Application:
    """Check, then write: every read and check comes first, so the locks the writes take
    (the day's number, the audit chain, the statistics' day row) are held briefly. An unsaved
    ``application`` (see ``_new(save=False)``) is numbered and inserted here, with ``files``
    (checked uploads) stored with it."""
    before = application.status
    target = _transition(application, "submit")
    if application.item.status != ItemStatus.PUBLISHED:
        raise Conflict(
            "item_not_published",
            "The item version applied for is no longer published; start a new application.",
        )
    _refuse_duplicate(application)
    proofs = _collect_proofs(application, found_proofs=found_proofs, uploaded=set(files or ()))
    if proofs.errors or proofs.missing:
        _lookup_shared(application, proofs)  # report every problem at once (rolled back)
        _refuse_incomplete(proofs)
    fresh = application.pk is None
    application.form_data = proofs.cleaned
    application.status = target
    application.submitted_at = timezone.now()
    if fresh:
        _insert(application)  # inserted as submitted: no second write of the row
    _lookup_shared(application, proofs)
    _refuse_incomplete(proofs)
    _link_materials(application, proofs, files, fresh=fresh)
    if not fresh:
        application.save()
    _event(
        application,
        kind="submit",
        actor=actor,
        before=before,
        comment=comment,
        data={"channel": application.channel},
    )
    events.publish(SUBMITTED, application=application, actor=actor)
    return application


# --- Applicant services -------------------------------------------------------------------


@transaction.atomic
def save_draft(
    *, actor, item_code: str = "", number: str = "", form_data=None, uploads=None
) -> Application:
    """Create a draft for a published item (``item_code``) or update the draft ``number``."""
    if number:
        application = _locked_own(actor, number)
        if application.status != S.DRAFT:
            raise Conflict(
                "not_a_draft",
                "Only a draft can be changed.",
                detail={"status": application.status},
            )
        if form_data is not None:
            if not isinstance(form_data, dict):
                raise InvalidInput("form_data_format", "The form data is an object.")
            application.form_data = form_data
        application.save()
        _store_uploads(application, uploads)
        audit.record(
            actor=actor,
            action="services.application.update_draft",
            obj=application,
            after={"status": application.status},
        )
        return application
    kind, name, id_value = _online_applicant(actor)
    application = _new(
        _published(item_code),
        kind=kind,
        name=name,
        id_value=id_value,
        applicant=actor,
        channel=Channel.ONLINE,
        recorded_by=None,
        form_data=form_data,
    )
    _store_uploads(application, uploads)
    _event(application, kind="draft", actor=actor, before="")
    return application


@transaction.atomic
def submit_application(
    *, actor, number: str = "", item_code: str = "", form_data=None, uploads=None
) -> Application:
    """Submit the draft ``number``, or a new application for ``item_code`` in one go.

    The form is validated (every error at once), every required material must be uploaded or
    found by the platform (an e-license of the applicant: the use is logged); a second
    submission, or one while the applicant has an open application for the item, is refused.
    """
    if number:
        application = _locked_own(actor, number)
        if application.status != S.DRAFT:
            raise Conflict(
                "already_submitted",
                "This application has already been submitted.",
                detail={"status": application.status},
            )
        if form_data is not None:
            if not isinstance(form_data, dict):
                raise InvalidInput("form_data_format", "The form data is an object.")
            application.form_data = form_data
        _store_uploads(application, uploads)
    else:
        kind, name, id_value = _online_applicant(actor)
        application = _new(
            _published(item_code),
            kind=kind,
            name=name,
            id_value=id_value,
            applicant=actor,
            channel=Channel.ONLINE,
            recorded_by=None,
            form_data=form_data,
            save=False,
        )
        files = _checked_uploads(application.item, uploads)
        return _submit(application, actor=actor, files=files)
    return _submit(application, actor=actor)


@transaction.atomic
def counter_intake(
    *,
    actor,
    item_code: str,
    applicant_type: str,
    applicant_name: str,
    applicant_id: str,
    form_data=None,
    uploads=None,
    comment: str = "",
) -> Application:
    """前台综合受理: front-desk staff submit an application on an applicant's behalf."""
    require_perm(actor, Perm.INTAKE)
    item = _published(item_code)
    if not restrict(ServiceItem.objects.filter(pk=item.pk), actor, Perm.INTAKE).exists():
        raise NotFound("item_not_found", "No published service item has this code in your scope.")
    application = _new(
        item,
        kind=applicant_type,
        name=applicant_name,
        id_value=applicant_id,
        applicant=account_of(applicant_type, applicant_id),
        channel=Channel.COUNTER,
        recorded_by=actor,
        form_data=form_data,
    )
    _store_uploads(application, uploads)
    return _submit(application, actor=actor, comment=comment)


@transaction.atomic
def resubmit_application(*, actor, number: str, form_data=None, uploads=None) -> Application:
    """The applicant's corrected application (or, for a counter application, front-desk
    staff's on the applicant's behalf); a stopped clock resumes (the due date moves)."""
    application = _locked_for_resubmission(actor, number)
    before = application.status
    target = _transition(application, "resubmit")
    if form_data is not None:
        if not isinstance(form_data, dict):
            raise InvalidInput("form_data_format", "The form data is an object.")
        application.form_data = form_data
    _store_uploads(application, uploads)
    _check_and_link_materials(application)
    data = {}
    now = timezone.now()
    if application.accepted_at is not None:  # the clock was running: it resumes
        paused = max(working_days_between(application.paused_at, now), 0)
        application.paused_days += paused
        application.due_date = add_working_days(application.due_date, paused)
        from smartgov.services.timelimits import shift_active_tasks

        shift_active_tasks(application, paused)
        target = S.ACCEPTED
        data = {"paused_days": paused, "due_date": application.due_date.isoformat()}
    application.paused_at = None
    application.status = target
    application.save()
    _event(application, kind="resubmit", actor=actor, before=before, data=data)
    return application


# --- Staff services -----------------------------------------------------------------------


@transaction.atomic
def accept_application(*, actor, number: str, comment: str = "") -> Application:
    """受理: the clock starts (due = ``promised_days`` working days after acceptance) and the
    approval steps are laid out (approval.start_approval)."""
    application = _locked_staff(actor, number)
    before = application.status
    application.status = _transition(application, "accept")
    application.accepted_at = timezone.now()
    days = application.item.promised_days or 0
    application.due_date = add_working_days(timezone.localdate(application.accepted_at), days)
    application.save()
    _event(
        application,
        kind="accept",
        actor=actor,
        before=before,
        comment=comment,
        data={"due_date": application.due_date.isoformat()},
    )
    from smartgov.services.approval import start_approval  # approval builds on this module

    start_approval(application, actor=actor)
    events.publish(ACCEPTED, application=application, actor=actor)
    return application


@transaction.atomic
def refuse_application(*, actor, number: str, reason: str) -> Application:
    """不予受理, with the reason the applicant sees."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000:
        raise InvalidInput("reason_required", "A refusal needs a reason (at most 2000).")
    application = _locked_staff(actor, number)
    before = application.status
    application.status = _transition(application, "refuse")
    application.refusal_reason = reason
    application.save()
    _event(application, kind="refuse", actor=actor, before=before, comment=reason)
    events.publish(ENDED, application=application, actor=actor)
    return application


def _clean_items(items) -> list[dict]:
    if not isinstance(items, list) or not items or len(items) > MAX_CORRECTION_ITEMS:
        raise InvalidInput(
            "correction_items_required",
            "A correction request lists 1–50 items, all at once.",
        )
    cleaned = []
    for position, entry in enumerate(items):
        if isinstance(entry, str):
            entry = {"description": entry}
        if not isinstance(entry, dict):
            raise InvalidInput(
                "correction_item_invalid",
                "An item is text or an object.",
                detail={"item": position},
            )
        description = str(entry.get("description") or "").strip()
        if not description or len(description) > 500:
            raise InvalidInput(
                "correction_item_invalid",
                "Each item needs a description of at most 500 characters.",
                detail={"item": position},
            )
        material_id = entry.get("material_id")
        cleaned.append({"description": description, "material_id": material_id})
    return cleaned


@transaction.atomic
def request_correction(*, actor, number: str, items, comment: str = "") -> Application:
    """补正 (一次性告知): everything missing listed at once; a running clock stops."""
    cleaned = _clean_items(items)
    application = _locked_staff(actor, number)
    known = set(application.item.materials.values_list("pk", flat=True))
    for position, entry in enumerate(cleaned):
        if entry["material_id"] is not None and entry["material_id"] not in known:
            raise InvalidInput(
                "material_unknown",
                "An item names a material the item lacks.",
                detail={"item": position},
            )
    before = application.status
    application.status = _transition(application, "request_correction")
    application.correction_items = cleaned
    application.paused_at = timezone.now()
    application.save()
    _event(
        application,
        kind="request_correction",
        actor=actor,
        before=before,
        comment=comment,
        data={"items": cleaned},
    )
    return application
