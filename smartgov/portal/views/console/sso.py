"""Single sign-on clients (统一认证应用): list, register, rotate secret, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import require_perm
from smartgov.core.errors import NotFound, SmartgovError
from smartgov.portal.forms import OidcClientForm
from smartgov.portal.services import paginate


def _oidc_services():
    from smartgov.accounts.services import oidc

    return oidc


def _show_secret(request, *, client, secret, rotated: bool):
    """Render (never redirect): the secret exists only in this one response."""
    response = render(
        request,
        "portal/console/sso_secret.html",
        {"client": client, "secret": secret, "rotated": rotated},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def client_list(request):
    require_perm(request.user, Perm.MANAGE_OIDC_CLIENT)
    clients = _oidc_services().list_clients(actor=request.user)
    return render(request, "portal/console/sso.html", {"page": paginate(request, clients)})


@login_required
@require_http_methods(["GET", "POST"])
def client_create(request):
    require_perm(request.user, Perm.MANAGE_OIDC_CLIENT)
    form = OidcClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client, secret = _oidc_services().register_client(
                actor=request.user,
                name=form.cleaned_data["name"],
                redirect_uris=form.redirect_uri_list(),
                confidential=form.cleaned_data["confidential"],
                skip_authorization=form.cleaned_data["skip_authorization"],
            )
        except SmartgovError as exc:
            field = "redirect_uris" if "redirect_uri" in exc.code else None
            field = "name" if exc.code == "name_required" else field
            form.add_error(field, exc.message)
        else:
            return _show_secret(request, client=client, secret=secret, rotated=False)
    return render(
        request,
        "portal/console/sso_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _client(request, pk: int):
    client = _oidc_services().list_clients(actor=request.user).filter(pk=pk).first()
    if client is None:
        raise NotFound("not_found", "No such single sign-on client.")
    return client


@login_required
@require_POST
def client_rotate(request, pk: int):
    require_perm(request.user, Perm.MANAGE_OIDC_CLIENT)
    client = _client(request, pk)
    try:
        secret = _oidc_services().rotate_client_secret(actor=request.user, client_pk=client.pk)
    except SmartgovError as exc:
        messages.error(request, exc.message)
        return redirect("portal:admin_oidc_clients")
    return _show_secret(request, client=client, secret=secret, rotated=True)


@login_required
@require_POST
def client_delete(request, pk: int):
    require_perm(request.user, Perm.MANAGE_OIDC_CLIENT)
    client = _client(request, pk)
    _oidc_services().delete_client(actor=request.user, client_pk=client.pk)
    messages.success(request, _("Client %(name)s deleted.") % {"name": client.name})
    return redirect("portal:admin_oidc_clients")
