"""Governance cases benchmark.

(a) ``intake``: cases reported through the HTTP API (POST /api/v1/governance/cases with a
    bearer token) with classification and automatic dispatch on — a classifier is trained
    first on generated texts — served by gunicorn (smartgov.wsgi) and driven by wrk with
    concurrent connections; prints cases/s and p50/p99.
(b) ``kpi``: 1,000,000 cases bulk-loaded (executemany on SQLite, COPY on PostgreSQL), then
    the KPI page's queries (the table for one group_by plus the chart series) timed over six
    group_bys and three periods (month, quarter, year), for a city-wide and a district user;
    prints p50/p95/max.

    python bench/cases.py                                   # both parts, SQLite and PostgreSQL
    python bench/cases.py kpi --cases 1000000 --database sqlite
    python bench/cases.py intake --requests 4000 --connections 16 --database postgres

The data live in var/bench-cases-<database> (PostgreSQL database smartgov_bench_cases) and
are reused by the next run with the same --cases.
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
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _setup  # noqa: E402
from _setup import fresh_database, percentile, print_result, run_children  # noqa: E402

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/smartgov_bench_cases"
PASSWORD = "Str0ng-Passw0rd!"
DISTRICTS = ["330102", "330105", "330106", "330108", "330109", "330110"]

# Texts per category: (major, minor, time limit in days, phrases).
TOPICS = [
    ("01", "市容环境", "0101", "暴露垃圾", 1, ["垃圾堆放", "垃圾没人清理", "垃圾桶满了溢出"]),
    ("01", "市容环境", "0102", "乱张贴", 2, ["墙上贴满小广告", "电线杆上乱贴广告", "楼道小广告"]),
    ("01", "市容环境", "0103", "占道经营", 1, ["路边摆摊占道", "流动摊贩堵路", "店外占道经营"]),
    ("02", "公用设施", "0201", "路灯损坏", 3, ["路灯不亮", "路灯一直闪", "路灯杆倾斜"]),
    ("02", "公用设施", "0202", "井盖缺失", 1, ["井盖丢了很危险", "井盖破损", "窨井盖松动"]),
    ("02", "公用设施", "0203", "消防栓漏水", 2, ["消防栓漏水", "消防栓被撞坏", "消火栓喷水"]),
    ("03", "道路交通", "0301", "道路破损", 5, ["路面坑洼", "道路塌陷", "人行道砖松动"]),
    ("03", "道路交通", "0302", "违章停车", 1, ["车辆乱停堵门", "人行道停满车", "消防通道被占"]),
    ("03", "道路交通", "0303", "信号灯故障", 1, ["红绿灯不亮", "信号灯时间太短", "信号灯坏了"]),
    ("04", "园林绿化", "0401", "树木倒伏", 2, ["大树倒在路上", "树枝断了挡路", "行道树倾斜"]),
    ("04", "园林绿化", "0402", "绿地损坏", 5, ["绿化带被踩坏", "草坪被毁", "花坛被占用"]),
    ("05", "环境保护", "0501", "噪声扰民", 3, ["夜间施工噪音", "广场舞太吵", "空调外机噪音"]),
    ("05", "环境保护", "0502", "油烟污染", 5, ["饭店油烟直排", "烧烤油烟大", "油烟熏到楼上"]),
    ("05", "环境保护", "0503", "河道污染", 5, ["河水发黑发臭", "河面漂浮垃圾", "有人往河里排污"]),
    ("06", "建筑管理", "0601", "违章搭建", 10, ["楼顶违建", "院子里私搭乱建", "阳台违规外扩"]),
    ("06", "建筑管理", "0602", "施工扬尘", 2, ["工地扬尘很大", "渣土车撒漏", "工地没有围挡"]),
]
PLACES = [
    "文三路",
    "天目山路",
    "学院路",
    "教工路",
    "古翠路",
    "莫干山路",
    "延安路",
    "解放路",
    "凤起路",
    "体育场路",
    "庆春路",
    "江南大道",
    "滨盛路",
    "西溪路",
    "留和路",
    "转塘街道",
]
TAILS = ["已经好几天了", "请尽快处理", "影响居民出行", "多次反映没有解决", "晚上特别明显", ""]


def text_for(rng: random.Random, topic) -> str:
    place = rng.choice(PLACES)
    number = rng.randint(1, 400)
    return f"{place}{number}号附近{rng.choice(topic[5])}，{rng.choice(TAILS)}"


# --- set-up ---------------------------------------------------------------------------------


def child_env(database: str, suffix: str = "") -> Path:
    return _setup.child_env(database, name="cases", default_pg=DEFAULT_PG, suffix=suffix)


def organisation() -> dict:
    """Regions, a city administration, six districts with four bureaus each, the category
    tree with dispatch to the district bureaus, 40 agents and 30 inspectors."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from smartgov.accounts import services as account_services
    from smartgov.core.models import Department, DepartmentKind, Region
    from smartgov.core.services import load_regions
    from smartgov.governance.models import Category, CategoryKind, DispatchRule
    from smartgov.governance.permissions import DISPATCHER, GOVERNANCE_ADMIN, HOTLINE_AGENT

    call_command("migrate", verbosity=0)
    load_regions()
    hangzhou = Region.objects.get(code="330100")
    city = Department(
        name="杭州市城市运行管理中心", kind=DepartmentKind.CITY_OFFICE, region=hangzhou
    )
    city.save()
    departments, streets, district_ids = [], [], []
    bureaus = ["城市管理局", "住房和城乡建设局", "生态环境分局", "交通运输局"]
    for code in DISTRICTS:
        district = Region.objects.get(code=code)
        district_ids.append(district.pk)
        government = Department(
            name=f"{district.name}人民政府",
            kind=DepartmentKind.DISTRICT_OFFICE,
            region=district,
            parent=city,
        )
        government.save()
        for name in bureaus:
            bureau = Department(
                name=f"{district.name}{name}",
                kind=DepartmentKind.BUREAU,
                region=district,
                parent=government,
            )
            bureau.save()
            departments.append((bureau.pk, district.pk))
        for street in Region.objects.filter(parent=district, level="street")[:12]:
            streets.append((street.pk, district.pk))
    categories = []
    majors = {}
    for order, (major, major_name, minor, minor_name, limit, _phrases) in enumerate(TOPICS):
        if major not in majors:
            majors[major] = Category.objects.create(
                code=major, name=major_name, kind=CategoryKind.EVENT, sort_order=order
            )
        category = Category.objects.create(
            code=minor,
            name=minor_name,
            kind=CategoryKind.EVENT,
            parent=majors[major],
            time_limit=limit,
            keywords=" ".join(_phrases),
            sort_order=order,
        )
        categories.append((category.pk, limit))
        for code in DISTRICTS:
            district = Region.objects.get(code=code)
            bureau_name = bureaus[order % len(bureaus)]
            DispatchRule.objects.create(
                category=category,
                region=district,
                department=Department.objects.get(name=f"{district.name}{bureau_name}"),
            )
    user_model = get_user_model()
    unusable = make_password(None)
    people = user_model.objects.bulk_create(
        [
            user_model(username=f"agent{i:02d}", display_name=f"坐席{i:02d}", password=unusable)
            for i in range(40)
        ]
        + [
            user_model(username=f"insp{i:02d}", display_name=f"核查员{i:02d}", password=unusable)
            for i in range(30)
        ]
    )
    users = {}
    for username, department, role, scope in (
        ("bench_admin", city, GOVERNANCE_ADMIN, "city"),
        ("bench_xihu", Department.objects.get(name="西湖区人民政府"), DISPATCHER, "region_tree"),
        ("bench_agent", city, HOTLINE_AGENT, "department"),
    ):
        user = account_services.create_staff(
            actor=None, username=username, name=username, password=PASSWORD
        )
        account_services.grant_initial_role(
            user=user, department=department, role_code=role, scope=scope
        )
        users[username] = user.pk
    return {
        "departments": departments,
        "streets": streets,
        "categories": categories,
        "agents": [p.pk for p in people[:40]],
        "inspectors": [p.pk for p in people[40:]],
        "users": users,
    }


