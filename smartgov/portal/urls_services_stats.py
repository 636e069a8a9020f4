"""Pages of 好差评 and the service statistics (included from portal.urls_services, portal
namespace)."""

from __future__ import annotations

from django.urls import path

from smartgov.portal.views import services_stats

urlpatterns = [
    path("applications/<str:number>/rate/", services_stats.rate, name="services_rate"),
    path("rectifications/", services_stats.rectifications, name="services_rectifications"),
    path(
        "rectifications/<int:pk>/",
        services_stats.rectification,
        name="services_rectification",
    ),
    path("stats/", services_stats.stats_page, name="services_stats"),
    path("stats/export/", services_stats.stats_export, name="services_stats_export"),
]
