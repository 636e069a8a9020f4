"""The sharing gateway (共享网关): signed app calls that read granted, masked fields.

``handle(request)`` is the whole gateway, independent of Django's request machinery: the thin
WSGI path (``gateway_wsgi``) and the Django view (``gateway_urls``) both call it. One call:

1. route and method; the metadata cache is refreshed (``gateway_cache``: revocation acts
   within ``SMARTGOV_GATEWAY_CACHE_SECONDS``);
2. the app key, timestamp (±300 s), nonce format and HMAC signature (``signing``), then the
   app's IP allow-list;
3. the resource (id or catalog code), a usable grant of the app for it, the fields asked for
   (a subset of the granted ones) and the filters / key, validated against the column types;
4. the read: one parameterised SELECT of the current rows (constant SQL text per resource and
   field set, so SQLite's statement cache and psycopg's automatic prepared statements reuse
   the plan); values are masked by the field's rule unless the grant has them in clear;
5. one transaction (``gateway_commit``: shared with the calls ready at the same moment in the
   worker): the grant's rate-limit window (an atomic UPSERT) and the call-log row. The
   answer leaves only after that commit; a nonce seen before is caught by the log's unique
   index (app, nonce) and the call is refused with ``nonce_replayed`` instead. If the log
   cannot be written, no data is sent (503 ``call_log_unavailable``).

Every call, answered or refused, leaves a CallLog row (without returned data); refusals also
leave a log line.
"""

# SQL here names tables and columns taken from the store table's schema (catalog field names,
# quoted with db.q); every value is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import hmac
import json
import logging
import re
import time
import urllib.parse
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from smartgov.catalog.masking import mask_value
from smartgov.sharing import gateway_commit, signing
from smartgov.sharing.gateway_cache import GrantMeta, ResourceMeta, cache
from smartgov.sharing.gateway_commit import drop_broken_connection
from smartgov.sharing.gateway_query import Plan, Refusal, key_plan, query_pairs, query_plan
from smartgov.sharing.models import CallLog

logger = logging.getLogger("smartgov.sharing.gateway")

PREFIX = "/gateway/v1/"
HEALTH_PATH = PREFIX + "health"
_ROUTE = re.compile(
    r"^/gateway/v1/resources/(?P<resource>[^/]+(?:/[^/]+)?)/records(?:/(?P<key>[^/]+))?$"
)
_NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$", re.ASCII)
MAX_QUERY_LENGTH = 4096
_CALL_LOG = CallLog._meta.db_table
_LOG_COLUMNS = (
    "created_at, app_id_ref, grant_id_ref, resource_id_ref, consumer_id_ref, provider_id_ref, "
    "nonce, method, path, kind, fields, subject_hash, result_count, status, error_code, "
    "latency_ms, client_ip"
)
LOG_SQL = f"INSERT INTO {_CALL_LOG} ({_LOG_COLUMNS}) VALUES ({', '.join(['%s'] * 17)})"
# The same, but a nonce the (app, nonce) index holds already inserts nothing (rowcount 0).
LOG_SQL_ONCE = LOG_SQL + " ON CONFLICT DO NOTHING"


@dataclass
class GatewayRequest:
    method: str
    path: str  # decoded
    query: str  # raw query string
    body: bytes
    meta: dict  # WSGI environ / request.META (HTTP_X_SG_... keys)
    client_ip: str
    request_id: str


@dataclass
class GatewayResponse:
    status: int
    body: bytes
    headers: list = field(default_factory=list)


@dataclass
class Call:
    """What the call log records of one call (never the data returned)."""

    started: float
    method: str
    path: str
    client_ip: str
    app_id: int | None = None
    grant_id: int | None = None
    resource_id: int | None = None
    consumer_id: int | None = None
    provider_id: int | None = None
    nonce: str = ""
    kind: str = ""
    fields: str = ""
    subject_hash: str = ""
    result_count: int = 0
    rate_per_minute: int = 0

    def log_params(self, status: int, error_code: str) -> list:
        return [
            connection.ops.adapt_datetimefield_value(timezone.now()),
            self.app_id,
            self.grant_id,
            self.resource_id,
            self.consumer_id,
            self.provider_id,
            self.nonce,
            self.method[:8],
            self.path[:255],
            self.kind,
            self.fields,
            self.subject_hash,
            self.result_count,
            status,
            error_code,
            round((time.perf_counter() - self.started) * 1000, 3),
            self.client_ip[:45],
        ]