# --- (b) a million cases and the KPI queries -------------------------------------------------

COLUMNS = [
    "number",
    "channel",
    "source_system",
    "external_id",
    "anonymous",
    "reporter_name",
    "reporter_phone_encrypted",
    "reporter_phone_index",
    "recorded_by_id",
    "title",
    "description",
    "address",
    "street_id",
    "district_id",
    "category_id",
    "suggestions",
    "auto_dispatched",
    "status",
    "department_id",
    "opened_at",
    "dispatched_at",
    "due_at",
    "paused_seconds",
    "warning",
    "escalation_level",
    "handled_at",
    "closed_at",
    "closed_on_time",
    "handling_seconds",
    "reply",
    "dispatch_count",
    "return_count",
    "rework_count",
    "extension_count",
    "reopen_count",
    "is_repeat",
    "verified_by_id",
    "satisfied",
    "created_at",
    "updated_at",
]


def case_rows(count: int, org: dict, now: datetime):
    """Generated cases over the last 365 days: ~93% closed (78% of them on time), the rest
    being handled, awaiting verification or cancelled."""
    rng = random.Random(2026)
    channels = ["hotline", "hotline", "hotline", "portal", "grid", "api", "open311"]
    by_district: dict[int, list[int]] = {}
    for pk, district in org["departments"]:
        by_district.setdefault(district, []).append(pk)
    for i in range(count):
        street, district = rng.choice(org["streets"])
        category, limit_days = rng.choice(org["categories"])
        department = rng.choice(by_district[district])
        created = now - timedelta(seconds=rng.randint(0, 365 * 86400))
        dispatched = created + timedelta(minutes=rng.randint(2, 240))
        due = dispatched + timedelta(days=limit_days * 7 / 5)  # working days, roughly
        roll = rng.random()
        status, handled, closed, on_time, handling, verified = (
            "closed",
            None,
            None,
            None,
            None,
            None,
        )
        satisfied = None
        if roll < 0.01:
            status = "cancelled"
        elif roll < 0.94 and due < now:
            late = rng.random() < 0.22
            span = (due - dispatched).total_seconds()
            took = span * (rng.uniform(1.02, 3.5) if late else rng.uniform(0.05, 0.98))
            handled = dispatched + timedelta(seconds=took)
            closed = handled + timedelta(hours=rng.randint(1, 30))
            if closed > now:
                closed = handled = None
                status = "dispatched"
            else:
                on_time = not late
                handling = int(took * 0.35)
                verified = rng.choice(org["inspectors"])
                satisfied = (
                    rng.random() < (0.9 if on_time else 0.55) if rng.random() < 0.7 else None
                )
        elif roll < 0.97:
            status = "handled"
            handled = min(now, dispatched + timedelta(hours=rng.randint(1, 48)))
            handling = max(0, int((handled - dispatched).total_seconds() * 0.35))
        else:
            status = "dispatched"
        yield (
            f"B{i:09d}",
            rng.choice(channels),
            "",
            "",
            False,
            "",
            "",
            "",
            rng.choice(org["agents"]),
            "案件",
            "生成的案件描述",
            "",
            street,
            district,
            category,
            "[]",
            rng.random() < 0.7,
            status,
            department if status != "cancelled" else None,
            created,
            dispatched if status != "cancelled" else None,
            due if status != "cancelled" else None,
            0,
            "none",
            0,
            handled,
            closed,
            on_time,
            handling,
            "",
            1,
            0,
            1 if rng.random() < 0.06 else 0,
            1 if rng.random() < 0.04 else 0,
            0,
            rng.random() < 0.08,
            verified,
            satisfied,
            created,
            closed or handled or dispatched,
        )


