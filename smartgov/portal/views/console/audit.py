"""Audit log (审计日志): read-only list, detail with a before/after diff, chain verification."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import access, require_perm, restrict
from smartgov.core.audit import verify_chain
from smartgov.core.models import AuditRecord
from smartgov.portal.forms import AuditFilterForm
from smartgov.portal.services import audit_diff, is_htmx, paginate


def _records(request):
    return restrict(AuditRecord.objects.all(), request.user, Perm.VIEW_AUDIT)


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
@require_GET
def audit_list(request):
    """Newest first, filtered by action, actor, object type and a date range (Asia/Shanghai)."""
    require_perm(request.user, Perm.VIEW_AUDIT)
    records = _records(request)
    actions = records.order_by("action").values_list("action", flat=True).distinct()
    object_types = (
        records.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
    form = AuditFilterForm(request.GET or None, actions=actions, object_types=object_types)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            records = records.filter(action=data["action"])
        if data["actor"]:
            records = records.filter(actor_name__iexact=data["actor"].strip())
        if data["object_type"]:
            records = records.filter(object_type=data["object_type"])
        if data["date_from"]:
            records = records.filter(created_at__gte=_local_midnight(data["date_from"]))
        if data["date_to"]:
            end = _local_midnight(data["date_to"] + timedelta(days=1))
            records = records.filter(created_at__lt=end)
    return render(
        request,
        "portal/console/audit.html",
        {
            "form": form,
            "page": paginate(request, records.order_by("-seq")),
            "filtered": any(request.GET.get(name) for name in form.fields),
        },
    )


@login_required
@require_GET
def audit_detail(request, seq: int):
    record = access(AuditRecord.objects.all(), request.user, Perm.VIEW_AUDIT, seq=seq)
    return render(
        request,
        "portal/console/audit_detail.html",
        {"record": record, "diff": audit_diff(record.before, record.after)},
    )


@login_required
@require_POST
def audit_verify(request):
    """Walk the whole hash chain; HTMX gets the result fragment, others a page."""
    require_perm(request.user, Perm.VIEW_AUDIT)
    result = verify_chain()
    context = {"result": result, "checked_at": timezone.now()}
    if is_htmx(request):
        return render(request, "portal/console/_audit_verify.html", context)
    return render(request, "portal/console/audit_verify.html", context)
