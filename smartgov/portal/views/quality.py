"""Data quality (数据质量): the data bureau's overview (department ranking, score trend, lowest
scores, overdue deliveries) and each resource's quality page (rules with their latest results,
failing samples, history, run a check, add, edit and delete rules).

Reading goes through the quality selectors (scoped with ``datastore.view_quality``); every change
calls one quality service, whose refusals are shown inline on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.accounts.scope import access, has_city_scope, require_perm, restrict
from smartgov.catalog.models import Field, Resource, UpdateCycle
from smartgov.core.errors import NotFound, PermissionDeniedError, SmartgovError
from smartgov.datastore import quality, quality_selectors
from smartgov.datastore.models import QualityKind, QualityRule, RuleOrigin
from smartgov.datastore.permissions import Perm
from smartgov.datastore.quality_checks import ALLOWED_AGE
from smartgov.portal.forms_quality import QualityRuleForm
from smartgov.portal.services import paginate

HISTORY_DAYS = 90
HISTORY_REPORTS = 60

# Why a rule could not be evaluated (RuleResult.error), as shown.
RESULT_ERRORS = {
    "no_data": gettext_lazy("No data has been delivered yet."),
    "field_missing": gettext_lazy("The field is not in the stored table yet."),
    "no_required_fields": gettext_lazy("The resource has no required fields."),
    "reference_no_data": gettext_lazy("The reference resource holds no data yet."),
    "reference_unavailable": gettext_lazy("The reference field is not available."),
    "no_update_cycle": gettext_lazy("Irregular updates have no deadline."),
    "not_published": gettext_lazy("The resource is not published."),
    "no_recent_delivery": gettext_lazy("No delivery in the last 30 days."),
    "rule_not_applicable": gettext_lazy("The rule does not apply to the field's type."),
}
# Which form field a service refusal belongs to (anything else is shown above the form).
_RULE_ERROR_FIELD = {
    "unknown_rule_kind": "kind",
    "unknown_field": "fields",
    "rule_fields": "fields",
    "validity_check_required": "pattern",
    "pattern_invalid": "pattern",
    "pattern_unsafe": "pattern",
    "pattern_too_long": "pattern",
    "pattern_not_for_type": "pattern",
    "params_not_allowed": "pattern",
    "range_not_for_type": "minimum",
    "range_empty": "maximum",
    "not_future_not_for_type": "not_future",
    "reference_not_found": "reference",
    "reference_field_not_found": "reference",
    "reference_to_itself": "reference",
    "reference_type_mismatch": "reference",
    "reference_not_allowed": "reference",
    "weight_range": "weight",
    "threshold_range": "threshold",
    "note_too_long": "note",
}


def score_badge(score) -> str:
    """Badge colour of a score: green from 90, yellow from 75, red below, grey unscored."""
    if score is None:
        return "bg-secondary-lt"
    if score >= 90:
        return "bg-green-lt"
    if score >= 75:
        return "bg-yellow-lt"
    return "bg-red-lt"


# --- Describing rules ---------------------------------------------------------------------


def _allowed_age(update_cycle: str) -> str:
    amount, unit = ALLOWED_AGE[update_cycle]
    if unit == "working_day":
        return _("%(n)s working day(s)") % {"n": amount}
    return _("%(n)s day(s)") % {"n": amount}


def describe(item: dict, labels: dict, *, resource: Resource, target_labels: dict) -> str:
    """One line saying what a rule (or a stored result of one) checks, in the active language."""
    kind, fields, params = item["kind"], item["fields"], item.get("params") or {}
    names = "、".join(labels.get(name, name) for name in fields)
    if kind == QualityKind.COMPLETENESS:
        if not fields:
            return _("Every required field is filled in")
        return _("%(fields)s is filled in") % {"fields": names}
    if kind == QualityKind.VALIDITY:
        parts = []
        if params.get("pattern"):
            parts.append(_("matches %(pattern)s") % {"pattern": params["pattern"]})
        low, high = params.get("min"), params.get("max")
        if low and high:
            parts.append(_("between %(min)s and %(max)s") % {"min": low, "max": high})
        elif low:
            parts.append(_("at least %(min)s") % {"min": low})
        elif high:
            parts.append(_("at most %(max)s") % {"max": high})
        if params.get("not_future"):
            parts.append(_("not in the future"))
        return f"{names}：{'，'.join(parts)}"
    if kind == QualityKind.UNIQUENESS:
        return _("%(fields)s is unique") % {"fields": names}
    if kind == QualityKind.CONSISTENCY:
        target = item.get("target") or {}
        field = target_labels.get((target.get("resource_id"), target.get("field")))
        return _("%(fields)s exists in %(resource)s · %(field)s") % {
            "fields": names,
            "resource": target.get("name", "?"),
            "field": field or target.get("field", "?"),
        }
    if kind == QualityKind.TIMELINESS:
        if resource.update_cycle not in ALLOWED_AGE:
            return _("Delivered on time (irregular updates have no deadline)")
        return _("Delivered within %(age)s of the last delivery (%(cycle)s)") % {
            "age": _allowed_age(resource.update_cycle),
            "cycle": UpdateCycle(resource.update_cycle).label,
        }
    return _("Rows accepted at ingestion in the last 30 days")


def _target_labels(items) -> dict:
    wanted = {
        (item["target"]["resource_id"], item["target"]["field"])
        for item in items
        if item.get("target")
    }
    if not wanted:
        return {}
    found = Field.objects.filter(resource_id__in={r for r, _f in wanted}).values_list(
        "resource_id", "name", "label"
    )
    return {(r, n): label for r, n, label in found if (r, n) in wanted}


def _result_row(result: dict, labels: dict) -> dict:
    """A stored result as shown: score, pass badge, reason, sample columns with labels."""
    samples = result.get("samples") or []
    columns = list(samples[0]) if samples else []
    return {
        **result,
        "reason": RESULT_ERRORS.get(result.get("error"), result.get("error")),
        "badge": score_badge(result.get("score")),
        "sample_columns": [labels.get(c, c) for c in columns],
        "sample_rows": [[sample.get(c) for c in columns] for sample in samples],
    }


# --- Overview -----------------------------------------------------------------------------


def _chart(user, ranking, department_id: int | None) -> dict:
    """Score series by day: the city (whole-city scope) and one department."""
    series = []
    if has_city_scope(user, Perm.VIEW_QUALITY):
        snapshots = quality_selectors.score_history(user, days=HISTORY_DAYS)
        series.append((_("Whole city"), snapshots))
    chosen = next((e for e in ranking if e.department.pk == department_id), None)
    if chosen is None and not series and ranking:
        chosen = ranking[0]
    if chosen is not None:
        snapshots = quality_selectors.score_history(
            user, department_id=chosen.department.pk, days=HISTORY_DAYS
        )
        series.append((chosen.department.name, snapshots))
    days = sorted({s.day for _name, snapshots in series for s in snapshots})
    return {
        "days": [day.isoformat() for day in days],
        "series": [
            {
                "name": name,
                "data": [
                    next(
                        (float(s.score) for s in snapshots if s.day == day and s.score is not None),
                        None,
                    )
                    for day in days
                ],
            }
            for name, snapshots in series
        ],
        "label": _("Quality score"),
    }


@login_required
@require_GET
def overview(request):
    """数据质量: ranking, trend, lowest scores and overdue deliveries in the viewer's scope."""
    require_perm(request.user, Perm.VIEW_QUALITY)
    ranking = quality_selectors.department_scores(request.user)
    for entry in ranking:
        entry.badge = score_badge(entry.score)
    try:
        department_id = int(request.GET.get("department", ""))
    except ValueError:
        department_id = None
    lowest = quality_selectors.lowest_scores(request.user)
    for resource in lowest:
        resource.badge = score_badge(resource.quality_score)
    city = quality_selectors.city_score(request.user)
    city["badge"] = score_badge(city["score"])
    overdue = paginate(request, quality_selectors.overdue(request.user))
    return render(
        request,
        "portal/quality/overview.html",
        {
            "city": city,
            "city_scope": has_city_scope(request.user, Perm.VIEW_QUALITY),
            "ranking": ranking,
            "department_id": department_id,
            "chart": _chart(request.user, ranking, department_id),
            "lowest": lowest,
            "page": overdue,
            "now": timezone.now(),
        },
    )