def load_cases(count: int, org: dict) -> float:
    """Bulk-insert ``count`` cases; returns the seconds it took."""
    from django.db import connection, transaction

    from smartgov.governance.models import Case

    now = datetime.now(UTC)
    table = Case._meta.db_table
    started = time.perf_counter()
    rows = case_rows(count, org, now)
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {table}")
        with connection.cursor() as cursor:  # autocommit: VACUUM runs outside a transaction
            cursor.execute(f"VACUUM ANALYZE {table}")
    else:
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"
        batch: list = []
        with transaction.atomic(), connection.cursor() as cursor:
            for row in rows:
                batch.append(
                    tuple(
                        v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v
                        for v in row
                    )
                )
                if len(batch) >= 20_000:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def time_kpi(org: dict, repeat: int) -> dict:
    """The KPI page's two queries (table + series) per group_by × period × user."""
    from django.contrib.auth import get_user_model

    from smartgov.governance import kpi

    today = date.today()
    periods = {
        "month": (today - timedelta(days=29), today, "day"),
        "quarter": (today - timedelta(days=90), today, "week"),
        "year": (today - timedelta(days=364), today, "month"),
    }
    users = {
        "city": get_user_model().objects.get(pk=org["users"]["bench_admin"]),
        "district": get_user_model().objects.get(pk=org["users"]["bench_xihu"]),
    }
    samples: dict[str, list[float]] = {}
    all_samples: list[float] = []
    checked = None
    for who, user in users.items():
        for period_name, (start, end, interval) in periods.items():
            for group_by in kpi.GROUPS:
                for _ in range(repeat):
                    started = time.perf_counter()
                    result, _series = kpi.kpi_page(
                        user=user, group_by=group_by, start=start, end=end, interval=interval
                    )
                    elapsed = time.perf_counter() - started
                    samples.setdefault(f"{who} {period_name}", []).append(elapsed)
                    all_samples.append(elapsed)
                    if who == "city" and period_name == "year" and group_by == "department":
                        checked = result.totals["cases_due"]
    summary = {
        key: {
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }
        for key, values in samples.items()
    }
    summary["all"] = {
        "n": len(all_samples),
        "p50_ms": round(statistics.median(all_samples) * 1000, 1),
        "p95_ms": round(percentile(all_samples, 0.95) * 1000, 1),
        "max_ms": round(max(all_samples) * 1000, 1),
    }
    summary["year_cases_due_city"] = checked
    return summary


