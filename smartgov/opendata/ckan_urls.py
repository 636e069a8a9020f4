"""The CKAN-compatible Action API under /api/3/action/ (and /api/action/, as CKAN serves it)."""

from django.urls import path

from smartgov.opendata import ckan_views

urlpatterns: list = [
    path("action/<str:name>", ckan_views.action, name="ckan_action"),
]
