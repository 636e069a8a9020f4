"""QR codes of e-licenses: the verify URL carrying the compact signed string, as inline SVG."""

from __future__ import annotations

import io

import segno

from smartgov.licenses.models import License
from smartgov.licenses.services import qr_url


def qr_svg(license: License, *, base_url: str = "", scale: int = 4) -> str:
    """An inline ``<svg>`` (no XML declaration) of the license's verify URL."""
    code = segno.make(qr_url(license, base_url), error="m")
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=scale,
        border=2,
        xmldecl=False,
        svgns=True,
        svgclass="sg-qr",
        title="电子证照核验二维码",
    )
    return out.getvalue().decode("utf-8")
