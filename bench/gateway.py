"""Gateway benchmark: signed key lookups through gunicorn (the production entry point
smartgov.wsgi, thin WSGI path), with masking, the rate-limit window and the call log on, driven
by wrk; then the same lookups as plain parameterised SELECTs against the database (the base of
the ratio). A 1,000,000-row population resource is loaded through the data store's bulk
ingestion and 1,000 apps with one grant each are created; both are kept in var/ and reused by
the next run with the same --rows and --grants.

    python bench/gateway.py                                  # SQLite and PostgreSQL
    python bench/gateway.py --database sqlite --rows 100000 --duration 10
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartgov_bench_gateway \\
        python bench/gateway.py --database postgres

Every wrk thread gets its own slice of pre-signed requests (distinct nonces, timestamps of
the run's start), so the replay guard accepts each once; a run long enough to exhaust them
would show up as non-2xx answers (nonce_replayed), which the table reports.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/smartgov_bench_gateway"

FIELDS = [
    {
        "name": "citizen_id",
        "label": "公民身份号码",
        "data_type": "citizen_id",
        "is_key": True,
        "masking": "citizen_id",
        "personal_kind": "citizen_id",
        "grade": "important",
    },
    {"name": "name", "label": "姓名", "data_type": "string", "required": True, "masking": "name"},
    {"name": "gender", "label": "性别", "data_type": "enum", "enum_values": ["男", "女"]},
    {"name": "birth_date", "label": "出生日期", "data_type": "date"},
    {
        "name": "address",
        "label": "户籍地址",
        "data_type": "string",
        "max_length": 200,
        "masking": "address",
    },
    {"name": "region", "label": "行政区划", "data_type": "region_code"},
    {"name": "phone", "label": "手机号码", "data_type": "phone", "masking": "phone"},
]
GRANTED = ["citizen_id", "name", "gender", "birth_date", "address", "phone"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
STREETS = ["文三路", "天目山路", "学院路", "教工路", "古翠路", "莫干山路", "延安路", "解放路"]

WRK_SCRIPT = r"""
local lines = {}
local index = 0
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter - 1)
  thread:set("nthreads", 0)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  local total = tonumber(args[2])
  local n = 0
  for line in io.lines(path) do
    if n % total == id then
      table.insert(lines, line)
    end
    n = n + 1
  end
end

function request()
  index = index + 1
  if index > #lines then index = 1 end
  local f = "([^\t]+)\t"
  local p, key, ts, nonce, sig = lines[index]:match(f .. f .. f .. f .. "([^\t]+)")
  return wrk.format("GET", p, {
    ["X-SG-App-Key"] = key, ["X-SG-Timestamp"] = ts,
    ["X-SG-Nonce"] = nonce, ["X-SG-Signature"] = sig,
  })
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


# --- data ------------------------------------------------------------------------------------


def county_codes() -> list[str]:
    with (ROOT / "smartgov/core/data/regions.csv").open(encoding="utf-8") as handle:
        return [r["code"] for r in csv.DictReader(handle) if r["level"] == "county"]


def person_id(i: int, counties: list[str]) -> str:
    from smartgov.core.validators import citizen_id_check_digit

    region = counties[i % len(counties)]
    rest = i // len(counties)
    born = date(1945, 1, 1) + timedelta(days=rest % 20000)
    first17 = f"{region}{born:%Y%m%d}{(rest // 20000) % 1000:03d}"
    return first17 + citizen_id_check_digit(first17)


def generate(path: Path, rows: int, counties: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f["name"] for f in FIELDS])
        for i in range(rows):
            cid = person_id(i, counties)
            writer.writerow(
                [
                    cid,
                    SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)],
                    "男" if i % 2 else "女",
                    f"{cid[6:10]}-{cid[10:12]}-{cid[12:14]}",
                    f"杭州市{STREETS[i % len(STREETS)]}{i % 999 + 1}号",
                    cid[:6],
                    f"1{3 + i % 7}{i % 100_000_000:09d}",
                ]
            )


