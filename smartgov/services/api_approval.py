"""Approval steps, time requests and supervision under /api/v1/services/ (thin)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["services"])
