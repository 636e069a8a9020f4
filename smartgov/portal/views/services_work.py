"""Staff pages of 一网通办: the counter (前台综合受理), the acceptance queue and the staff
application page (accept / refuse / correction, 一次性告知), my approval tasks and the task
page (claim, opinion with attachments, approve / deny, suspension and extension requests),
and supervision (warnings, pending time requests).

Views parse the input, call one service and render; refusals are shown on the form they came
from; not-found and not-allowed go to the error pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.accounts.scope import has_perm, require_perm, restrict
from smartgov.core.errors import Conflict, InvalidInput, NotFound, PermissionDeniedError
from smartgov.portal.forms_services import (
    ApplicationForm,
    CommentForm,
    CorrectionForm,
    CounterApplicantForm,
    DecideTimeRequestForm,
    RefuseForm,
    TaskDecisionForm,
    TimeRequestForm,
)
from smartgov.portal.services import paginate
from smartgov.portal.views import services_common as common
from smartgov.services import applications, approval, approval_selectors
from smartgov.services.application_models import Application, ApplicationStatus
from smartgov.services.forms import form_of
from smartgov.services.models import ItemStatus, ServiceItem
from smartgov.services.permissions import Perm

S = ApplicationStatus

# Which applicant field of the counter form a service refusal belongs to.
APPLICANT_ERROR_FIELD = {
    "applicant_name_required": "applicant_name",
    "applicant_type_invalid": "applicant_type",
    "applicant_kind_not_allowed": "applicant_type",
}


def _require_staff(user) -> None:
    if getattr(user, "kind", "") != "staff":
        raise PermissionDeniedError("permission_denied", "You are not allowed to open this page.")


# --- 前台综合受理 -------------------------------------------------------------------------------


def _counter_items(user, query: str):
    items = restrict(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).select_related("department"),
        user,
        Perm.INTAKE,
    ).order_by("name", "pk")
    if query:
        items = items.filter(name__icontains=query) | items.filter(
            implementation_code__icontains=query
        )
    return items


@login_required
@require_http_methods(["GET", "POST"])
def counter(request):
    """前台综合受理: choose an item of the desk's scope, record the applicant, the form and
    the materials brought to the window; the receipt follows."""
    require_perm(request.user, Perm.INTAKE)
    code = request.POST.get("item") or request.GET.get("item") or ""
    query = (request.GET.get("q") or "").strip()[:100]
    item = (
        _counter_items(request.user, "").filter(implementation_code=code).first() if code else None
    )
    if item is None:
        if code:
            raise NotFound(
                "item_not_found", "No published service item has this code in your scope."
            )
        return common.work_page(
            request,
            "counter.html",
            {
                "page": paginate(request, _counter_items(request.user, query), per_page=15),
                "q": query,
            },
            tab="counter",
        )
    applicant_form = CounterApplicantForm(request.POST or None, applicant_kind=item.applicant_kind)
    materials = list(item.materials.order_by("position", "id"))
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        definition=form_of(item),
        materials=materials,
        prefix="f",
    )
    if request.method == "POST" and applicant_form.is_valid() and form.is_valid():
        data = applicant_form.cleaned_data
        try:
            application = applications.counter_intake(
                actor=request.user,
                item_code=item.implementation_code,
                applicant_type=data["applicant_type"],
                applicant_name=data["applicant_name"],
                applicant_id=data["applicant_id"],
                form_data=form.form_data(),
                uploads=form.uploads(),
                comment=data["comment"],
            )
        except (InvalidInput, Conflict) as exc:
            field = APPLICANT_ERROR_FIELD.get(exc.code)
            if field is None and exc.code.startswith(("citizen_id", "credit_code")):
                field = "applicant_id"
            if field:
                applicant_form.add_error(field, exc.message)
            else:
                form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Application %(number)s taken in.") % {"number": application.number},
            )
            return redirect("portal:services_receipt", number=application.number)
    rows = common.material_rows(item)
    return common.work_page(
        request,
        "counter_form.html",
        {"item": item, "applicant_form": applicant_form, "form": form, "rows": rows},
        tab="counter",
        status=400 if (form.errors or applicant_form.errors) else 200,
    )


# --- 受理 ----------------------------------------------------------------------------------


ACCEPTANCE_FILTERS = {
    "": (S.SUBMITTED, S.RESUBMITTED),
    "correction": (S.CORRECTION_REQUESTED,),
}


@login_required
@require_GET
def acceptance(request):
    """The applications waiting for acceptance in the actor's scope, oldest first."""
    require_perm(request.user, Perm.ACCEPT)
    status = request.GET.get("status") or ""
    if status not in ACCEPTANCE_FILTERS:
        status = ""
    listed = restrict(
        Application.objects.filter(status__in=ACCEPTANCE_FILTERS[status]).select_related(
            "item", "item__department"
        ),
        request.user,
        Perm.ACCEPT,
    ).order_by("submitted_at", "pk")
    page = paginate(request, listed)
    for application in page.object_list:
        application.badge = common.badge(application.status)
    return common.work_page(
        request,
        "work_acceptance.html",
        {
            "page": page,
            "status": status,
            "tabs": [
                ("", _("Waiting for acceptance")),
                ("correction", _("Waiting for correction")),
            ],
        },
        tab="acceptance",
    )