# --- entry point -----------------------------------------------------------------------------


def handle(request: GatewayRequest) -> GatewayResponse:
    """Answer one gateway call; never raises (a failure is a JSON error with a code)."""
    try:
        return _handle(request)
    except Exception:  # a bug must still answer JSON, and never with data
        logger.exception("gateway failed on request %s", request.request_id)
        return _error_response(
            request,
            Refusal(
                500, "internal_error", gettext_noop("An internal error occurred; it is logged.")
            ),
        )


def _handle(request: GatewayRequest) -> GatewayResponse:
    call = Call(
        started=time.perf_counter(),
        method=request.method,
        path=_logged_path(request.path),
        client_ip=request.client_ip,
    )
    if request.path == HEALTH_PATH:
        return _health(request)
    try:
        plan = _prepare(request, call)
        rows = _read(plan)
    except Refusal as refusal:
        return _refuse(request, call, refusal)
    except DatabaseError:
        logger.exception("gateway read failed (request %s)", request.request_id)
        drop_broken_connection()
        return _refuse(
            request,
            call,
            Refusal(503, "unavailable", gettext_noop("The data store is unavailable.")),
        )
    if call.kind == "key":
        status, code = (200, "") if rows else (404, "record_not_found")
    else:
        status, code = 200, ""
    call.result_count = min(len(rows), plan.page_size)
    if status == 404:
        call.fields = ""
    try:
        entry = gateway_commit.group_commit.write(call, status, code)
    except Exception:  # whatever failed, the call was not logged: no answer
        logger.exception("gateway call log failed (request %s)", request.request_id)
        return _log_unavailable(request)
    status, code, wait = entry.status, entry.code, entry.wait
    if status == 409:
        refusal = Refusal(409, code, gettext_noop("This nonce has been used already."))
        _log_line(request, call, refusal)
        return _error_response(request, refusal)
    if status == 429:
        refusal = Refusal(
            429,
            code,
            gettext_noop("The grant's rate limit is exceeded; retry later."),
            detail={"rate_per_minute": call.rate_per_minute},
            retry_after=wait,
        )
        _log_line(request, call, refusal)
        return _error_response(request, refusal)
    if status == 404:
        refusal = Refusal(404, code, gettext_noop("No record has this key."))
        _log_line(request, call, refusal)
        return _error_response(request, refusal)
    return _answer(request, call, plan, rows)


# --- authentication, grant, parameters -----------------------------------------------------------


def _logged_path(path: str) -> str:
    """The path as the call log keeps it: a lookup key (a citizen ID…) never in clear."""
    match = _ROUTE.match(path)
    if match is None or match["key"] is None:
        return path
    return path[: match.start("key")] + "*"


def _header(meta: dict, name: str) -> str:
    return meta.get("HTTP_" + name.upper().replace("-", "_"), "")


def _prepare(request: GatewayRequest, call: Call) -> Plan:
    match = _ROUTE.match(request.path)
    if match is None:
        raise Refusal(404, "not_found", gettext_noop("No such gateway endpoint."))
    if request.method != "GET":
        raise Refusal(405, "method_not_allowed", gettext_noop("The gateway answers GET only."))
    if len(request.query) > MAX_QUERY_LENGTH:
        raise Refusal(400, "query_too_long", gettext_noop("The query string is too long."))
    cache.refresh()
    resource = cache.resource(match["resource"])
    if resource is not None:
        # Known before authentication, so the provider's statistics count refused attempts.
        call.resource_id = resource.id
        call.provider_id = resource.provider_id
    app = _authenticate(request, call)
    if resource is None or not resource.published:
        raise Refusal(404, "unknown_resource", gettext_noop("No such resource."))
    grant = _usable_grant(app.id, resource, call)
    call.kind = "key" if match["key"] is not None else "query"
    params = query_pairs(request.query)
    if call.kind == "key":
        plan = key_plan(resource, grant, match["key"], params)
    else:
        plan = query_plan(resource, grant, params)
    call.subject_hash = plan.subject_hash
    call.fields = ",".join(c.name for c in plan.columns)
    return plan


