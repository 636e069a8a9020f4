"""Government-services benchmark.

(a) ``submit``: applications submitted through the HTTP API (POST /api/v1/services/applications
    with a bearer token) for items whose required material is the applicant's e-license (the
    platform finds it, links it and logs the use: no upload), served by gunicorn
    (smartgov.wsgi) and driven by wrk with concurrent connections; prints submissions/s and
    p50/p99. Every request is a distinct (applicant, item) pair, so none is a duplicate.
(b) ``stats``: 1,000,000 applications (and their ratings) bulk-loaded (executemany on SQLite,
    COPY on PostgreSQL), the rollup rebuilt (``stats.rebuild_rollup``), then the statistics
    page's queries (the table for one group_by plus the monthly series) timed over three
    groupings and three periods (month, quarter, year) for a city-wide and a department user;
    prints p50/p95/max.
(c) ``verify``: e-license verifications per second — bench/licenses.py measures them (run it;
    this part runs it for you with its defaults).

    python bench/services.py                                    # submit + stats, both databases
    python bench/services.py stats --applications 1000000 --database sqlite
    python bench/services.py submit --duration 15 --connections 16 --database postgres
    python bench/services.py verify

The data live in var/bench-services-<database> (PostgreSQL database smartgov_bench_services)
and are reused by the next run with the same --applications.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _setup  # noqa: E402
from _setup import fresh_database, percentile, print_result, run_children  # noqa: E402

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/smartgov_bench_services"
PASSWORD = "Str0ng-Passw0rd!"
BUREAUS = [
    "市场监督管理局",
    "公安局",
    "民政局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "卫生健康委员会",
    "交通运输局",
    "教育局",
    "税务局",
    "医疗保障局",
]
ITEM_COUNT = 60


# --- set-up ---------------------------------------------------------------------------------


def child_env(database: str, suffix: str = "") -> Path:
    return _setup.child_env(database, name="services", default_pg=DEFAULT_PG, suffix=suffix)


def organisation() -> dict:
    """Regions, a city office with ten bureaus, 60 items (bulk rows: the statistics read only
    their codes, limits and visits), a city-wide and a department statistics user."""
    from django.core.management import call_command

    from smartgov.accounts import services as account_services
    from smartgov.core.models import Department, DepartmentKind, Region
    from smartgov.core.services import load_regions
    from smartgov.services.models import HandlingKind, ItemStatus, ServiceItem
    from smartgov.services.permissions import SERVICE_SUPERVISOR

    call_command("migrate", verbosity=0)
    load_regions()
    hangzhou = Region.objects.get(code="330100")
    city = Department(name="杭州市人民政府办公厅", kind=DepartmentKind.CITY_OFFICE, region=hangzhou)
    city.save()
    departments = []
    for name in BUREAUS:
        bureau = Department(
            name=f"杭州市{name}", kind=DepartmentKind.BUREAU, region=hangzhou, parent=city
        )
        bureau.save()
        departments.append(bureau)
    rng = random.Random(6)
    rows = []
    for i in range(ITEM_COUNT):
        legal = rng.choice([5, 10, 15, 20, 30, 60])
        immediate = i % 6 == 0
        rows.append(
            ServiceItem(
                basic_code=f"{i:012d}",
                implementation_code=f"11330100MB{i:04d}X{i:012d}",
                name=f"压测事项{i:02d}",
                item_type="licensing",
                department=departments[i % len(departments)],
                level="city",
                legal_days=legal,
                promised_days=0 if immediate else max(1, legal // rng.choice([2, 3, 4])),
                handling_kind=HandlingKind.IMMEDIATE if immediate else HandlingKind.PROMISED,
                visits=0 if rng.random() < 0.8 else 1,
                status=ItemStatus.PUBLISHED,
            )
        )
    items = ServiceItem.objects.bulk_create(rows)
    users = {}
    for username, department, scope in (
        ("bench_city", city, "city"),
        ("bench_dept", departments[0], "department"),
    ):
        user = account_services.create_staff(
            actor=None, username=username, name=username, password=PASSWORD
        )
        account_services.grant_initial_role(
            user=user, department=department, role_code=SERVICE_SUPERVISOR, scope=scope
        )
        users[username] = user.pk
    return {
        "items": [
            (item.pk, item.promised_days, item.handling_kind == HandlingKind.IMMEDIATE)
            for item in items
        ],
        "departments": [d.pk for d in departments],
        "users": users,
    }


# --- (b) a million applications and the statistics queries -----------------------------------


def _columns():
    from smartgov.services.application_models import Application
    from smartgov.services.rating_models import Rating

    def names(model):
        return [f for f in model._meta.concrete_fields]

    return names(Application), names(Rating)


def application_rows(count: int, org: dict, now: datetime):
    """Generated applications over the last 365 days: 90% online; 3% refused, 2% withdrawn;
    of those accepted, the ones whose handling time has passed completed (96% approved,
    ~88% on time), the rest still running (some past their due date). ~65% of the completed
    ones rated (mostly 5 and 4). Yields (application dict, rating dict or None)."""
    rng = random.Random(2026)
    for i in range(1, count + 1):
        item_id, promised, immediate = rng.choice(org["items"])
        submitted = now - timedelta(seconds=rng.randint(0, 365 * 86400))
        online = rng.random() < 0.9
        row = {
            "id": i,
            "number": f"BJ{i:013d}",
            "item_id": item_id,
            "applicant_type": "citizen",
            "applicant_name": "申请人",
            "channel": "online" if online else "counter",
            "status": "submitted",
            "submitted_at": submitted,
            "visits": 0 if online else 1,
            "created_at": submitted,
            "updated_at": submitted,
        }
        rating = None
        roll = rng.random()
        if roll < 0.03:
            row["status"] = "refused"
        elif roll < 0.05:
            row["status"] = "withdrawn"
        else:
            accepted = submitted + timedelta(minutes=rng.randint(5, 1800))
            if accepted > now:
                yield row, None
                continue
            row["accepted_at"] = accepted
            row["due_date"] = (accepted + timedelta(days=round(promised * 7 / 5))).date()
            row["status"] = "accepted"
            if immediate:
                days, seconds = 0, rng.randint(600, 7200)
            else:
                late = rng.random() < 0.12
                days = promised + rng.randint(1, 5) if late else rng.randint(0, promised)
                seconds = round(days * 7 / 5 * 86400) + rng.randint(0, 3600)
            completed = accepted + timedelta(seconds=seconds)
            if completed <= now:
                row.update(
                    status="approved" if rng.random() < 0.96 else "denied",
                    completed_at=completed,
                    on_time=days <= promised,
                    handling_days=days,
                    updated_at=completed,
                )
                if rng.random() < 0.65:
                    level = rng.choices([5, 4, 3, 2, 1], weights=[70, 18, 7, 3, 2])[0]
                    rated = min(now, completed + timedelta(minutes=rng.randint(1, 4000)))
                    rating = {
                        "application_id": i,
                        "department_id": None,  # filled from the item by the loader
                        "level": level,
                        "channel": row["channel"],
                        "rated_at": rated,
                    }
        yield row, rating


def _value(field, row: dict, sqlite: bool):
    if field.attname in row:
        value = row[field.attname]
    elif field.null:
        value = None
    else:
        value = field.get_default()
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, Decimal):
        return str(value)
    if sqlite:
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, date):
            return value.isoformat()
    return value


def load_applications(count: int, org: dict) -> dict:
    """Bulk-insert ``count`` applications and their ratings; returns the counts and seconds."""
    from django.db import connection, transaction

    from smartgov.services.application_models import Application
    from smartgov.services.models import ServiceItem
    from smartgov.services.rating_models import Rating

    department_of = dict(ServiceItem.objects.values_list("pk", "department_id"))
    app_fields, rating_fields = _columns()
    rating_fields = [f for f in rating_fields if not f.primary_key]
    now = datetime.now(UTC)
    started = time.perf_counter()
    sqlite = connection.vendor == "sqlite"
    tables = (Application._meta.db_table, Rating._meta.db_table)
    app_sql_cols = ", ".join(f.column for f in app_fields)
    rating_sql_cols = ", ".join(f.column for f in rating_fields)
    ratings = 0

    def rows():
        nonlocal ratings
        for application, rating in application_rows(count, org, now):
            if rating is not None:
                rating["department_id"] = department_of[application["item_id"]]
                ratings += 1
            yield (
                tuple(_value(f, application, sqlite) for f in app_fields),
                None if rating is None else tuple(_value(f, rating, sqlite) for f in rating_fields),
            )

    if not sqlite:
        pending = []
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {tables[0]} ({app_sql_cols}) FROM STDIN") as copy:
                for app_row, rating_row in rows():
                    copy.write_row(app_row)
                    if rating_row is not None:
                        pending.append(rating_row)
            with raw.copy(f"COPY {tables[1]} ({rating_sql_cols}) FROM STDIN") as copy:
                for rating_row in pending:
                    copy.write_row(rating_row)
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{tables[0]}', 'id'), {count})")
        with connection.cursor() as cursor:  # autocommit: VACUUM runs outside a transaction
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")
    else:
        app_sql = (
            f"INSERT INTO {tables[0]} ({app_sql_cols}) VALUES "
            f"({', '.join(['%s'] * len(app_fields))})"
        )
        rating_sql = (
            f"INSERT INTO {tables[1]} ({rating_sql_cols}) VALUES "
            f"({', '.join(['%s'] * len(rating_fields))})"
        )
        apps_batch, ratings_batch = [], []
        with transaction.atomic(), connection.cursor() as cursor:
            for app_row, rating_row in rows():
                apps_batch.append(app_row)
                if rating_row is not None:
                    ratings_batch.append(rating_row)
                if len(apps_batch) >= 20_000:
                    cursor.executemany(app_sql, apps_batch)
                    cursor.executemany(rating_sql, ratings_batch)
                    apps_batch.clear()
                    ratings_batch.clear()
            if apps_batch:
                cursor.executemany(app_sql, apps_batch)
            if ratings_batch:
                cursor.executemany(rating_sql, ratings_batch)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"ratings": ratings, "seconds": round(time.perf_counter() - started, 1)}


def _summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def time_stats(org: dict, repeat: int) -> dict:
    """The statistics page's two queries (the table for group_by + the monthly series) per
    group_by × period × user, as portal/views/services_stats.py runs them."""
    from django.contrib.auth import get_user_model

    from smartgov.services import stats

    today = date.today()
    periods = {
        "month": today - timedelta(days=29),
        "quarter": today - timedelta(days=90),
        "year": today - timedelta(days=364),
    }
    users = {
        "city": get_user_model().objects.get(pk=org["users"]["bench_city"]),
        "department": get_user_model().objects.get(pk=org["users"]["bench_dept"]),
    }
    samples: dict[str, list[float]] = {}
    everything: list[float] = []
    checked = {}
    for who, user in users.items():
        for period_name, start in periods.items():
            for group_by in stats.GROUPS:
                for _ in range(repeat):
                    started = time.perf_counter()
                    result = stats.statistics(
                        user, group_by=group_by, date_from=start, date_to=today
                    )
                    stats.statistics(user, group_by="month", date_from=start, date_to=today)
                    elapsed = time.perf_counter() - started
                    samples.setdefault(f"{who} {period_name}", []).append(elapsed)
                    everything.append(elapsed)
                    if period_name == "year" and group_by == "department":
                        checked[who] = result["totals"]["applications"]
    summary = {key: _summary(values) for key, values in samples.items()}
    summary["all"] = _summary(everything)
    summary["year_applications"] = checked
    return summary


def stats_child(args, database: str) -> dict:
    state_dir = child_env(database)
    state = state_dir / "state.json"
    info = json.loads(state.read_text()) if state.exists() else None
    fresh = info is None or info.get("applications") != args.applications
    if fresh:
        fresh_database(database, state_dir)
    import django

    django.setup()
    from django.core.management import call_command

    from smartgov.services import stats

    if fresh:
        print(f"[{database}] building {args.applications:,} applications", flush=True)
        org = organisation()
        loaded = load_applications(args.applications, org)
        print(f"[{database}] loaded in {loaded['seconds']:.0f} s", flush=True)
        info = {
            "applications": args.applications,
            "ratings": loaded["ratings"],
            "org": org,
            "load_seconds": loaded["seconds"],
        }
        state.write_text(json.dumps(info))
    else:
        call_command("migrate", verbosity=0)
        print(f"[{database}] reusing {info['applications']:,} applications", flush=True)
    started = time.perf_counter()
    rows = stats.rebuild_rollup()
    rollup_seconds = time.perf_counter() - started
    print(f"[{database}] rollup: {rows:,} rows in {rollup_seconds:.1f} s", flush=True)
    load = os.getloadavg()[0]
    timing = time_stats(info["org"], args.repeat)
    return {
        "database": database,
        "applications": info["applications"],
        "ratings": info["ratings"],
        "load_seconds": info["load_seconds"],
        "rollup_rows": rows,
        "rollup_seconds": round(rollup_seconds, 1),
        "stats": timing,
        "loadavg": [round(load, 2), round(os.getloadavg()[0], 2)],
    }


# --- (a) submissions through the HTTP API ----------------------------------------------------

WRK_POST = r"""
local lines = {}
local index = 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter - 1)
end

