"""Pages of the governance loop (included from portal.urls, names in the portal namespace)."""

from __future__ import annotations

from django.urls import path

from smartgov.portal.views import (
    governance,
    governance_citizen,
    governance_config,
    governance_kpi,
    governance_map,
    governance_work,
)

urlpatterns: list = [
    path("", governance.home, name="governance_home"),
    # Staff: intake, case page and its actions
    path("intake/", governance.intake, name="governance_intake"),
    path("intake/similar/", governance.similar, name="governance_similar"),
    path("field/", governance.field_report, name="governance_field_report"),
    path("cases/", governance_work.search, name="governance_search"),
    path("cases/<int:pk>/", governance.case_detail, name="governance_case"),
    path("cases/<int:pk>/<slug:action>/", governance.case_action, name="governance_case_action"),
    path("files/<int:pk>/", governance.attachment, name="governance_attachment"),
    # Work lists
    path("dispatch/", governance_work.queue, name="governance_queue"),
    path("requests/", governance_work.requests_list, name="governance_requests"),
    path(
        "requests/<int:pk>/decide/",
        governance_work.request_decide,
        name="governance_request_decide",
    ),
    path("overdue/", governance_work.overdue, name="governance_overdue"),
    path("department/", governance_work.department, name="governance_department"),
    path("verify/", governance_work.verification, name="governance_verification"),
    path("revisits/", governance_work.revisits, name="governance_revisits"),
    # Map and hotspots
    path("map/", governance_map.case_map, name="governance_map"),
    path("map/data.json", governance_map.map_data, name="governance_map_data"),
    path("map/areas.json", governance_map.areas, name="governance_areas"),
    path("hotspots/", governance_map.hotspots, name="governance_hotspots"),
    # Configuration
    path("config/categories/", governance_config.categories_list, name="governance_categories"),
    path(
        "config/categories/new/",
        governance_config.category_edit,
        name="governance_category_create",
    ),
    path(
        "config/categories/<str:code>/",
        governance_config.category_edit,
        name="governance_category_edit",
    ),
    path(
        "config/categories/<str:code>/toggle/",
        governance_config.category_toggle,
        name="governance_category_toggle",
    ),
    path("config/rules/", governance_config.rules, name="governance_rules"),
    path(
        "config/rules/<int:pk>/delete/",
        governance_config.rule_delete,
        name="governance_rule_delete",
    ),
    path("config/grids/", governance_config.grids, name="governance_grids"),
    # Reporter (citizen) side
    path("report/", governance_citizen.report, name="governance_report"),
    path("mine/", governance_citizen.my_cases, name="governance_my_cases"),
    path("mine/<int:pk>/", governance_citizen.my_case, name="governance_my_case"),
    path(
        "mine/<int:pk>/<slug:action>/",
        governance_citizen.my_case_action,
        name="governance_my_case_action",
    ),
    path("follow/", governance_citizen.lookup, name="governance_lookup"),
    path("follow/<int:pk>/", governance_citizen.followed_case, name="governance_followed_case"),
    path(
        "follow/<int:pk>/<slug:action>/",
        governance_citizen.followed_case_action,
        name="governance_followed_case_action",
    ),
    # KPI (K)
    path("kpi/", governance_kpi.kpi_page, name="governance_kpi"),
    path("kpi/download.<str:fmt>", governance_kpi.kpi_download, name="governance_kpi_download"),
]
