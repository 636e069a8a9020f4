"""Case intake through the service alone (``governance.intake.report_case``): queries per
intake and cases/s, optionally with cProfile.

The organisation, the training texts and the request bodies are those of ``bench/cases.py``
(hotline reports with an address, classified and dispatched automatically); half of the
reports also carry coordinates inside one of the generated unit grids.

    python bench/intake_service.py --cases 400
    python bench/intake_service.py --cases 400 --profile 30
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartgov_bench_intake \
        python bench/intake_service.py
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def grids() -> list[tuple[float, float]]:
    """One small square grid per street of the organisation; returns points inside them."""
    from smartgov.core.models import Region
    from smartgov.governance.models import Grid
    from smartgov.governance.places import geometry_fields

    points = []
    streets = Region.objects.filter(level="street", parent__code__in=cases.DISTRICTS)
    for n, street in enumerate(streets.order_by("code")[:60]):
        lon, lat = 120.0 + (n % 10) * 0.02, 30.15 + (n // 10) * 0.02
        ring = [[lon, lat], [lon + 0.015, lat], [lon + 0.015, lat + 0.015], [lon, lat + 0.015]]
        Grid.objects.create(
            code=f"{street.code}{n:03d}",
            name=f"网格{n}",
            street=street,
            district_id=street.parent_id,
            community=f"第{n}社区",
            **geometry_fields([ring]),
        )
        points.append((lon + 0.007, lat + 0.007))
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--http", action="store_true", help="POST through the test client")
    args = parser.parse_args()

    from _setup import setup_django

    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from smartgov.governance import classify
    from smartgov.governance.intake import report_case

    cases.organisation()
    points = grids()
    with tempfile.TemporaryDirectory(prefix="sgbench-intake-") as tmp:
        csv_path = Path(tmp) / "train.csv"
        cases.training_csv(csv_path)
        classify.train(csv_path=str(csv_path), actor_name="bench")
    agent = get_user_model().objects.get(username="bench_agent")
    rng = random.Random(11)

    seen: set[str] = set()

    def body(i: int) -> dict:
        topic = rng.choice(cases.TOPICS)
        text = cases.text_for(rng, topic)
        while text in seen:  # one agent records them all: no double submissions
            text = cases.text_for(rng, topic)
        seen.add(text)
        values = {
            "channel": "hotline",
            "description": text,
            "address": f"杭州市{rng.choice(['西湖区', '上城区', '拱墅区', '滨江区'])}"
            f"{rng.choice(cases.PLACES)}{rng.randint(1, 300)}号",
            "reporter_name": "张先生",
            "reporter_phone": f"138{i:08d}",
        }
        if i % 2:
            values["lon"], values["lat"] = rng.choice(points)
        return values

    report = lambda values: report_case(actor=agent, **values)[0]  # noqa: E731
    if args.http:
        from django.test import Client

        from smartgov.accounts import services as account_services

        _, token = account_services.create_token(actor=agent, name="bench", expires_at=None)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

        def report(values):
            response = client.post("/api/v1/governance/cases", values)
            if os.environ.get("CLOSE"):
                connection.close()
            assert response.status_code == 201, response.content
            return SimpleNamespace(auto_dispatched=response.json().get("auto_dispatched"))

    for i in range(args.warmup):
        report(body(10_000_000 + i))
    bodies = [body(i) for i in range(args.cases)]
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        results = [report(values) for values in bodies]
        if args.profile:
            profiler.disable()
        elapsed = time.perf_counter() - started
    dispatched = sum(1 for case in results if case.auto_dispatched)
    print(
        f"{connection.vendor}: {args.cases} intakes in {elapsed:.2f} s = "
        f"{args.cases / elapsed:.1f} cases/s, {len(captured.captured_queries) / args.cases:.2f} "
        f"queries per intake, {dispatched} dispatched automatically, load {os.getloadavg()[0]:.2f}"
    )
    if os.environ.get("SHOW_QUERIES"):
        last = len(captured.captured_queries) // args.cases
        for query in captured.captured_queries[-last:]:
            print("  ", query["sql"][:220])
    if os.environ.get("EXPLAIN") and not args.http:
        from datetime import timedelta

        from django.db.models import Q

        from smartgov.governance.models import Case

        last = results[-1]
        since = last.created_at - timedelta(seconds=120)
        who = Q(recorded_by=agent) | Q(reporter_phone_index=last.reporter_phone_index)
        double = Case.objects.filter(who, channel="hotline", description=last.description).filter(
            created_at__gte=since
        )
        print("double submission:", double.exclude(status="cancelled").explain())
        repeat = Case.objects.filter(
            reporter_phone_index=last.reporter_phone_index,
            category_id=last.category_id,
            created_at__gte=since,
            created_at__lte=last.created_at,
        ).exclude(pk=last.pk)
        print("repeat:", repeat.explain())
    if args.profile:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.profile)
        stats.sort_stats("tottime").print_stats(args.profile)


import cases  # noqa: E402  (bench/cases.py, on the path above)

if __name__ == "__main__":
    main()
