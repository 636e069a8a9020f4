"""Places: a reported point → its unit grid, street and district; a Chinese address → its
district and street; the grid services and the GeoJSON the case map draws.

A point lookup narrows the grids with the indexed bounding-box columns, then tests the few
candidates exactly with ray casting (grids are small polygons, so no GIS extension is
needed). An address is matched against the region names of the city, with and without their
suffixes (区, 县, 街道, 镇 …), longest match first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

from django.db import transaction

from smartgov.accounts.scope import require_perm
from smartgov.core import audit
from smartgov.core.errors import InvalidInput
from smartgov.core.models import Region
from smartgov.core.models.org import RegionLevel
from smartgov.governance import config_cache
from smartgov.governance.models import Grid
from smartgov.governance.permissions import Perm

CITY_CODE = "330100"  # 杭州市
# Hangzhou's bounds (WGS-84): 淳安 in the west to 钱塘 in the east, 建德/淳安 to 临平.
CITY_BOUNDS = (118.33, 29.18, 120.75, 30.57)  # min_lon, min_lat, max_lon, max_lat
NEAREST_GRID_M = 1000  # a point outside every grid but this near one belongs to its street
REGION_SUFFIXES = ("街道", "街道办事处", "镇", "乡", "区", "县", "市")
EARTH_RADIUS_M = 6_371_000
GRID_FIELDS = ("name", "community", "polygon", "inspector", "active")


@dataclass(frozen=True)
class Placement:
    grid: Grid | None
    street: Region | None
    district: Region | None

    @property
    def empty(self) -> bool:
        return self.grid is None and self.street is None and self.district is None


NOWHERE = Placement(None, None, None)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bbox_around(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """A lon/lat box that contains the circle of ``radius_m`` around the point."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def check_point(lon, lat) -> tuple[float, float]:
    """Validated coordinates inside the city, or ``invalid_coordinates`` / ``outside_city``."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise InvalidInput(
            "invalid_coordinates", "Coordinates must be numbers.", detail={"lon": lon, "lat": lat}
        ) from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidInput("invalid_coordinates", "Coordinates must be numbers.")
    min_lon, min_lat, max_lon, max_lat = CITY_BOUNDS
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        raise InvalidInput(
            "outside_city",
            "The location is outside the city.",
            detail={"lon": lon, "lat": lat, "bounds": list(CITY_BOUNDS)},
        )
    return lon, lat


def point_in_ring(lon: float, lat: float, ring) -> bool:
    """Ray casting: a ray to the east crosses the ring's edges an odd number of times."""
    inside = False
    count = len(ring)
    j = count - 1
    for i in range(count):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat):
            x_cross = xi + (lat - yi) * (xj - xi) / (yj - yi)
            if lon < x_cross:
                inside = not inside
        j = i
    return inside


def point_in_polygon(lon: float, lat: float, polygon) -> bool:
    """Inside the outer ring and outside every hole (GeoJSON Polygon coordinates)."""
    if not polygon or not point_in_ring(lon, lat, polygon[0]):
        return False
    return not any(point_in_ring(lon, lat, hole) for hole in polygon[1:])


def locate(*, lon: float, lat: float) -> Placement:
    """The grid, street and district of a point (``outside_city`` when not in Hangzhou).

    A point in no grid but within ``NEAREST_GRID_M`` of a grid's centre gets that grid's
    street and district (grids need not tile a street completely); otherwise nothing."""
    lon, lat = check_point(lon, lat)
    grids = config_cache.cache.grids()  # the active grids, by cells of their boxes and centres
    for grid in grids.containing_box(lon, lat):
        if point_in_polygon(lon, lat, grid.polygon):
            return Placement(grid, grid.street, grid.district)
    near = grids.centred_in(*bbox_around(lon, lat, NEAREST_GRID_M))
    best = min(near, key=lambda g: distance_m(lon, lat, g.center_lon, g.center_lat), default=None)
    if best is not None and distance_m(lon, lat, best.center_lon, best.center_lat) <= (
        NEAREST_GRID_M
    ):
        return Placement(None, best.street, best.district)
    return NOWHERE