# --- One resource -------------------------------------------------------------------------


def _can_manage(user, resource: Resource) -> bool:
    return restrict(Resource.objects.filter(pk=resource.pk), user, Perm.MANAGE_QUALITY).exists()


@login_required
@require_GET
def resource_quality(request, pk: int):
    """The resource's rules with their latest results, samples and score history."""
    resource = quality_selectors.quality_resource(request.user, pk)
    rules = quality.rules_of(request.user, pk)
    report = quality_selectors.latest_report(request.user, pk)
    if report is not None:
        report = quality_selectors.presented(request.user, report)
    labels = dict(resource.fields.values_list("name", "label"))
    results = {r["rule_id"]: r for r in (report.results if report else [])}
    target_labels = _target_labels(
        [*(r for r in results.values()), *({"target": _target(rule)} for rule in rules)]
    )
    rows = []
    for rule in rules:
        item = {
            "kind": rule.kind,
            "fields": rule.fields,
            "params": rule.params,
            "target": _target(rule),
        }
        result = results.get(rule.pk)
        rows.append(
            {
                "rule": rule,
                "description": describe(
                    item, labels, resource=resource, target_labels=target_labels
                ),
                "result": _result_row(result, labels) if result else None,
            }
        )
    history = list(quality_selectors.reports(request.user, pk).defer("results")[:HISTORY_REPORTS])[
        ::-1
    ]
    chart = {
        "days": [timezone.localtime(r.created_at).strftime("%m-%d %H:%M") for r in history],
        "series": [
            {
                "name": _("Quality score"),
                "data": [None if r.score is None else float(r.score) for r in history],
            }
        ],
        "label": _("Quality score"),
    }
    return render(
        request,
        "portal/quality/resource.html",
        {
            "resource": resource,
            "report": report,
            "report_badge": score_badge(report.score if report else None),
            "rows": rows,
            "chart": chart,
            "history_count": len(history),
            "can_manage": _can_manage(request.user, resource),
            "published": resource.status == "published",
        },
    )


