"""Open data (数据开放): the public list with search and facets, resource pages with preview and
downloads, applications for conditionally open resources and their decision, developer keys,
and the DCAT-AP catalog. No login is needed to browse or to download open resources."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.accounts.scope import access, has_perm
from smartgov.catalog.models import OpenType
from smartgov.core.errors import (
    InvalidInput,
    NotFound,
    PermissionDeniedError,
    SmartgovError,
    Throttled,
)
from smartgov.core.models import Department
from smartgov.datastore import exports
from smartgov.opendata import dcat, search, selectors, services
from smartgov.opendata.models import (
    ApplicationStatus,
    DeveloperKey,
    License,
    OpenApplication,
    Publication,
    Topic,
)
from smartgov.opendata.permissions import Perm
from smartgov.portal.forms_opendata import (
    ApplyForm,
    DecideForm,
    KeyForm,
    OpenSearchForm,
    PublicationForm,
)
from smartgov.portal.services import is_htmx

PAGE_SIZE = 20
SESSION_SECRET = "opendata_new_key"  # noqa: S105 - a session key name
APPLICATION_BADGE = {
    ApplicationStatus.PENDING: "bg-yellow-lt",
    ApplicationStatus.APPROVED: "bg-green-lt",
    ApplicationStatus.REJECTED: "bg-red-lt",
}


class _Window(Sequence):
    """One page of search results standing in for the whole list, for Django's Paginator."""

    def __init__(self, count: int, start: int, items: list) -> None:
        self.count, self.start, self.items = count, start, items

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        if isinstance(index, slice) and index.start == self.start:
            return self.items
        return [] if isinstance(index, slice) else self.items[index - self.start]


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


def _with_presentation(resources) -> list:
    for resource in resources:
        resource.package_name = selectors.package_name(resource)
        resource.pub = selectors.publication(resource)
        resource.formats = search.formats_of(resource.format)
    return resources


