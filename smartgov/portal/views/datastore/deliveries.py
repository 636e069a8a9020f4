"""Deliveries (数据归集): upload a file, one delivery and its rejection report, the history of a
resource and the overview across the departments in the actor's scope."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smartgov.accounts.scope import access
from smartgov.catalog.models import Resource, ResourceStatus
from smartgov.core.errors import NotFound, PermissionDeniedError, SmartgovError
from smartgov.core.models import Department
from smartgov.core.tree import subtree_q
from smartgov.datastore import selectors, services
from smartgov.datastore.models import Delivery, DeliveryMode, DeliveryStatus
from smartgov.datastore.permissions import Perm
from smartgov.portal.forms_datastore import DeliverForm, DeliveryFilterForm
from smartgov.portal.services import indent_label, paginate
from smartgov.portal.views.datastore.display import (
    STATUS_BADGE,
    FieldMasks,
    resource_tabs,
    upload_limit,
    with_badges,
)


def _columns_text(names, masks: FieldMasks) -> str:
    return "、".join(
        f"{name}（{masks.labels[name]}）" if name in masks.labels else name for name in names
    )


def delivery_error_details(exc: SmartgovError, masks: FieldMasks) -> list[str]:
    """What exactly was wrong with a refused delivery, in words the provider can act on."""
    detail = exc.detail if isinstance(exc.detail, dict) else {}
    if exc.code == "unknown_columns":
        lines = []
        if detail.get("unknown"):
            lines.append(
                _("Columns the resource does not define: %(columns)s")
                % {"columns": "、".join(detail["unknown"])}
            )
        else:
            lines.append(_("A column name appears more than once in the header row."))
        lines.append(
            _("The header row may use these columns: %(columns)s")
            % {"columns": _columns_text(detail.get("fields", []), masks)}
        )
        return lines
    if exc.code == "missing_columns":
        return [
            _("Missing columns of required fields: %(columns)s")
            % {"columns": _columns_text(detail.get("missing", []), masks)}
        ]
    if exc.code == "file_too_large":
        return [
            _("The upload limit is %(size)s; split the file or deliver through the API.")
            % {"size": filesizeformat(detail.get("limit_bytes", upload_limit()))}
        ]
    if exc.code == "unknown_file_format":
        return [
            _("%(name)s does not end in .csv, .xlsx, .json or .ndjson (.jsonl).")
            % {"name": detail.get("filename")}
        ]
    if exc.code == "bad_encoding":
        return [_("In Excel, save the sheet as “CSV UTF-8 (comma delimited)” and upload it again.")]
    if exc.code == "bad_csv" and exc.detail:
        return [str(exc.detail)]
    if exc.code == "schema_change_refused":
        return [str(reason) for reason in detail.get("reasons", [])]
    if exc.code == "resource_not_published":
        return [
            _("The resource is %(status)s; the data bureau publishes it after review.")
            % {"status": ResourceStatus(detail["status"]).label if detail.get("status") else ""}
        ]
    return []


@login_required
@require_http_methods(["GET", "POST"])
def deliver(request, pk: int):
    """The provider's data officers (and the data bureau) upload a file to a published resource."""
    resource = access(
        Resource.objects.select_related("provider"), request.user, Perm.DELIVER, pk=pk
    )
    table = selectors.store_table(resource)
    masks = FieldMasks(resource)
    form = DeliverForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    error, details, status = None, [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                delivery = services.deliver_file(
                    actor=request.user,
                    resource_id=resource.pk,
                    stream=upload,
                    filename=upload.name or "",
                    mode=form.cleaned_data["mode"],
                )
            except (NotFound, PermissionDeniedError):
                raise
            except SmartgovError as exc:
                error, details, status = exc, delivery_error_details(exc, masks), exc.status
            else:
                messages.success(request, _delivered_message(delivery))
                return redirect("portal:datastore_delivery", pk=delivery.pk)
    return render(
        request,
        "portal/datastore/deliver.html",
        {
            "resource": resource,
            "form": form,
            "fields": list(resource.fields.order_by("position", "id")),
            "limit": upload_limit(),
            "version": table.version if table else 0,
            "holds_records": resource.holds_records,
            "publishable": resource.status == ResourceStatus.PUBLISHED and resource.holds_records,
            "error": error,
            "details": details,
            "replace": DeliveryMode.REPLACE,
            "tab": "deliver",
            **resource_tabs(request.user, resource),
        },
        status=status,
    )


def _delivered_message(delivery: Delivery) -> str:
    if delivery.rejected:
        return _(
            "Version %(version)s is stored: %(stored)s rows taken, %(rejected)s rows rejected. "
            "Fix the rejected rows and upload them again."
        ) % {
            "version": delivery.version,
            "stored": delivery.received - delivery.rejected,
            "counts": _counts(delivery),
            "rejected": delivery.rejected,
        }
    return _("Version %(version)s is stored: all %(received)s rows taken.") % {
        "version": delivery.version,
        "received": delivery.received,
    }


@login_required
@require_GET
def delivery_template(request, pk: int):
    """A CSV with the resource's header row (UTF-8 with BOM, so Excel shows it right)."""
    resource = access(Resource.objects.all(), request.user, Perm.DELIVER, pk=pk)
    buffer = io.StringIO()
    csv.writer(buffer).writerow(
        resource.fields.order_by("position", "id").values_list("name", flat=True)
    )
    response = StreamingHttpResponse(
        [("\ufeff" + buffer.getvalue()).encode()], content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"{resource.name}-template.csv"
    )
    return response


# --- One delivery and its rejection report ------------------------------------------------


@login_required
@require_GET
def delivery_detail(request, pk: int):
    delivery = selectors.get_delivery(request.user, pk)
    resource = delivery.resource
    masks = FieldMasks(resource)
    page = paginate(request, selectors.rejections(request.user, pk))
    page.object_list = [
        {
            "row_number": r.row_number,
            "field": masks.rejected_field(r.field),
            "name": r.field,
            "value": masks.rejected_value(r.field, r.value),
            "code": r.code,
            "reason": _(r.reason),
        }
        for r in page.object_list
    ]
    actor = delivery.actor
    return render(
        request,
        "portal/datastore/delivery.html",
        {
            "delivery": delivery,
            "resource": resource,
            "actor": actor,
            "department": Department.objects.filter(pk=delivery.department_id).first(),
            "status_badge": STATUS_BADGE.get(delivery.status, ""),
            "error_message": _(delivery.error_message) if delivery.error_message else "",
            "page": page,
            "stored": delivery.received - delivery.rejected,
            "counts": _counts(delivery),
            "tab": "deliveries",
            **resource_tabs(request.user, resource),
        },
    )


def _counts(delivery: Delivery) -> list[tuple[str, int, str, str]]:
    """The row counts of a delivery as (label, value, test id, css class)."""
    return [
        (_("Received"), delivery.received, "received", ""),
        (_("Inserted"), delivery.inserted, "inserted", ""),
        (_("Updated"), delivery.updated, "updated", ""),
        (_("Deleted"), delivery.deleted, "deleted", ""),
        (_("Unchanged"), delivery.unchanged, "unchanged", "text-secondary"),
        (_("Rejected"), delivery.rejected, "rejected", "text-danger" if delivery.rejected else ""),
    ]


@login_required
@require_GET
def rejections_csv(request, pk: int):
    """The rejection report as CSV (UTF-8 with BOM), masked like the page."""
    delivery = selectors.get_delivery(request.user, pk)
    masks = FieldMasks(delivery.resource)
    rows = selectors.rejections(request.user, pk).values_list(
        "row_number", "field", "value", "code", "reason"
    )

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [_("Row number"), _("Field"), _("Field name"), _("Value"), _("Error code"), _("Reason")]
        )
        yield "\ufeff" + buffer.getvalue()
        for number, field, value, code, reason in rows.iterator(chunk_size=2000):
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(
                [
                    number,
                    masks.rejected_field(field),
                    field,
                    masks.rejected_value(field, value),
                    code,
                    _(reason),
                ]
            )
            yield buffer.getvalue()

    response = StreamingHttpResponse(
        (chunk.encode() for chunk in chunks()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"rejections-{delivery.pk}.csv"
    )
    return response


# --- Delivery history ---------------------------------------------------------------------


@login_required
@require_GET
def resource_deliveries(request, pk: int):
    """Every delivery to one resource, the newest first."""
    resource = selectors.readable_resource(request.user, pk)
    page = paginate(request, selectors.deliveries(request.user, pk).select_related("actor"))
    page.object_list = with_badges(page.object_list)
    return render(
        request,
        "portal/datastore/resource_deliveries.html",
        {
            "resource": resource,
            "page": page,
            "tab": "deliveries",
            **resource_tabs(request.user, resource),
        },
    )


def _department_choices(visible) -> list[tuple[int, str]]:
    providers = list(
        Department.objects.filter(
            pk__in=visible.values("resource__provider_id").distinct()
        ).order_by("path")
    )
    base = min((d.depth for d in providers), default=1)
    return [(d.pk, indent_label(d, base)) for d in providers]


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
@require_GET
def deliveries_overview(request):
    """数据归集: deliveries across the departments in the actor's scope, with filters."""
    visible = selectors.visible_deliveries(request.user)
    form = DeliveryFilterForm(request.GET or None, departments=_department_choices(visible))
    deliveries = visible
    if form.is_valid():
        data = form.cleaned_data
        if data["department"]:
            department = Department.objects.filter(pk=data["department"]).first()
            deliveries = (
                deliveries.filter(subtree_q(department.path, field="resource__provider__path"))
                if department
                else deliveries.none()
            )
        if data["resource"]:
            text = data["resource"].strip()
            deliveries = deliveries.filter(
                Q(resource__name__icontains=text) | Q(resource__code__startswith=text)
            )
        if data["status"]:
            deliveries = deliveries.filter(status=data["status"])
        if data["date_from"]:
            deliveries = deliveries.filter(started_at__gte=_day_start(data["date_from"]))
        if data["date_to"]:
            end = _day_start(data["date_to"]) + timedelta(days=1)
            deliveries = deliveries.filter(started_at__lt=end)
    elif form.is_bound:
        deliveries = deliveries.none()
    counts = dict(deliveries.order_by().values_list("status").annotate(n=Count("id")))
    page = paginate(
        request,
        deliveries.select_related("resource__provider", "actor").order_by("-started_at", "-id"),
    )
    page.object_list = with_badges(page.object_list)
    return render(
        request,
        "portal/datastore/deliveries.html",
        {
            "form": form,
            "page": page,
            "counts": {status: counts.get(status, 0) for status in DeliveryStatus.values},
            "total": sum(counts.values()),
            "filtered": any(request.GET.get(name) for name in form.fields),
            "status_labels": dict(DeliveryStatus.choices),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