def _target(rule: QualityRule) -> dict | None:
    if not rule.target_resource_id:
        return None
    return {
        "resource_id": rule.target_resource_id,
        "name": rule.target_resource.name,
        "field": rule.target_field,
    }


@login_required
@require_POST
def run_check(request, pk: int):
    """Check the resource now; the page shows the new report."""
    try:
        report = quality.run_quality_check(actor=request.user, resource_id=pk)
    except (NotFound, PermissionDeniedError):
        raise
    except SmartgovError as exc:
        messages.error(request, exc.message)
    else:
        score = "—" if report.score is None else report.score
        messages.success(request, _("Checked: quality score %(score)s.") % {"score": score})
    return redirect("portal:quality_resource", pk=pk)


# --- Rules --------------------------------------------------------------------------------


def _form(resource: Resource, data=None, *, initial=None, derived=False) -> QualityRuleForm:
    fields = [
        (f.name, f"{f.label}（{f.name}）") for f in resource.fields.order_by("position", "id")
    ]
    references = []
    tables = quality.published_tables().select_related("provider").order_by("code")
    by_resource: dict[int, list] = {}
    for field in Field.objects.filter(resource__in=tables).order_by("position", "id"):
        by_resource.setdefault(field.resource_id, []).append(
            (f"{field.resource_id}:{field.name}", f"{field.label}（{field.name}）")
        )
    for table in tables:
        if table.pk in by_resource:
            references.append((f"{table.code} {table.name}", by_resource[table.pk]))
    return QualityRuleForm(
        data,
        initial=initial,
        field_choices=fields,
        reference_choices=references,
        derived=derived,
    )


def _show_error(form: QualityRuleForm, exc: SmartgovError) -> None:
    name = _RULE_ERROR_FIELD.get(exc.code)
    if exc.code == "range_bound_invalid":
        name = "maximum" if (exc.detail or {}).get("bound") == "max" else "minimum"
    form.add_error(name if name in form.fields else None, exc.message)


def _save_rule(request, form: QualityRuleForm, save) -> bool:
    if not form.is_valid():
        return False
    try:
        save(form.as_values())
    except (NotFound, PermissionDeniedError):
        raise
    except SmartgovError as exc:
        _show_error(form, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request, pk: int):
    resource = access(
        Resource.objects.select_related("provider"), request.user, Perm.MANAGE_QUALITY, pk=pk
    )
    form = _form(resource, request.POST or None, initial={"enabled": True, "weight": 1})

    def save(values):
        quality.create_rule(actor=request.user, resource_id=resource.pk, **values)

    if request.method == "POST" and _save_rule(request, form, save):
        messages.success(request, _("The rule is added."))
        return redirect("portal:quality_resource", pk=resource.pk)
    return render(
        request,
        "portal/quality/rule_form.html",
        {"form": form, "resource": resource},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    rule = access(
        QualityRule.objects.select_related("resource", "target_resource"),
        request.user,
        Perm.MANAGE_QUALITY,
        pk=pk,
    )
    resource = rule.resource
    derived = rule.origin == RuleOrigin.DEFAULT
    initial = {
        "kind": rule.kind,
        "fields": rule.fields,
        "pattern": rule.params.get("pattern", ""),
        "minimum": rule.params.get("min", ""),
        "maximum": rule.params.get("max", ""),
        "not_future": bool(rule.params.get("not_future")),
        "reference": f"{rule.target_resource_id}:{rule.target_field}"
        if rule.target_resource_id
        else "",
        "weight": rule.weight,
        "threshold": rule.threshold,
        "enabled": rule.enabled,
        "note": rule.note,
    }
    form = _form(resource, request.POST or None, initial=initial, derived=derived)
    if not derived:
        form.fields["kind"].disabled = True  # a rule keeps its kind

    def save(values):
        values.pop("kind", None)
        quality.update_rule(actor=request.user, rule_id=rule.pk, changes=values)

    if request.method == "POST" and _save_rule(request, form, save):
        messages.success(request, _("The rule is saved."))
        return redirect("portal:quality_resource", pk=resource.pk)
    labels = dict(resource.fields.values_list("name", "label"))
    item = {
        "kind": rule.kind,
        "fields": rule.fields,
        "params": rule.params,
        "target": _target(rule),
    }
    target_labels = _target_labels([item])
    return render(
        request,
        "portal/quality/rule_form.html",
        {
            "form": form,
            "resource": resource,
            "rule": rule,
            "derived": derived,
            "description": describe(item, labels, resource=resource, target_labels=target_labels),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def rule_delete(request, pk: int):
    rule = access(
        QualityRule.objects.select_related("resource"), request.user, Perm.MANAGE_QUALITY, pk=pk
    )
    try:
        quality.delete_rule(actor=request.user, rule_id=rule.pk)
    except (NotFound, PermissionDeniedError):
        raise
    except SmartgovError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The rule is deleted."))
    return redirect("portal:quality_resource", pk=rule.resource_id)