@require_GET
def open_list(request):
    """Open resources: ranked Chinese search, filters, facet counts, pagination."""
    provider_ids = selectors.open_resources().values("provider_id").distinct()
    providers = Department.objects.filter(pk__in=provider_ids).order_by("path")
    topics = list(Topic.objects.all())
    form = OpenSearchForm(
        request.GET or None,
        providers=[(d.pk, d.name) for d in providers],
        topics=[(t.code, t.name) for t in topics],
    )
    query, clauses = "", []
    if form.is_valid():
        data = form.cleaned_data
        query = data["q"]
        if data["provider"]:
            clauses.append(("organization", search.org_name(data["provider"])))
        if data["topic"]:
            clauses.append(("groups", data["topic"]))
        if data["format"]:
            clauses.append(("format", data["format"]))
        if data["update_cycle"]:
            clauses.append(("update_cycle", data["update_cycle"]))
    number = _page_number(request)

    def run(page_number: int):
        return search.search_packages(
            search.Query(
                q=query,
                clauses=tuple(clauses),
                sort="score desc, metadata_modified desc" if query.strip() else "title_string asc",
                rows=PAGE_SIZE,
                start=(page_number - 1) * PAGE_SIZE,
                facet_fields=("organization", "groups"),
                facet_limit=12,
            )
        )

    result = run(number)
    last = max(1, -(-result.count // PAGE_SIZE))
    if number > last:
        number = last
        result = run(number)
    paginator = Paginator(
        _Window(result.count, (number - 1) * PAGE_SIZE, result.resources), PAGE_SIZE
    )
    page = paginator.page(number)
    page.page_range_elided = list(
        paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)
    )
    page.object_list = _with_presentation(list(page.object_list))
    facet_links = []
    for item in result.facets.get("organization", []):
        facet_links.append(("provider", search.org_id(item.name), item.display_name, item.count))
    topic_links = [
        ("topic", i.name, i.display_name, i.count) for i in result.facets.get("groups", [])
    ]
    context = {
        "form": form,
        "page": page,
        "query": query.strip(),
        "filtered": any(request.GET.get(name) for name in form.fields),
        "provider_facets": facet_links,
        "topic_facets": topic_links,
    }
    template = "portal/opendata/_results.html" if is_htmx(request) else "portal/opendata/list.html"
    return render(request, template, context)


def _user_or_key(request):
    """The session's user, or the developer behind an Authorization header key (rate-limited)."""
    header = request.headers.get("Authorization")
    if header:
        key = services.authenticate_key(header)
        services.check_rate(key)
        return key.user
    return request.user


@require_GET
def open_detail(request, name: str):
    """A resource page: description, open fields, preview, downloads, usage counts."""
    resource = selectors.get_open_resource(name)
    services.record_usage(resource_id=resource.pk, kind="view")
    open_fields, withheld = selectors.split_fields(resource)
    usable = selectors.may_use(request.user, resource)
    table = selectors.open_table(resource) if resource.holds_records else None
    application = selectors.application_of(request.user, resource)
    pub = Publication.objects.filter(resource=resource).prefetch_related("tags").first()
    user = request.user
    is_developer = user.is_authenticated and user.kind in services.DEVELOPER_KINDS
    can_apply = (
        resource.open_type == OpenType.CONDITIONAL
        and not usable
        and (application is None or application.status == ApplicationStatus.REJECTED)
    )
    context = {
        "resource": resource,
        "name": name,
        "pub": pub,
        "license_label": License(pub.license if pub else License.CC_BY).label,
        "open_fields": open_fields,
        "withheld": withheld,
        "usable": usable,
        "table": table,
        "row_count": selectors.row_count(table) if table else 0,
        "columns": [
            f for f in open_fields if table and f.name in {c["name"] for c in table.schema}
        ],
        "preview": selectors.preview(table) if table and usable else [],
        "formats": [(f, selectors.FORMAT_LABELS[f]) for f in selectors.DOWNLOAD_FORMATS]
        if table
        else [],
        "application": application,
        "application_badge": APPLICATION_BADGE.get(application.status, "") if application else "",
        "can_apply": can_apply,
        "is_developer": is_developer,
        "apply_form": ApplyForm(),
        "records_id": name + "-records",
        "publication_form": _publication_form(resource, pub)
        if has_perm(request.user, Perm.MANAGE_PUBLICATION)
        else None,
    }
    return render(request, "portal/opendata/detail.html", context)


def _publication_form(resource, pub, data=None) -> PublicationForm:
    initial = {
        "topic": pub.topic.code if pub and pub.topic else "",
        "tags": ", ".join(t.name for t in pub.tags.all()) if pub else "",
        "license": pub.license if pub else License.CC_BY,
    }
    return PublicationForm(
        data,
        initial=initial,
        topics=[(t.code, t.name) for t in Topic.objects.all()],
        licenses=License.choices,
    )


@login_required
@require_POST
def open_publication(request, name: str):
    """The data bureau files the resource under a topic and tags, with a license."""
    resource = selectors.get_open_resource(name)
    form = _publication_form(resource, selectors.publication(resource), request.POST)
    if form.is_valid():
        try:
            services.file_publication(
                actor=request.user,
                resource_id=resource.pk,
                topic_code=form.cleaned_data["topic"],
                tags=form.tag_list(),
                license=form.cleaned_data["license"],
            )
        except SmartgovError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Topic, tags and license saved."))
    else:
        messages.error(request, _("Check the topic, tags and license."))
    return redirect("portal:open_detail", name=name)


@require_GET
def open_download(request, name: str, fmt: str):
    """Stream the open fields' rows as CSV, JSON, XLSX or Parquet; counted as a download."""
    if fmt not in selectors.DOWNLOAD_FORMATS:
        raise InvalidInput(
            "unknown_export_format", "Export formats are csv, json, xlsx and parquet."
        )
    resource = selectors.get_open_resource(name)
    try:
        user = _user_or_key(request)
    except Throttled as error:
        response = HttpResponse(error.message, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(error.detail["retry_after"])
        return response
    if not selectors.may_use(user, resource):
        raise PermissionDeniedError(
            "not_approved",
            "This resource is conditionally open: apply and wait for approval before downloading.",
        )
    table = selectors.open_table(resource) if resource.holds_records else None
    if table is None:
        raise NotFound("no_data", "This resource holds no data yet.")
    services.record_usage(resource_id=resource.pk, kind="download")
    content_type, extension = exports.FORMATS[fmt]
    response = StreamingHttpResponse(exports.WRITERS[fmt](table, None), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{resource.name}-{name}.{extension}"
    )
    return response


@login_required
@require_POST
def open_apply(request, name: str):
    """A developer applies for a conditionally open resource."""
    resource = selectors.get_open_resource(name)
    form = ApplyForm(request.POST)
    if form.is_valid():
        try:
            services.apply_for_resource(
                actor=request.user, resource_id=resource.pk, purpose=form.cleaned_data["purpose"]
            )
        except SmartgovError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Application sent; the provider department decides."))
    else:
        messages.error(request, _("Describe the purpose in 5 to 2,000 characters."))
    return redirect("portal:open_detail", name=name)


# --- Developer: keys and applications -------------------------------------------------------


@login_required
@require_GET
def developer(request):
    """My open-API keys (a new secret shown once) and my applications."""
    keys = DeveloperKey.objects.filter(user=request.user)
    applications = OpenApplication.objects.filter(applicant=request.user).select_related("resource")
    for application in applications:
        application.badge = APPLICATION_BADGE.get(application.status, "")
        application.package_name = selectors.package_name(application.resource)
    context = {
        "keys": keys,
        "applications": applications,
        "form": KeyForm(),
        "new_secret": request.session.pop(SESSION_SECRET, None),
        "is_developer": request.user.kind in services.DEVELOPER_KINDS,
        "ckan_base": request.build_absolute_uri("/api/3/action/"),
    }
    return render(request, "portal/opendata/developer.html", context)


@login_required
@require_POST
def key_create(request):
    form = KeyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A key needs a name of 1–64 characters."))
        return redirect("portal:open_developer")
    try:
        _key, secret = services.create_key(actor=request.user, name=form.cleaned_data["name"])
    except SmartgovError as error:
        messages.error(request, error.message)
    else:
        request.session[SESSION_SECRET] = secret
        messages.success(request, _("Key created. Copy it now: it is shown only once."))
    return redirect("portal:open_developer")


@login_required
@require_POST
def key_revoke(request, pk: int):
    try:
        services.revoke_key(actor=request.user, key_id=pk)
    except SmartgovError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Key revoked; it no longer works."))
    return redirect("portal:open_developer")


# --- Provider: decide applications ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request, pk: int):
    """An application, with the approve / reject form for the provider or the data bureau."""
    application = access(
        OpenApplication.objects.select_related("resource__provider", "applicant", "decided_by"),
        request.user,
        Perm.DECIDE_APPLICATION,
        pk=pk,
    )
    form = DecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_application(
                actor=request.user,
                application_id=pk,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except SmartgovError as error:
            form.add_error("comment" if error.code == "reason_required" else None, error.message)
        else:
            messages.success(request, _("Decision recorded; the applicant can see it."))
            return redirect("portal:open_application", pk=pk)
    application.badge = APPLICATION_BADGE.get(application.status, "")
    context = {
        "application": application,
        "form": form,
        "package_name": selectors.package_name(application.resource),
        "can_decide": application.status == ApplicationStatus.PENDING
        and has_perm(request.user, Perm.DECIDE_APPLICATION),
    }
    return render(request, "portal/opendata/application.html", context)


# --- DCAT-AP ---------------------------------------------------------------------------------

DCAT_TYPES = {"jsonld": "application/ld+json; charset=utf-8", "ttl": "text/turtle; charset=utf-8"}


@require_GET
def catalog_dcat(request, fmt: str):
    graph = dcat.catalog_graph(request.build_absolute_uri)
    return HttpResponse(dcat.serialize(graph, fmt), content_type=DCAT_TYPES[fmt])


@require_GET
def dataset_dcat(request, name: str, fmt: str):
    resource = selectors.get_open_resource(name)
    graph = dcat.dataset_graph(resource, request.build_absolute_uri)
    return HttpResponse(dcat.serialize(graph, fmt), content_type=DCAT_TYPES[fmt])
