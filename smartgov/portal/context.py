"""Template context shared by every page: navigation for the user's roles, display options."""

from __future__ import annotations

from smartgov.portal.navigation import navigation_for


def portal_context(request):
    user = getattr(request, "user", None)
    return {
        "nav": navigation_for(user) if user is not None else [],
        "large_text": request.COOKIES.get("sg_large_text") == "1",
    }
