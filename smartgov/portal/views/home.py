"""Citizen home and the staff workbench."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from smartgov.accounts.models import UserKind
from smartgov.accounts.permissions import Perm
from smartgov.accounts.scope import require_perm
from smartgov.core.workbench import inbox_for


@login_required
def home(request):
    """Citizens and enterprises get their home; staff go to the workbench."""
    if request.user.kind == UserKind.STAFF:
        return redirect("portal:workbench")
    return render(request, "portal/home.html", {})


@login_required
def workbench(request):
    """The staff member's single to-do inbox across all modules."""
    require_perm(request.user, Perm.USE_WORKBENCH)
    inbox = inbox_for(request.user)
    page = Paginator(inbox.items, 20).get_page(request.GET.get("page"))
    memberships = request.user.memberships.select_related("department__region", "role")
    return render(
        request,
        "portal/workbench.html",
        {
            "inbox": inbox,
            "page": page,
            "counts": inbox.counts(),
            "memberships": memberships,
        },
    )