function init(args)
  local total = tonumber(args[2])
  local n = 0
  for line in io.lines(args[1]) do
    if n % total == id then table.insert(lines, line) end
    n = n + 1
  end
end

function request()
  index = index + 1
  if index > #lines then index = 1 end
  local tab = string.find(lines[index], "\t", 1, true)
  return wrk.format("POST", "/api/v1/services/applications", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. string.sub(lines[index], 1, tab - 1),
  }, string.sub(lines[index], tab + 1))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def submit_setup(applicants: int, items: int) -> tuple[list[str], list[str]]:
    """``items`` published items whose one required material is a 户口簿 e-license and
    ``applicants`` citizens holding one, each with an API token. Returns (tokens, codes)."""
    from django.conf import settings
    from django.core.management import call_command

    from smartgov.accounts import services as account_services
    from smartgov.core.models import Department, DepartmentKind, Region
    from smartgov.core.services import load_regions
    from smartgov.core.validators import citizen_id_check_digit
    from smartgov.licenses import services as license_services
    from smartgov.licenses.models import HolderKind, LicenseType
    from smartgov.licenses.permissions import LICENSE_OFFICER
    from smartgov.services import forms, services
    from smartgov.services.permissions import ITEM_OFFICER, ITEM_PUBLISHER

    # Accounts are set up by the thousand here; their passwords are never used.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    load_regions()
    region = Region.objects.get(code="330106")
    bureau = Department(name="西湖区公安分局", kind=DepartmentKind.BUREAU, region=region)
    bureau.save()
    staff = {}
    for username, role in (
        ("bench_officer", ITEM_OFFICER),
        ("bench_publisher", ITEM_PUBLISHER),
        ("bench_licenses", LICENSE_OFFICER),
    ):
        staff[role] = account_services.create_staff(
            actor=None, username=username, name=username, password=PASSWORD
        )
        account_services.grant_initial_role(
            user=staff[role], department=bureau, role_code=role, scope="department"
        )
    license_type = LicenseType.objects.create(
        code="HKB",
        name="居民户口簿",
        department=bureau,
        holder_kind=HolderKind.CITIZEN,
        schema={"fields": [{"name": "address", "label": "住址", "type": "string"}]},
    )
    codes = []
    for i in range(items):
        draft = services.create_item(
            actor=staff[ITEM_OFFICER],
            department_id=bureau.pk,
            basic_code=f"00010{i:07d}",
            implementation_code=f"11330106MB{i:04d}Y{i:012d}",
            name=f"户籍证明事项{i:02d}",
            item_type="public_service",
            legal_basis="《户口登记条例》",
            conditions="本区户籍居民",
            process="网上申请，审核，出具证明",
            places="西湖区行政服务中心",
            hours="工作日 9:00-17:00",
            consult_phone="0571-12345",
            complaint_phone="0571-12345",
            legal_days=10,
            promised_days=2,
            visits=0,
            online_level="fully_online",
            applicant_kind="citizen",
            result_name="证明",
            materials=[
                {
                    "name": "居民户口簿",
                    "material_type": "original",
                    "proof_source": "e_license",
                    "license_type_code": "HKB",
                }
            ],
            steps=[{"name": "审核", "limit_days": 2}],
        )
        forms.set_form(
            actor=staff[ITEM_PUBLISHER],
            item_id=draft.pk,
            fields=[{"name": "reason", "label": "申请事由", "type": "text", "required": True}],
        )
        services.publish_item(actor=staff[ITEM_PUBLISHER], item_id=draft.pk)
        codes.append(draft.implementation_code)
    tokens = []
    for i in range(applicants):
        first17 = f"330106{1960 + i // 1000 % 40}0101{i % 1000:03d}"
        citizen_id = first17 + citizen_id_check_digit(first17)
        citizen = account_services.create_citizen(
            actor=None,
            username=f"citizen{i:05d}",
            real_name="张三",
            citizen_id=citizen_id,
            password=PASSWORD,
            phone=f"138{i:08d}",
        )
        license_services.issue_license(
            actor=staff[LICENSE_OFFICER],
            license_type=license_type,
            holder_id=citizen_id,
            holder_name="张三",
            data={"address": "杭州市西湖区文三路1号"},
        )
        _, token = account_services.create_token(actor=citizen, name="bench", expires_at=None)
        tokens.append(token)
    return tokens, codes