def build(rows: int, grants: int, state: Path) -> dict:
    """Platform, population resource with ``rows`` rows, ``grants`` apps and grants."""
    from _setup import data_platform, published

    from smartgov.core.crypto import encrypt_field
    from smartgov.core.models import Department, DepartmentKind, Region
    from smartgov.datastore import quality
    from smartgov.datastore import services as datastore
    from smartgov.sharing.models import ConsumerApp, Grant

    started = time.perf_counter()
    bureau, officer, admin = data_platform()
    resource = published(
        officer,
        admin,
        bureau,
        code="101001001/000001",
        name="户籍人口基本信息",
        base_resource="population",
        fields=FIELDS,
    )
    counties = county_codes()
    with tempfile.TemporaryDirectory(prefix="sgbench-gw-") as tmp:
        path = Path(tmp) / "population.csv"
        generate(path, rows, counties)
        quality.check_after_delivery = lambda resource_id: None  # not what this bench measures
        with path.open("rb") as handle:
            delivery = datastore.deliver_file(
                actor=officer,
                resource_id=resource.pk,
                stream=handle,
                filename=path.name,
                mode="replace",
            )
    print(
        f"  loaded {delivery.inserted:,} rows (rejected {delivery.rejected:,}) "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    consumer = Department(
        name="杭州市民政局", kind=DepartmentKind.BUREAU, region=Region.objects.get(code="330100")
    )
    consumer.save()
    today = date.today()
    apps = []
    for n in range(grants):
        secret = secrets.token_urlsafe(32)
        app = ConsumerApp.objects.create(
            name=f"救助核验系统{n}",
            department=consumer,
            contact_name="王五",
            contact_phone="13900139000",
            app_key="sg" + secrets.token_hex(15),
            secret_encrypted=encrypt_field(secret),
        )
        Grant.objects.create(
            app=app,
            consumer=consumer,
            resource=resource,
            fields=GRANTED,
            clear_fields=[],
            purpose="社会救助资格核验",
            valid_from=today - timedelta(days=1),
            valid_until=today + timedelta(days=365),
            rate_per_minute=1_000_000,
        )
        apps.append([app.app_key, secret])
    info = {"rows": rows, "grants": grants, "resource": resource.pk, "apps": apps}
    state.write_text(json.dumps(info))
    return info


# --- measurements ----------------------------------------------------------------------------


def presign(info: dict, count: int, path: Path) -> list[str]:
    """``count`` distinct signed lookups (path, key, timestamp, nonce, signature per line)."""
    from smartgov.sharing.signing import sign_request

    counties = county_codes()
    rows, apps = info["rows"], info["apps"]
    now = int(time.time())
    keys = []
    with path.open("w", encoding="ascii") as handle:
        for n in range(count):
            i = (n * 7919) % rows  # spread over the table
            cid = person_id(i, counties)
            keys.append(cid)
            app_key, secret = apps[n % len(apps)]
            url = f"/gateway/v1/resources/{info['resource']}/records/{cid}"
            h = sign_request(app_key=app_key, secret=secret, method="GET", path=url, timestamp=now)
            handle.write(
                f"{url}\t{app_key}\t{h['X-SG-Timestamp']}\t{h['X-SG-Nonce']}\t"
                f"{h['X-SG-Signature']}\n"
            )
    return keys


def direct_lookups(info: dict, keys: list[str]) -> dict:
    """The same lookups as plain parameterised SELECTs on one connection (no HTTP, no log)."""
    from django.db import connection

    from smartgov.datastore.models import StoreTable

    table = StoreTable.objects.get(resource_id=info["resource"]).table_name
    cols = ", ".join(GRANTED)
    sql = f"SELECT {cols} FROM {table} WHERE citizen_id = %s AND _version_to IS NULL LIMIT 1"
    latencies = []
    found = 0
    with connection.cursor() as cursor:
        for key in keys[:200]:  # warm-up
            cursor.execute(sql, [key])
            cursor.fetchall()
        started = time.perf_counter()
        for key in keys:
            t0 = time.perf_counter()
            cursor.execute(sql, [key])
            found += len(cursor.fetchall())
            latencies.append(time.perf_counter() - t0)
        total = time.perf_counter() - started
    return {
        "rps": len(keys) / total,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": statistics.quantiles(latencies, n=100)[98] * 1000,
        "found": found,
    }


def write_costs(samples: int = 2000) -> dict:
    """Microseconds of one rate-limit UPSERT, one call-log INSERT, and both in one commit."""
    from django.db import connection, transaction

    from smartgov.sharing import gateway, gateway_ratelimit
    from smartgov.sharing.models import CallLog

    call = gateway.Call(started=time.perf_counter(), method="GET", path="/bench", client_ip="")

    def timed(fn) -> float:
        started = time.perf_counter()
        for _ in range(samples):
            fn()
        return (time.perf_counter() - started) / samples * 1e6

    def upsert():
        with transaction.atomic(), connection.cursor() as cursor:
            gateway_ratelimit.hit(cursor, 10**9, 10**9)

    def insert():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(gateway.LOG_SQL, call.log_params(200, ""))

    def both():
        with transaction.atomic(), connection.cursor() as cursor:
            gateway_ratelimit.hit(cursor, 10**9, 10**9)
            cursor.execute(gateway.LOG_SQL, call.log_params(200, ""))

    costs = {"upsert_us": timed(upsert), "log_us": timed(insert), "both_us": timed(both)}
    CallLog.objects.filter(path="/bench").delete()
    return costs


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command line) of every process."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        out.append((int(entry.name), ppid, cmdline))
    return out


