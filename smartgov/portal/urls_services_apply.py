"""Pages of applications, approval and 一件事 bundles (included from portal.urls_services,
names in the portal namespace)."""

from __future__ import annotations

from django.urls import path

from smartgov.portal.views import services_apply, services_bundles, services_common, services_work

urlpatterns: list = [
    # Applicants
    path("items/<str:code>/apply/", services_apply.apply, name="services_apply"),
    path("applications/", services_apply.my_applications, name="services_my_applications"),
    path("applications/<str:number>/", services_apply.application, name="services_application"),
    path("applications/<str:number>/receipt/", services_apply.receipt, name="services_receipt"),
    path(
        "applications/<str:number>/resubmit/",
        services_apply.resubmit,
        name="services_resubmit",
    ),
    path(
        "applications/<str:number>/withdraw/",
        services_apply.withdraw,
        name="services_withdraw",
    ),
    path("applications/<str:number>/pay/", services_apply.pay, name="services_start_payment"),
    path("files/materials/<int:pk>/", services_common.material_file, name="services_material_file"),
    path(
        "files/events/<int:pk>/",
        services_common.event_attachment,
        name="services_event_attachment",
    ),
    # Staff: counter, acceptance
    path("counter/", services_work.counter, name="services_counter"),
    path("acceptance/", services_work.acceptance, name="services_acceptance"),
    path(
        "work/applications/<str:number>/",
        services_work.staff_application,
        name="services_staff_application",
    ),
    path(
        "work/applications/<str:number>/<slug:action>/",
        services_work.staff_action,
        name="services_staff_action",
    ),
    # Staff: approval and supervision
    path("tasks/", services_work.tasks, name="services_tasks"),
    path("tasks/<int:pk>/", services_work.task, name="services_task"),
    path("tasks/<int:pk>/<slug:action>/", services_work.task_action, name="services_task_action"),
    path("supervision/", services_work.supervision, name="services_supervision"),
    path(
        "supervision/requests/<int:pk>/decide/",
        services_work.decide_time_request,
        name="services_decide_time_request",
    ),
    # 一件事 bundles
    path("bundles/", services_bundles.bundle_list, name="services_bundles"),
    path("bundles/<str:code>/", services_bundles.bundle_detail, name="services_bundle"),
    path("bundles/<str:code>/apply/", services_bundles.bundle_apply, name="services_bundle_apply"),
    path(
        "bundle-applications/<str:number>/",
        services_bundles.bundle_application,
        name="services_bundle_application",
    ),
]
