"""API of the sharing app under /api/v1/sharing/."""

from ninja import Router

router = Router(tags=["sharing"])
