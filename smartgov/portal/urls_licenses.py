"""Pages of the licenses app (included from portal.urls, names in the portal namespace)."""

from __future__ import annotations

from django.urls import path

from smartgov.portal.views import licenses

urlpatterns = [
    path("", licenses.wallet, name="licenses_wallet"),
    path("verify/", licenses.verify, name="licenses_verify"),
    path("issue/", licenses.issue, name="licenses_issue"),
    path("keys/", licenses.keys, name="licenses_keys"),
    path("<str:identifier>/", licenses.detail, name="licenses_detail"),
]