# --- addresses -------------------------------------------------------------------------


def _stripped(name: str) -> str | None:
    for suffix in REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@lru_cache(maxsize=4)
def _name_index(version: int) -> dict[str, list[tuple[int, int, str, bool]]]:
    """name → [(region id, parent id, level, full name?)] for the city's districts and
    streets; ``version`` (the config cache's snapshot) invalidates it when regions change."""
    index: dict[str, list[tuple[int, int, str, bool]]] = {}
    city = Region.objects.filter(code=CITY_CODE).first()
    if city is None:
        return index
    rows = Region.objects.filter(
        path__startswith=city.path, level__in=(RegionLevel.COUNTY, RegionLevel.STREET)
    ).values_list("id", "parent_id", "level", "name")
    for region_id, parent_id, level, name in rows:
        index.setdefault(name, []).append((region_id, parent_id, level, True))
        short = _stripped(name)
        if short:
            index.setdefault(short, []).append((region_id, parent_id, level, False))
    return index


def _index() -> dict[str, list[tuple[int, int, str, bool]]]:
    return _name_index(config_cache.cache.current().version)


@lru_cache(maxsize=4)
def _regions(version: int) -> dict[int, Region]:
    """The city's districts and streets by id (``version`` as for ``_name_index``)."""
    city = Region.objects.filter(code=CITY_CODE).first()
    if city is None:
        return {}
    return Region.objects.filter(
        path__startswith=city.path, level__in=(RegionLevel.COUNTY, RegionLevel.STREET)
    ).in_bulk()


def _matches(text: str, index) -> list[tuple[int, str]]:
    """Leftmost-longest matches of region names in ``text``: [(position, name)]."""
    if not index:
        return []
    longest = max(len(name) for name in index)
    found = []
    position = 0
    while position < len(text):
        for size in range(min(longest, len(text) - position), 1, -1):
            piece = text[position : position + size]
            if piece in index:
                found.append((position, piece))
                position += size
                break
        else:
            position += 1
    return found


def place_from_address(address: str) -> Placement | None:
    """District and street named in a Chinese address, or None when none is recognised.

    "西湖区文三路 西溪街道" → 西湖区 / 西溪街道; "文新街道某小区" → 文新街道 and its district.
    A full name (西溪街道) beats a name without its suffix (西溪); a street inside the named
    district beats one elsewhere; an ambiguous street name without a district is ignored.
    Without a street name, a grid's community (社区) named in the address gives the street."""
    text = re.sub(r"\s+", "", address or "")[:500]
    if not text:
        return None
    index = _index()
    districts: list[tuple[bool, int, int]] = []  # (full, length, id)
    streets: list[tuple[bool, int, int, int]] = []  # (full, length, id, district id)
    for _position, name in _matches(text, index):
        for region_id, parent_id, level, full in index[name]:
            if level == RegionLevel.COUNTY:
                districts.append((full, len(name), region_id))
            else:
                streets.append((full, len(name), region_id, parent_id))
    district_id = max(districts)[2] if districts else None
    street_id = None
    if streets:
        if district_id is not None:
            inside = [s for s in streets if s[3] == district_id]
            if inside:
                street_id = max(inside)[2]
        else:
            best = max(streets)
            rivals = {s[3] for s in streets if s[:2] == best[:2]}
            if len(rivals) == 1:
                street_id, district_id = best[2], best[3]
    if street_id is None:
        community = _community_street(text, district_id)
        if community is not None:
            street_id, district_id = community
    if district_id is None and street_id is None:
        return None
    regions = _regions(config_cache.cache.current().version)
    return Placement(None, regions.get(street_id), regions.get(district_id))


