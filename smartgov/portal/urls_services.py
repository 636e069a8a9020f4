"""Pages of the services app (included from portal.urls, names in the portal namespace)."""

from __future__ import annotations

urlpatterns: list = []
