"""API authentication: bearer tokens for programs, the session cookie (with CSRF) for pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from smartgov.core.errors import NotAuthenticated


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sgp_…`` personal or application token."""

    def authenticate(self, request: HttpRequest, token: str):
        from smartgov.accounts.services import authenticate_token

        try:
            user = authenticate_token(token)
        except NotAuthenticated as exc:
            request.auth_failure = exc
            return None
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; unsafe methods need the CSRF token."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


api_auth = [TokenAuth(), SessionAuth()]
