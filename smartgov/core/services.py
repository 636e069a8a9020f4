"""Core use cases that need no permission model: loading regions, looking them up."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from smartgov.core import audit
from smartgov.core.errors import InvalidInput, NotFound
from smartgov.core.models import Region, RegionLevel
from smartgov.core.validators import check_region_code

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions.csv"


def load_regions(*, path: Path = REGIONS_CSV, actor=None) -> int:
    """Load or refresh regions from the shipped GB/T 2260 table; returns rows created."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    depth = {level: i for i, level in enumerate(RegionLevel.values)}
    rows.sort(key=lambda r: (depth[r["level"]], r["code"]))
    existing = {r.code: r for r in Region.objects.all()}
    created = 0
    with transaction.atomic():
        for row in rows:
            region = existing.get(row["code"])
            parent = existing.get(row["parent_code"]) if row["parent_code"] else None
            if region is None:
                region = Region(
                    code=row["code"], name=row["name"], level=row["level"], parent=parent
                )
                region.save()
                existing[region.code] = region
                created += 1
            elif region.name != row["name"] or region.parent_id != (parent and parent.pk):
                region.name, region.parent = row["name"], parent
                region.save()
        if created:
            audit.record(
                actor=actor,
                action="core.region.load",
                object_type="core.region",
                after={"created": created, "source": path.name},
            )
    return created


def region_by_code(code: str) -> Region:
    region = Region.objects.filter(code=check_region_code(code)).first()
    if region is None:
        raise InvalidInput("unknown_region", "No region with this code.", detail={"code": code})
    return region


def get_region(code: str) -> Region:
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise NotFound("not_found", "No such region.")
    return region
