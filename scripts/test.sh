#!/usr/bin/env bash
# One command on a fresh machine: install everything, lint, and run the whole test suite on
# SQLite and on PostgreSQL (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test).
# Browser tests drive Debian's Chromium (/usr/bin/chromium), installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --dev

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "== lint"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python scripts/compilemessages.py --check
.venv/bin/smartgov makemigrations --check --dry-run >/dev/null

# The two databases' suites are independent (own database, own var/ dir): on a machine with two
# cores or more they run side by side, each printed when both have finished. TEST_PARALLEL=0
# runs them one after the other, printing as they go.
VAR="${SMARTGOV_VAR_DIR:-$PWD/var/test}"
PG_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
PYTEST=(.venv/bin/python -m pytest -q -p no:cacheprovider)
# Browser tests drive pages, not SQL: they run once, on SQLite; the PostgreSQL suite runs all
# the others (TEST_BROWSER_ON_POSTGRES=1 runs them there too).
PG_MARKS=(-m "not browser")
[ "${TEST_BROWSER_ON_POSTGRES:-0}" = "1" ] && PG_MARKS=()
mkdir -p "$VAR"

if [ "${TEST_PARALLEL:-1}" = "0" ] || [ "$(nproc 2>/dev/null || echo 1)" -lt 2 ]; then
  echo "== tests on SQLite"
  SMARTGOV_VAR_DIR="$VAR/sqlite" "${PYTEST[@]}" "$@"
  echo "== tests on PostgreSQL"
  SMARTGOV_VAR_DIR="$VAR/postgres" DATABASE_URL="$PG_URL" "${PYTEST[@]}" "${PG_MARKS[@]}" "$@"
  exit 0
fi

echo "== tests on SQLite and on PostgreSQL, side by side"
SMARTGOV_VAR_DIR="$VAR/sqlite" "${PYTEST[@]}" "$@" >"$VAR/sqlite.log" 2>&1 &
sqlite_pid=$!
SMARTGOV_VAR_DIR="$VAR/postgres" DATABASE_URL="$PG_URL" "${PYTEST[@]}" "${PG_MARKS[@]}" "$@" >"$VAR/postgres.log" 2>&1 &
postgres_pid=$!
status=0
wait "$sqlite_pid" || status=1
sqlite_status=$status
wait "$postgres_pid" || status=1
echo "== tests on SQLite"
cat "$VAR/sqlite.log"
echo "== tests on PostgreSQL"
cat "$VAR/postgres.log"
[ "$sqlite_status" = 0 ] || echo "!! the SQLite suite failed"
[ "$status" = 0 ] || echo "!! a test suite failed"
exit "$status"
