"""Pages of the sharing app (included from portal.urls, names in the portal namespace)."""

urlpatterns: list = []

# The gateway's metering and "who read my data" (sharing.metering).
from django.urls import path  # noqa: E402

from smartgov.portal.views import sharing_usage  # noqa: E402

urlpatterns += [
    path("usage/", sharing_usage.usage, name="sharing_usage"),
    path("me/reads/", sharing_usage.my_reads, name="sharing_my_reads"),
]
