"""The gateway's reading of a call: the fields asked for, the key or the filters, checked
against the grant and the column types, turned into one parameterised SELECT (a ``Plan``).
Anything wrong is a ``Refusal`` with a status and a stable code."""

# SQL here names tables and columns taken from the store table's schema (catalog field names,
# quoted with db.q); every value is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from smartgov.core.crypto import blind_index
from smartgov.datastore import db
from smartgov.datastore.validation import Rejected
from smartgov.sharing.gateway_cache import ColumnMeta, GrantMeta, ResourceMeta

_FIELD_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$", re.ASCII)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_OFFSET = 10_000
MAX_FILTERS = 20
MAX_IN_VALUES = 100

RESERVED = frozenset({"fields", "page", "page_size"})
# Operators of the query endpoint: name=value, name__in=a,b, and comparisons on orderable types.
OPERATORS = {"in": "IN", "gte": ">=", "lte": "<=", "gt": ">", "lt": "<"}
ORDERED_TYPES = frozenset({"integer", "date"})


class Refusal(Exception):
    """A call the gateway refuses: HTTP status, stable code, English message (a msgid)."""

    def __init__(self, status: int, code: str, message: str, detail=None, retry_after=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.retry_after = retry_after


@dataclass
class Plan:
    """The read a call makes: SQL, parameters, the fields returned and how to render them."""

    sql: str
    params: list
    columns: list[ColumnMeta]
    clear: frozenset
    page: int = 1
    page_size: int = 1
    subject_hash: str = ""  # blind index of the lookup key when it names a person or company


def query_pairs(query: str) -> dict[str, str]:
    try:
        pairs = urllib.parse.parse_qsl(
            query, keep_blank_values=True, strict_parsing=False, errors="strict"
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refusal(
            400, "malformed_query", gettext_noop("The query string cannot be parsed.")
        ) from exc
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise Refusal(
                400,
                "duplicate_parameter",
                gettext_noop("A parameter is given twice."),
                detail={"parameter": name},
            )
        if "\x00" in name or "\x00" in value:
            raise Refusal(400, "malformed_query", gettext_noop("The query string contains NUL."))
        params[name] = value
    return params


def _fields(resource: ResourceMeta, grant: GrantMeta, asked: str | None) -> list[ColumnMeta]:
    granted = [n for n in grant.fields if n in resource.columns]
    if asked is None or asked.strip() == "":
        names = granted
    else:
        names = [n.strip() for n in asked.split(",") if n.strip()]
        if len(names) > len(resource.columns) + 1:
            raise Refusal(400, "too_many_fields", gettext_noop("Too many fields are asked for."))
        for name in names:
            _check_known(resource, name)
        outside = [n for n in names if n not in grant.fields]
        if outside:
            raise Refusal(
                403,
                "field_not_granted",
                gettext_noop("Some fields asked for are outside the grant."),
                detail={"fields": outside},
            )
        names = list(dict.fromkeys(names))
    if not names:
        raise Refusal(403, "field_not_granted", gettext_noop("The grant covers no field."))
    return [resource.columns[n] for n in names]


def _check_known(resource: ResourceMeta, name: str) -> None:
    if not _FIELD_RE.match(name) or name not in resource.columns:
        raise Refusal(
            400,
            "unknown_field",
            gettext_noop("The resource has no such field."),
            detail={"field": name[:64]},
        )


def _stored(column: ColumnMeta, raw: str, code: str):
    try:
        return column.check(raw)
    except Rejected as exc:
        raise Refusal(
            400,
            code,
            gettext_noop("The value does not fit the field's type."),
            detail={"field": column.name, "reason": exc.code},
        ) from exc


_select_sql: dict[tuple, str] = {}


def _select(resource: ResourceMeta, columns: list[ColumnMeta]) -> str:
    """The SELECT of these columns (one string per table and field set, built once)."""
    names = tuple(c.name for c in columns)
    try:
        return _select_sql[resource.table_name, names]
    except KeyError:
        pass
    sql = f"SELECT {', '.join(db.q(n) for n in names)} FROM {db.q(resource.table_name)}"
    if len(_select_sql) > 10_000:
        _select_sql.clear()
    _select_sql[resource.table_name, names] = sql
    return sql


def key_plan(resource, grant, raw_key: str, params: dict) -> Plan:
    unknown = sorted(set(params) - {"fields"})
    if unknown:
        raise Refusal(
            400,
            "unknown_parameter",
            gettext_noop("A key lookup takes only the fields parameter."),
            detail={"parameters": unknown[:10]},
        )
    columns = _fields(resource, grant, params.get("fields"))
    if resource.table_name is None:
        raise Refusal(404, "no_data", gettext_noop("No data has been delivered yet."))
    if resource.key is None:
        raise Refusal(
            400,
            "no_single_key",
            gettext_noop("The resource has no single key; use the query endpoint."),
        )
    key = _stored(resource.key, raw_key, "invalid_key")
    purpose = resource.subject_purpose
    subject = blind_index(key, purpose=purpose) if purpose is not None else ""
    sql = (
        f"{_select(resource, columns)} WHERE {db.q(resource.key.name)} = %s "
        "AND _version_to IS NULL LIMIT 1"
    )
    return Plan(
        sql=sql, params=[key], columns=columns, clear=grant.clear_fields, subject_hash=subject
    )


def _positive(params: dict, name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        raise Refusal(
            400,
            f"invalid_{name}",
            gettext_noop("Page and page size are whole numbers from 1."),
            detail={"parameter": name},
        )
    return int(raw)


def query_plan(resource, grant, params: dict) -> Plan:
    columns = _fields(resource, grant, params.get("fields"))
    page = _positive(params, "page", 1)
    page_size = _positive(params, "page_size", DEFAULT_PAGE_SIZE)
    if page_size > MAX_PAGE_SIZE:
        raise Refusal(
            400,
            "page_size_too_large",
            gettext_noop("The page size is larger than allowed."),
            detail={"max_page_size": MAX_PAGE_SIZE},
        )
    if (page - 1) * page_size >= MAX_OFFSET:
        raise Refusal(
            400,
            "page_out_of_range",
            gettext_noop("Paging goes this deep only; narrow the filters."),
            detail={"max_offset": MAX_OFFSET},
        )
    filters = [(n, v) for n, v in params.items() if n not in RESERVED]
    if len(filters) > MAX_FILTERS:
        raise Refusal(400, "too_many_filters", gettext_noop("Too many filters."))
    if resource.table_name is None:
        raise Refusal(404, "no_data", gettext_noop("No data has been delivered yet."))
    where, values, subject = ["_version_to IS NULL"], [], ""
    for name, raw in sorted(filters):
        field_name, op = name, ""
        if "__" in name:
            head, tail = name.rsplit("__", 1)
            if tail in OPERATORS:
                field_name, op = head, tail
            elif head in resource.columns:
                raise Refusal(
                    400,
                    "unknown_operator",
                    gettext_noop("Unknown filter operator."),
                    detail={"operator": tail[:16], "allowed": sorted(OPERATORS)},
                )
        _check_known(resource, field_name)
        if field_name not in grant.fields:
            raise Refusal(
                403,
                "field_not_granted",
                gettext_noop("Filters may use granted fields only."),
                detail={"fields": [field_name]},
            )
        column = resource.columns[field_name]
        target = db.q(field_name)
        if op == "in":
            items = raw.split(",")
            if len(items) > MAX_IN_VALUES:
                raise Refusal(
                    400,
                    "too_many_values",
                    gettext_noop("Too many values in an __in filter."),
                    detail={"max": MAX_IN_VALUES},
                )
            stored = [_stored(column, item, "invalid_filter_value") for item in items]
            where.append(f"{target} IN ({', '.join(['%s'] * len(stored))})")
            values.extend(stored)
        elif op:
            if column.data_type not in ORDERED_TYPES:
                raise Refusal(
                    400,
                    "operator_not_supported",
                    gettext_noop("Comparisons apply to whole numbers and dates only."),
                    detail={"field": field_name, "operator": op},
                )
            where.append(f"{target} {OPERATORS[op]} %s")
            values.append(_stored(column, raw, "invalid_filter_value"))
        else:
            stored = _stored(column, raw, "invalid_filter_value")
            where.append(f"{target} = %s")
            values.append(stored)
            if column is resource.key and resource.subject_purpose is not None:
                subject = blind_index(stored, purpose=resource.subject_purpose)
    # One row more than the page tells whether another page follows, without a COUNT.
    sql = (
        f"{_select(resource, columns)} WHERE {' AND '.join(where)} "
        "ORDER BY _row_id LIMIT %s OFFSET %s"
    )
    return Plan(
        sql=sql,
        params=[*values, page_size + 1, (page - 1) * page_size],
        columns=columns,
        clear=grant.clear_fields,
        page=page,
        page_size=page_size,
        subject_hash=subject,
    )
