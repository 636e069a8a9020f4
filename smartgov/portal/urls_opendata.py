"""Pages of the opendata app (included from portal.urls, names in the portal namespace)."""

urlpatterns: list = []