def _authenticate(request: GatewayRequest, call: Call):
    meta = request.meta
    app_key = _header(meta, signing.HEADER_APP_KEY)
    if not app_key:
        raise Refusal(401, "missing_app_key", gettext_noop("The X-SG-App-Key header is missing."))
    app = cache.app(app_key[:64])
    if app is None:
        raise Refusal(401, "unknown_app", gettext_noop("Unknown or revoked app key."))
    call.app_id = app.id
    call.consumer_id = app.department_id
    if not app.active:
        raise Refusal(401, "unknown_app", gettext_noop("Unknown or revoked app key."))
    timestamp = _header(meta, signing.HEADER_TIMESTAMP)
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise Refusal(
            401, "invalid_timestamp", gettext_noop("X-SG-Timestamp must be unix seconds.")
        )
    skew = int(timestamp) - time.time()
    if abs(skew) > settings.SMARTGOV_GATEWAY_MAX_SKEW:
        raise Refusal(
            401,
            "clock_skew",
            gettext_noop("The request's timestamp is too far from the server's clock."),
            detail={"skew_seconds": round(skew), "allowed": settings.SMARTGOV_GATEWAY_MAX_SKEW},
        )
    nonce = _header(meta, signing.HEADER_NONCE)
    if not _NONCE_RE.match(nonce):
        raise Refusal(
            401,
            "invalid_nonce",
            gettext_noop("X-SG-Nonce must be 16 to 64 letters, digits, '-' or '_'."),
        )
    method = _header(meta, signing.HEADER_METHOD) or signing.HMAC_SHA256
    if method not in signing.SIGNATURE_METHODS:
        raise Refusal(
            401,
            "unsupported_signature_method",
            gettext_noop("Unsupported signature method."),
            detail={"allowed": list(signing.SIGNATURE_METHODS)},
        )
    text = "\n".join(
        (
            request.method,
            urllib.parse.quote(request.path, safe="/-_.~"),
            signing.canonical_query(request.query),
            signing.body_digest(request.body),
            timestamp,
            nonce,
        )
    )
    expected = signing.compute_signature(app.secret, text, method)
    given = _header(meta, signing.HEADER_SIGNATURE).lower().encode("utf-8", "replace")
    if not hmac.compare_digest(expected.encode("ascii"), given):
        raise Refusal(401, "bad_signature", gettext_noop("The signature does not match."))
    # Authentic from here on: the nonce is spent by this call, whatever its outcome.
    call.nonce = nonce
    if not app.allows(request.client_ip):
        raise Refusal(
            403,
            "ip_not_allowed",
            gettext_noop("The caller's address is not on the app's allow-list."),
            detail={"client_ip": request.client_ip},
        )
    return app


def _usable_grant(app_id: int, resource: ResourceMeta, call: Call) -> GrantMeta:
    grants = cache.grants(app_id, resource.id)
    if not grants:
        raise Refusal(403, "no_grant", gettext_noop("The app has no grant for this resource."))
    today = timezone.localdate()  # grant dates are the city's (Asia/Shanghai) days
    refusals = []
    for grant in grants:
        reason = grant.refusal(today)
        if reason is None:
            call.grant_id = grant.id
            call.consumer_id = grant.consumer_id
            call.rate_per_minute = grant.rate_per_minute
            return grant
        refusals.append((reason, grant))
    # Report the most telling reason: revoked before expired before not yet valid.
    order = {"grant_revoked": 0, "grant_expired": 1, "grant_not_yet_valid": 2}
    reason, grant = min(refusals, key=lambda r: order[r[0]])
    call.grant_id = grant.id
    messages = {
        "grant_revoked": gettext_noop("The grant has been revoked."),
        "grant_expired": gettext_noop("The grant has expired."),
        "grant_not_yet_valid": gettext_noop("The grant is not valid yet."),
    }
    raise Refusal(403, reason, messages[reason], detail={"grant": grant.id})


