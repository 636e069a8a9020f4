"""Data-store pages on a large table: a published resource with N current rows (loaded straight
into its table after one real delivery), then the time of the pages a reader opens most — the
catalog detail page with its data section (row count and masked sample), the data page's first
and a deep page, the versions page and a delivery's rejection report. Prints the median and the
slowest of a few runs per page, in milliseconds.

    python bench/datastore_pages.py --rows 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartgov_bench_pages \
        python bench/datastore_pages.py
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import date, timedelta

from _setup import data_platform, published, setup_django

setup_django()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from smartgov.core.validators import citizen_id_check_digit  # noqa: E402
from smartgov.datastore import db  # noqa: E402
from smartgov.datastore import services as datastore  # noqa: E402
from smartgov.datastore.models import StoreTable  # noqa: E402

FIELDS = [
    {
        "name": "citizen_id",
        "label": "公民身份号码",
        "data_type": "citizen_id",
        "is_key": True,
        "masking": "citizen_id",
        "grade": "important",
        "personal_kind": "citizen_id",
    },
    {
        "name": "name",
        "label": "姓名",
        "data_type": "string",
        "masking": "name",
        "personal_kind": "name",
    },
    {
        "name": "phone",
        "label": "手机号码",
        "data_type": "phone",
        "masking": "phone",
        "personal_kind": "phone",
    },
    {"name": "region", "label": "行政区划", "data_type": "region_code"},
]


def citizen_id(n: int) -> str:
    born = date(1950, 1, 1) + timedelta(days=n // 1000)
    first17 = f"330106{born:%Y%m%d}{n % 1000:03d}"
    return first17 + citizen_id_check_digit(first17)


def wrong_check_digit(cid: str) -> str:
    return cid[:17] + ("1" if cid[17] == "0" else "0")


def setup(rows: int):
    bureau, officer, admin = data_platform(bureau_name="西湖区公安分局", region_code="330106")
    resource = published(
        officer,
        admin,
        bureau,
        code="101001001/000001",
        name="户籍人口",
        base_resource="population",
        share_type="conditional",
        share_conditions="依申请",
        fields=FIELDS,
    )
    # One real delivery (it creates the table and a rejection report of 2,000 rows) ...
    lines = ["citizen_id,name,phone,region"]
    lines += [
        f"{wrong_check_digit(citizen_id(n))},张{n},1380013800{n % 10},330106" for n in range(2000)
    ]
    delivery = datastore.deliver_file(
        actor=officer,
        resource_id=resource.pk,
        stream=io.BytesIO("\n".join(lines).encode()),
        filename="bad.csv",
        mode="upsert",
    )
    # ... then the rows go straight into the table as version 1 of the same delivery.
    table = StoreTable.objects.get(resource=resource)
    started = time.perf_counter()
    columns = ["_version_from", "citizen_id", "name", "phone", "region"]
    with transaction.atomic(), connection.cursor() as cursor:
        batch = []
        for n in range(rows):
            batch.append((1, citizen_id(n), f"王{n % 997}", f"139{n:08d}", "330106"))
            if len(batch) == 50_000:
                db.insert_rows(cursor, table.table_name, columns, batch)
                batch = []
        if batch:
            db.insert_rows(cursor, table.table_name, columns, batch)
    StoreTable.objects.filter(pk=table.pk).update(version=1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {db.q(table.table_name)}")
    print(f"loaded {rows:,} rows in {time.perf_counter() - started:.1f} s")
    return resource, delivery, admin


def timed(client: Client, url: str, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    resource, delivery, admin = setup(args.rows)
    client = Client()
    client.force_login(admin)
    deep = args.rows // 2 // 20
    pages = {
        "catalog detail (count + masked sample)": f"/catalog/{resource.pk}/",
        "data page 1": f"/datastore/resources/{resource.pk}/data/",
        f"data page {deep:,} (offset {args.rows // 2:,})": (
            f"/datastore/resources/{resource.pk}/data/?page={deep}"
        ),
        "data by key": (
            f"/datastore/resources/{resource.pk}/data/?key_citizen_id={citizen_id(4321)}"
        ),
        "versions": f"/datastore/resources/{resource.pk}/versions/",
        "delivery, 2,000 rejections (page 1)": f"/datastore/deliveries/{delivery.pk}/",
        "deliveries overview": "/datastore/deliveries/",
    }
    print(f"{connection.vendor}, {args.rows:,} rows; median / max of {args.runs} runs, ms")
    for name, url in pages.items():
        client.get(url)  # warm
        median, worst = timed(client, url, args.runs)
        print(f"  {name:45s} {median:8.1f} {worst:8.1f}")


if __name__ == "__main__":
    main()
