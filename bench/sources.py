"""Source-conflict benchmark (一数一源): a population register (source of 公民姓名) and a
provident-fund resource holding copies, N rows each; 1 % of the holder's names differ and
0.5 % of its citizen IDs are not in the register. Rows are written straight into the data
store's tables (ingestion has its own benchmark), then scans are timed:

  first scan      records every conflict
  re-scan         nothing changed: touches what it still finds
  after changes   a tenth of the differing rows corrected: those conflicts close
  query only      the one SQL join (db.differences_sql) without reconciling

Prints seconds per scan; asserts nothing about speed.

    python bench/sources.py --rows 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartgov_bench_sources python bench/sources.py
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

from _setup import setup_django

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from smartgov.accounts import services as account_services  # noqa: E402
from smartgov.catalog import elements  # noqa: E402
from smartgov.catalog import services as catalog  # noqa: E402
from smartgov.catalog.permissions import DATA_ADMIN  # noqa: E402
from smartgov.core.models import Department, DepartmentKind, Region  # noqa: E402
from smartgov.core.services import load_regions  # noqa: E402
from smartgov.core.validators import citizen_id_check_digit  # noqa: E402
from smartgov.datastore import db, sources  # noqa: E402
from smartgov.datastore.models import SourceConflict  # noqa: E402
from smartgov.datastore.services import ensure_table  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
CHUNK = 20_000
BASE_DATE = date(1950, 1, 1)


def citizen_id(i: int) -> str:
    # 1,000 birth dates x 1,000 sequence numbers per county code: unique up to 10 million.
    county = 330102 + (i // 1_000_000) * 2
    born = BASE_DATE + timedelta(days=7 * ((i // 1000) % 1000))
    first17 = f"{county}{born:%Y%m%d}{i % 1000:03d}"
    return first17 + citizen_id_check_digit(first17)


def name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)]


def _field(name: str, label: str, data_type: str = "string", **extra) -> dict:
    return {"name": name, "label": label, "data_type": data_type, **extra}


def setup():
    call_command("migrate", verbosity=0)
    load_regions()
    hangzhou = Region.objects.get(code="330100")
    departments = []
    for label in ("杭州市数据资源管理局", "杭州市公安局", "杭州住房公积金管理中心"):
        department = Department(name=label, kind=DepartmentKind.BUREAU, region=hangzhou)
        department.save()
        departments.append(department)
    admin = account_services.create_staff(
        actor=None, username="bench_admin", name="bench_admin", password="Str0ng-Passw0rd!"
    )
    account_services.grant_initial_role(
        user=admin, department=departments[0], role_code=DATA_ADMIN, scope="city"
    )
    common = {
        "share_type": "unconditional",
        "open_type": "closed",
        "update_cycle": "daily",
    }
    population = catalog.create_resource(
        actor=admin,
        provider_id=departments[1].pk,
        code="101001001/000001",
        name="户籍人口基本信息",
        classification="base",
        base_resource="population",
        fields=[
            _field("citizen_id", "公民身份号码", "citizen_id", is_key=True),
            _field("name", "姓名"),
        ],
        **common,
    )
    fund = catalog.create_resource(
        actor=admin,
        provider_id=departments[2].pk,
        code="305001001/000001",
        name="住房公积金缴存信息",
        classification="department",
        fields=[
            _field("account_no", "个人公积金账号", is_key=True),
            _field("citizen_id", "公民身份号码", "citizen_id"),
            _field("name", "姓名"),
        ],
        **common,
    )
    for resource in (population, fund):
        catalog.submit_resource(actor=admin, resource_id=resource.pk)
        catalog.approve_resource(actor=admin, resource_id=resource.pk)
    element = elements.create_element(
        actor=admin,
        code="citizen_name",
        name="公民姓名",
        key_type="citizen_id",
        source_resource_id=population.pk,
        source_field="name",
        source_key_field="citizen_id",
        holders=[{"resource_id": fund.pk, "field": "name", "key_field": "citizen_id"}],
    )
    return admin, population, fund, element


def fill(resource, columns: list[str], rows) -> float:
    started = time.perf_counter()
    with transaction.atomic():
        table = ensure_table(resource)
        batch = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append((1, *row))
                if len(batch) >= CHUNK:
                    db.insert_rows(cursor, table.table_name, ["_version_from", *columns], batch)
                    batch = []
            if batch:
                db.insert_rows(cursor, table.table_name, ["_version_from", *columns], batch)
        table.version = 1
        table.save(update_fields=["version"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {db.q(table.table_name)}")
    return time.perf_counter() - started


def holder_rows(n: int):
    """Every 100th name differs, every 200th (offset) citizen ID is outside the register."""
    for i in range(n):
        cid = citizen_id(i + n) if i % 200 == 7 else citizen_id(i)
        held = name(i + 1) if i % 100 == 50 else name(i)
        yield (f"GJJ{i:09d}", cid, held)


def timed_scan(label: str, element) -> float:
    started = time.perf_counter()
    scan = sources.scan_element(actor=None, element_id=element.pk, trigger="command")
    seconds = time.perf_counter() - started
    print(
        f"{label:<14} {seconds:7.2f} s   found {scan.found:,}, new {scan.created:,}, "
        f"changed {scan.changed:,}, resolved {scan.resolved:,}"
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.rows
    print(f"database: {connection.vendor}; rows per table: {n:,}")
    _admin, population, fund, element = setup()
    seconds = fill(population, ["citizen_id", "name"], ((citizen_id(i), name(i)) for i in range(n)))
    print(f"filled the register in {seconds:.1f} s")
    seconds = fill(fund, ["account_no", "citizen_id", "name"], holder_rows(n))
    print(f"filled the holder in {seconds:.1f} s")

    timed_scan("first scan", element)
    timed_scan("re-scan", element)
    # Correct a tenth of the differing names in place (as a delivery would leave them).
    table = db.q(fund.store_table.table_name)
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(50, n, 1000):
            cursor.execute(
                f"UPDATE {table} SET name = %s WHERE account_no = %s", [name(i), f"GJJ{i:09d}"]
            )
    timed_scan("after changes", element)

    holder = element.holders.get()
    started = time.perf_counter()
    found, truncated = sources.differences(
        holder=holder,
        holder_table=fund.store_table,
        element=element,
        source_table=population.store_table,
    )
    print(
        f"{'query only':<14} {time.perf_counter() - started:7.2f} s   "
        f"{len(found):,} differences{' (truncated)' if truncated else ''}"
    )
    print(f"conflicts recorded: {SourceConflict.objects.count():,}")


if __name__ == "__main__":
    main()
