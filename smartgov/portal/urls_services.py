"""Pages of the services app (included from portal.urls, names in the portal namespace)."""

from __future__ import annotations

from django.urls import include, path

from smartgov.portal.views import services

urlpatterns = [
    # Applications, approval, bundles and payments (applicants and staff).
    path("", include("smartgov.portal.urls_services_apply")),
    # Ratings, rectifications and statistics.
    path("", include("smartgov.portal.urls_services_stats")),
    path("", include("smartgov.portal.urls_services_pay")),  # the sandbox pay page
    path("", services.hall, name="services_hall"),
    path("items/<str:code>/", services.guide, name="services_guide"),
    path("manage/", services.staff_items, name="services_staff_items"),
    path("manage/new/", services.staff_item_new, name="services_staff_item_new"),
    path("manage/<int:pk>/", services.staff_item, name="services_staff_item"),
    path("manage/<int:pk>/publish/", services.staff_item_publish, name="services_staff_publish"),
    path("manage/<int:pk>/withdraw/", services.staff_item_withdraw, name="services_staff_withdraw"),
    path(
        "manage/<int:pk>/new-version/",
        services.staff_item_new_version,
        name="services_staff_new_version",
    ),
]
