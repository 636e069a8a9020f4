"""Demo data sharing (filled in below)."""

from __future__ import annotations


def load_demo_sharing(stdout=None) -> str:
    return "no sharing demo yet"
