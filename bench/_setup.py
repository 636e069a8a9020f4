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
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        _fresh_postgres(os.environ["DATABASE_URL"])
    import django

    django.setup()
