"""Open-data benchmark: 10,000 open resources (topics, tags), then p50/p95 of CKAN
``package_search`` calls through the whole Django stack (test client: URL routing, middleware,
the action, JSON) on the current DATABASE_URL. Prints a table; asserts nothing about speed."""

from __future__ import annotations

import random
import statistics
import time

from _setup import setup_django

setup_django()

from catalog_search import PLACES, SUFFIXES, TOPICS  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

N_RESOURCES = 10_000
REPEAT = 30
GROUPS = [
    ("population", "人口户籍"),
    ("economy", "经济建设"),
    ("social", "社会民生"),
    ("health", "医疗卫生"),
    ("city", "城市建设"),
    ("environment", "生态环境"),
    ("safety", "公共安全"),
    ("education", "教育文化"),
]
TAG_WORDS = ["统计", "许可", "监测", "名录", "台账", "登记", "信用", "公共服务", "地理", "实时"]


def build(departments) -> dict:
    from smartgov.catalog import search
    from smartgov.catalog.models import Field, Resource
    from smartgov.opendata.models import Publication, Tag, Topic

    rng = random.Random(20261201)
    providers = [d for d in departments.values() if d.parent_id is not None][:40]
    topics = [Topic.objects.create(code=c, name=n, position=i) for i, (c, n) in enumerate(GROUPS)]
    tags = [Tag.objects.create(name=w) for w in TAG_WORDS]
    resources, fields_of = [], []
    for i in range(N_RESOURCES):
        topic, phrase, labels = TOPICS[i % len(TOPICS)]
        place = PLACES[rng.randrange(len(PLACES))]
        resource = Resource(
            code=f"3{i % 100:02d}{i % 1000:03d}001/{i:06d}",
            name=f"{place}{topic}{SUFFIXES[rng.randrange(len(SUFFIXES))]}",
            summary=f"{place}{phrase}，按{rng.choice(['日', '月', '季度'])}更新。",
            provider=providers[i % len(providers)],
            classification="department",
            status="published",
            version=1,
            revision=3,
            share_type="unconditional",
            open_type="open" if rng.random() < 0.8 else "conditional",
            update_cycle=rng.choice(["realtime", "daily", "weekly", "monthly", "yearly"]),
            format=rng.choice(["table", "table", "table", "api", "spatial"]),
        )
        fields = [
            Field(position=k, name=f"f{k}", label=label, data_type="string", is_key=k == 0)
            for k, label in enumerate(labels)
        ]
        resource.search_name, resource.search_text = search.document(resource, fields)
        resources.append(resource)
        fields_of.append(fields)
    with transaction.atomic():
        Resource.objects.bulk_create(resources, batch_size=500)
        for resource, fields in zip(resources, fields_of, strict=True):
            for field in fields:
                field.resource = resource
        Field.objects.bulk_create([f for fields in fields_of for f in fields], batch_size=2000)
        search.rebuild_index()
        publications = Publication.objects.bulk_create(
            [
                Publication(
                    resource=r,
                    topic=topics[i % len(topics)],
                    view_count=rng.randrange(5000),
                    download_count=rng.randrange(800),
                )
                for i, r in enumerate(resources)
            ],
            batch_size=1000,
        )
        through = Publication.tags.through
        through.objects.bulk_create(
            [
                through(publication_id=p.pk, tag_id=t.pk)
                for p in publications
                for t in rng.sample(tags, 2)
            ],
            batch_size=2000,
        )
    return {"org": f"dept-{providers[3].pk}"}


def latency(client: Client, params: dict) -> tuple[int, float, float]:
    def call():
        response = client.get("/api/3/action/package_search", params)
        assert response.status_code == 200, response.content[:300]
        return response.json()["result"]["count"]

    count = call()  # warm up
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return count, statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    from smartgov.accounts.demo import load_departments
    from smartgov.catalog.models import Resource
    from smartgov.core.services import load_regions

    call_command("migrate", verbosity=0)
    load_regions()
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    started = time.perf_counter()
    context = build(load_departments())
    print(
        f"built {Resource.objects.count():,} open resources with publications, topics and tags "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    org = context["org"]
    facets = '["organization","groups","tags","res_format"]'
    queries = [
        ("no q (default sort, 10 rows)", {}),
        ("q=户籍", {"q": "户籍"}),
        ("q=空气质量监测", {"q": "空气质量监测"}),
        ("q=公积金 缴存 (two words)", {"q": "公积金 缴存"}),
        ("q=不存在的资源名称 (no hit)", {"q": "不存在的资源名称"}),
        (f"fq=organization:{org}", {"fq": f"organization:{org}"}),
        ("fq=groups:health tags:监测", {"fq": "groups:health tags:监测"}),
        ("facets (4 fields), no q", {"facet.field": facets}),
        ("q=养老 + facets", {"q": "养老", "facet.field": facets}),
        ("sort=title_string asc", {"sort": "title_string asc"}),
        ("sort=metadata_modified desc, rows=100", {"sort": "metadata_modified desc", "rows": 100}),
        (
            "q + fq + facets + sort",
            {
                "q": "登记",
                "fq": "res_format:CSV",
                "facet.field": facets,
                "sort": "metadata_modified desc",
            },
        ),
    ]
    client = Client()
    print(f"\n{'package_search':<44} {'hits':>6}  {'p50 ms':>8}  {'p95 ms':>8}")
    for label, params in queries:
        count, p50, p95 = latency(client, params)
        print(f"{label:<44} {count:>6,}  {p50:8.2f}  {p95:8.2f}")


if __name__ == "__main__":
    main()