STAFF_ACTIONS = ("accept", "refuse", "correct")


def _action_form(action: str, application, data=None):
    if action == "accept":
        return CommentForm(data, prefix="accept")
    if action == "refuse":
        return RefuseForm(data, prefix="refuse")
    materials = list(application.item.materials.order_by("position", "id"))
    return CorrectionForm(data, prefix="correct", materials=materials)


def _offered(user, application) -> list[str]:
    if not has_perm(user, Perm.ACCEPT):
        return []
    if application.status in (S.SUBMITTED, S.RESUBMITTED):
        return ["accept", "correct", "refuse"]
    if application.status == S.ACCEPTED:
        return ["correct"]
    return []


def _staff_page(request, application, *, failed=None, status=200):
    info = common.clock(application)
    clock_label, clock_css = common.clock_text(info, application.status)
    actions = _offered(request.user, application)
    if actions:
        # Only shown when the actor is in the application's acceptance scope.
        in_scope = restrict(
            Application.objects.filter(pk=application.pk), request.user, Perm.ACCEPT
        ).exists()
        actions = actions if in_scope else []
    return common.work_page(
        request,
        "work_application.html",
        {
            "application": application,
            "badge": common.badge(application.status),
            "clock": info,
            "clock_label": clock_label,
            "clock_css": clock_css,
            "answers": common.answers(application),
            "materials": common.provided_materials(application),
            "events": common.timeline(application),
            "tasks": list(application.tasks.select_related("department", "assignee").all()),
            "tasks_done": application.tasks.filter(status="done").count(),
            "fees": list(application.fee_items.all()),
            "actions": actions,
            "my_tasks": list(approval_selectors.handler_tasks(request.user, application)),
            "forms": {
                a: failed[1] if failed and failed[0] == a else _action_form(a, application)
                for a in STAFF_ACTIONS
            },
            "failed": failed[0] if failed else "",
        },
        tab="acceptance",
        status=status,
    )


@login_required
@require_GET
def staff_application(request, number: str):
    """One application as the staff in scope see it, with the acceptance actions."""
    return _staff_page(request, common.staff_application(request.user, number))


