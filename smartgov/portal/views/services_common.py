"""Shared presentation helpers of the application pages (applicant and staff): status badges,
how each material was provided, the timeline, the clock, files of an application.

No rule is decided here; buttons follow the status only to hide what the service would refuse.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from smartgov.accounts.scope import has_perm
from smartgov.core.errors import NotFound
from smartgov.core.workcalendar import working_days_between
from smartgov.licenses.services import find_valid_license
from smartgov.services import approval_selectors
from smartgov.services.application_models import (
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    SatisfiedBy,
)
from smartgov.services.application_selectors import application_for
from smartgov.services.forms import form_of
from smartgov.services.models import ProofSource
from smartgov.services.permissions import Perm
from smartgov.services.workflow_models import EventAttachment

S = ApplicationStatus

STATUS_BADGE = {
    S.DRAFT: "bg-secondary-lt",
    S.SUBMITTED: "bg-blue-lt",
    S.CORRECTION_REQUESTED: "bg-orange-lt",
    S.RESUBMITTED: "bg-blue-lt",
    S.ACCEPTED: "bg-cyan-lt",
    S.REFUSED: "bg-red-lt",
    S.SUSPENDED: "bg-purple-lt",
    S.APPROVED: "bg-green-lt",
    S.DENIED: "bg-red-lt",
    S.WITHDRAWN: "bg-secondary-lt",
}
# The status as the pages say it (the model's labels are the API's words).
STATUS_TEXT = {
    S.DRAFT: gettext_lazy("Draft"),
    S.SUBMITTED: gettext_lazy("Waiting for acceptance"),
    S.CORRECTION_REQUESTED: gettext_lazy("Correction requested"),
    S.RESUBMITTED: gettext_lazy("Resubmitted after correction"),
    S.ACCEPTED: gettext_lazy("Accepted, being handled"),
    S.REFUSED: gettext_lazy("Refused"),
    S.SUSPENDED: gettext_lazy("Suspended (clock stopped)"),
    S.APPROVED: gettext_lazy("Completed: approved"),
    S.DENIED: gettext_lazy("Completed: denied"),
    S.WITHDRAWN: gettext_lazy("Application withdrawn"),
}
ENDED = (S.REFUSED, S.APPROVED, S.DENIED, S.WITHDRAWN)
# Internal steps of the staff the applicant's timeline leaves out.
STAFF_ONLY_EVENTS = ("step_claimed", "payment_started", "payment_failed", "warning")
# Before completion the applicant may withdraw (the service decides finally).
WITHDRAWABLE = (S.SUBMITTED, S.CORRECTION_REQUESTED, S.RESUBMITTED, S.ACCEPTED, S.SUSPENDED)
WAITING_ACCEPTANCE = (S.SUBMITTED, S.RESUBMITTED)

EVENT_LABELS = {
    "draft": gettext_lazy("Draft saved"),
    "submit": gettext_lazy("Application submitted"),
    "accept": gettext_lazy("Accepted"),
    "refuse": gettext_lazy("Refused"),
    "request_correction": gettext_lazy("Correction asked for, all at once"),
    "resubmit": gettext_lazy("Corrected and resubmitted"),
    "step_started": gettext_lazy("Step started"),
    "step_claimed": gettext_lazy("Step claimed"),
    "step_completed": gettext_lazy("Step completed"),
    "approve": gettext_lazy("Application approved"),
    "deny": gettext_lazy("Application denied"),
    "withdraw": gettext_lazy("Application withdrawn"),
    "time_request": gettext_lazy("Time request"),
    "time_request_rejected": gettext_lazy("Time request rejected"),
    "suspend": gettext_lazy("Suspended"),
    "extend": gettext_lazy("Limit extended"),
    "resume": gettext_lazy("Resumed"),
    "warning": gettext_lazy("Time-limit warning"),
    "fees_due": gettext_lazy("Fees set"),
    "fees_adjusted": gettext_lazy("Fees adjusted"),
    "payment_started": gettext_lazy("Payment started"),
    "payment_failed": gettext_lazy("Payment failed"),
    "paid": gettext_lazy("Fees paid"),
    "refund": gettext_lazy("Fees refunded"),
    "rate": gettext_lazy("Rated"),
    "rectification_answered": gettext_lazy("Rectification answered"),
    "rectification_revisited": gettext_lazy("Applicant revisited"),
}


def badge(status: str) -> str:
    return STATUS_BADGE.get(status, "bg-secondary-lt")


def status_text(status: str) -> str:
    return str(STATUS_TEXT.get(status, status))


def holder_of(user) -> str:
    """The signed-in applicant's citizen ID or credit code (what e-licenses are held by)."""
    if getattr(user, "kind", "") == "citizen":
        return user.citizen_id or ""
    if getattr(user, "kind", "") == "enterprise":
        return user.credit_code or ""
    return ""


def material_rows(item, *, holder_id: str = "", application=None) -> list[dict]:
    """One row per material of the item: the e-license the platform finds for the holder
    (nothing to upload), whether shared data is looked up on submission, a file already stored
    on the draft."""
    stored = {}
    if application is not None:
        stored = {r.material_id: r for r in application.materials.all()}
    rows = []
    for material in item.materials.order_by("position", "id"):
        found = None
        if (
            holder_id
            and material.proof_source == ProofSource.E_LICENSE
            and material.license_type_code
        ):
            found = find_valid_license(holder_id=holder_id, type_code=material.license_type_code)
        row = stored.get(material.pk)
        rows.append(
            {
                "material": material,
                "license": found,
                "shared": material.proof_source == ProofSource.SHARED_DATA,
                "e_license": material.proof_source == ProofSource.E_LICENSE,
                "stored": row.file_name if row is not None and row.file_name else "",
            }
        )
    return rows