@lru_cache(maxsize=4)
def _community_index(version: int) -> dict[str, set[tuple[int, int]]]:
    """Community name (of the grids) → {(street id, district id)}."""
    index: dict[str, set[tuple[int, int]]] = {}
    rows = Grid.objects.filter(active=True).exclude(community="")
    for name, street_id, district_id in rows.values_list("community", "street_id", "district_id"):
        if len(name) >= 3:
            index.setdefault(name, set()).add((street_id, district_id))
    return index


def _community_street(text: str, district_id: int | None) -> tuple[int, int] | None:
    """The street of a community (社区) named in the text, when the name is unambiguous."""
    index = _community_index(config_cache.cache.current().version)
    found = {
        place
        for name, places in index.items()
        if name in text
        for place in places
        if district_id is None or place[1] == district_id
    }
    return found.pop() if len(found) == 1 else None


def place_case(*, address: str, lon: float | None, lat: float | None) -> Placement:
    """Coordinates first (``outside_city`` if they are not in the city), then the address."""
    if lon is not None and lat is not None:
        placement = locate(lon=lon, lat=lat)
        if not placement.empty:
            return placement
    elif (lon is None) != (lat is None):
        raise InvalidInput("invalid_coordinates", "Give both longitude and latitude, or neither.")
    return place_from_address(address or "") or NOWHERE


# --- grid services --------------------------------------------------------------------


def _clean_polygon(polygon) -> list[list[list[float]]]:
    """GeoJSON Polygon coordinates (or a Polygon geometry), rings closed, inside the city."""
    if isinstance(polygon, dict):
        if polygon.get("type") != "Polygon":
            raise InvalidInput("invalid_polygon", "A grid outline is a GeoJSON Polygon.")
        polygon = polygon.get("coordinates")
    if not isinstance(polygon, list) or not polygon:
        raise InvalidInput("invalid_polygon", "A grid outline is a GeoJSON Polygon.")
    rings = []
    for ring in polygon:
        if not isinstance(ring, list) or len(ring) < 3:
            raise InvalidInput("invalid_polygon", "A polygon ring needs at least three points.")
        points = []
        for point in ring:
            if not isinstance(point, (list, tuple)) or len(point) < 2:
                raise InvalidInput("invalid_polygon", "A polygon point is [longitude, latitude].")
            try:
                lon, lat = check_point(point[0], point[1])
            except InvalidInput as error:
                raise InvalidInput(
                    "invalid_polygon" if error.code != "outside_city" else "outside_city",
                    error.raw_message,
                    detail=error.detail,
                ) from None
            points.append([lon, lat])
        if points[0] != points[-1]:
            points.append(points[0])
        if len(points) < 4:
            raise InvalidInput("invalid_polygon", "A polygon ring needs at least three points.")
        rings.append(points)
    return rings


def _centroid(ring) -> tuple[float, float]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-15:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    return cx / (3 * area), cy / (3 * area)


def geometry_fields(polygon) -> dict[str, Any]:
    """Polygon plus the bounding box and centre columns that a Grid row stores."""
    rings = _clean_polygon(polygon)
    outer = rings[0]
    center_lon, center_lat = _centroid(outer)
    return {
        "polygon": rings,
        "min_lon": min(p[0] for p in outer),
        "max_lon": max(p[0] for p in outer),
        "min_lat": min(p[1] for p in outer),
        "max_lat": max(p[1] for p in outer),
        "center_lon": center_lon,
        "center_lat": center_lat,
    }


def _grid_snapshot(grid: Grid) -> dict[str, Any]:
    return {
        "code": grid.code,
        "name": grid.name,
        "street": grid.street_id,
        "community": grid.community,
        "inspector": grid.inspector_id,
        "active": grid.active,
        "bbox": [grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat],
    }


