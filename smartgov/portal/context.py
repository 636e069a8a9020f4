"""Template context shared by every page: navigation for the user's roles, display options."""

from __future__ import annotations

from smartgov.portal.navigation import navigation_for

LARGE_TEXT_COOKIE = "sg_large_text"


def _is_active(entry_url: str, path: str) -> bool:
    if entry_url == "/":
        return path == "/"
    return path == entry_url or path.startswith(entry_url)


def portal_context(request):
    """Navigation split into top-level entries and the 系统管理 (administration) dropdown."""
    user = getattr(request, "user", None)
    entries = navigation_for(user) if user is not None else []
    path = getattr(request, "path", "")
    # Only the most specific matching entry is active (/catalog/review/ is not also /catalog/).
    matching = [e for e in entries if _is_active(e["url"], path)]
    best = max(matching, key=lambda e: len(e["url"]), default=None)
    for entry in entries:
        entry["active"] = entry is best
    admin = [e for e in entries if e["group"] == "admin"]
    return {
        "nav": entries,
        "nav_main": [e for e in entries if e["group"] != "admin"],
        "nav_admin": admin,
        "nav_admin_active": any(e["active"] for e in admin),
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
    }
