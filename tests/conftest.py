"""Shared fixtures: the region tree, departments in two districts, users of each role."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from smartgov.accounts import services as account_services
from smartgov.accounts.permissions import AUDITOR, SECURITY_ADMIN, STAFF, SYSTEM_ADMIN
from smartgov.core.models import Department, DepartmentKind, Region
from smartgov.core.services import load_regions

PASSWORD = "Str0ng-Passw0rd!"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is meant to be slow (about 0.1 s a hash, far more on a busy machine) and the
    fixtures create several accounts per test: tests hash with MD5. Production keeps Argon2
    (settings.PASSWORD_HASHERS)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from smartgov.core import workcalendar

    workcalendar.invalidate_cache()
    yield
    workcalendar.invalidate_cache()


@pytest.fixture(autouse=True)
def _fresh_governance_cache(settings):
    """Intake's per-process cache of categories, rules, grids and the classifier row: empty at
    each test's start, its fingerprint checked on every use (tests change these rows at will,
    and a rolled-back test can leave ids and counts as they were)."""
    from smartgov.governance.config_cache import cache

    settings.GOVERNANCE_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_verify_rate_limit(settings):
    """Every test client verifies from 127.0.0.1 and the default cache outlives a test: the
    public verification limit is off unless a test turns it on (tests/licenses/test_throttle)."""
    settings.SMARTGOV_VERIFY_RATE_PER_MINUTE = 0


# Migrations that install the audit log's append-only triggers, in the order they apply.
_TRIGGER_MIGRATIONS = [
    importlib.import_module("smartgov.core.migrations.0002_audit_append_only"),
    importlib.import_module("smartgov.core.migrations.0003_audit_checkpoints"),
]


def set_audit_triggers(*, armed: bool) -> None:
    """Drop the append-only triggers (idempotent), and re-create them when ``armed``."""
    with connection.cursor() as cursor:
        for migration in reversed(_TRIGGER_MIGRATIONS):
            down = {"sqlite": migration.SQLITE_DOWN, "postgresql": migration.POSTGRES_DOWN}
            for statement in down.get(connection.vendor, []):
                cursor.execute(statement)
        if armed:
            for migration in _TRIGGER_MIGRATIONS:
                up = {"sqlite": migration.SQLITE_UP, "postgresql": migration.POSTGRES_UP}
                for statement in up.get(connection.vendor, []):
                    cursor.execute(statement)


@pytest.fixture(scope="module")
def _rearm_audit_triggers(django_db_blocker):
    """After a module's last live test (and its flush), put the append-only triggers back."""
    yield
    with django_db_blocker.unblock():
        set_audit_triggers(armed=True)


@pytest.fixture
def live_db(_rearm_audit_triggers, transactional_db):
    """Committed data for live-server tests. Emptying the tables afterwards (the flush) would
    trip the audit log's append-only triggers, so they are dropped just before it and put
    back after the module."""
    yield
    set_audit_triggers(armed=False)


@pytest.fixture
def regions(db):
    load_regions()
    return Region.objects


@pytest.fixture
def org(regions):
    """City government, data bureau, and two districts (西湖区, 上城区) with one bureau each."""
    hangzhou = Region.objects.get(code="330100")
    city = Department(name="杭州市人民政府", kind=DepartmentKind.CITY_OFFICE, region=hangzhou)
    city.save()
    data_bureau = Department(
        name="杭州市数据资源管理局", kind=DepartmentKind.DATA_BUREAU, region=hangzhou, parent=city
    )
    data_bureau.save()
    departments = {"city": city, "data_bureau": data_bureau}
    for key, code in (("xihu", "330106"), ("shangcheng", "330102")):
        district = Region.objects.get(code=code)
        government = Department(
            name=f"{district.name}人民政府",
            kind=DepartmentKind.DISTRICT_OFFICE,
            region=district,
            parent=city,
        )
        government.save()
        bureau = Department(
            name=f"{district.name}市场监督管理局",
            kind=DepartmentKind.BUREAU,
            region=district,
            parent=government,
        )
        bureau.save()
        departments[key] = government
        departments[f"{key}_bureau"] = bureau
    return departments


def make_staff(username, department, role, scope=None, *, name=None):
    user = account_services.create_staff(
        actor=None, username=username, name=name or username, password=PASSWORD
    )
    account_services.grant_initial_role(
        user=user, department=department, role_code=role, scope=scope
    )
    return user


@pytest.fixture
def sysadmin(org):
    return make_staff("sysadmin", org["data_bureau"], SYSTEM_ADMIN, "city")


@pytest.fixture
def secadmin(org):
    return make_staff("secadmin", org["data_bureau"], SECURITY_ADMIN, "city")


@pytest.fixture
def auditor(org):
    return make_staff("auditor", org["data_bureau"], AUDITOR, "city")


@pytest.fixture
def xihu_admin(org):
    return make_staff("xihu_admin", org["xihu"], SYSTEM_ADMIN, "region_tree")


@pytest.fixture
def shangcheng_admin(org):
    return make_staff("shangcheng_admin", org["shangcheng"], SYSTEM_ADMIN, "region_tree")


@pytest.fixture
def xihu_staff(org):
    return make_staff("xihu_staff", org["xihu_bureau"], STAFF, "department")


@pytest.fixture
def shangcheng_staff(org):
    return make_staff("shangcheng_staff", org["shangcheng_bureau"], STAFF, "department")


@pytest.fixture
def citizen(db):
    return account_services.create_citizen(
        actor=None,
        username="zhangsan",
        real_name="张三",
        citizen_id="11010519491231002X",
        password=PASSWORD,
        phone="13800138000",
    )


@pytest.fixture
def api_client(client):
    """Django test client; use ``bearer(user)`` for token auth."""
    return client


@pytest.fixture
def bearer():
    """Make an Authorization header dict for a user via a real personal token."""

    def make(user):
        _, secret = account_services.create_token(actor=user, name="test", expires_at=None)
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make