def provided_materials(application: Application) -> list[dict]:
    """How each material of an application was met (upload, which e-license, shared record)."""
    rows = {r.material_id: r for r in application.materials.select_related("license__license_type")}
    out = []
    for material in application.item.materials.order_by("position", "id"):
        row = rows.get(material.pk)
        out.append(
            {
                "material": material,
                "row": row,
                "satisfied_by": row.satisfied_by if row else SatisfiedBy.NONE,
                "label": (row.get_satisfied_by_display() if row else SatisfiedBy.NONE.label),
            }
        )
    return out


def answers(application: Application) -> list[tuple[str, str]]:
    """The form's answers with their labels (choices shown by their labels)."""
    out = []
    for spec in form_of(application.item):
        if spec["name"] not in application.form_data:
            continue
        value = application.form_data[spec["name"]]
        labels = {c["value"]: c["label"] for c in spec.get("choices", [])}
        if isinstance(value, list):
            value = "、".join(labels.get(v, v) for v in value)
        else:
            value = labels.get(value, value)
        out.append((spec["label"], str(value)))
    return out


def timeline(application: Application):
    """The application's events, oldest first, with their attachments."""
    events = list(application.events.select_related("actor").prefetch_related("attachments").all())
    for event in events:
        event.label = EVENT_LABELS.get(event.kind, event.kind)
        data = event.data if isinstance(event.data, dict) else {}
        event.listed = data.get("items") if event.kind == "request_correction" else None
        event.step = data.get("step", "")
        event.decision = data.get("decision", "")
    return events


def clock(application: Application) -> dict:
    """Due date, working days left and the warning, for the badge on the application page."""
    return approval_selectors.clock(application)


def clock_text(info: dict, status: str = "") -> tuple[str, str]:
    """The clock badge's words and colour (none once the application has ended)."""
    if not info or not info.get("due_date") or status in ENDED:
        return "", ""
    if info.get("paused"):
        return _("Clock paused"), "bg-purple-lt"
    left = info.get("remaining_working_days")
    level = info.get("warning_level") or "none"
    css = {"yellow": "bg-yellow-lt", "red": "bg-red-lt"}.get(level, "bg-green-lt")
    if left is None:
        return "", css
    if left < 0:
        return _("Overdue by %(days)d working days") % {"days": -left}, css
    return _("%(days)d working days left") % {"days": left}, css


def due_in_days(application: Application) -> int | None:
    if application.due_date is None:
        return None
    return working_days_between(timezone.localdate(), application.due_date)


def staff_application(user, number: str) -> Application:
    """An application as a staff member sees it: front desk and acceptance through the
    applications selector, approvers and supervisors by their scope; else not found."""
    if getattr(user, "kind", "") != "staff":
        raise NotFound("application_not_found", "No such application, or it is not yours.")
    try:
        return application_for(user, number)
    except NotFound:
        return approval_selectors.staff_application(user, number)


# Files shown in the browser; anything else (an uploaded HTML page, say) is only downloaded.
INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/webp", "image/gif")


def _serve(file, name: str, content_type: str = ""):
    import mimetypes

    guessed = content_type or mimetypes.guess_type(name)[0] or ""
    inline = guessed in INLINE_TYPES
    response = FileResponse(
        file.open("rb"),
        as_attachment=not inline,
        filename=name,
        content_type=guessed if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=600"
    return response


def _visible_application(user, application_id: int) -> Application:
    application = Application.objects.filter(pk=application_id).first()
    if application is None or not getattr(user, "is_authenticated", False):
        raise Http404
    if application.applicant_id == user.pk:
        return application
    try:
        return staff_application(user, application.number)
    except NotFound:
        raise Http404 from None


@require_GET
def material_file(request, pk: int):
    """A file uploaded for a material, for the applicant and the staff who may see it."""
    row = ApplicationMaterial.objects.filter(pk=pk).exclude(file="").first()
    if row is None:
        raise Http404
    _visible_application(request.user, row.application_id)
    return _serve(row.file, row.file_name or row.file.name.rsplit("/", 1)[-1])


@require_GET
def event_attachment(request, pk: int):
    """A file attached to a timeline event (an approver's opinion, a correction)."""
    found = EventAttachment.objects.select_related("event").filter(pk=pk).first()
    if found is None:
        raise Http404
    _visible_application(request.user, found.event.application_id)
    return _serve(found.file, found.name, found.content_type)


WORK_TABS = (
    ("counter", gettext_lazy("Counter intake"), "portal:services_counter", Perm.INTAKE),
    ("acceptance", gettext_lazy("Acceptance"), "portal:services_acceptance", Perm.ACCEPT),
    ("tasks", gettext_lazy("My approval tasks"), "portal:services_tasks", Perm.APPROVE),
    (
        "supervision",
        gettext_lazy("Time-limit supervision"),
        "portal:services_supervision",
        Perm.SUPERVISE,
    ),
)


def work_page(request, template: str, context: dict, *, tab: str = "", status: int = 200):
    """A staff page of 一网通办 with the tabs the user's permissions open."""
    tabs = [
        {"code": code, "label": label, "url_name": url_name}
        for code, label, url_name, perm in WORK_TABS
        if has_perm(request.user, perm)
    ]
    context = {**context, "work_tabs": tabs if len(tabs) > 1 else [], "work_tab": tab}
    return render(request, f"portal/services/{template}", context, status=status)