def close_and_time(org: dict, count: int = 20) -> dict:
    """Close ``count`` open cases through save() (their due days become dirty), then time
    the next KPI page load (it recomputes those days and their months first)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from smartgov.governance import kpi
    from smartgov.governance.models import Case

    user = get_user_model().objects.get(pk=org["users"]["bench_admin"])
    now = timezone.now()
    cases = list(Case.objects.filter(status="dispatched", due_at__lt=now).order_by("id")[:count])
    for case in cases:
        case.status = "closed"
        case.handled_at = case.closed_at = now
        case.closed_on_time = False
        case.save()
    today = date.today()
    year = {"start": today - timedelta(days=364), "end": today, "interval": "month"}
    started = time.perf_counter()
    kpi.kpi_page(user=user, group_by="department", **year)
    first = time.perf_counter() - started
    started = time.perf_counter()
    kpi.kpi_page(user=user, group_by="department", **year)
    second = time.perf_counter() - started
    return {
        "closed": len(cases),
        "first_ms": round(first * 1000, 1),
        "next_ms": round(second * 1000, 1),
    }


def kpi_child(args, database: str) -> dict:
    state_dir = child_env(database)
    state = state_dir / "state.json"
    info = json.loads(state.read_text()) if state.exists() else None
    fresh = info is None or info.get("cases") != args.cases
    if fresh:
        fresh_database(database, state_dir)
    import django

    django.setup()
    from django.core.management import call_command

    if fresh:
        print(f"[{database}] building the organisation and {args.cases:,} cases", flush=True)
        org = organisation()
        seconds = load_cases(args.cases, org)
        from smartgov.governance import kpi

        started = time.perf_counter()
        days = kpi.rebuild_rollup()
        rollup_seconds = time.perf_counter() - started
        print(f"[{database}] rollup of {days} days in {rollup_seconds:.0f} s", flush=True)
        info = {
            "cases": args.cases,
            "org": org,
            "load_seconds": round(seconds, 1),
            "rollup_seconds": round(rollup_seconds, 1),
        }
        state.write_text(json.dumps(info))
        print(f"[{database}] loaded in {seconds:.0f} s", flush=True)
    else:
        call_command("migrate", verbosity=0)
        print(f"[{database}] reusing {info['cases']:,} cases", flush=True)
        from smartgov.governance import kpi
        from smartgov.governance.models import KpiRollup

        if not KpiRollup.objects.filter(dim__startswith=kpi.MONTH_PREFIX).exists():
            started = time.perf_counter()
            months = kpi.rebuild_months()
            print(
                f"[{database}] month rows for {months} months in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
    load = os.getloadavg()[0]
    timing = time_kpi(info["org"], args.repeat)
    timing["after_closing"] = close_and_time(info["org"])
    return {
        "database": database,
        "cases": info["cases"],
        "load_seconds": info["load_seconds"],
        "rollup_seconds": info.get("rollup_seconds"),
        "kpi": timing,
        "loadavg": [round(load, 2), round(os.getloadavg()[0], 2)],
    }


# --- (a) intake through the HTTP API ---------------------------------------------------------

WRK_POST = r"""
local bodies = {}
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
    if n % total == id then table.insert(bodies, line) end
    n = n + 1
  end
  token = args[3]
