"""HTTP API of the licenses app under /api/v1/ (thin: schemas in, services)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["licenses"])