# --- read, answer, refuse ------------------------------------------------------------------------


def _read(plan: Plan) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, plan.params)
        fetched = cursor.fetchall()
    columns = plan.columns
    clear = plan.clear
    records = []
    for row in fetched:
        record = {}
        for column, value in zip(columns, row, strict=True):
            value = column.convert(value)
            if column.name not in clear:
                value = mask_value(column.masking, value)
            record[column.name] = value
        records.append(record)
    return records


def _json(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _headers(request: GatewayRequest, extra=()) -> list:
    return [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Cache-Control", "no-store"),
        ("X-Request-ID", request.request_id),
        *extra,
    ]


def _answer(request: GatewayRequest, call: Call, plan: Plan, rows: list[dict]) -> GatewayResponse:
    fields = [c.name for c in plan.columns]
    if call.kind == "key":
        payload = {"request_id": request.request_id, "fields": fields, "record": rows[0]}
    else:
        payload = {
            "request_id": request.request_id,
            "fields": fields,
            "page": plan.page,
            "page_size": plan.page_size,
            "has_more": len(rows) > plan.page_size,
            "records": rows[: plan.page_size],
        }
    return GatewayResponse(200, _json(payload), _headers(request))


def _error_response(request: GatewayRequest, refusal: Refusal) -> GatewayResponse:
    # Messages in Chinese (the platform's language) unless the client asks for English.
    english = request.meta.get("HTTP_ACCEPT_LANGUAGE", "").lower().startswith("en")
    with translation.override("en" if english else settings.LANGUAGE_CODE):
        message = gettext(refusal.message)
    body = {
        "code": refusal.code,
        "message": message,
        "detail": refusal.detail,
        "request_id": request.request_id,
    }
    extra = [("Retry-After", str(refusal.retry_after))] if refusal.retry_after else []
    return GatewayResponse(refusal.status, _json(body), _headers(request, extra))


def _log_line(request: GatewayRequest, call: Call, refusal: Refusal) -> None:
    level = logging.INFO if refusal.status in (404, 429) else logging.WARNING
    logger.log(
        level,
        "gateway refused %s %s: %s %s app=%s grant=%s ip=%s request=%s",
        request.method,
        call.path[:200],
        refusal.status,
        refusal.code,
        call.app_id,
        call.grant_id,
        request.client_ip,
        request.request_id,
    )


def _refuse(request: GatewayRequest, call: Call, refusal: Refusal) -> GatewayResponse:
    """Log the refused call (row and line), then answer with the error."""
    call.result_count = 0
    call.fields = ""
    for attempt in range(2):
        try:
            with connection.cursor() as cursor:
                cursor.execute(LOG_SQL, call.log_params(refusal.status, refusal.code))
            break
        except IntegrityError:
            if attempt:
                return _log_unavailable(request)
            # The refused call's nonce was seen before: a replay; log it without the nonce.
            call.nonce = ""
            refusal = Refusal(
                409, "nonce_replayed", gettext_noop("This nonce has been used already.")
            )
        except DatabaseError:
            logger.exception("gateway call log failed (request %s)", request.request_id)
            drop_broken_connection()
            return _log_unavailable(request)
    _log_line(request, call, refusal)
    return _error_response(request, refusal)


def _log_unavailable(request: GatewayRequest) -> GatewayResponse:
    refusal = Refusal(
        503,
        "call_log_unavailable",
        gettext_noop("The call could not be logged, so it is not answered; retry later."),
        retry_after=1,
    )
    return _error_response(request, refusal)


def _health(request: GatewayRequest) -> GatewayResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        drop_broken_connection()
        return GatewayResponse(
            503, _json({"status": "unavailable", "database": "down"}), _headers(request)
        )
    return GatewayResponse(200, _json({"status": "ok", "database": "up"}), _headers(request))
