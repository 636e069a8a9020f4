"""Ingestion benchmark: generate a population-style CSV (valid citizen IDs, names, birth dates,
addresses, region codes, phones; about 1% bad rows), deliver it through the data store's
validating ingestion, then load the same file raw (SQLite executemany / PostgreSQL COPY) into a
plain table. Prints rows per second, peak memory, counts and the validated/raw ratio; then an
increment (upsert of changed and new rows into the loaded table) and, last, the catalog search
benchmark (bench/catalog_search.py: p50/p95 on 10,000 entries) on a database of its own.

    python bench/ingest.py --rows 200000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartgov_bench_ingest python bench/ingest.py
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from _setup import ROOT, data_platform, published, setup_django

setup_django()

from django.db import connection, transaction  # noqa: E402

from smartgov.core.validators import citizen_id_check_digit  # noqa: E402
from smartgov.datastore import quality  # noqa: E402
from smartgov.datastore import services as datastore  # noqa: E402

COLUMNS = ["citizen_id", "name", "gender", "birth_date", "address", "region", "phone"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
STREETS = ["文三路", "天目山路", "学院路", "教工路", "古翠路", "莫干山路", "延安路", "解放路"]


def county_codes() -> list[str]:
    with (ROOT / "smartgov/core/data/regions.csv").open(encoding="utf-8") as handle:
        return [r["code"] for r in csv.DictReader(handle) if r["level"] == "county"]


def generate(path: Path, rows: int, *, first: int = 0, phone_offset: int = 0) -> int:
    """Write the CSV; every 100th row carries one error (check digit, phone, date, region).
    Rows ``first`` to ``first + rows``; ``phone_offset`` changes every phone number."""
    counties = county_codes()
    days = 20000
    base = date(1945, 1, 1)
    bad = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(first, first + rows):
            region = counties[i % len(counties)]
            rest = i // len(counties)
            born = base + timedelta(days=rest % days)
            first17 = f"{region}{born:%Y%m%d}{(rest // days) % 1000:03d}"
            cid = first17 + citizen_id_check_digit(first17)
            phone = f"1{3 + i % 7}{(i + phone_offset) % 100_000_000:09d}"
            birth = born.isoformat()
            row_region = region
            if i % 100 == 99:
                bad += 1
                kind = (i // 100) % 4
                if kind == 0:
                    cid = first17 + ("0" if cid[-1] != "0" else "1")
                elif kind == 1:
                    phone = "12345"
                elif kind == 2:
                    birth = f"{born:%Y}-02-30"
                else:
                    row_region = region[:4]
            name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)]
            address = f"杭州市{STREETS[i % len(STREETS)]}{i % 999 + 1}号"
            gender = "男" if i % 2 else "女"
            writer.writerow([cid, name, gender, birth, address, row_region, phone])
    return bad


def setup_resource():
    bureau, officer, admin = data_platform()
    fields = [
        {"name": "citizen_id", "label": "公民身份号码", "data_type": "citizen_id", "is_key": True},
        {"name": "name", "label": "姓名", "data_type": "string", "required": True},
        {"name": "gender", "label": "性别", "data_type": "enum", "enum_values": ["男", "女"]},
        {"name": "birth_date", "label": "出生日期", "data_type": "date"},
        {"name": "address", "label": "户籍地址", "data_type": "string", "max_length": 200},
        {"name": "region", "label": "行政区划", "data_type": "region_code"},
        {"name": "phone", "label": "手机号码", "data_type": "phone"},
    ]
    resource = published(
        officer,
        admin,
        bureau,
        code="101001001/000001",
        name="户籍人口基本信息",
        base_resource="population",
        fields=fields,
    )
    return officer, resource


def raw_load(path: Path) -> float:
    """Load the file without validation into a plain table; returns seconds."""
    columns = ", ".join(f"{c} TEXT" for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw")
        cursor.execute(f"CREATE TABLE bench_raw ({columns})")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_sql = "COPY bench_raw FROM STDIN (FORMAT csv, HEADER true)"
            with cursor.cursor.copy(copy_sql) as copy, path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    copy.write(block)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            sql = f"INSERT INTO bench_raw VALUES ({marks})"
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                next(reader)
                batch = []
                for row in reader:
                    batch.append(row)
                    if len(batch) >= 5000:
                        cursor.executemany(sql, batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def deliver(officer, population, path: Path, mode: str):
    """Deliver the file; the seconds of the delivery itself, then of the quality check that
    runs after its commit (timed apart: it reads the stored table, not the file)."""
    check_after_delivery = quality.check_after_delivery
    quality.check_after_delivery = lambda resource_id: None
    try:
        started = time.perf_counter()
        with path.open("rb") as handle:
            delivery = datastore.deliver_file(
                actor=officer,
                resource_id=population.pk,
                stream=handle,
                filename=path.name,
                mode=mode,
            )
        seconds = time.perf_counter() - started
        rss = peak_rss_mb()
    finally:
        quality.check_after_delivery = check_after_delivery
    started = time.perf_counter()
    check_after_delivery(population.pk)
    print(f"  (quality check after the delivery: {time.perf_counter() - started:.1f} s)")
    return delivery, seconds, rss


def search_benchmark() -> None:
    env = dict(os.environ)
    env.pop("SMARTGOV_VAR_DIR", None)
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        env["DATABASE_URL"] = url + "_search"
    print("\ncatalog search (bench/catalog_search.py):", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench/catalog_search.py")], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--increment", type=int, default=100_000, help="rows of the upsert")
    parser.add_argument("--no-search", action="store_true", help="skip the search benchmark")
    args = parser.parse_args()
    print(f"database: {connection.vendor}; rows: {args.rows:,}")
    officer, population = setup_resource()
    with tempfile.TemporaryDirectory(prefix="sgbench-ingest-") as tmp:
        path = Path(tmp) / "population.csv"
        started = time.perf_counter()
        bad = generate(path, args.rows)
        print(
            f"generated {path.stat().st_size / 1e6:.1f} MB with {bad:,} bad rows "
            f"in {time.perf_counter() - started:.1f} s"
        )
        rss_before = peak_rss_mb()
        delivery, validated, rss_after = deliver(officer, population, path, "replace")
        print(
            f"validated ingestion: {validated:.1f} s, {args.rows / validated:,.0f} rows/s; "
            f"status {delivery.status}; received {delivery.received:,}, "
            f"inserted {delivery.inserted:,}, rejected {delivery.rejected:,}"
        )
        print(f"peak RSS: {rss_before:.0f} MB before ingestion, {rss_after:.0f} MB after")
        raw = raw_load(path)
        print(
            f"raw load ({'COPY' if connection.vendor == 'postgresql' else 'executemany'}): "
            f"{raw:.1f} s, {args.rows / raw:,.0f} rows/s"
        )
        print(f"validated / raw speed: {raw / validated:.2f}")
        if args.increment:
            # Half the rows already stored (with new phone numbers), half new people.
            increment = Path(tmp) / "increment.csv"
            generate(
                increment, args.increment, first=args.rows - args.increment // 2, phone_offset=7
            )
            delivery, seconds, _rss = deliver(officer, population, increment, "upsert")
            print(
                f"increment (upsert of {args.increment:,} rows, half of them new): "
                f"{seconds:.1f} s, {args.increment / seconds:,.0f} rows/s; "
                f"inserted {delivery.inserted:,}, updated {delivery.updated:,}, "
                f"unchanged {delivery.unchanged:,}, rejected {delivery.rejected:,}"
            )
    if not args.no_search:
        search_benchmark()


if __name__ == "__main__":
    main()
