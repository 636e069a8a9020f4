"""Login, logout, password change."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartgov.accounts import services
from smartgov.core.errors import SmartgovError
from smartgov.portal.forms import LoginForm, PasswordChangeForm


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request) or "portal:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if user is not None:
            login(request, user)
            return redirect(_safe_next(request) or "portal:home")
        failure = getattr(request, "login_error", None)
        form.add_error(None, failure.message if failure else _("Wrong login name or password."))
    return render(
        request,
        "portal/login.html",
        {
            "form": form,
            "next": _safe_next(request),
            "max_failures": settings.LOGIN_MAX_FAILURES,
        },
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.record_logout(user=request.user)
    logout(request)
    return redirect("portal:login")


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except SmartgovError as exc:
            field = "old_password" if exc.code == "wrong_password" else "new_password"
            form.add_error(field, exc.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("portal:home")
    return render(request, "portal/password_change.html", {"form": form})
