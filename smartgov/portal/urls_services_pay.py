"""The sandbox payment page (included from portal.urls_services, portal namespace)."""

from __future__ import annotations

from django.urls import path

from smartgov.portal.views import services_pay

urlpatterns = [
    path("pay/<str:provider>/<str:reference>/", services_pay.pay, name="services_pay"),
]