end

function request()
  index = index + 1
  if index > #bodies then index = 1 end
  return wrk.format("POST", "/api/v1/governance/cases", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = "Bearer " .. token,
  }, bodies[index])
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


def training_csv(path: Path, per_class: int = 120) -> None:
    import csv

    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for topic in TOPICS:
            for _ in range(per_class):
                writer.writerow([text_for(rng, topic), topic[2]])


def intake_child(args, database: str) -> dict:
    from gateway import free_port

    state_dir = child_env(database)
    state_dir = state_dir.with_name(state_dir.name + "-intake")
    state_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SMARTGOV_VAR_DIR"] = str(state_dir)
    if database == "postgres":
        os.environ["DATABASE_URL"] += "_intake"  # smartgov_bench_cases_intake by default
    fresh_database(database, state_dir)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from smartgov.accounts import services as account_services
    from smartgov.governance import classify
    from smartgov.governance.models import Case

    organisation()
    with tempfile.TemporaryDirectory(prefix="sgbench-cases-") as tmp:
        csv_path = Path(tmp) / "train.csv"
        training_csv(csv_path)
        started = time.perf_counter()
        model = classify.train(csv_path=str(csv_path), actor_name="bench")
        train_seconds = time.perf_counter() - started
        agent = get_user_model().objects.get(username="bench_agent")
        _, token = account_services.create_token(actor=agent, name="bench", expires_at=None)
        rng = random.Random(11)
        bodies = Path(tmp) / "bodies.txt"
        warm_bodies = Path(tmp) / "warm.txt"
        district_names = ["西湖区", "上城区", "拱墅区", "滨江区"]
        for path, prefix, count in ((bodies, "138", args.requests), (warm_bodies, "139", 2000)):
            with path.open("w", encoding="utf-8") as handle:
                for i in range(count):
                    topic = rng.choice(TOPICS)
                    body = {
                        "channel": "hotline",
                        "description": text_for(rng, topic),
                        "address": f"杭州市{rng.choice(district_names)}"
                        f"{rng.choice(PLACES)}{rng.randint(1, 300)}号",
                        "reporter_name": "张先生",
                        "reporter_phone": f"{prefix}{i:08d}",
                    }
                    handle.write(urlencode(body) + "\n")
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
            # Warm-up (jieba's dictionary and the classifier load once per worker process).
            warm = [
                "wrk", "-t2", f"-c{args.connections}", "-d4s", "--timeout", "10s",
                "-s", str(script), base, "--", str(warm_bodies), "2", token,
            ]  # fmt: skip
            subprocess.run(warm, capture_output=True, text=True, check=True)
            before = Case.objects.count()
            last_id = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
            wrk = [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                base,
                "--",
                str(bodies),
                "2",
                token,
            ]
            out = subprocess.run(wrk, capture_output=True, text=True, check=True).stdout
            line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
            result = json.loads(line[len("WRK_JSON ") :])
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        created = Case.objects.count() - before
        dispatched = Case.objects.filter(pk__gt=last_id, auto_dispatched=True).count()
    seconds = result["duration_us"] / 1e6
    return {
        "database": database,
        "intake": {
            "requests": result["requests"],
            "non2xx": result["non2xx"],
            "socket_errors": result["socket_errors"],
            "created": created,
            "auto_dispatched": dispatched,
            "cases_per_s": round(created / seconds, 1),
            "p50_ms": round(result["p50_us"] / 1000, 1),
            "p99_ms": round(result["p99_us"] / 1000, 1),
            "classifier_accuracy": model.metrics.get("accuracy"),
            "train_seconds": round(train_seconds, 1),
        },
        "loadavg": round(os.getloadavg()[0], 2),
    }


