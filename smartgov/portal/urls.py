from django.urls import include, path

from smartgov.portal.views import auth, catalog, home, quality, sources, tokens
from smartgov.portal.views.console import audit, calendar, departments, roles, sso, users
from smartgov.portal.views.datastore import data, deliveries

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("account/password/", auth.password_change_view, name="password_change"),
    path("account/tokens/", tokens.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("workbench/", home.workbench, name="workbench"),
    # Data sharing (共享) and open data (开放): their own URL modules, names in this namespace.
    path("sharing/", include("smartgov.portal.urls_sharing")),
    path("open/", include("smartgov.portal.urls_opendata")),
    path("governance/", include("smartgov.portal.urls_governance")),
    path("services/", include("smartgov.portal.urls_services")),
    path("licenses/", include("smartgov.portal.urls_licenses")),
    # Data resource catalog (数据资源目录)
    path("catalog/", catalog.catalog_search, name="catalog"),
    path("catalog/new/", catalog.resource_create, name="catalog_create"),
    path("catalog/review/", catalog.review_queue, name="catalog_review"),
    path("catalog/<int:pk>/", catalog.resource_detail, name="catalog_detail"),
    path("catalog/<int:pk>/edit/", catalog.resource_edit, name="catalog_edit"),
    path("catalog/<int:pk>/fields/", catalog.resource_fields, name="catalog_fields"),
    path("catalog/<int:pk>/submit/", catalog.resource_submit, name="catalog_submit"),
    path("catalog/<int:pk>/approve/", catalog.resource_approve, name="catalog_approve"),
    path("catalog/<int:pk>/reject/", catalog.resource_reject, name="catalog_reject"),
    path("catalog/<int:pk>/withdraw/", catalog.resource_withdraw, name="catalog_withdraw"),
    # Data store (数据归集)
    path("datastore/deliveries/", deliveries.deliveries_overview, name="datastore_deliveries"),
    path("datastore/deliveries/<int:pk>/", deliveries.delivery_detail, name="datastore_delivery"),
    path(
        "datastore/deliveries/<int:pk>/rejections.csv",
        deliveries.rejections_csv,
        name="datastore_rejections_csv",
    ),
    path("datastore/resources/<int:pk>/deliver/", deliveries.deliver, name="datastore_deliver"),
    path(
        "datastore/resources/<int:pk>/template.csv",
        deliveries.delivery_template,
        name="datastore_template",
    ),
    path(
        "datastore/resources/<int:pk>/deliveries/",
        deliveries.resource_deliveries,
        name="datastore_resource_deliveries",
    ),
    path("datastore/resources/<int:pk>/data/", data.resource_data, name="datastore_data"),
    path(
        "datastore/resources/<int:pk>/versions/", data.resource_versions, name="datastore_versions"
    ),
    path("datastore/resources/<int:pk>/diff/", data.resource_diff, name="datastore_diff"),
    path("datastore/resources/<int:pk>/export/", data.resource_export, name="datastore_export"),
    # One data element, one source (一数一源)
    path("sources/", sources.element_list, name="sources"),
    path("sources/new/", sources.element_create, name="source_create"),
    path("sources/fields/", sources.field_options, name="source_field_options"),
    path("sources/conflicts/", sources.conflict_list, name="conflicts"),
    path("sources/conflicts/<int:pk>/", sources.conflict_detail, name="conflict_detail"),
    path("sources/conflicts/<int:pk>/decide/", sources.conflict_decide, name="conflict_decide"),
    path("sources/conflicts/<int:pk>/comment/", sources.conflict_comment, name="conflict_comment"),
    path("sources/<int:pk>/", sources.element_detail, name="source_detail"),
    path("sources/<int:pk>/edit/", sources.element_edit, name="source_edit"),
    path("sources/<int:pk>/delete/", sources.element_delete, name="source_delete"),
    path("sources/<int:pk>/scan/", sources.element_scan, name="source_scan"),
    path("sources/<int:pk>/holders/", sources.holder_add, name="source_holder_add"),
    path(
        "sources/<int:pk>/holders/<int:holder_pk>/edit/",
        sources.holder_edit,
        name="source_holder_edit",
    ),
    path(
        "sources/<int:pk>/holders/<int:holder_pk>/remove/",
        sources.holder_remove,
        name="source_holder_remove",
    ),
    # Data quality (数据质量)
    path("quality/", quality.overview, name="quality"),
    path("quality/resources/<int:pk>/", quality.resource_quality, name="quality_resource"),
    path("quality/resources/<int:pk>/check/", quality.run_check, name="quality_check"),
    path("quality/resources/<int:pk>/rules/new/", quality.rule_create, name="quality_rule_create"),
    path("quality/rules/<int:pk>/edit/", quality.rule_edit, name="quality_rule_edit"),
    path("quality/rules/<int:pk>/delete/", quality.rule_delete, name="quality_rule_delete"),
    # Admin console (系统管理)
    path("console/users/", users.user_list, name="admin_users"),
    path("console/users/new/", users.user_create, name="admin_user_create"),
    path("console/users/<int:pk>/", users.user_detail, name="admin_user_detail"),
    path("console/users/<int:pk>/edit/", users.user_edit, name="admin_user_edit"),
    path("console/users/<int:pk>/password/", users.user_set_password, name="admin_user_password"),
    path("console/users/<int:pk>/deactivate/", users.user_deactivate, name="admin_user_deactivate"),
    path("console/users/<int:pk>/reactivate/", users.user_reactivate, name="admin_user_reactivate"),
    path("console/users/<int:pk>/unlock/", users.user_unlock, name="admin_user_unlock"),
    path("console/users/<int:pk>/roles/", users.user_assign_role, name="admin_user_assign_role"),
    path(
        "console/users/<int:pk>/roles/<int:membership_pk>/remove/",
        users.user_remove_membership,
        name="admin_user_remove_membership",
    ),
    path(
        "console/users/<int:pk>/tokens/<int:token_pk>/revoke/",
        users.user_revoke_token,
        name="admin_user_revoke_token",
    ),
    path("console/departments/", departments.department_list, name="admin_departments"),
    path("console/departments/new/", departments.department_create, name="admin_department_create"),
    path(
        "console/departments/<int:pk>/edit/",
        departments.department_edit,
        name="admin_department_edit",
    ),
    path("console/roles/", roles.role_list, name="admin_roles"),
    path("console/roles/new/", roles.role_create, name="admin_role_create"),
    path("console/roles/<int:pk>/edit/", roles.role_edit, name="admin_role_edit"),
    path("console/calendar/", calendar.calendar_overview, name="admin_calendar"),
    path("console/calendar/<int:year>/", calendar.calendar_year, name="admin_calendar_year"),
    path(
        "console/calendar/<int:year>/days/new/",
        calendar.calendar_day_edit,
        name="admin_calendar_day_create",
    ),
    path(
        "console/calendar/days/<str:day>/edit/",
        calendar.calendar_day_edit,
        name="admin_calendar_day_edit",
    ),
    path(
        "console/calendar/days/<str:day>/delete/",
        calendar.calendar_day_delete,
        name="admin_calendar_day_delete",
    ),
    path(
        "console/calendar/<int:year>/complete/",
        calendar.calendar_year_complete,
        name="admin_calendar_year_complete",
    ),
    path("console/sso/", sso.client_list, name="admin_oidc_clients"),
    path("console/sso/new/", sso.client_create, name="admin_oidc_client_create"),
    path("console/sso/<int:pk>/rotate/", sso.client_rotate, name="admin_oidc_client_rotate"),
    path("console/sso/<int:pk>/delete/", sso.client_delete, name="admin_oidc_client_delete"),
    path("console/audit/", audit.audit_list, name="admin_audit"),
    path("console/audit/verify/", audit.audit_verify, name="admin_audit_verify"),
    path("console/audit/<int:seq>/", audit.audit_detail, name="admin_audit_detail"),
]
