"""HTTP API of the governance loop under /api/v1/governance/ (thin: schemas in, services)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["governance"])
