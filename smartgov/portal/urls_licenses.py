"""Pages of the licenses app (included from portal.urls, names in the portal namespace)."""

from __future__ import annotations

urlpatterns: list = []
