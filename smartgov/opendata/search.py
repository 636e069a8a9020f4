"""Searching open resources: the catalog's Chinese full-text ranking, filter clauses (CKAN's
``fq``), sort orders and facet counts; shared by the portal's list and ``package_search``.

The words become a sub-query of the catalog's full-text index (FTS5 on SQLite, tsvector on
PostgreSQL) inside the filtered queryset, so counting, sorting by a column and the facet counts
(GROUP BY) all run in the database. Only the relevance order needs the ranked id list, which is
intersected in Python with the ids that pass the filters (integers only, no row conversion).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.expressions import RawSQL

from smartgov.catalog import search as catalog_search
from smartgov.catalog.models import RECORD_FORMATS, Resource, ResourceFormat
from smartgov.core.errors import InvalidInput
from smartgov.core.models import Department
from smartgov.opendata.models import License, Publication, Topic
from smartgov.opendata.selectors import code_of, open_resources

FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")
# Also accepted in fq, as CKAN clients send them: every package is an active public dataset.
FQ_FIELDS = (*FACET_FIELDS, "name", "dataset_type", "state", "capacity")
_CONSTANT = {"dataset_type": "dataset", "state": "active", "capacity": "public"}
RECORD_DOWNLOADS = ("CSV", "JSON", "XLSX", "PARQUET")
SORT_FIELDS = {
    "score": None,
    "metadata_modified": "updated_at",
    "metadata_created": "created_at",
    "title_string": "name",
    "name": "code",
}
DEFAULT_SORT = "score desc, metadata_modified desc"
MAX_ROWS = 1000
MAX_QUERY = 200
MAX_ID_LIST = 5000  # ids passed as parameters (SQLite allows 32,766 since 3.32)
ORG_PREFIX = "dept-"
_CLAUSE_RE = re.compile(r'\s*\+?([a-z_]+):("(?:[^"\\]|\\.)*"|[^\s"():]+)\s*(?:AND\s+|&&\s*)?')
_SORT_RE = re.compile(r"^([a-z_]+)(?:\s+(asc|desc))?$")


class SearchQueryError(InvalidInput):
    """A malformed fq or sort (CKAN's "Search Query Error", HTTP 409)."""

    status = 409


def org_name(department_id: int) -> str:
    return f"{ORG_PREFIX}{department_id}"


def org_id(name: str) -> int | None:
    name = str(name or "")
    if name.startswith(ORG_PREFIX) and name[len(ORG_PREFIX) :].isdigit():
        return int(name[len(ORG_PREFIX) :])
    return int(name) if name.isdigit() else None


def formats_of(resource_format: str) -> list[str]:
    """CKAN res_format values of a resource: its downloads, and API for data interfaces."""
    formats = list(RECORD_DOWNLOADS) if resource_format in RECORD_FORMATS else []
    if resource_format == ResourceFormat.API:
        formats.append("API")
    return formats


def parse_fq(fq: str) -> list[tuple[str, str]]:
    """``organization:dept-3 tags:"空气 质量" res_format:CSV`` as (field, value) pairs."""
    fq = (fq or "").strip()
    if len(fq) > 1000:
        raise SearchQueryError("fq_too_long", "The fq parameter is too long.")
    clauses, position = [], 0
    while position < len(fq):
        match = _CLAUSE_RE.match(fq, position)
        if match is None or match.end() == position:
            raise SearchQueryError(
                "bad_fq", "Cannot parse fq: use field:value clauses.", detail={"fq": fq}
            )
        name, value = match.group(1), match.group(2)
        if name not in FQ_FIELDS:
            raise SearchQueryError(
                "unknown_fq_field",
                "Unknown field in fq.",
                detail={"field": name, "allowed": list(FQ_FIELDS)},
            )
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        clauses.append((name, value))
        position = match.end()
    return clauses


def parse_sort(sort: str | None) -> list[tuple[str, bool]]:
    """``metadata_modified desc, title_string asc`` as (field, descending) pairs."""
    keys = []
    for part in (sort or DEFAULT_SORT).split(","):
        match = _SORT_RE.match(part.strip().lower())
        if match is None or match.group(1) not in SORT_FIELDS:
            raise SearchQueryError(
                "bad_sort",
                "Cannot sort that way.",
                detail={"sort": sort, "allowed": sorted(SORT_FIELDS)},
            )
        keys.append((match.group(1), (match.group(2) or "asc") == "desc"))
    return keys


def _filtered(queryset: QuerySet[Resource], clauses: list[tuple[str, str]]) -> QuerySet[Resource]:
    for name, value in clauses:
        if name == "organization":
            pk = org_id(value)
            queryset = queryset.filter(provider_id=pk) if pk is not None else queryset.none()
        elif name == "groups":
            queryset = queryset.filter(publication__topic__code=value)
        elif name == "tags":
            queryset = queryset.filter(
                pk__in=Publication.objects.filter(tags__name=value).values("resource_id")
            )
        elif name == "res_format":
            upper = value.upper()
            if upper in RECORD_DOWNLOADS:
                queryset = queryset.filter(format__in=RECORD_FORMATS)
            elif upper == "API":
                queryset = queryset.filter(format=ResourceFormat.API)
            else:
                queryset = queryset.none()
        elif name == "name":
            code = code_of(value)
            queryset = queryset.filter(code=code) if code else queryset.none()
        elif name in _CONSTANT:
            if value != _CONSTANT[name]:
                queryset = queryset.none()
        elif name in ("format", "update_cycle"):  # the portal's own filters, not in fq
            queryset = queryset.filter(**{name: value})
        elif name == "license_id":
            if value == License.CC_BY:  # the default of resources without a publication row
                queryset = queryset.exclude(publication__license__in=set(License.values) - {value})
            else:
                queryset = queryset.filter(publication__license=value)
    return queryset


@dataclass
class FacetItem:
    name: str
    display_name: str
    count: int


@dataclass
class SearchResult:
    count: int
    resources: list[Resource]
    sort: str
    facets: dict[str, list[FacetItem]] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    q: str = ""
    fq: str = ""
    clauses: tuple[tuple[str, str], ...] = ()  # extra filters (the portal's form)
    sort: str | None = None
    rows: int = 10
    start: int = 0
    facet_fields: tuple[str, ...] = ()
    facet_limit: int = 50


def _load(ids: list[int]) -> list[Resource]:
    loaded = (
        Resource.objects.select_related("provider", "publication__topic", "store_table")
        .prefetch_related("publication__tags")
        .in_bulk(ids)
    )
    return [loaded[pk] for pk in ids if pk in loaded]


def search_packages(query: Query) -> SearchResult:
    """One page of open resources matching the query, with the facets asked for."""
    q = (query.q or "").strip()
    if q in ("*:*", "*"):
        q = ""
    if len(q) > MAX_QUERY:
        raise InvalidInput("query_too_long", "The search words are too long.")
    if not 0 <= query.rows <= MAX_ROWS:
        raise InvalidInput("rows_range", "rows must be between 0 and 1000.")
    if query.start < 0:
        raise InvalidInput("start_range", "start must not be negative.")
    sort_keys = parse_sort(query.sort)
    clauses = [*parse_fq(query.fq), *query.clauses]
    queryset = _filtered(open_resources(), clauses)
    sort_text = ", ".join(f"{n} {'desc' if d else 'asc'}" for n, d in sort_keys)
    facet_fields = list(dict.fromkeys(query.facet_fields))
    ranked: list[int] = []
    if q:
        match = catalog_search.matching_ids_sql(q)
        if match is None:
            queryset = queryset.none()
        else:
            # The SQL is fixed text from catalog.search; the words travel as parameters.
            queryset = queryset.filter(pk__in=RawSQL(*match))  # noqa: S611
            if sort_keys[0][0] == "score":
                ranked = catalog_search.ranked_ids(q)
    window = slice(query.start, query.start + query.rows)
    if ranked:
        # Relevance first: the ranked ids that pass the filters, in rank order.
        allowed = set(queryset.values_list("pk", flat=True))
        matched = [pk for pk in ranked if pk in allowed]
        count, ids = len(matched), matched[window]
        if len(matched) <= MAX_ID_LIST:
            # The facets count over these ids rather than re-running the text match each time.
            queryset = Resource.objects.filter(pk__in=matched)
    else:
        order = [("-" if desc else "") + SORT_FIELDS[n] for n, desc in sort_keys if SORT_FIELDS[n]]
        count = queryset.count()
        ids = list(queryset.order_by(*order, "id").values_list("pk", flat=True)[window])
    result = SearchResult(count=count, resources=_load(ids), sort=sort_text)
    if facet_fields:
        result.facets = _facets(queryset, facet_fields, query.facet_limit)
    return result


def _counts(queryset, field_name: str) -> dict:
    """Resources per value of a field, counted by the database (GROUP BY)."""
    return dict(
        queryset.order_by()
        .values_list(field_name)
        .annotate(n=Count("pk"))
        .values_list(field_name, "n")
    )


def _facets(queryset, facet_fields, limit) -> dict[str, list[FacetItem]]:
    facets: dict[str, list[FacetItem]] = {}
    for name in facet_fields:
        counter: Counter = Counter()
        labels: dict[str, str] = {}
        if name == "organization":
            ids = _counts(queryset, "provider_id")
            names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
            for pk, n in ids.items():
                counter[org_name(pk)] = n
                labels[org_name(pk)] = names.get(pk, "")
        elif name == "groups":
            ids = _counts(queryset, "publication__topic")
            ids.pop(None, None)
            for topic in Topic.objects.filter(pk__in=ids):
                counter[topic.code] = ids[topic.pk]
                labels[topic.code] = topic.name
        elif name == "tags":
            pairs = Publication.tags.through.objects.filter(
                publication__resource_id__in=queryset.values("pk")
            )
            for tag, n in _counts(pairs, "tag__name").items():
                counter[tag] = n
                labels[tag] = tag
        elif name == "res_format":
            for resource_format, n in _counts(queryset, "format").items():
                for value in formats_of(resource_format):
                    counter[value] += n
                    labels[value] = value
        elif name == "license_id":
            for value, n in _counts(queryset, "publication__license").items():
                value = value or License.CC_BY
                counter[value] += n
                labels[value] = str(License(value).label)
        items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        if limit >= 0:
            items = items[:limit]
        facets[name] = [FacetItem(n, labels.get(n, n), c) for n, c in items]
    return facets
