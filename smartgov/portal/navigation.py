"""The navigation menu: entries shown only to users whose permissions allow them.

Domain apps add entries with ``register_nav`` in their AppConfig.ready().
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import has_perm


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str = ""
    permission: str | None = None  # None: any signed-in user of the kinds below
    kinds: tuple[str, ...] = ("citizen", "enterprise", "staff")
    order: int = 100
    group: str = ""


_ENTRIES: list[NavEntry] = []


def register_nav(entry: NavEntry) -> None:
    _ENTRIES.append(entry)
    _ENTRIES.sort(key=lambda e: e.order)


def navigation_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    visible, seen = [], set()
    for entry in _ENTRIES:
        if user.kind not in entry.kinds or entry.url_name in seen:
            continue
        if entry.permission is not None and not has_perm(user, entry.permission):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        # An entry registered once per permission (any of them shows it) is shown once.
        seen.add(entry.url_name)
        visible.append(
            {
                "label": entry.label,
                "url": url,
                "icon": entry.icon,
                "group": entry.group,
                "url_name": entry.url_name,
            }
        )
    return visible


def _register_foundation_entries() -> None:
    from smartgov.accounts.permissions import Perm

    register_nav(
        NavEntry(_("Home"), "portal:home", icon="home", order=10, kinds=("citizen", "enterprise"))
    )
    register_nav(
        NavEntry(
            _("Workbench"),
            "portal:workbench",
            icon="inbox",
            order=10,
            kinds=("staff",),
            permission=Perm.USE_WORKBENCH,
        )
    )
    register_nav(
        NavEntry(
            _("Account management"),
            "portal:admin_users",
            icon="users",
            order=900,
            kinds=("staff",),
            permission=Perm.VIEW_USER,
            group="admin",
        )
    )
    register_nav(
        NavEntry(
            _("Departments"),
            "portal:admin_departments",
            icon="building",
            order=910,
            kinds=("staff",),
            permission=Perm.MANAGE_DEPARTMENT,
            group="admin",
        )
    )
    register_nav(
        NavEntry(
            _("Roles"),
            "portal:admin_roles",
            icon="shield",
            order=920,
            kinds=("staff",),
            permission=Perm.MANAGE_ROLE,
            group="admin",
        )
    )
    register_nav(
        NavEntry(
            _("Single sign-on"),
            "portal:admin_oidc_clients",
            icon="key",
            order=930,
            kinds=("staff",),
            permission=Perm.MANAGE_OIDC_CLIENT,
            group="admin",
        )
    )
    register_nav(
        NavEntry(
            _("Calendar"),
            "portal:admin_calendar",
            icon="calendar",
            order=940,
            kinds=("staff",),
            permission=Perm.MANAGE_CALENDAR,
            group="admin",
        )
    )
    register_nav(
        NavEntry(
            _("Audit log"),
            "portal:admin_audit",
            icon="list-check",
            order=950,
            kinds=("staff",),
            permission=Perm.VIEW_AUDIT,
            group="admin",
        )
    )


def _register_catalog_entries() -> None:
    """数据目录 for every staff member (published entries need no permission); 目录审核 for
    the data bureau's reviewers."""
    from smartgov.catalog.permissions import Perm as CatalogPerm

    register_nav(
        NavEntry(_("Data catalog"), "portal:catalog", icon="database", order=30, kinds=("staff",))
    )
    register_nav(
        NavEntry(
            _("Catalog review"),
            "portal:catalog_review",
            icon="checklist",
            order=31,
            kinds=("staff",),
            permission=CatalogPerm.REVIEW_RESOURCE,
        )
    )


def _register_datastore_entries() -> None:
    """数据归集 (deliveries across the departments in scope) for the data officers and the data
    bureau."""
    from smartgov.datastore.permissions import Perm as DatastorePerm

    register_nav(
        NavEntry(
            _("Data ingestion"),
            "portal:datastore_deliveries",
            icon="upload",
            order=32,
            kinds=("staff",),
            permission=DatastorePerm.VIEW_DATA,
        )
    )


def _register_sources_entries() -> None:
    """一数一源: the register of authoritative sources and its conflicts, for data officers and
    the data bureau."""
    from smartgov.catalog.permissions import Perm as CatalogPerm

    register_nav(
        NavEntry(
            _("Authoritative sources"),
            "portal:sources",
            icon="link",
            order=33,
            kinds=("staff",),
            permission=CatalogPerm.VIEW_ELEMENTS,
        )
    )


def _register_quality_entries() -> None:
    """数据质量 for whoever reads quality reports (data officers, the data bureau)."""
    from smartgov.datastore.permissions import Perm as DatastorePerm

    register_nav(
        NavEntry(
            _("Data quality"),
            "portal:quality",
            icon="chart-line",
            order=36,
            kinds=("staff",),
            permission=DatastorePerm.VIEW_QUALITY,
        )
    )


def _register_sharing_entries() -> None:
    """数据共享 (apps, requests, approvals, grants, objections behind tabs) for the staff who
    consume or provide shared data; 数据异议 for citizens and enterprises about their own data."""
    from smartgov.sharing.permissions import Perm as SharingPerm

    register_nav(
        NavEntry(
            _("Data sharing"),
            "portal:sharing",
            icon="share",
            order=34,
            kinds=("staff",),
            permission=SharingPerm.CONSUME,
        )
    )
    register_nav(
        NavEntry(
            _("Data objections"),
            "portal:sharing_objections",
            icon="message-report",
            order=40,
            kinds=("citizen", "enterprise"),
        )
    )


def _register_sharing_usage_entries() -> None:
    """共享调用统计 for data officers and the data bureau; 谁查看了我的数据 for citizens and
    enterprises."""
    from smartgov.sharing.metering_permissions import Perm as UsagePerm

    register_nav(
        NavEntry(
            _("Sharing usage"),
            "portal:sharing_usage",
            icon="chart-bar",
            order=45,
            kinds=("staff",),
            permission=UsagePerm.VIEW_USAGE,
        )
    )
    register_nav(
        NavEntry(
            _("Who read my data"),
            "portal:sharing_my_reads",
            icon="eye",
            order=41,
            kinds=("citizen", "enterprise"),
        )
    )


def _register_opendata_entries() -> None:
    """数据开放: public pages, for every signed-in account (visitors reach them without login)."""
    register_nav(NavEntry(_("Open data"), "portal:open_list", icon="world", order=40))


def _register_governance_entries() -> None:
    """基层治理 (the staff's case pages, opening on the first list the roles allow), 治理考核
    (the KPI pages, for supervisors); 我要反映 for citizens and enterprises."""
    from smartgov.governance.permissions import Perm as GovernancePerm

    for perm in (
        GovernancePerm.INTAKE,
        GovernancePerm.DISPATCH,
        GovernancePerm.HANDLE,
        GovernancePerm.VERIFY,
        GovernancePerm.SUPERVISE,
        GovernancePerm.CONFIGURE,
    ):
        # One entry, shown once: the first permission the user holds wins (see navigation_for).
        register_nav(
            NavEntry(
                _("Cases"),
                "portal:governance_home",
                icon="urgent",
                order=50,
                kinds=("staff",),
                permission=perm,
                group="governance",
            )
        )
    register_nav(
        NavEntry(
            _("Case KPIs"),
            "portal:governance_kpi",
            icon="chart-bar",
            order=51,
            kinds=("staff",),
            permission=GovernancePerm.SUPERVISE,
        )
    )
    register_nav(
        NavEntry(
            _("Report a problem"),
            "portal:governance_my_cases",
            icon="speakerphone",
            order=20,
            kinds=("citizen", "enterprise"),
        )
    )
