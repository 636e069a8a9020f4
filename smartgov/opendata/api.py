"""API of the opendata app under /api/v1/opendata/."""

from ninja import Router

router = Router(tags=["opendata"])
