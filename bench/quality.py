"""Quality-check benchmark: a population table of N current rows (plus N/10 closed old versions)
and a social-insurance table of N/2 rows whose citizen IDs partly miss from the population; then
one full check of each (derived rules and explicit completeness, range, date, pattern,
uniqueness and consistency rules), and each rule alone. Prints seconds per check and per rule.

    python bench/quality.py --rows 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartgov_bench_quality python bench/quality.py
"""

from __future__ import annotations

import argparse
import resource as rusage
import time
from datetime import date, timedelta
from decimal import Decimal

from _setup import data_platform, published, setup_django

setup_django()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from smartgov.core.validators import citizen_id_check_digit  # noqa: E402
from smartgov.datastore import db, quality  # noqa: E402
from smartgov.datastore.models import Delivery, DeliveryStatus, QualityRule  # noqa: E402
from smartgov.datastore.services import ensure_table  # noqa: E402
from smartgov.datastore.validation import storage_adapter  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
POPULATION_FIELDS = [
    {"name": "citizen_id", "label": "公民身份号码", "data_type": "citizen_id", "is_key": True},
    {"name": "name", "label": "姓名", "data_type": "string", "required": True},
    {"name": "gender", "label": "性别", "data_type": "enum", "enum_values": ["男", "女"]},
    {"name": "birth_date", "label": "出生日期", "data_type": "date"},
    {"name": "region", "label": "行政区划", "data_type": "region_code"},
    {"name": "phone", "label": "手机号码", "data_type": "phone"},
    {"name": "income", "label": "年收入", "data_type": "decimal"},
]
INSURANCE_FIELDS = [
    {"name": "citizen_id", "label": "公民身份号码", "data_type": "citizen_id", "is_key": True},
    {"name": "name", "label": "姓名", "data_type": "string", "required": True},
    {"name": "started_on", "label": "参保日期", "data_type": "date"},
]


def citizen_id(i: int) -> tuple[str, date]:
    born = date(1945, 1, 1) + timedelta(days=i % 20000)
    first17 = f"330106{born:%Y%m%d}{(i // 20000) % 1000:03d}"
    return first17 + citizen_id_check_digit(first17), born


def setup():
    bureau, officer, admin = data_platform()
    made = [
        published(
            officer,
            admin,
            bureau,
            code=code,
            name=name,
            base_resource="population" if code[0] == "1" else "",
            fields=fields,
        )
        for code, name, fields in (
            ("101001001/000001", "户籍人口基本信息", POPULATION_FIELDS),
            ("303001001/000001", "社会保险参保信息", INSURANCE_FIELDS),
        )
    ]
    return officer, made


def fill(resource, rows, columns: list[str]) -> None:
    """Write rows straight into the resource's table as version 1 (and a delivery for it)."""
    with transaction.atomic():
        table = ensure_table(resource)
        adapt = [storage_adapter(c["data_type"]) for c in table.schema]
        batch, count = [], 0
        with connection.cursor() as cursor:
            for version, *values in rows:
                batch.append(
                    (
                        version,
                        *(
                            v if a is None or v is None else a(v)
                            for a, v in zip(adapt, values, strict=True)
                        ),
                    )
                )
                if len(batch) >= 20000:
                    db.insert_rows(cursor, table.table_name, columns, batch)
                    count += len(batch)
                    batch = []
            if batch:
                db.insert_rows(cursor, table.table_name, columns, batch)
                count += len(batch)
        table.version = 2
        table.save()
        now = timezone.now()
        Delivery.objects.create(
            resource=resource,
            source="bench",
            mode="replace",
            status=DeliveryStatus.PARTIALLY_REJECTED,
            version=2,
            started_at=now,
            finished_at=now,
            received=count,
            inserted=count,
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE" if connection.vendor == "sqlite" else f"ANALYZE {table.table_name}"
        )


def population_rows(n: int):
    closed = n // 10
    for i in range(n + closed):
        cid, born = citizen_id(i)
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)]
        phone = "" if i % 50 == 0 else f"1{3 + i % 7}{i % 100_000_000:09d}"
        if i % 997 == 0:
            born = date(2099, 1, 1)  # a birth date in the future
        income = Decimal(i % 500_000) / 4 if i % 333 else Decimal(-1)
        values = [cid, name, "男" if i % 2 else "女", born, "330106", phone or None, income]
        if i < closed:
            # An old version (closed at version 2) of a row that is current again below.
            yield (1, *values)
        else:
            yield (2, *values)


def insurance_rows(n: int):
    for i in range(n // 2):
        index = i * 2 if i % 20 else n + n // 10 + i  # every 20th insured person is unknown
        cid, born = citizen_id(index)
        yield (2, cid, SURNAMES[i % len(SURNAMES)] + "某", born + timedelta(days=7000))


def add_rules(officer, population, insurance):
    def add(resource, kind, fields, **values):
        quality.create_rule(
            actor=officer, resource_id=resource.pk, kind=kind, fields=fields, **values
        )

    add(population, "completeness", ["phone"], threshold=95)
    add(population, "validity", ["income"], params={"min": "0", "max": "1000000"})
    add(population, "validity", ["birth_date"], params={"not_future": True})
    add(population, "validity", ["phone"], params={"pattern": r"1[3-9]\d{9}"})
    add(population, "validity", ["name"], params={"pattern": r"[\u4e00-\u9fa5]{2,4}"})
    add(population, "uniqueness", ["name", "birth_date"], threshold=0)
    add(
        insurance,
        "consistency",
        ["citizen_id"],
        target_resource_id=population.pk,
        target_field="citizen_id",
    )


def timed_check(resource) -> tuple[float, object]:
    started = time.perf_counter()
    report = quality.evaluate(resource, trigger="manual")
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"database: {connection.vendor}; population rows: {args.rows:,}")
    officer, (population, insurance) = setup()
    started = time.perf_counter()
    names = ["_version_from", *(f["name"] for f in POPULATION_FIELDS)]
    closed = args.rows // 10
    fill(population, population_rows(args.rows), names)
    with connection.cursor() as cursor:  # close the old versions (their keys repeat)
        cursor.execute(
            f"UPDATE {db.q('ds_' + str(population.pk))} SET _version_to = 2 WHERE _version_from = 1"
        )
    fill(
        insurance, insurance_rows(args.rows), ["_version_from", "citizen_id", "name", "started_on"]
    )
    print(f"loaded in {time.perf_counter() - started:.1f} s ({closed:,} closed old versions)")
    add_rules(officer, population, insurance)
    for resource in (population, insurance):
        quality.evaluate(resource, trigger="manual")  # warm the caches once
        seconds, report = timed_check(resource)
        print(
            f"{resource.name}: full check {seconds:.2f} s for {report.rows:,} rows, "
            f"score {report.score}, {len(report.results)} rules"
        )
        rules = list(QualityRule.objects.filter(resource=resource).order_by("id"))
        for rule in rules:
            QualityRule.objects.filter(resource=resource).exclude(pk=rule.pk).update(enabled=False)
            QualityRule.objects.filter(pk=rule.pk).update(enabled=True)
            seconds, report = timed_check(resource)
            [result] = report.results
            label = f"{rule.kind} {','.join(rule.fields) or '-'} {rule.params or ''}".strip()
            print(
                f"  {label:<58} {seconds:6.2f} s  checked {result['checked']:>9,} "
                f"failed {result['failed']:>7,}"
            )
        QualityRule.objects.filter(resource=resource).update(enabled=True)
    peak = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
