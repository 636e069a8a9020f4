"""Django authentication backend delegating to the lockout-aware login service."""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend

from smartgov.accounts.models import User
from smartgov.core.errors import NotAuthenticated


class LockoutAwareBackend(BaseBackend):
    """Password login through accounts.services (failure counting, lockout, audit)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from smartgov.accounts.services import authenticate_password

        if username is None or password is None:
            return None
        try:
            return authenticate_password(username=username, password=password)
        except NotAuthenticated as exc:
            if request is not None:
                request.login_error = exc
            return None

    def get_user(self, user_id):
        user = User.objects.filter(pk=user_id, is_active=True).first()
        return user
