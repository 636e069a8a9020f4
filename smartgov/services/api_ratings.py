"""好差评 ratings, rectifications and statistics under /api/v1/services/ (thin)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["services"])
