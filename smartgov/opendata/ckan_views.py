"""The one view behind /api/3/action/<name>: parse GET parameters or a JSON body, authenticate
the optional API key (``Authorization: <key>``, as CKAN's API tokens), apply its rate limit,
run the action and wrap the result or the error in CKAN's envelope."""

from __future__ import annotations

import json
import logging

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from smartgov.core.errors import (
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDeniedError,
    SmartgovError,
    Throttled,
)
from smartgov.opendata import services
from smartgov.opendata.ckan import ACTIONS, Context, ValidationError
from smartgov.opendata.search import SearchQueryError

logger = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


def _envelope(request, action: str, **body) -> dict:
    help_url = request.build_absolute_uri(f"/api/3/action/help_show?name={action[:64]}")
    return {"help": help_url, **body}


def _error(request, action: str, status: int, error: dict, headers=None) -> JsonResponse:
    response = JsonResponse(
        _envelope(request, action, success=False, error=error),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _bad_request(request, action: str, message: str) -> JsonResponse:
    return _error(
        request, action, 400, {"__type": "Bad Request", "message": f"Bad request - {message}"}
    )


def _params(request) -> dict:
    """GET parameters (repeated keys become lists) merged under a JSON body for POST."""
    params: dict = {}
    for key in request.GET:
        values = request.GET.getlist(key)
        params[key] = values[0] if len(values) == 1 else values
    if request.method == "POST":
        if len(request.body) > MAX_BODY:
            raise ValueError("the request body is too large")
        content_type = request.content_type or ""
        if request.body.strip():
            if content_type == "application/x-www-form-urlencoded" or content_type.startswith(
                "multipart/"
            ):
                for key in request.POST:
                    values = request.POST.getlist(key)
                    params[key] = values[0] if len(values) == 1 else values
            else:
                body = json.loads(request.body.decode("utf-8"))
                if not isinstance(body, dict):
                    raise ValueError("the body must be a JSON object")
                params.update(body)
    return params


def _ckan_error(error: SmartgovError) -> tuple[int, dict]:
    if isinstance(error, ValidationError):
        return 409, {"__type": "Validation Error", "message": error.message, **error.errors}
    if isinstance(error, SearchQueryError):
        return 409, {
            "__type": "Search Query Error",
            "message": f"Search Query Error: {error.message}",
        }
    if isinstance(error, NotFound):
        return 404, {"__type": "Not Found Error", "message": f"Not found: {error.message}"}
    if isinstance(error, (PermissionDeniedError, NotAuthenticated)):
        return 403, {"__type": "Authorization Error", "message": f"Access denied: {error.message}"}
    if isinstance(error, Throttled):
        return 429, {"__type": "Throttled", "message": error.message, **(error.detail or {})}
    if isinstance(error, InvalidInput):
        return 409, {
            "__type": "Validation Error",
            "message": error.message,
            error.code: [error.message],
        }
    return 409, {"__type": "Validation Error", "message": error.message, "code": error.code}


CORS_HEADERS = {
    # Open data is for any web page too: read-only actions, no cookies honoured (keys only).
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, X-CKAN-API-Key, Content-Type",
    "Access-Control-Max-Age": "86400",
}


@csrf_exempt
def action(request, name: str):
    """Dispatch one CKAN action (with CORS headers: browsers may call it from any site)."""
    preflight = request.method == "OPTIONS"
    response = HttpResponse(status=204) if preflight else _dispatch(request, name)
    for header, value in CORS_HEADERS.items():
        response[header] = value
    return response


def _dispatch(request, name: str):
    function = ACTIONS.get(name)
    if function is None:
        return _bad_request(request, name, f"Action name not known: {name[:64]}")
    if request.method not in ("GET", "POST"):
        return _bad_request(request, name, "Only GET and POST are supported")
    try:
        params = _params(request)
    except (ValueError, UnicodeDecodeError) as exc:
        return _bad_request(request, name, f"JSON Error: {exc}"[:300])
    try:
        key = None
        header = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key")
        if header:
            key = services.authenticate_key(header)
            services.check_rate(key)
        result = function(params, Context(request, key))
    except SmartgovError as error:
        status, body = _ckan_error(error)
        headers = {}
        if isinstance(error, Throttled):
            headers["Retry-After"] = str((error.detail or {}).get("retry_after", 60))
        logger.info("CKAN %s refused: %s %s", name, error.code, status)
        return _error(request, name, status, body, headers)
    return JsonResponse(
        _envelope(request, name, success=True, result=result),
        json_dumps_params={"ensure_ascii": False},
        safe=False,
    )
