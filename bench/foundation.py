"""Foundation benchmarks: audit-chain appends and verification, tree queries, scope filters,
token authentication and API latency. Prints figures; asserts nothing about speed."""

from __future__ import annotations

import statistics
import threading
import time

from _setup import setup_django

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402


def timed(label: str, func, *, unit: str, count: int) -> float:
    started = time.perf_counter()
    func()
    elapsed = time.perf_counter() - started
    print(f"{label:<58} {count / elapsed:>12,.0f} {unit}/s   ({elapsed * 1000:,.0f} ms total)")
    return elapsed


def latency(label: str, func, *, repeat: int) -> None:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{label:<58} p50 {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms")


def main() -> None:
    from smartgov.accounts import services as account_services
    from smartgov.accounts.demo import load_departments, load_users
    from smartgov.accounts.models import User
    from smartgov.accounts.permissions import Perm
    from smartgov.accounts.scope import clear_cache, restrict
    from smartgov.core import audit
    from smartgov.core.models import AuditRecord, Department, DepartmentKind, Region
    from smartgov.core.services import load_regions
    from smartgov.core.tree import subtree_q

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    timed("load Zhejiang regions (1,489 rows)", load_regions, unit="rows", count=1489)
    departments = load_departments()
    load_users(departments)

    # --- audit chain ----------------------------------------------------------------------
    n = 2000

    def append_each_in_own_transaction():
        for i in range(n):
            with transaction.atomic():
                audit.record(
                    actor=None,
                    action="bench.append",
                    object_type="bench",
                    object_id=str(i),
                    after={"i": i, "text": "杭州市西湖区"},
                )

    timed(
        "audit append, one transaction each",
        append_each_in_own_transaction,
        unit="records",
        count=n,
    )

    def concurrent_appends(threads=4, per_thread=250):
        errors = []

        def worker(k):
            try:
                for i in range(per_thread):
                    with transaction.atomic():
                        audit.record(
                            actor=None,
                            action="bench.concurrent",
                            object_type="bench",
                            object_id=f"{k}-{i}",
                        )
            except Exception as exc:  # report, don't hide
                errors.append(exc)
            finally:
                connection.close()

        pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        if errors:
            print("  concurrent append errors:", errors[:3])

    timed("audit append, 4 threads concurrently", concurrent_appends, unit="records", count=1000)
    total = AuditRecord.objects.count()
    result = None

    def verify():
        nonlocal result
        result = audit.verify_chain()

    timed(f"audit verify_chain over {total:,} records", verify, unit="records", count=total)
    print(f"  chain ok: {result.ok}, checked {result.checked:,}")

    # --- trees ----------------------------------------------------------------------------
    xihu = Region.objects.get(code="330106")
    zhejiang = Region.objects.get(code="330000")
    latency(
        "region descendants of 浙江省 (all 1,489, count)",
        lambda: zhejiang.descendants().count(),
        repeat=50,
    )
    latency("region descendants of 西湖区 (list)", lambda: list(xihu.descendants()), repeat=200)
    street = Region.objects.filter(level="street").last()
    latency("region ancestors of a street (list)", lambda: list(street.ancestors()), repeat=200)

    # A wide department tree: 13 districts x 40 units x 25 sub-units ≈ 13,000 extra rows.
    city = Department.objects.get(name="杭州市人民政府")
    started = time.perf_counter()
    with transaction.atomic():
        for district_gov in Department.objects.filter(kind=DepartmentKind.DISTRICT_OFFICE):
            for u in range(40):
                unit = Department(
                    name=f"单位{u}",
                    kind=DepartmentKind.BUREAU,
                    region=district_gov.region,
                    parent=district_gov,
                )
                unit.save()
                for s in range(25):
                    Department(
                        name=f"科室{s}",
                        kind=DepartmentKind.BUREAU,
                        region=district_gov.region,
                        parent=unit,
                    ).save()
    elapsed = time.perf_counter() - started
    count = Department.objects.count()
    print(f"{'built department tree':<58} {count:>12,} rows     ({elapsed:,.1f} s)")
    xihu_gov = Department.objects.get(name="杭州市西湖区人民政府")
    latency(
        "department subtree of 西湖区政府 (count, range on path)",
        lambda: Department.objects.filter(subtree_q(xihu_gov.path)).count(),
        repeat=100,
    )
    latency(
        "department subtree of 西湖区政府 (count, LIKE prefix)",
        lambda: Department.objects.filter(path__startswith=xihu_gov.path).count(),
        repeat=100,
    )
    latency(
        "department subtree of the city (count)",
        lambda: Department.objects.filter(subtree_q(city.path)).count(),
        repeat=20,
    )

    # --- scope restriction ----------------------------------------------------------------
    for i in range(2000):
        User.objects.create(username=f"bench{i}", kind="staff", display_name=f"员工{i}")
    xihu_admin = User.objects.get(username="xihu_admin")

    def restricted_users():
        clear_cache(xihu_admin)
        return list(restrict(User.objects.all(), xihu_admin, Perm.VIEW_USER)[:50])

    latency("restrict(User, xihu_admin) first page", restricted_users, repeat=100)

    # --- API ------------------------------------------------------------------------------
    sysadmin = User.objects.get(username="sysadmin")
    _, secret = account_services.create_token(actor=sysadmin, name="bench", expires_at=None)
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    latency("GET /api/v1/me (token auth)", lambda: client.get("/api/v1/me", **headers), repeat=200)
    latency(
        "GET /api/v1/regions?within=330106 (page of 100)",
        lambda: client.get("/api/v1/regions", {"within": "330106"}, **headers),
        repeat=200,
    )
    latency(
        "GET /api/v1/departments?region=330106",
        lambda: client.get("/api/v1/departments", {"region": "330106"}, **headers),
        repeat=100,
    )
    latency(
        "GET /api/v1/users (city-scope admin, page of 50)",
        lambda: client.get("/api/v1/users", **headers),
        repeat=100,
    )


if __name__ == "__main__":
    main()