@login_required
@require_POST
def staff_action(request, number: str, action: str):
    """受理 / 不予受理 / 补正 on the staff application page (confirmed in the page)."""
    if action not in STAFF_ACTIONS:
        raise Http404
    application = common.staff_application(request.user, number)
    form = _action_form(action, application, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "accept":
                applications.accept_application(
                    actor=request.user, number=number, comment=data["comment"]
                )
                message = _("Application accepted; the clock is running.")
            elif action == "refuse":
                applications.refuse_application(
                    actor=request.user, number=number, reason=data["reason"]
                )
                message = _("Application refused; the applicant sees the reason.")
            else:
                applications.request_correction(
                    actor=request.user, number=number, items=form.items(), comment=data["comment"]
                )
                message = _("Correction requested; the applicant sees the whole list.")
        except (InvalidInput, Conflict) as exc:
            form.add_error(
                "reason" if exc.code == "reason_required" and "reason" in form.fields else None,
                exc.message,
            )
        else:
            messages.success(request, message)
            return redirect("portal:services_staff_application", number=number)
    application.refresh_from_db()
    return _staff_page(request, application, failed=(action, form), status=400)


# --- 审批 ----------------------------------------------------------------------------------


@login_required
@require_GET
def tasks(request):
    """我的审批: the approval tasks the actor may handle (active, or done)."""
    require_perm(request.user, Perm.APPROVE)
    status = request.GET.get("status") or "active"
    if status not in ("active", "done"):
        status = "active"
    listed = approval_selectors.my_tasks(request.user, status=status).select_related(
        "application", "application__item", "department", "assignee"
    )
    return common.work_page(
        request,
        "task_list.html",
        {
            "page": paginate(request, listed),
            "status": status,
            "tabs": [("active", _("To handle")), ("done", _("Steps handled"))],
        },
        tab="tasks",
    )


def _result_fields(task) -> list[dict]:
    """E-license fields the application's answers leave empty (asked of the approver)."""
    if task.status != "active":
        return []
    others = task.application.tasks.filter(status__in=("waiting", "active")).exclude(pk=task.pk)
    if others.exists():  # asked on the last step only, whose approval issues the license
        return []
    return [f for f in approval.result_license_fields(task.application) if f["missing"]]


def _task_page(request, task, *, failed=None, status=200):
    application = task.application
    info = common.clock(application)
    clock_label, clock_css = common.clock_text(info, application.status)
    forms = {
        "decide": TaskDecisionForm(prefix="decide", result_fields=_result_fields(task)),
        "time": TimeRequestForm(prefix="time"),
    }
    if failed:
        forms[failed[0]] = failed[1]
    mine = task.assignee_id == request.user.pk
    return common.work_page(
        request,
        "task.html",
        {
            "task": task,
            "application": application,
            "badge": common.badge(application.status),
            "clock": info,
            "clock_label": clock_label,
            "clock_css": clock_css,
            "answers": common.answers(application),
            "materials": common.provided_materials(application),
            "events": common.timeline(application),
            "tasks": list(application.tasks.select_related("department", "assignee").all()),
            "tasks_done": application.tasks.filter(status="done").count(),
            "forms": forms,
            "failed": failed[0] if failed else "",
            "can_claim": task.status == "active" and task.assignee_id is None,
            "can_decide": task.status == "active" and mine,
            "can_request_time": task.status == "active" and mine,
            "can_resume": application.status == S.SUSPENDED and mine,
            "pending_requests": list(application.time_requests.filter(status="pending")),
        },
        tab="tasks",
        status=status,
    )


def _task(user, pk: int):
    return approval_selectors.task_for(user, pk)


@login_required
@require_GET
def task(request, pk: int):
    """One approval task: the application, claim, opinion, decision, time requests."""
    return _task_page(request, _task(request.user, pk))


TASK_ACTIONS = ("claim", "decide", "time", "resume")


@login_required
@require_POST
def task_action(request, pk: int, action: str):
    if action not in TASK_ACTIONS:
        raise Http404
    task = _task(request.user, pk)
    number = task.application.number
    form = None
    try:
        if action == "claim":
            approval.claim_task(actor=request.user, task_id=pk)
            message = _("Task claimed; it is yours to handle.")
        elif action == "resume":
            approval.resume_application(actor=request.user, number=number)
            message = _("The clock runs again.")
        elif action == "decide":
            form = TaskDecisionForm(
                request.POST, request.FILES, prefix="decide", result_fields=_result_fields(task)
            )
            if not form.is_valid():
                return _task_page(request, task, failed=(action, form), status=400)
            data = form.cleaned_data
            approval.complete_task(
                actor=request.user,
                task_id=pk,
                decision=data["decision"],
                comment=data["comment"],
                attachments=data["attachments"],
                result_data=form.result_data(),
            )
            message = (
                _("Step approved.") if data["decision"] == "approve" else _("Application denied.")
            )
        else:
            form = TimeRequestForm(request.POST, prefix="time")
            if not form.is_valid():
                return _task_page(request, task, failed=(action, form), status=400)
            data = form.cleaned_data
            approval.request_time(
                actor=request.user,
                number=number,
                kind=data["kind"],
                days=data["days"],
                reason=data["reason"],
                task_id=pk,
            )
            message = _("Request sent to the supervisor.")
    except (InvalidInput, Conflict) as exc:
        if form is None:
            messages.error(request, exc.message)
            return redirect("portal:services_task", pk=pk)
        form.add_error(None, exc.message)
        return _task_page(request, _task(request.user, pk), failed=(action, form), status=400)
    messages.success(request, message)
    return redirect("portal:services_task", pk=pk)


# --- 督办 ----------------------------------------------------------------------------------


@login_required
@require_GET
def supervision(request):
    """督办: yellow and red applications of the scope, pending suspension/extension requests."""
    require_perm(request.user, Perm.SUPERVISE)
    data = approval_selectors.supervision(request.user)
    return common.work_page(
        request, "supervision.html", _supervision_lists(data), tab="supervision"
    )


def _supervision_lists(data: dict) -> dict:
    """The selector's lists with each application's working days left, for the page."""
    red, yellow = list(data.get("red") or []), list(data.get("yellow") or [])
    suspended = list(data.get("suspended") or [])
    for application in red + yellow + suspended:
        application.days_left = common.due_in_days(application)
        application.clock_label, _css = common.clock_text(
            {"due_date": application.due_date, "remaining_working_days": application.days_left}
        )
    return {
        "pending": list(data.get("pending_requests") or []),
        "pending_count": data.get("pending_count", 0),
        "warnings": [
            ("red", red, data.get("red_count", len(red)), _("Red warnings: overdue")),
            (
                "yellow",
                yellow,
                data.get("yellow_count", len(yellow)),
                _("Yellow warnings: due soon"),
            ),
            (
                "suspended",
                suspended,
                data.get("suspended_count", len(suspended)),
                _("Suspended: clock stopped"),
            ),
        ],
    }


@login_required
@require_POST
def decide_time_request(request, pk: int):
    """批准 / 驳回 a suspension or extension request."""
    require_perm(request.user, Perm.SUPERVISE)
    form = DecideTimeRequestForm(request.POST)
    if form.is_valid():
        try:
            approval.decide_time_request(
                actor=request.user,
                request_id=pk,
                approve=form.cleaned_data["approve"],
                comment=form.cleaned_data["comment"],
            )
        except (InvalidInput, Conflict) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Decision recorded."))
    else:
        messages.error(request, _("Choose approve or reject."))
    return redirect(reverse("portal:services_supervision"))