def cpu_seconds(server_pid: int, database: str) -> tuple[float, float]:
    """CPU seconds used so far by the gunicorn master and workers, and by the PostgreSQL
    backends serving the bench database (0 on SQLite)."""
    processes = _processes()
    workers = [server_pid] + [pid for pid, ppid, _cmd in processes if ppid == server_pid]
    backends = [
        pid
        for pid, _ppid, cmd in processes
        if database == "postgres" and cmd.startswith("postgres:") and "bench_gateway" in cmd
    ]
    tick = os.sysconf("SC_CLK_TCK")
    return (
        sum(_ticks(pid) for pid in workers) / tick,
        sum(_ticks(pid) for pid in backends) / tick,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "smartgov.wsgi:application",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(base + "/gateway/v1/health", timeout=1):
                return server, base
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def run_wrk(base: str, script: Path, lines: Path, *, threads, connections, seconds) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        base,
        "--",
        str(lines),
        str(threads),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    result = json.loads(line[len("WRK_JSON ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def child(args) -> None:
    """One database: build or reuse the data, measure, print one RESULT_JSON line."""
    database = args.child
    state_dir = ROOT / "var" / f"bench-gateway-{database}"
    state_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SMARTGOV_VAR_DIR"] = str(state_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartgov.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    if database == "postgres":
        os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_PG
    else:
        os.environ.pop("DATABASE_URL", None)
    state = state_dir / "state.json"
    info = json.loads(state.read_text()) if state.exists() else None
    fresh = info is None or (info["rows"], info["grants"]) != (args.rows, args.grants)
    if fresh:
        if database == "postgres":
            from _setup import _fresh_postgres

            _fresh_postgres(os.environ["DATABASE_URL"])
        else:
            for suffix in ("", "-wal", "-shm"):
                (state_dir / f"smartgov.sqlite3{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.db import connection

    if fresh:
        print(f"[{database}] building {args.rows:,} rows and {args.grants:,} grants", flush=True)
        info = build(args.rows, args.grants, state)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(f"[{database}] reusing {info['rows']:,} rows, {info['grants']:,} grants", flush=True)
    from smartgov.sharing import gateway_ratelimit
    from smartgov.sharing.models import CallLog

    gateway_ratelimit.reset()
    CallLog.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    count = max(args.duration, 1) * args.max_rps + args.max_rps * 3
    with tempfile.TemporaryDirectory(prefix="sgbench-wrk-") as tmp:
        lines = Path(tmp) / "requests.tsv"
        script = Path(tmp) / "signed.lua"
        script.write_text(WRK_SCRIPT)
        keys = presign(info, count, lines)
        direct = direct_lookups(info, keys[: min(len(keys), 20_000)])
        costs = write_costs()
        connection.close()
        env = dict(os.environ, LOG_LEVEL="WARNING")
        server, base = start_gunicorn(env, args.workers, args.threads)
        try:
            # A short warm-up on its own requests (the last ones of the file).
            warm = Path(tmp) / "warm.tsv"
            all_lines = lines.read_text().splitlines(keepends=True)
            warm.write_text("".join(all_lines[-args.max_rps * 2 :]))
            lines.write_text("".join(all_lines[: -args.max_rps * 2]))
            run_wrk(base, script, warm, threads=2, connections=args.connections, seconds=2)
            load_before = os.getloadavg()[0]
            cpu_before = cpu_seconds(server.pid, database)
            wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            result = run_wrk(
                base,
                script,
                lines,
                threads=2,
                connections=args.connections,
                seconds=args.duration,
            )
            load_after = os.getloadavg()[0]
            cpu_after = cpu_seconds(server.pid, database)
            wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            wrk_cpu = (wrk_after.ru_utime + wrk_after.ru_stime) - (
                wrk_before.ru_utime + wrk_before.ru_stime
            )
            per_request = 1000 / max(result["requests"], 1)
            result["cpu_ms"] = {
                "server": (cpu_after[0] - cpu_before[0]) * per_request,
                "database": (cpu_after[1] - cpu_before[1]) * per_request,
                "wrk": wrk_cpu * per_request,
            }
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    logged = CallLog.objects.count()
    answered = CallLog.objects.filter(status=200).count()
    print(
        "RESULT_JSON "
        + json.dumps(
            {
                "database": database,
                "gateway": result,
                "direct": direct,
                "costs": costs,
                "call_log_rows": logged,
                "call_log_200": answered,
                "load": [round(load_before, 2), round(load_after, 2)],
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--grants", type=int, default=1_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds of the measured run")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument(
        "--max-rps", type=int, default=4000, help="requests pre-signed per second of the run"
    )
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    print(
        f"gateway bench: {args.rows:,} rows, {args.grants:,} grants, gunicorn {args.workers} "
        f"workers x {args.threads} threads (gthread), wrk 2 threads x {args.connections} "
        f"connections, {args.duration} s; {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    results = []
    for database in databases:
        command = [sys.executable, __file__, "--child", database]
        for name in ("rows", "grants", "duration", "workers", "threads", "connections", "max_rps"):
            command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
        out = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("RESULT_JSON "):
                results.append(json.loads(line[len("RESULT_JSON ") :]))
            else:
                print(line)
    print_table(results)


def print_table(results: list[dict]) -> None:
    buffer = io.StringIO()
    buffer.write(
        "\n| database | gateway req/s | p50 ms | p99 ms | non-2xx | direct SELECT/s | "
        "direct p50 ms | direct p99 ms | gateway / direct | UPSERT µs | log INSERT µs | "
        "both, one commit µs | load avg |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    for r in results:
        g, d, c = r["gateway"], r["direct"], r["costs"]
        buffer.write(
            f"| {r['database']} | {g['rps']:,.0f} | {g['p50_us'] / 1000:.1f} | "
            f"{g['p99_us'] / 1000:.1f} | {g['non2xx']} | {d['rps']:,.0f} | {d['p50_ms']:.3f} | "
            f"{d['p99_ms']:.3f} | {g['rps'] / d['rps']:.3f} | {c['upsert_us']:.0f} | "
            f"{c['log_us']:.0f} | {c['both_us']:.0f} | {r['load'][0]:.1f}-{r['load'][1]:.1f} |\n"
        )
    buffer.write(
        "\nCPU per request (ms, from /proc: independent of what else loads the machine) and "
        "the rate it allows on this machine's idle cores:\n\n"
        "| database | gunicorn | database server | wrk | total | est. req/s on "
        f"{os.cpu_count()} idle cores |\n|---|---|---|---|---|---|\n"
    )
    for r in results:
        cpu = r["gateway"]["cpu_ms"]
        total = cpu["server"] + cpu["database"] + cpu["wrk"]
        buffer.write(
            f"| {r['database']} | {cpu['server']:.2f} | {cpu['database']:.2f} | "
            f"{cpu['wrk']:.2f} | {total:.2f} | {os.cpu_count() * 1000 / total:,.0f} |\n"
        )
    for r in results:
        buffer.write(
            f"\n{r['database']}: {r['gateway']['requests']:,} requests, "
            f"{r['call_log_rows']:,} call-log rows ({r['call_log_200']:,} answered 200), "
            f"socket errors {r['gateway']['socket_errors']}"
        )
    print(buffer.getvalue())


if __name__ == "__main__":
    main()
