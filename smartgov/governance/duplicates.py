"""Duplicates and hotspots.

``similar_open_cases`` is FixMyStreet's duplicate suggestion: while a case is being recorded,
the open cases near the point (a lon/lat box on the indexed columns, then the exact distance)
whose text is similar (Jaccard overlap of jieba words and character bigrams), optionally of
the same category.

``hotspots`` groups the reports of a time window by category and street, and inside that by
place (within ``radius_m`` of the group's centre) or by text, and ranks the groups by size —
“forty people reported the same broken streetlights on 文三路 this week”.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta

from django.utils import timezone

from smartgov.core.errors import InvalidInput
from smartgov.core.models import Region
from smartgov.governance.classify import analyse, case_text
from smartgov.governance.models import OPEN_STATUSES, Case, CaseStatus, Category, Grid
from smartgov.governance.places import bbox_around, distance_m

MIN_SIMILARITY = 0.15
CANDIDATES = 300  # most recent open cases compared in one call
NO_POINT_WINDOW = timedelta(days=30)  # without coordinates, compare recent open cases
HOTSPOT_RADIUS_M = 500
HOTSPOT_TEXT_SIMILARITY = 0.3
MAX_HOTSPOT_CASES = 50_000
MAX_WINDOW = timedelta(days=400)
_ROAD = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:大道|路|街|巷|桥)")


def tokens(text: str) -> frozenset[str]:
    return frozenset(analyse(text))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similar_open_cases(
    *,
    text: str,
    lon: float | None,
    lat: float | None,
    category: Category | None = None,
    exclude_id: int | None = None,
    radius_m: int = 500,
    limit: int = 5,
    street: Region | None = None,
    min_similarity: float = MIN_SIMILARITY,
) -> list[dict]:
    """Open cases that look like the same problem, most similar first.

    With coordinates: open cases within ``radius_m``; without: open cases of the last 30 days
    (in ``street`` when given). ``category`` restricts to that minor class."""
    if not 1 <= int(radius_m) <= 10_000:
        raise InvalidInput("invalid_radius", "The radius is 1 to 10000 metres.")
    query = tokens(text or "")
    if not query:
        return []
    cases = Case.objects.filter(status__in=OPEN_STATUSES)
    if category is not None:
        cases = cases.filter(category=category)
    if exclude_id is not None:
        cases = cases.exclude(pk=exclude_id)
    point = lon is not None and lat is not None
    if point:
        min_lon, min_lat, max_lon, max_lat = bbox_around(float(lon), float(lat), radius_m)
        cases = cases.filter(lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat)
    else:
        cases = cases.filter(created_at__gte=timezone.now() - NO_POINT_WINDOW)
        if street is not None:
            cases = cases.filter(street=street)
    rows = cases.order_by("-created_at").values(
        "id",
        "number",
        "title",
        "description",
        "status",
        "lon",
        "lat",
        "created_at",
        "category__code",
    )[:CANDIDATES]
    found = []
    for row in rows:
        distance = None
        if point:
            distance = distance_m(float(lon), float(lat), row["lon"], row["lat"])
            if distance > radius_m:
                continue
        similarity = jaccard(query, tokens(case_text(row["title"], row["description"])))
        if similarity < min_similarity:
            continue
        found.append(
            {
                "id": row["id"],
                "number": row["number"],
                "title": row["title"],
                "status": row["status"],
                "category": row["category__code"],
                "created_at": row["created_at"],
                "distance_m": round(distance) if distance is not None else None,
                "similarity": round(similarity, 3),
            }
        )
    found.sort(key=lambda f: (-f["similarity"], f["distance_m"] or 0))
    return found[:limit]


class _Group:
    def __init__(self, row, words):
        self.rows = [row]
        self.words = words
        self.lon_sum = row["lon"] or 0.0
        self.lat_sum = row["lat"] or 0.0
        self.points = 1 if row["lon"] is not None else 0

    @property
    def centre(self) -> tuple[float, float] | None:
        if not self.points:
            return None
        return self.lon_sum / self.points, self.lat_sum / self.points

    def near(self, row) -> bool:
        centre = self.centre
        if centre is None or row["lon"] is None:
            return False
        return distance_m(centre[0], centre[1], row["lon"], row["lat"]) <= HOTSPOT_RADIUS_M

    def add(self, row, words) -> None:
        self.rows.append(row)
        if words:
            self.words = self.words | words
        if row["lon"] is not None:
            self.lon_sum += row["lon"]
            self.lat_sum += row["lat"]
            self.points += 1


def _joined(groups: list[_Group]) -> list[_Group]:
    """Join groups whose centres ended up within the radius of each other (a group's centre
    moves as reports join it, so the first pass can split one stretch of road in two)."""
    joined = True
    while joined and len(groups) > 1:
        joined = False
        for i, a in enumerate(groups):
            for b in groups[i + 1 :]:
                ca, cb = a.centre, b.centre
                if ca and cb and distance_m(ca[0], ca[1], cb[0], cb[1]) <= HOTSPOT_RADIUS_M:
                    a.rows = sorted(a.rows + b.rows, key=lambda r: (r["created_at"], r["id"]))
                    a.words = a.words | b.words
                    a.lon_sum += b.lon_sum
                    a.lat_sum += b.lat_sum
                    a.points += b.points
                    groups.remove(b)
                    joined = True
                    break
            if joined:
                break
    return groups


def _road(titles: list[str]) -> str:
    roads = Counter(m for title in titles for m in set(_ROAD.findall(title)))
    if not roads:
        return ""
    road, count = roads.most_common(1)[0]
    return road if count * 2 >= len(titles) else ""


def hotspots(
    *,
    start: datetime,
    end: datetime,
    district: Region | None = None,
    min_cases: int = 3,
    limit: int = 20,
) -> list[dict]:
    """Groups of at least ``min_cases`` similar reports in [start, end), largest first.

    Reports of one category in one street (or district, when the street is unknown) form a
    group when they lie within 500 m of the group's centre; reports without coordinates or
    without a category join by text similarity. Cancelled reports do not count; merged
    duplicates do (each is a citizen who reported the problem)."""
    if start is None or end is None or end <= start:
        raise InvalidInput("invalid_window", "The time window must end after it starts.")
    if end - start > MAX_WINDOW:
        raise InvalidInput("invalid_window", "The time window is at most 400 days.")
    cases = Case.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        status=CaseStatus.CANCELLED
    )
    if district is not None:
        cases = cases.filter(district=district)
    rows = cases.order_by("created_at", "id").values(
        "id",
        "title",
        "description",
        "lon",
        "lat",
        "created_at",
        "category_id",
        "street_id",
        "district_id",
        "grid_id",
    )[:MAX_HOTSPOT_CASES]
    buckets: dict[tuple, list[_Group]] = {}
    for row in rows:
        key = (row["category_id"], row["street_id"] or row["district_id"])
        groups = buckets.setdefault(key, [])
        need_text = row["category_id"] is None or row["lon"] is None
        words = tokens(case_text(row["title"], row["description"])) if need_text else None
        for group in groups:
            if group.near(row) or (
                words is not None
                and jaccard(words, group.words or tokens(group.rows[0]["title"]))
                >= HOTSPOT_TEXT_SIMILARITY
            ):
                group.add(row, words)
                break
        else:
            groups.append(_Group(row, words or frozenset()))
    ranked = [g for groups in buckets.values() for g in _joined(groups) if len(g.rows) >= min_cases]
    ranked.sort(key=lambda g: (-len(g.rows), -g.rows[-1]["created_at"].timestamp()))
    ranked = ranked[:limit]
    return _describe(ranked)


def _describe(groups: list[_Group]) -> list[dict]:
    category_ids = {g.rows[0]["category_id"] for g in groups} - {None}
    region_ids = {r for g in groups for r in (g.rows[0]["street_id"], g.rows[0]["district_id"])}
    categories = Category.objects.in_bulk(category_ids)
    regions = Region.objects.in_bulk(region_ids - {None})
    grid_ids = set()
    for group in groups:
        grid_ids.update(r["grid_id"] for r in group.rows if r["grid_id"])
    grids = Grid.objects.in_bulk(grid_ids)
    out = []
    for group in groups:
        first = group.rows[0]
        category = categories.get(first["category_id"])
        street = regions.get(first["street_id"])
        district = regions.get(first["district_id"])
        grid_counts = Counter(r["grid_id"] for r in group.rows if r["grid_id"])
        grid = grids.get(grid_counts.most_common(1)[0][0]) if grid_counts else None
        road = _road([r["title"] for r in group.rows])
        place = road or (street.name if street else (district.name if district else ""))
        what = category.name if category else first["title"][:12]
        centre = group.centre
        out.append(
            {
                "label": f"{place} · {what}" if place else what,
                "category": category.code if category else None,
                "category_name": category.name if category else "",
                "road": road,
                "street": street.name if street else "",
                "street_code": street.code if street else "",
                "district": district.name if district else "",
                "grid": grid.code if grid else "",
                "count": len(group.rows),
                "first_at": first["created_at"],
                "last_at": group.rows[-1]["created_at"],
                "case_ids": [r["id"] for r in group.rows],
                "center_lon": round(centre[0], 6) if centre else None,
                "center_lat": round(centre[1], 6) if centre else None,
            }
        )
    return out
