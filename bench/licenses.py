"""E-license benchmark: issue N licenses (SM2 signing), then verifications per second through
``services.verify_license`` (cold: every signature checked by SM2; warm: the verified-signature
cache) and through the HTTP API (``GET /api/v1/licenses/verify?code=``, Django test client, so
the whole stack: routing, middleware, the handler, JSON) on the current DATABASE_URL. Also the
raw pure-Python SM2 verify rate, the bottleneck. Prints figures; asserts nothing about speed.

    .venv/bin/python bench/licenses.py --licenses 500 --seconds 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartgov_bench_licenses \
        .venv/bin/python bench/licenses.py
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _setup import setup_django

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def build(n: int):
    from smartgov.accounts import services as account_services
    from smartgov.core.models import Department, DepartmentKind, Region
    from smartgov.core.services import load_regions
    from smartgov.core.validators import citizen_id_check_digit
    from smartgov.licenses import services
    from smartgov.licenses.models import HolderKind, LicenseType
    from smartgov.licenses.permissions import LICENSE_OFFICER

    call_command("migrate", verbosity=0)
    load_regions()
    region = Region.objects.get(code="330100")
    bureau = Department(name="杭州市民政局", kind=DepartmentKind.BUREAU, region=region)
    bureau.save()
    officer = account_services.create_staff(
        actor=None, username="bench_officer", name="bench", password="Bench@2026x"
    )
    account_services.grant_initial_role(
        user=officer, department=bureau, role_code=LICENSE_OFFICER, scope="department"
    )
    license_type = LicenseType.objects.create(
        code="MARRIAGE",
        name="结婚证",
        department=bureau,
        holder_kind=HolderKind.CITIZEN,
        schema={"fields": [{"name": "spouse", "type": "string", "required": True}]},
    )
    started = time.perf_counter()
    licenses = []
    for i in range(n):
        first17 = f"33010619{80 + i % 20:02d}0{1 + i % 9}{10 + i % 18:02d}{i % 1000:03d}"
        licenses.append(
            services.issue_license(
                actor=officer,
                license_type=license_type,
                holder_id=first17 + citizen_id_check_digit(first17),
                holder_name="张三",
                data={"spouse": "李四"},
            )
        )
    issue_seconds = time.perf_counter() - started
    return licenses, issue_seconds


def rate(fn, items, seconds: float) -> tuple[float, int]:
    """Calls per second of fn over items (cycled) for about ``seconds``."""
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for item in items:
            fn(item)
            count += 1
        if count >= len(items) and time.perf_counter() >= deadline:
            break
    return count / (time.perf_counter() - started), count


WRK_SCRIPT = """
local paths = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
"""


def gunicorn_wrk(codes, *, workers: int, seconds: int, connections: int) -> None:
    """verify?code= through gunicorn (gthread) driven by wrk: the production entry point."""
    from urllib.parse import quote

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "smartgov.wsgi:application",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "SMARTGOV_VERIFY_RATE_PER_MINUTE": "0"},
    )
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/api/v1/licenses/verify?code=x", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as tmp:
            script, lines = Path(tmp) / "verify.lua", Path(tmp) / "paths.txt"
            script.write_text(WRK_SCRIPT)
            lines.write_text(
                "\n".join(f"/api/v1/licenses/verify?code={quote(code)}" for code in codes)
            )
            warm_up = max(3, len(codes) * workers // 80)  # cold SM2 runs at ~100/s a core
            for label, duration in (
                ("warm-up (fills each worker's cache)", warm_up),
                ("run", seconds),
            ):
                out = subprocess.run(
                    [
                        "wrk",
                        "-t2",
                        f"-c{connections}",
                        f"-d{duration}s",
                        "-s",
                        str(script),
                        base,
                        "--",
                        str(lines),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                wrk_line = next(x for x in out.splitlines() if x.startswith("WRK "))
                requests, micros, p50, p99 = map(int, wrk_line.split()[1:])
                errors = [x for x in out.splitlines() if "Non-2xx" in x or "Socket errors" in x]
                print(
                    f"gunicorn {workers} workers x 4 threads + wrk {connections} conns, "
                    f"{label}: {requests / (micros / 1e6):.0f}/s, p50 {p50 / 1000:.1f} ms, "
                    f"p99 {p99 / 1000:.1f} ms {' '.join(errors)}"
                )
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--licenses", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (0: skip)")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    from smartgov.core.crypto import sm2_verify
    from smartgov.licenses import services

    print(f"database: {connection.vendor}")
    licenses, issue_seconds = build(args.licenses)
    print(
        f"issued {len(licenses)} licenses in {issue_seconds:.1f} s "
        f"({len(licenses) / issue_seconds:.0f}/s, SM2 sign + audit)"
    )
    codes = [services.qr_code(item) for item in licenses]
    random.Random(6).shuffle(codes)

    sample = licenses[:50]
    contents = [
        (item.key.public_key, services.canonical_content(item), item.signature) for item in sample
    ]
    raw, _ = rate(lambda c: sm2_verify(*c), contents, min(args.seconds, 3))
    print(f"raw gmssl sm2_verify: {raw:.0f}/s ({1000 / raw:.1f} ms each)")

    services.clear_verify_cache()
    started = time.perf_counter()
    results = [services.verify_license(payload=code) for code in codes]
    cold = len(codes) / (time.perf_counter() - started)
    assert all(r.valid for r in results)
    print(f"verify_license cold (every signature through SM2): {cold:.0f}/s")

    warm, count = rate(lambda c: services.verify_license(payload=c), codes, args.seconds)
    print(f"verify_license warm (signature cache): {warm:.0f}/s over {count} calls")

    client = Client()

    def http(code):
        response = client.get("/api/v1/licenses/verify", {"code": code})
        assert response.status_code == 200 and response.json()["valid"]

    api, count = rate(http, codes, args.seconds)
    print(f"HTTP API GET /api/v1/licenses/verify warm: {api:.0f}/s over {count} calls")
    services.clear_verify_cache()
    api_cold, count = rate(http, codes, min(args.seconds, 3))
    print(
        f"HTTP API, cache cleared first (cold until each license seen once): "
        f"{api_cold:.0f}/s over {count} calls"
    )

    if args.workers:
        gunicorn_wrk(
            codes,
            workers=args.workers,
            seconds=int(args.seconds) * 2,
            connections=args.connections,
        )


if __name__ == "__main__":
    main()
