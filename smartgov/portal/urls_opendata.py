"""Pages of the opendata app (included from portal.urls, names in the portal namespace)."""

from django.urls import path, re_path

from smartgov.portal.views import opendata

NAME = r"(?P<name>\d{9}-\d{6})"

urlpatterns: list = [
    path("", opendata.open_list, name="open_list"),
    re_path(r"^catalog\.(?P<fmt>jsonld|ttl)$", opendata.catalog_dcat, name="open_dcat"),
    path("developer/", opendata.developer, name="open_developer"),
    path("developer/keys/", opendata.key_create, name="open_key_create"),
    path("developer/keys/<int:pk>/revoke/", opendata.key_revoke, name="open_key_revoke"),
    path("applications/<int:pk>/", opendata.application_detail, name="open_application"),
    re_path(rf"^{NAME}/$", opendata.open_detail, name="open_detail"),
    re_path(rf"^{NAME}/apply/$", opendata.open_apply, name="open_apply"),
    re_path(rf"^{NAME}/publication/$", opendata.open_publication, name="open_publication"),
    re_path(
        rf"^{NAME}/download/(?P<fmt>csv|json|xlsx|parquet)$",
        opendata.open_download,
        name="open_download",
    ),
    re_path(
        rf"^{NAME}/dataset\.(?P<fmt>jsonld|ttl)$", opendata.dataset_dcat, name="open_dataset_dcat"
    ),
]
