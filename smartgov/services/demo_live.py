"""Today's live demo applications (filled in below)."""

from __future__ import annotations


def load_live(users) -> int:
    return 0
