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

export SMARTGOV_VAR_DIR="${SMARTGOV_VAR_DIR:-$PWD/var/test}"
echo "== tests on SQLite"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
echo "== tests on PostgreSQL"
DATABASE_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}" \
  .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
