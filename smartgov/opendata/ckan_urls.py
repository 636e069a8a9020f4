"""The CKAN-compatible Action API under /api/3/action/."""

urlpatterns: list = []
