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
import random
import time

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--licenses", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=5.0)
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


if __name__ == "__main__":
    main()
