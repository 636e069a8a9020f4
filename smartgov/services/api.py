"""HTTP API of the services app under /api/v1/ (thin: schemas in, services)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["services"])