@transaction.atomic
def create_grid(
    *, actor, code: str, name: str, street: Region, polygon, community: str = "", inspector=None
) -> Grid:
    """Add a unit grid inside a street (CONFIGURE); the district is the street's parent."""
    require_perm(actor, Perm.CONFIGURE)
    code = (code or "").strip()
    if not code.isdigit() or not 6 <= len(code) <= 32:
        raise InvalidInput("invalid_grid_code", "A grid code is 6 to 32 digits.")
    if not (name or "").strip():
        raise InvalidInput("invalid_grid_name", "A grid needs a name.")
    if street is None or street.level != RegionLevel.STREET:
        raise InvalidInput("invalid_grid_street", "A grid lies inside a street or town.")
    if Grid.objects.filter(code=code).exists():
        raise InvalidInput("duplicate_grid_code", "A grid with this code exists.")
    grid = Grid.objects.create(
        code=code,
        name=name.strip(),
        street=street,
        district_id=street.parent_id,
        community=community,
        inspector=inspector,
        **geometry_fields(polygon),
    )
    audit.record(actor=actor, action="governance.grid.create", obj=grid, after=_grid_snapshot(grid))
    return grid


@transaction.atomic
def update_grid(*, actor, grid: Grid, **changes) -> Grid:
    """Change a grid's name, community, outline, inspector or active flag (CONFIGURE)."""
    require_perm(actor, Perm.CONFIGURE)
    unknown = set(changes) - set(GRID_FIELDS)
    if unknown:
        raise InvalidInput(
            "invalid_grid_field",
            "These grid fields cannot be changed.",
            detail={"fields": sorted(unknown)},
        )
    if "name" in changes and not (changes["name"] or "").strip():
        raise InvalidInput("invalid_grid_name", "A grid needs a name.")
    geometry = geometry_fields(changes.pop("polygon")) if "polygon" in changes else {}
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    before = _grid_snapshot(grid)
    for field, value in {**changes, **geometry}.items():
        setattr(grid, field, value)
    grid.save()
    audit.record(
        actor=actor,
        action="governance.grid.update",
        obj=grid,
        before=before,
        after=_grid_snapshot(grid),
    )
    return grid


# --- GeoJSON for the map ----------------------------------------------------------------


def _grids(district: Region | None):
    grids = Grid.objects.filter(active=True).select_related("street", "district")
    if district is not None:
        grids = grids.filter(district=district)
    return grids.order_by("code")


def grids_geojson(*, district: Region | None = None) -> dict:
    """The active grids as a GeoJSON FeatureCollection (one Polygon feature each)."""
    features = [
        {
            "type": "Feature",
            "id": grid.code,
            "geometry": {"type": "Polygon", "coordinates": grid.polygon},
            "properties": {
                "code": grid.code,
                "name": grid.name,
                "community": grid.community,
                "street": grid.street.name,
                "street_code": grid.street.code,
                "district": grid.district.name,
                "district_code": grid.district.code,
                "center": [grid.center_lon, grid.center_lat],
            },
        }
        for grid in _grids(district)
    ]
    return {"type": "FeatureCollection", "features": features}


def convex_hull(points: list[tuple[float, float]]) -> list[list[float]]:
    """Andrew's monotone chain; a closed ring, counter-clockwise."""
    points = sorted(set(points))
    if len(points) < 3:
        return [list(p) for p in points]

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in points:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(points):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    hull = lower[:-1] + upper[:-1]
    return [list(p) for p in [*hull, hull[0]]]


def streets_geojson(*, district: Region | None = None) -> dict:
    """Street outlines as the convex hull of their grids (a street has no polygon of its own)."""
    by_street: dict[int, dict[str, Any]] = {}
    for grid in _grids(district):
        entry = by_street.setdefault(grid.street_id, {"grid": grid, "points": [], "count": 0})
        entry["points"].extend(tuple(p) for p in grid.polygon[0])
        entry["count"] += 1
    features = []
    for entry in by_street.values():
        grid = entry["grid"]
        ring = convex_hull(entry["points"])
        if len(ring) < 4:
            continue
        features.append(
            {
                "type": "Feature",
                "id": grid.street.code,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "code": grid.street.code,
                    "name": grid.street.name,
                    "district": grid.district.name,
                    "district_code": grid.district.code,
                    "grid_count": entry["count"],
                },
            }
        )
    features.sort(key=lambda f: f["id"])
    return {"type": "FeatureCollection", "features": features}
