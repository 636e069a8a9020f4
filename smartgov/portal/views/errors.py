"""Error pages (and JSON under /api, via the middleware)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from smartgov.core.middleware import is_api_path, json_error


def _page(request, status: int, code: str, message: str):
    if is_api_path(request.path):
        return json_error(status)
    return render(
        request,
        "portal/error.html",
        {"status": status, "code": code, "message": message},
        status=status,
    )


def page_not_found(request, exception=None):
    return _page(request, 404, "not_found", _("The page you asked for does not exist."))


def permission_denied(request, exception=None):
    return _page(request, 403, "forbidden", _("You are not allowed to open this page."))


def bad_request(request, exception=None):
    return _page(request, 400, "bad_request", _("The request could not be understood."))


def server_error(request):
    if is_api_path(request.path):
        return json_error(500)
    # Minimal rendering: the template machinery itself may be what failed.
    return render(
        request,
        "portal/error.html",
        {
            "status": 500,
            "code": "internal_error",
            "message": _("Something went wrong on our side; it has been logged."),
        },
        status=500,
    )
