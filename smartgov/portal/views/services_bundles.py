"""一件事 pages: the published bundles, one bundle (its items and merged materials), applying
for a bundle with one merged form and one set of deduplicated materials, and the progress of
a bundle application across its items' departments.

Views parse the input, call one service of ``smartgov.services.bundles`` and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smartgov.core.errors import Conflict, InvalidInput, NotFound
from smartgov.portal.forms_services import ApplicationForm
from smartgov.portal.views import services_common as common
from smartgov.portal.views.services_apply import _prefilled, _require_applicant
from smartgov.services import bundles
from smartgov.services.models import ItemStatus, ServiceItem


def _bundle(code: str):
    try:
        return bundles.bundle_by_code(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_GET
def bundle_list(request):
    """一件事: the published bundles (anyone may read them)."""
    listed = list(bundles.published_bundles())
    for bundle in listed:
        bundle.item_count = bundle.entries.count()
    return render(request, "portal/services/bundle_list.html", {"bundles": listed})


def _items_of(bundle) -> list:
    codes = list(bundle.entries.values_list("basic_code", flat=True))
    items = {
        i.basic_code: i
        for i in ServiceItem.objects.filter(
            basic_code__in=codes, status=ItemStatus.PUBLISHED
        ).select_related("department")
    }
    return [items[c] for c in codes if c in items]


@require_GET
def bundle_detail(request, code: str):
    """One bundle: the items it joins, the merged materials, the apply button."""
    bundle = _bundle(code)
    return render(
        request,
        "portal/services/bundle.html",
        {
            "bundle": bundle,
            "items": _items_of(bundle),
            # No lookup here: the platform looks for proofs when the applicant applies.
            "materials": bundles.merged_materials(bundle),
            "can_apply": getattr(request.user, "kind", "") in ("citizen", "enterprise"),
        },
    )


class _Material:
    """A merged material shaped like an ItemMaterial for the application form."""

    def __init__(self, pk, name):
        self.pk, self.name = pk, name


def _bundle_form(bundle, materials, data=None, files=None, initial=None) -> ApplicationForm:
    uploadable = [_Material(m["key"], m["name"]) for m in materials if not m.get("found")]
    return ApplicationForm(
        data,
        files,
        definition=bundles.merged_form(bundle),
        materials=uploadable,
        initial=initial,
    )


def _uploads(form: ApplicationForm) -> list[dict]:
    return [
        {"key": key, "file_name": upload.name, "content": upload.read()}
        for key, upload in form.uploads().items()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def bundle_apply(request, code: str):
    """Apply for a bundle: one merged form, each distinct material once (found ones need
    nothing); one application per item goes to its department."""
    _require_applicant(request.user)
    bundle = _bundle(code)
    materials = bundles.merged_materials(bundle, holder_id=common.holder_of(request.user))
    definition = bundles.merged_form(bundle)
    form = _bundle_form(
        bundle,
        materials,
        request.POST or None,
        request.FILES or None,
        initial=_prefilled(request.user, definition),
    )
    if request.method == "POST" and form.is_valid():
        try:
            applied = bundles.apply_bundle(
                actor=request.user,
                code=code,
                form_data=form.form_data(),
                uploads=_uploads(form),
            )
        except (InvalidInput, Conflict) as exc:
            _bundle_errors(form, exc)
        else:
            messages.success(
                request, _("Application %(number)s submitted.") % {"number": applied.number}
            )
            return redirect("portal:services_bundle_application", number=applied.number)
    return render(
        request,
        "portal/services/bundle_apply.html",
        {"bundle": bundle, "form": form, "materials": materials, "items": _items_of(bundle)},
        status=400 if form.errors else 200,
    )


def _bundle_errors(form: ApplicationForm, exc) -> None:
    """The merged form's field errors on their inputs; each item's missing materials on the
    merged material's input (by key); any other problem of an item above the form."""
    detail = exc.detail if isinstance(exc.detail, dict) else {}
    problems = detail.get("items") or []
    missing = []
    for problem in problems:
        inner = problem.get("detail") if isinstance(problem.get("detail"), dict) else {}
        if inner.get("materials"):
            missing += [
                {"material_id": m.get("key"), "name": m.get("name", "")}
                for m in inner["materials"]
                if m.get("key") in form.material_names
            ]
        elif problem.get("code") not in ("form_invalid", "materials_missing"):
            form.add_error(None, f"{problem.get('item_name', '')}：{problem.get('message', '')}")
    if detail.get("fields") or missing:
        form.add_service_errors(
            InvalidInput(
                exc.code,
                exc.raw_message,
                detail={"fields": detail.get("fields") or {}, "materials": missing},
            )
        )
    elif not problems:
        form.add_error(None, exc.message)


@login_required
@require_GET
def bundle_application(request, number: str):
    """The progress of one bundle application: each item's application and where it is."""
    applied = bundles.bundle_application_for(request.user, number)
    progress = bundles.progress(applied)
    rows = list(applied.applications.select_related("item", "item__department"))
    for row in rows:
        row.badge = common.badge(row.status)
    return render(
        request,
        "portal/services/bundle_application.html",
        {"applied": applied, "progress": progress, "rows": rows},
    )
