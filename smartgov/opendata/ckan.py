"""The CKAN-compatible Action API (``/api/3/action/<name>``): open resources as CKAN packages.

Mapping: organizations are the provider departments (``dept-<id>``); groups are the topics;
packages are the open resources, named after their resource code (``101002001-000001``); a
package's resources are its downloads (CSV, JSON, XLSX, Parquet) and one datastore-active
resource (``<name>-records``) that ``datastore_search`` reads. Shapes follow CKAN's API guide:
``{"help", "success": true, "result"}``, and on failure ``{"help", "success": false, "error":
{"__type", "message", ...}}`` with CKAN's statuses (404 Not Found Error, 409 Validation Error
and Search Query Error, 403 Authorization Error); an unknown action or a body that is not a
JSON object is a 400 in the same envelope (CKAN itself answers those with a bare string).
Only published open fields are ever shown (see selectors).
"""

# SQL here names tables and columns: names come from the store table's schema (catalog's
# FIELD_NAME_RE) and are quoted with db.q(); every value is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import json
from datetime import UTC

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from smartgov.catalog.models import Resource
from smartgov.core.errors import InvalidInput, NotFound, PermissionDeniedError
from smartgov.core.models import Department
from smartgov.datastore import db
from smartgov.datastore.validation import Rejected, build_checker, output
from smartgov.opendata import search, selectors, services
from smartgov.opendata.models import LICENSE_URLS, License, Publication, Tag, Topic

CKAN_VERSION = "2.10.0"  # the API generation whose shapes are followed
DATASTORE_DEFAULT_LIMIT = 100
DATASTORE_MAX_LIMIT = 1000
LIST_MAX_LIMIT = 1000
CKAN_TYPES = {
    "integer": "int",
    "decimal": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
}
TEXT_TYPES = {"string", "citizen_id", "credit_code", "region_code", "phone", "enum"}
MIMETYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
RECORDS_SUFFIX = "-records"


class ValidationError(InvalidInput):
    """CKAN's Validation Error (409): ``errors`` maps a parameter to its messages."""

    status = 409

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first = next(iter(errors.items()))
        super().__init__("validation_error", f"{first[0]}: {first[1][0]}", detail=errors)
        self.errors = errors


