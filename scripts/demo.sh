#!/usr/bin/env bash
# One command on a fresh machine: install, build the demo city (SQLite under var/), serve it on
# http://127.0.0.1:8000/ . Extra arguments go to `smartgov demo` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/smartgov demo "$@"
