"""Shared start-up for the benchmarks: a throw-away var/ dir, a fresh PostgreSQL database when
DATABASE_URL points at one (its name must contain "bench"), then Django."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fresh_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    if "bench" not in name:
        raise SystemExit("refusing to drop a database whose name lacks 'bench'")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SMARTGOV_VAR_DIR", tempfile.mkdtemp(prefix="sgbench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartgov.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    # Benchmarks call the public verification endpoint from one address far more often than
    # the per-address limit allows (licenses/throttle.py): the limit is off here.
    os.environ.setdefault("SMARTGOV_VERIFY_RATE_PER_MINUTE", "0")
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        _fresh_postgres(os.environ["DATABASE_URL"])
    import django

    django.setup()


def data_platform(*, bureau_name: str = "杭州市公安局", region_code: str = "330100"):
    """Migrate, load the regions, and staff a small public-data platform: a provider bureau
    with a data officer (department scope) and the data bureau with its administrator (city
    scope). Returns (bureau, officer, admin)."""
    from django.core.management import call_command

    from smartgov.accounts import services as account_services
    from smartgov.catalog.permissions import DATA_ADMIN, DATA_OFFICER
    from smartgov.core.models import Department, DepartmentKind, Region
    from smartgov.core.services import load_regions

    call_command("migrate", verbosity=0)
    load_regions()
    region = Region.objects.get(code=region_code)
    bureau = Department(name=bureau_name, kind=DepartmentKind.BUREAU, region=region)
    bureau.save()
    data_bureau = Department(
        name="杭州市数据资源管理局",
        kind=DepartmentKind.DATA_BUREAU,
        region=Region.objects.get(code="330100"),
    )
    data_bureau.save()
    users = []
    for username, department, role, scope in (
        ("bench_officer", bureau, DATA_OFFICER, "department"),
        ("bench_admin", data_bureau, DATA_ADMIN, "city"),
    ):
        user = account_services.create_staff(
            actor=None, username=username, name=username, password="Str0ng-Passw0rd!"
        )
        account_services.grant_initial_role(
            user=user, department=department, role_code=role, scope=scope
        )
        users.append(user)
    return bureau, *users


def published(officer, admin, provider, **values):
    """A resource registered by ``officer`` for ``provider``, submitted and approved by
    ``admin`` (share and open types and the update cycle default to unconditional, closed,
    daily)."""
    from smartgov.catalog import services as catalog

    values = {
        "share_type": "unconditional",
        "open_type": "closed",
        "update_cycle": "daily",
        "classification": "base" if values["code"][0] == "1" else "department",
        **values,
    }
    resource = catalog.create_resource(actor=officer, provider_id=provider.pk, **values)
    catalog.submit_resource(actor=officer, resource_id=resource.pk)
    return catalog.approve_resource(actor=admin, resource_id=resource.pk)


# --- Parent / child runs (bench/cases.py, bench/services.py) ---------------------------------
# The parent runs one child process per database and part, so each gets a fresh Django with
# its own settings; a child prints its figures as one "RESULT_JSON {…}" line.

RESULT_PREFIX = "RESULT_JSON "


def child_env(database: str, *, name: str, default_pg: str, suffix: str = "") -> Path:
    """A child's environment: its var/ dir (``var/bench-<name>-<database><suffix>``) and its
    database (``DATABASE_URL`` or ``default_pg``, + ``suffix``, for PostgreSQL)."""
    state_dir = ROOT / "var" / f"bench-{name}-{database}{suffix}"
    state_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SMARTGOV_VAR_DIR"] = str(state_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartgov.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    if database == "postgres":
        os.environ["DATABASE_URL"] = (os.environ.get("DATABASE_URL") or default_pg) + suffix
    else:
        os.environ.pop("DATABASE_URL", None)
    return state_dir


def fresh_database(database: str, state_dir: Path) -> None:
    if database == "postgres":
        _fresh_postgres(os.environ["DATABASE_URL"])
    else:
        for suffix in ("", "-wal", "-shm"):
            (state_dir / f"smartgov.sqlite3{suffix}").unlink(missing_ok=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def print_result(result: dict) -> None:
    import json

    print(RESULT_PREFIX + json.dumps(result, ensure_ascii=False), flush=True)


def run_children(script: str, args, *, parts: list[str], options: tuple[str, ...], report) -> None:
    """Run ``script <part> --child <database> --<option> …`` for every database and part of
    ``args``, passing its own output through and its result line to ``report``."""
    import json
    import subprocess

    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        for part in parts if args.part == "both" else [args.part]:
            command = [sys.executable, script, part, "--child", database]
            for name in options:
                command += [f"--{name}", str(getattr(args, name))]
            out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
            for line in out.stdout.splitlines():
                if line.startswith(RESULT_PREFIX):
                    report(json.loads(line[len(RESULT_PREFIX) :]))
                else:
                    print(line)
            if out.returncode:
                print(out.stderr[-3000:])