class Context:
    """One call: the request's absolute base URL and the developer behind the API key, if any."""

    def __init__(self, request, key=None) -> None:
        self.request = request
        self.key = key
        self.user = key.user if key is not None else None

    def url(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    @cached_property
    def portal_base(self) -> str:
        """Absolute URL of the open-data pages (``…/open/``), reversed once per call."""
        return self.url(reverse("portal:open_list"))

    @cached_property
    def datastore_url(self) -> str:
        return self.url(reverse("ckan_action", args=["datastore_search"]))


# --- Parameter helpers ---------------------------------------------------------------------


def _int(params: dict, name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
    value = params.get(name, default)
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({name: ["Invalid integer"]}) from None
    if number < low:
        raise ValidationError({name: [f"Must be a natural number ≥ {low}"]})
    if high is not None and number > high:
        raise ValidationError({name: [f"Must be at most {high}"]})
    return number


def _bool(params: dict, name: str, default: bool = False) -> bool:
    value = params.get(name, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise ValidationError({name: ["Invalid boolean"]})


def _str(params: dict, name: str, default: str = "") -> str:
    value = params.get(name, default)
    if value is None:
        return default
    if not isinstance(value, (str, int, float)):
        raise ValidationError({name: ["Must be a string"]})
    return str(value)


def _list(params: dict, name: str) -> list[str]:
    """A list given as a JSON list, a JSON-encoded list string, or a comma-separated string."""
    value = params.get(name)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ValidationError({name: ["Invalid JSON list"]}) from None
        else:
            value = [v.strip() for v in text.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError({name: ["Must be a list of strings"]})
    return value


def _json_object(params: dict, name: str) -> dict:
    value = params.get(name)
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError({name: ["Invalid JSON object"]}) from None
    if not isinstance(value, dict):
        raise ValidationError({name: ["Must be a JSON object"]})
    return value


def _time(value) -> str | None:
    """CKAN's timestamps: ISO 8601 in UTC without an offset."""
    if value is None:
        return None
    return timezone.localtime(value, UTC).replace(tzinfo=None).isoformat()


def _required(params: dict, name: str) -> str:
    value = _str(params, name).strip()
    if not value:
        raise ValidationError({name: ["Missing value"]})
    return value


# --- Dictionaries --------------------------------------------------------------------------


def organization_dict(department: Department, package_count: int | None = None) -> dict:
    name = search.org_name(department.pk)
    data = {
        "id": name,
        "name": name,
        "title": department.name,
        "display_name": department.name,
        "description": department.short_name or "",
        "image_url": "",
        "image_display_url": "",
        "created": _time(department.created_at),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
        "type": "organization",
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def group_dict(topic: Topic, package_count: int | None = None) -> dict:
    data = {
        "id": topic.code,
        "name": topic.code,
        "title": topic.name,
        "display_name": topic.name,
        "description": topic.description,
        "image_url": "",
        "image_display_url": "",
        "created": _time(topic.created_at),
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
        "type": "group",
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def tag_dict(tag: Tag) -> dict:
    return {
        "id": str(tag.pk),
        "name": tag.name,
        "display_name": tag.name,
        "state": "active",
        "vocabulary_id": None,
    }


def _store(resource: Resource):
    try:
        return resource.store_table
    except Resource.store_table.RelatedObjectDoesNotExist:
        return None


def resource_dicts(resource: Resource, ctx: Context) -> list[dict]:
    """The package's resources: its downloads and the datastore-active records."""
    if not resource.holds_records:
        return []
    name = selectors.package_name(resource)
    store = _store(resource)
    has_rows = store is not None and store.version > 0
    modified = _time(store.updated_at) if has_rows else None
    items = []
    for position, fmt in enumerate(selectors.DOWNLOAD_FORMATS):
        label = selectors.FORMAT_LABELS[fmt]
        items.append(
            {
                "id": f"{name}-{fmt}",
                "package_id": name,
                "name": f"{resource.name}（{label}）",
                "description": f"{label} download of all open fields.",
                "format": label.upper() if fmt != "parquet" else "Parquet",
                "mimetype": MIMETYPES[fmt],
                "url": f"{ctx.portal_base}{name}/download/{fmt}",
                "url_type": None,
                "state": "active",
                "position": position,
                "created": _time(resource.created_at),
                "last_modified": modified,
                "metadata_modified": _time(resource.updated_at),
                "datastore_active": False,
                "size": None,
                "hash": "",
                "cache_url": None,
                "resource_type": None,
            }
        )
    records_id = name + RECORDS_SUFFIX
    items.append(
        {
            "id": records_id,
            "package_id": name,
            "name": f"{resource.name}（数据接口）",
            "description": "Records of the open fields through datastore_search.",
            "format": "JSON",
            "mimetype": "application/json",
            "url": f"{ctx.datastore_url}?resource_id={records_id}",
            "url_type": "datastore",
            "state": "active",
            "position": len(items),
            "created": _time(resource.created_at),
            "last_modified": modified,
            "metadata_modified": _time(resource.updated_at),
            "datastore_active": has_rows,
            "size": None,
            "hash": "",
            "cache_url": None,
            "resource_type": None,
        }
    )
    return items


def package_dict(resource: Resource, ctx: Context) -> dict:
    name = selectors.package_name(resource)
    pub = selectors.publication(resource)
    license_id = pub.license if pub else License.CC_BY
    tags = list(pub.tags.all()) if pub else []
    groups = [group_dict(pub.topic)] if pub and pub.topic else []
    resources = resource_dicts(resource, ctx)
    return {
        "id": name,
        "name": name,
        "title": resource.name,
        "notes": resource.summary,
        "type": "dataset",
        "state": "active",
        "private": False,
        "author": resource.provider.name,
        "author_email": None,
        "maintainer": resource.provider.name,
        "maintainer_email": None,
        "license_id": license_id,
        "license_title": str(License(license_id).label),
        "license_url": LICENSE_URLS.get(license_id, ""),
        "isopen": license_id in (License.CC_BY, License.CC_ZERO),
        "url": f"{ctx.portal_base}{name}/",
        "version": str(resource.version),
        "metadata_created": _time(resource.created_at),
        "metadata_modified": _time(resource.updated_at),
        "owner_org": search.org_name(resource.provider_id),
        "organization": organization_dict(resource.provider),
        "groups": groups,
        "tags": [tag_dict(t) for t in tags],
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "extras": [
            {"key": "resource_code", "value": resource.code},
            {"key": "open_type", "value": resource.open_type},
            {"key": "update_cycle", "value": resource.update_cycle},
            {"key": "classification", "value": resource.classification},
        ],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


# --- Actions -------------------------------------------------------------------------------


def status_show(params: dict, ctx: Context) -> dict:
    """Site information: version, title, extensions."""
    return {
        "site_title": "smartgov 数据开放",
        "site_description": "城市公共数据开放平台（CKAN 兼容接口）",
        "site_url": ctx.url("/").rstrip("/"),
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "zh_Hans_CN",
        "extensions": ["datastore", "dcat"],
    }


def help_show(params: dict, ctx: Context) -> str:
    """The help text of an action: help_show?name=package_search."""
    name = _required(params, "name")
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound("not_found", "Action not found.")
    return (action.__doc__ or "").strip()


def package_list(params: dict, ctx: Context) -> list[str]:
    """Names of all open packages, sorted; limit and offset page through them."""
    limit = _int(params, "limit", LIST_MAX_LIMIT * 100, low=0)
    offset = _int(params, "offset", 0)
    codes = selectors.open_resources().order_by("code").values_list("code", flat=True)
    return [c.replace("/", "-") for c in codes[offset : offset + limit]]


def _package(params: dict) -> Resource:
    ident = _required(params, "id")
    resource = selectors.get_open_resource(ident)
    return (
        Resource.objects.select_related("provider", "publication__topic", "store_table")
        .prefetch_related("publication__tags")
        .get(pk=resource.pk)
    )


def package_show(params: dict, ctx: Context) -> dict:
    """One package by id or name."""
    resource = _package(params)
    services.record_usage(resource_id=resource.pk, kind="api")
    return package_dict(resource, ctx)


def package_search(params: dict, ctx: Context) -> dict:
    """Search packages: q, fq (organization:, groups:, tags:, res_format:, license_id:), rows,
    start, sort (score, metadata_modified, metadata_created, title_string, name with asc or
    desc), facet.field, facet.limit."""
    facet_fields = _list(params, "facet.field")
    if not _bool(params, "facet", True):
        facet_fields = []
    result = search.search_packages(
        search.Query(
            q=_str(params, "q"),
            fq=_str(params, "fq"),
            sort=_str(params, "sort") or None,
            rows=_int(params, "rows", 10, high=search.MAX_ROWS),
            start=_int(params, "start", 0),
            facet_fields=tuple(facet_fields),
            facet_limit=_int(params, "facet.limit", 50, low=-1),
        )
    )
    facets = {
        name: {item.name: item.count for item in items} for name, items in result.facets.items()
    }
    search_facets = {
        name: {
            "title": name,
            "items": [
                {"name": i.name, "display_name": i.display_name, "count": i.count} for i in items
            ],
        }
        for name, items in result.facets.items()
    }
    return {
        "count": result.count,
        "sort": result.sort,
        "facets": facets,
        "search_facets": search_facets,
        "results": [package_dict(r, ctx) for r in result.resources],
    }


def _package_counts(field: str) -> dict:
    counts: dict = {}
    for value in selectors.open_resources().values_list(field, flat=True):
        counts[value] = counts.get(value, 0) + 1
    return counts


def _listing(params: dict, items: list[tuple[str, dict]], full) -> list:
    """Shared by organization_list and group_list: sort, page, names or full dicts."""
    wanted = set(_list(params, "organizations") or _list(params, "groups"))
    if wanted:
        items = [i for i in items if i[0] in wanted]
    sort = _str(params, "sort", "title asc").strip().lower() or "title asc"
    key, _, direction = sort.partition(" ")
    if key not in ("name", "title", "package_count") or direction not in ("", "asc", "desc"):
        raise ValidationError({"sort": ["Cannot sort by this field"]})
    items.sort(key=lambda i: i[1][key], reverse=direction == "desc")
    offset = _int(params, "offset", 0)
    limit = _int(params, "limit", LIST_MAX_LIMIT, high=LIST_MAX_LIMIT)
    items = items[offset : offset + limit]
    return [i[1] for i in items] if full else [i[0] for i in items]


def organization_list(params: dict, ctx: Context) -> list:
    """Provider departments with open packages: names, or dicts with all_fields=true."""
    counts = _package_counts("provider_id")
    departments = Department.objects.filter(pk__in=counts)
    items = [(search.org_name(d.pk), organization_dict(d, counts[d.pk])) for d in departments]
    return _listing(params, items, _bool(params, "all_fields"))


def organization_show(params: dict, ctx: Context) -> dict:
    """One organization (provider department) by id or name; include_datasets lists its
    packages (at most 1,000)."""
    pk = search.org_id(_required(params, "id"))
    counts = _package_counts("provider_id")
    department = Department.objects.filter(pk=pk).first() if pk in counts else None
    if department is None:
        raise NotFound("not_found", "Organization was not found.")
    data = organization_dict(department, counts[pk])
    if _bool(params, "include_datasets"):
        resources = (
            selectors.open_resources()
            .filter(provider=department)
            .select_related("provider", "publication__topic", "store_table")
            .prefetch_related("publication__tags")
            .order_by("code")[:LIST_MAX_LIMIT]
        )
        data["packages"] = [package_dict(r, ctx) for r in resources]
    return data


def group_list(params: dict, ctx: Context) -> list:
    """Topics: names, or dicts with all_fields=true."""
    counts = _package_counts("publication__topic")
    items = [(t.code, group_dict(t, counts.get(t.pk, 0))) for t in Topic.objects.all()]
    return _listing(params, items, _bool(params, "all_fields"))


def tag_list(params: dict, ctx: Context) -> list:
    """Tags of open packages; query filters by a part of the name; all_fields gives dicts."""
    query = _str(params, "query").strip()
    tags = Tag.objects.filter(
        publications__in=Publication.objects.filter(resource__in=selectors.open_resources())
    ).distinct()
    if query:
        tags = tags.filter(name__icontains=query)
    tags = list(tags.order_by("name")[:LIST_MAX_LIMIT])
    if _bool(params, "all_fields"):
        return [tag_dict(t) for t in tags]
    return [t.name for t in tags]


def _split_resource_id(resource_id: str) -> tuple[Resource, str]:
    name, _, suffix = resource_id.rpartition("-")
    if suffix not in (*selectors.DOWNLOAD_FORMATS, "records") or not name:
        raise NotFound("not_found", f'Resource "{resource_id}" was not found.')
    try:
        resource = selectors.get_open_resource(name)
    except NotFound:
        raise NotFound("not_found", f'Resource "{resource_id}" was not found.') from None
    if not resource.holds_records:
        raise NotFound("not_found", f'Resource "{resource_id}" was not found.')
    return resource, suffix


def resource_show(params: dict, ctx: Context) -> dict:
    """One resource of a package (a download or the records) by id."""
    resource_id = _required(params, "id")
    resource, _suffix = _split_resource_id(resource_id)
    resource = Resource.objects.select_related("store_table").get(pk=resource.pk)
    services.record_usage(resource_id=resource.pk, kind="api")
    for item in resource_dicts(resource, ctx):
        if item["id"] == resource_id:
            return item
    raise NotFound("not_found", f'Resource "{resource_id}" was not found.')  # pragma: no cover


def _sort_sql(sort: str, names: set[str]) -> str:
    parts = []
    for part in sort.split(","):
        words = part.strip().split()
        if not words:
            continue
        column, direction = words[0].strip('"'), (words[1].lower() if len(words) > 1 else "asc")
        if len(words) > 2 or direction not in ("asc", "desc") or column not in names | {"_id"}:
            raise ValidationError({"sort": [f'field "{part.strip()}" not in table']})
        sql_column = "_row_id" if column == "_id" else db.q(column)
        parts.append(f"{sql_column} {direction.upper()}")
    return ", ".join([*parts, "_row_id"])


def datastore_search(params: dict, ctx: Context) -> dict:
    """Records of a datastore resource: resource_id, filters (a JSON object of field → value or
    list of values), q (text in any text field, or an object of field → text), limit (default
    100, at most 1,000), offset, fields, sort, include_total."""
    resource_id = _required(params, "resource_id")
    resource, suffix = _split_resource_id(resource_id)
    if suffix != "records":
        raise NotFound("not_found", f'Resource "{resource_id}" was not found.')
    if not selectors.may_use(ctx.user, resource):
        raise PermissionDeniedError(
            "not_approved",
            "This resource is conditionally open: apply on the portal and call with the API "
            "key of the approved account.",
        )
    table = selectors.open_table(resource)
    limit = _int(params, "limit", DATASTORE_DEFAULT_LIMIT, high=DATASTORE_MAX_LIMIT)
    offset = _int(params, "offset", 0)
    include_total = _bool(params, "include_total", True)
    if _str(params, "records_format", "objects") != "objects":
        raise ValidationError({"records_format": ["Only objects is supported"]})
    filters = _json_object(params, "filters")
    raw_q = params.get("q")
    q = (
        _json_object(params, "q")
        if isinstance(raw_q, dict) or (isinstance(raw_q, str) and raw_q.strip().startswith("{"))
        else _str(params, "q")
    )
    schema = table.schema if table is not None else []
    by_name = {c["name"]: c for c in schema}
    wanted = _list(params, "fields") or [c["name"] for c in schema]
    for name in wanted:
        if name != "_id" and name not in by_name:
            raise ValidationError({"fields": [f'field "{name}" not in table']})
    where, values = db.as_of(None)
    for name, value in filters.items():
        column = by_name.get(name)
        if column is None:
            raise ValidationError({"filters": [f'field "{name}" not in table']})
        options = value if isinstance(value, list) else [value]
        if not options or not all(isinstance(v, (str, int, float, bool)) for v in options):
            raise ValidationError({"filters": [f'invalid value for field "{name}"']})
        check = build_checker({**column, "required": True})
        stored = []
        for option in options:
            try:
                stored.append(
                    check(str(option).lower() if isinstance(option, bool) else str(option))
                )
            except Rejected:
                continue  # a value the column cannot hold matches no row
        if not stored:
            where += " AND 1 = 0"
        else:
            where += f" AND {db.q(name)} IN ({', '.join(['%s'] * len(stored))})"
            values.extend(stored)
    text_columns = [c["name"] for c in schema if c["data_type"] in TEXT_TYPES]
    searches = q.items() if isinstance(q, dict) else ([("", q)] if q else [])
    for name, text in searches:
        if not isinstance(text, str) or len(text) > 200:
            raise ValidationError({"q": ["Must be a string of at most 200 characters"]})
        if name and name not in by_name:
            raise ValidationError({"q": [f'field "{name}" not in table']})
        columns = [name] if name else text_columns
        if not columns or not text.strip():
            continue
        pattern = (
            "%"
            + text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        like = " OR ".join(f"LOWER(CAST({db.q(c)} AS TEXT)) LIKE %s ESCAPE '\\'" for c in columns)
        where += f" AND ({like})"
        values.extend([pattern] * len(columns))
    order = _sort_sql(_str(params, "sort"), set(by_name))
    fields = [{"id": "_id", "type": "int"}] + [
        {"id": n, "type": CKAN_TYPES.get(by_name[n]["data_type"], "text")}
        for n in wanted
        if n != "_id"
    ]
    selected = [n for n in wanted if n != "_id"]
    records, total = [], 0
    if table is not None:
        convert = [output(by_name[n]["data_type"]) for n in selected]
        cols = ", ".join(["_row_id", *(db.q(n) for n in selected)])
        t = db.q(table.table_name)
        with connection.cursor() as cursor:
            if include_total:
                cursor.execute(f"SELECT COUNT(*) FROM {t} WHERE {where}", values)
                total = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT {cols} FROM {t} WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s",
                [*values, limit, offset],
            )
            for row in cursor.fetchall():
                record = {"_id": row[0]}
                record.update((n, f(v)) for n, f, v in zip(selected, convert, row[1:], strict=True))
                records.append(record)
    services.record_usage(resource_id=resource.pk, kind="api")
    base = reverse("ckan_action", args=["datastore_search"])
    result = {
        "include_total": include_total,
        "resource_id": resource_id,
        "fields": fields,
        "records_format": "objects",
        "records": records,
        "limit": limit,
        "offset": offset,
        "_links": {
            "start": f"{base}?resource_id={resource_id}",
            "next": f"{base}?resource_id={resource_id}&offset={offset + limit}",
        },
    }
    if include_total:
        result["total"] = total
        result["total_was_estimated"] = False
    if filters:
        result["filters"] = filters
    if q:
        result["q"] = q
    if params.get("sort"):
        result["sort"] = _str(params, "sort")
    return result


ACTIONS = {
    "status_show": status_show,
    "help_show": help_show,
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "group_list": group_list,
    "tag_list": tag_list,
    "resource_show": resource_show,
    "datastore_search": datastore_search,
}
