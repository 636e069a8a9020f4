"""The gateway's thin WSGI path: ``/gateway/`` goes straight to ``gateway.handle``, past
Django's URL resolver and middleware (sessions, CSRF, locale, messages), which a machine client
signing each call does not use. Everything else goes to the Django application.

Database connections stay open per worker thread (the request_started/finished signals that
close them are not sent on this path); a connection found broken is closed after the call.
"""

from __future__ import annotations

from contextlib import suppress
from http import HTTPStatus

from django.db import DatabaseError

from smartgov.core import context
from smartgov.core.middleware import _REQUEST_ID_RE, client_ip

MAX_BODY_BYTES = 64 * 1024
_REASONS = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


class _Meta:
    """What core.middleware.client_ip reads: an object with META."""

    __slots__ = ("META",)

    def __init__(self, environ: dict) -> None:
        self.META = environ


def gateway_application(environ: dict, start_response):
    from smartgov.sharing import gateway, gateway_commit

    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    request_id = incoming if _REQUEST_ID_RE.match(incoming) else context.new_request_id()
    try:
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
    except UnicodeError:
        path = "\x00"  # matches no route: a 404 with a code
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(min(length, MAX_BODY_BYTES)) if length > 0 else b""
    request = gateway.GatewayRequest(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=path,
        query=environ.get("QUERY_STRING", ""),
        body=body,
        meta=environ,
        client_ip=client_ip(_Meta(environ)),
        request_id=request_id,
    )
    with suppress(DatabaseError):  # a database that is down answers 503 in handle()
        gateway_commit.tune_sqlite()
    response = gateway.handle(request)
    headers = [*response.headers, ("Content-Length", str(len(response.body)))]
    start_response(_REASONS.get(response.status, str(response.status)), headers)
    return [response.body]


class GatewayDispatcher:
    """WSGI application: the gateway's prefix to the thin path, the rest to Django."""

    def __init__(self, django_application, prefix: str = "/gateway/") -> None:
        self.django_application = django_application
        self.prefix = prefix

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(self.prefix):
            return gateway_application(environ, start_response)
        return self.django_application(environ, start_response)
