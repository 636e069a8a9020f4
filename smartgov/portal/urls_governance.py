"""Pages of the governance loop (included from portal.urls, names in the portal namespace)."""

from __future__ import annotations

urlpatterns: list = []