# --- driver ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", choices=["kpi", "intake", "both"], default="both")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--child", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.child:
        results = []
        if args.part in ("intake", "both"):
            results.append(intake_child(args, args.child))
        if args.part in ("kpi", "both"):
            results.append(kpi_child(args, args.child))
        for result in results:
            print_result(result)
        return
    print(f"cases bench ({args.part}): {args.cases:,} cases for the KPIs, load {os.getloadavg()}")
    run_children(
        __file__,
        args,
        parts=["intake", "kpi"],
        options=(
            "cases",
            "repeat",
            "requests",
            "duration",
            "connections",
            "workers",
            "threads",
        ),
        report=report,
    )


def report(result: dict) -> None:
    database = result["database"]
    if "intake" in result:
        i = result["intake"]
        print(
            f"[{database}] intake: {i['cases_per_s']} cases/s, p50 {i['p50_ms']} ms, "
            f"p99 {i['p99_ms']} ms ({i['created']:,} cases, {i['auto_dispatched']:,} "
            f"dispatched automatically, {i['non2xx']} non-2xx; classifier accuracy "
            f"{i['classifier_accuracy']}; load {result['loadavg']})"
        )
    if "kpi" in result:
        k = result["kpi"]
        print(
            f"[{database}] KPI over {result['cases']:,} cases (loaded in "
            f"{result['load_seconds']} s, rollup {result['rollup_seconds']} s): "
            f"all {k['all']['n']} page loads p50 "
            f"{k['all']['p50_ms']} ms, p95 {k['all']['p95_ms']} ms, max {k['all']['max_ms']} ms "
            f"(load {result['loadavg']})"
        )
        after = k["after_closing"]
        print(
            f"    after closing {after['closed']} cases: next year page load "
            f"{after['first_ms']} ms (recomputes their days), then {after['next_ms']} ms"
        )
        for key, value in k.items():
            if key not in ("all", "year_cases_due_city", "after_closing"):
                print(f"    {key:<18} p50 {value['p50_ms']:>8} ms  p95 {value['p95_ms']:>8} ms")


if __name__ == "__main__":
    main()
