"""Pages of the sharing app (included from portal.urls, names in the portal namespace)."""

urlpatterns: list = []
