"""Pages of the governance loop (included from portal.urls, names in the portal namespace)."""

from __future__ import annotations

from django.urls import path

from smartgov.portal.views import governance_kpi

urlpatterns: list = [
    # KPI (K)
    path("kpi/", governance_kpi.kpi_page, name="governance_kpi"),
    path("kpi/download.<str:fmt>", governance_kpi.kpi_download, name="governance_kpi_download"),
]
