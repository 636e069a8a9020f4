"""Pages of the sharing app (included from portal.urls, names in the portal namespace)."""

from django.urls import path

from smartgov.portal.views import sharing, sharing_usage

urlpatterns = [
    path("", sharing.requests_list, name="sharing"),
    path("apps/", sharing.apps, name="sharing_apps"),
    path("apps/<int:pk>/rotate/", sharing.app_rotate, name="sharing_app_rotate"),
    path("apps/<int:pk>/revoke/", sharing.app_revoke, name="sharing_app_revoke"),
    path("requests/", sharing.requests_list, name="sharing_requests"),
    path("requests/new/", sharing.request_create, name="sharing_request_create"),
    path("requests/<int:pk>/", sharing.request_detail, name="sharing_request"),
    path("requests/<int:pk>/withdraw/", sharing.request_withdraw, name="sharing_request_withdraw"),
    path("approvals/", sharing.approvals, name="sharing_approvals"),
    path("steps/<int:pk>/", sharing.step_decide, name="sharing_step"),
    path("grants/", sharing.grants, name="sharing_grants"),
    path("grants/<int:pk>/revoke/", sharing.grant_revoke, name="sharing_grant_revoke"),
    path("objections/", sharing.objections_list, name="sharing_objections"),
    path("objections/new/", sharing.objection_create, name="sharing_objection_create"),
    path("objections/<int:pk>/", sharing.objection_detail, name="sharing_objection"),
    # The gateway's metering and "who read my data" (sharing.metering).
    path("usage/", sharing_usage.usage, name="sharing_usage"),
    path("me/reads/", sharing_usage.my_reads, name="sharing_my_reads"),
]
