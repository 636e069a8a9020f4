"""Citizen / enterprise home (首页) and the staff workbench (工作台)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from smartgov.accounts.models import UserKind
from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import has_perm, require_perm
from smartgov.core.workbench import inbox_for, inbox_sources
from smartgov.portal.home_cards import home_cards_for
from smartgov.portal.services import greeting, inbox_rows, masked_phone, paginate


@login_required
@require_GET
def home(request):
    """Citizens and enterprises get their home; staff go to the workbench."""
    user = request.user
    if user.kind == UserKind.STAFF and has_perm(user, Perm.USE_WORKBENCH):
        return redirect("portal:workbench")
    active_tokens = user.api_tokens.filter(revoked_at__isnull=True).count()
    return render(
        request,
        "portal/home.html",
        {
            "greeting": greeting(),
            "cards": home_cards_for(user),
            "phone_masked": masked_phone(user.phone),
            "active_tokens": active_tokens,
        },
    )


@login_required
@require_GET
def workbench(request):
    """The staff member's single to-do inbox across all modules."""
    require_perm(request.user, Perm.USE_WORKBENCH)
    inbox = inbox_for(request.user)
    sources = inbox_sources()
    source = request.GET.get("source", "")
    if source not in sources:
        source = ""
    rows = inbox_rows(inbox.items, source=source)
    memberships = request.user.memberships.select_related("department__region", "role")
    return render(
        request,
        "portal/workbench.html",
        {
            "inbox": inbox,
            "page": paginate(request, rows),
            "counts": inbox.counts(),
            "total": len(inbox.items),
            "sources": sources,
            "source": source,
            "memberships": memberships,
        },
    )
