"""Pages of the services app (included from portal.urls_services, portal namespace)."""

from __future__ import annotations

urlpatterns: list = []
