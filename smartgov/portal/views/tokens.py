"""My API tokens (个人令牌): list, create (secret shown once), revoke."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartgov.accounts import services
from smartgov.core.errors import SmartgovError
from smartgov.portal.forms import TokenCreateForm
from smartgov.portal.services import paginate


def _render(request, form, *, created=None, secret=None, status=200):
    tokens = request.user.api_tokens.order_by("revoked_at", "-created_at")
    return render(
        request,
        "portal/tokens.html",
        {
            "form": form,
            "page": paginate(request, tokens),
            "created": created,
            "secret": secret,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    """List the user's own tokens; POST creates one and shows its secret exactly once."""
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.create_token(
                actor=request.user,
                name=form.cleaned_data["name"],
                expires_at=timezone.now() + timedelta(days=form.cleaned_data["lifetime_days"]),
            )
        except SmartgovError as exc:
            form.add_error("name" if exc.code == "name_required" else None, exc.message)
        else:
            # Rendered, not redirected: the secret must never be stored to show it later.
            response = _render(request, TokenCreateForm(), created=token, secret=secret)
            response["Cache-Control"] = "no-store"
            return response
    return _render(request, form, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request, pk: int):
    try:
        token = services.revoke_token(actor=request.user, token_id=pk)
    except SmartgovError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("portal:tokens")