def submit_child(args, database: str) -> dict:
    from gateway import free_port

    state_dir = child_env(database, "_submit")
    fresh_database(database, state_dir)
    import django

    django.setup()
    from django.db import connection

    from smartgov.licenses.models import LicenseUse
    from smartgov.services.application_models import Application

    started = time.perf_counter()
    tokens, codes = submit_setup(args.applicants, args.items)
    setup_seconds = time.perf_counter() - started
    pairs = [(token, code) for token in tokens for code in codes]
    random.Random(3).shuffle(pairs)
    warm_count = min(len(pairs) // 5, 1500)
    warm_pairs, run_pairs = pairs[:warm_count], pairs[warm_count:]
    with tempfile.TemporaryDirectory(prefix="sgbench-services-") as tmp:
        files = {}
        for name, chosen in (("warm", warm_pairs), ("run", run_pairs)):
            files[name] = Path(tmp) / f"{name}.txt"
            with files[name].open("w", encoding="utf-8") as handle:
                for token, code in chosen:
                    body = {"item_code": code, "form_data": {"reason": "开具户籍证明"}}
                    handle.write(token + "\t" + json.dumps(body, ensure_ascii=False) + "\n")
        script = Path(tmp) / "post.lua"
        script.write_text(WRK_POST)
        connection.close()
        port = free_port()
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "smartgov.wsgi:application",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ]
        env = dict(os.environ, LOG_LEVEL="WARNING")
        server = subprocess.Popen(command, cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            import urllib.request

            for _ in range(200):
                try:
                    with urllib.request.urlopen(base + "/gateway/v1/health", timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            # Warm-up: a distinct set of pairs, so the measured run has no duplicate.
            warm = [
                "wrk", "-t2", f"-c{args.connections}", "-d3s", "--timeout", "10s",
                "-s", str(script), base, "--", str(files["warm"]), "2",
            ]  # fmt: skip
            subprocess.run(warm, capture_output=True, text=True, check=True)
            before = Application.objects.count()
            uses_before = LicenseUse.objects.count()
            wrk = [
                "wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout",
                "10s", "-s", str(script), base, "--", str(files["run"]), "2",
            ]  # fmt: skip
            out = subprocess.run(wrk, capture_output=True, text=True, check=True).stdout
            line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
            result = json.loads(line[len("WRK_JSON ") :])
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        created = Application.objects.count() - before
        uses = LicenseUse.objects.count() - uses_before
    seconds = result["duration_us"] / 1e6
    return {
        "database": database,
        "submit": {
            "requests": result["requests"],
            "pairs": len(run_pairs),
            "non2xx": result["non2xx"],
            "socket_errors": result["socket_errors"],
            "created": created,
            "license_uses": uses,
            # Completed 2xx responses over the run (requests still in flight when wrk stops
            # are served and stored, so ``created`` can be a little larger).
            "submissions_per_s": round((result["requests"] - result["non2xx"]) / seconds, 1),
            "p50_ms": round(result["p50_us"] / 1000, 1),
            "p99_ms": round(result["p99_us"] / 1000, 1),
            "setup_seconds": round(setup_seconds, 1),
        },
        "loadavg": round(os.getloadavg()[0], 2),
    }


# --- driver ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "part", nargs="?", choices=["submit", "stats", "verify", "both"], default="both"
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--applicants", type=int, default=400)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--child", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.part == "verify":
        # The verification figure is bench/licenses.py's (same code path, same SM2); its
        # set-up (bench/_setup.py) turns the per-address verification limit off.
        subprocess.run([sys.executable, str(ROOT / "bench" / "licenses.py")], cwd=ROOT)
        return
    if args.child:
        result = (submit_child if args.part == "submit" else stats_child)(args, args.child)
        print_result(result)
        return
    print(f"services bench ({args.part}): load {os.getloadavg()}")
    run_children(
        __file__,
        args,
        parts=["submit", "stats"],
        options=(
            "applications",
            "repeat",
            "applicants",
            "items",
            "duration",
            "connections",
            "workers",
            "threads",
        ),
        report=report,
    )


def report(result: dict) -> None:
    database = result["database"]
    if "submit" in result:
        s = result["submit"]
        print(
            f"[{database}] submit: {s['submissions_per_s']} submissions/s, p50 {s['p50_ms']} ms, "
            f"p99 {s['p99_ms']} ms ({s['created']:,} applications, {s['license_uses']:,} "
            f"e-license uses logged, {s['non2xx']} non-2xx of {s['requests']:,} requests; "
            f"load {result['loadavg']})"
        )
    if "stats" in result:
        k = result["stats"]
        print(
            f"[{database}] statistics over {result['applications']:,} applications and "
            f"{result['ratings']:,} ratings (loaded in {result['load_seconds']} s, rollup "
            f"{result['rollup_rows']:,} rows in {result['rollup_seconds']} s): all "
            f"{k['all']['n']} page loads p50 {k['all']['p50_ms']} ms, p95 {k['all']['p95_ms']} "
            f"ms, max {k['all']['max_ms']} ms (load {result['loadavg']}); year's applications "
            f"{k['year_applications']}"
        )
        for key, value in k.items():
            if key not in ("all", "year_applications"):
                print(
                    f"    {key:<18} p50 {value['p50_ms']:>8} ms  p95 {value['p95_ms']:>8} ms  "
                    f"max {value['max_ms']:>8} ms"
                )


if __name__ == "__main__":
    main()
