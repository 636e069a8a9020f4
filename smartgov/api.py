"""The platform's HTTP API: one NinjaAPI with every app's router and one error format."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from smartgov.accounts.auth import api_auth
from smartgov.core.errors import SmartgovError, error_body

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="smartgov API",
    version="1.0.0",
    description="City digital-government platform. Errors are JSON {code, message, detail}. "
    "Authenticate with a session cookie (pages) or `Authorization: Bearer <token>`. "
    "Consumer systems read shared data through the signed gateway at /gateway/v1/ "
    "(docs/gateway-api.md), not through this API.",
    urls_namespace="api",
    docs_url="/docs",
    auth=api_auth,
)


@api.exception_handler(SmartgovError)
def _domain_error(request, exc: SmartgovError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [
        {
            "loc": [str(p) for p in e.get("loc", [])],
            "msg": str(e.get("msg", "")),
            "type": e.get("type", ""),
        }
        for e in exc.errors
    ]
    return api.create_response(
        request,
        error_body("invalid_input", "The request did not pass validation.", errors),
        status=422,
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    failure = getattr(request, "auth_failure", None)
    if failure is not None:
        return api.create_response(request, failure.as_dict(), status=401)
    return api.create_response(
        request, error_body("not_authenticated", "Authentication is required."), status=401
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, error_body("not_found", "No such resource."), status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(
        request, error_body("forbidden", "You are not allowed to do this."), status=403
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return api.create_response(
        request, error_body("body_too_large", "The request body is too large."), status=413
    )


@api.exception_handler(Exception)
def _unexpected(request, exc):
    logger.exception("Unhandled API error on %s %s", request.method, request.path)
    return api.create_response(
        request,
        error_body(
            "internal_error",
            "An internal error occurred; it has been logged.",
            {"request_id": getattr(request, "request_id", "")},
        ),
        status=500,
    )


def _mount_routers() -> None:
    from smartgov.accounts.api import router as accounts_router
    from smartgov.catalog.api import router as catalog_router
    from smartgov.core.api import router as core_router
    from smartgov.datastore.api import router as datastore_router
    from smartgov.governance.api import router as governance_router
    from smartgov.governance.api_kpi import router as governance_kpi_router
    from smartgov.licenses.api import router as licenses_router
    from smartgov.opendata.api import router as opendata_router
    from smartgov.services.api import router as services_router
    from smartgov.services.api_applications import router as services_applications_router
    from smartgov.services.api_approval import router as services_approval_router
    from smartgov.services.api_bundles import router as services_bundles_router
    from smartgov.services.api_ratings import router as services_ratings_router
    from smartgov.sharing.api import router as sharing_router
    from smartgov.sharing.api_usage import router as sharing_usage_router

    api.add_router("/", core_router)
    api.add_router("/", accounts_router)
    api.add_router("/", catalog_router)
    api.add_router("/", datastore_router)
    api.add_router("/", sharing_router)
    api.add_router("/", sharing_usage_router)
    api.add_router("/", opendata_router)
    api.add_router("/", governance_router)
    api.add_router("/", licenses_router)
    api.add_router("/", services_router)
    api.add_router("/", services_applications_router)
    api.add_router("/", services_approval_router)
    api.add_router("/", services_bundles_router)
    api.add_router("/", services_ratings_router)
    api.add_router("/", governance_kpi_router)


_mount_routers()
