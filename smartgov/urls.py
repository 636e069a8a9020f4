"""URL map: pages (portal), the API under /api/v1/, the OIDC provider under /o/."""

from django.urls import include, path
from django.views.generic import RedirectView
from oauth2_provider import urls as oauth2_urls

from smartgov.api import api
from smartgov.opendata.ckan_views import action as ckan_action

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    # The sharing gateway (signed app calls) and the CKAN-compatible Action API.
    path("gateway/", include("smartgov.sharing.gateway_urls")),
    path("api/3/", include("smartgov.opendata.ckan_urls")),
    path("api/action/<str:name>", ckan_action),  # CKAN's unversioned path, for ckanapi's default
    path("open311/v2/", include("smartgov.governance.open311_urls")),
    path("o/", include(oauth2_urls, namespace="oauth2_provider")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("smartgov.portal.urls")),
]

handler404 = "smartgov.portal.views.errors.page_not_found"
handler500 = "smartgov.portal.views.errors.server_error"
handler403 = "smartgov.portal.views.errors.permission_denied"
handler400 = "smartgov.portal.views.errors.bad_request"
