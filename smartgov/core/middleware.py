"""Middleware: request context for the audit log, JSON errors under /api, friendly page errors."""

from __future__ import annotations

import json
import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from smartgov.core import context
from smartgov.core.errors import SmartgovError, error_body

logger = logging.getLogger(__name__)

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_STATUS_CODES = {
    400: ("bad_request", _("The request could not be understood.")),
    401: ("not_authenticated", _("Authentication is required.")),
    403: ("forbidden", _("You are not allowed to do this.")),
    404: ("not_found", _("No such resource.")),
    405: ("method_not_allowed", _("This method is not allowed on this resource.")),
    413: ("body_too_large", _("The request body is too large.")),
    415: ("unsupported_media_type", _("Unsupported content type.")),
    429: ("throttled", _("Too many requests.")),
    500: ("internal_error", _("An internal error occurred; it has been logged.")),
}


def client_ip(request: HttpRequest) -> str:
    """The caller's address, trusting X-Forwarded-For only as far as configured proxies add it."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return remote


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def json_error(status: int, code: str | None = None, message: str | None = None, detail=None):
    default_code, default_message = _STATUS_CODES.get(status, ("error", _("The request failed.")))
    return JsonResponse(
        error_body(code or default_code, message or default_message, detail), status=status
    )


class RequestContextMiddleware:
    """Gives each request an id (kept from X-Request-ID when sane) and records the source IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else context.new_request_id()
        request.request_id = request_id
        channel = "api" if is_api_path(request.path) else "web"
        token = context.set_for_request(
            context.RequestContext(
                request_id=request_id, source_ip=client_ip(request), channel=channel
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class DefaultLanguageMiddleware:
    """Pages speak Simplified Chinese until the user picks a language with the switch.

    Runs before Django's LocaleMiddleware: without a language cookie, a page request's
    Accept-Language is replaced by zh-hans, so an English-configured browser still gets the
    Chinese UI by default. API clients keep content negotiation by Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_path(request.path) and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META["HTTP_ACCEPT_LANGUAGE"] = settings.LANGUAGE_CODE
        return self.get_response(request)


class ApiErrorMiddleware:
    """Under /api every error is JSON ``{code, message, detail}``; pages get a friendly page.

    Django itself answers some failures before any view runs (unknown URL, wrong method on a
    view decorated with require_http_methods, oversized body): those are rewritten here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            is_api_path(request.path)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replacement = json_error(response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response

    def process_exception(self, request: HttpRequest, exc: Exception):
        api = is_api_path(request.path)
        if isinstance(exc, SmartgovError):
            if api:
                return JsonResponse(exc.as_dict(), status=exc.status)
            return render(
                request,
                "portal/error.html",
                {"status": exc.status, "code": exc.code, "message": exc.message},
                status=exc.status,
            )
        if isinstance(exc, RequestDataTooBig):
            return self._error(request, api, 413)
        if isinstance(exc, Http404):
            return self._error(request, api, 404)
        if isinstance(exc, PermissionDenied):
            return self._error(request, api, 403)
        if isinstance(exc, SuspiciousOperation):
            return self._error(request, api, 400)
        if api:
            logger.exception("Unhandled error on %s %s", request.method, request.path)
            return json_error(500, detail={"request_id": getattr(request, "request_id", "")})
        return None  # Django's 500 handler renders the page.

    @staticmethod
    def _error(request, api: bool, status: int):
        if api:
            return json_error(status)
        code, message = _STATUS_CODES[status]
        return render(
            request,
            "portal/error.html",
            {"status": status, "code": code, "message": message},
            status=status,
        )


def parse_json_body(request: HttpRequest):
    """Decode a JSON body, raising a SmartgovError rather than a traceback when malformed."""
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise SmartgovError("malformed_json", _("The request body is not valid JSON.")) from exc
