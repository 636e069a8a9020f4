"""What intake reads on every report but rarely changes — the category tree, the dispatch
rules, the active unit grids and the active classifier's row — cached per process.

Every ``GOVERNANCE_CACHE_SECONDS`` (default 1 s) one query fingerprints those tables (row
counts, last ids, the rules' and departments' latest ``updated_at``, the active classifier's
version, checksum and threshold); a different fingerprint drops the cache. Saving or deleting
a category, rule, grid, department, region or classifier through the ORM in this process drops
it at once (and again when the transaction commits); an edit made in place by another process
(a ``save()`` that changes no count) is seen within ``GOVERNANCE_CACHE_MAX_AGE`` (default
60 s), when every entry is reloaded whatever the fingerprint says — the gateway's metadata
cache (``smartgov.sharing.gateway_cache``) works the same way.

The cached rows are shared by the worker's threads: read them, never change them.
"""

# The fingerprint's SQL names tables and columns from the models' metadata and holds no values.
# ruff: noqa: S608

from __future__ import annotations

import itertools
import math
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from smartgov.core.models import Department, Region
from smartgov.governance.models import Category, ClassifierModel, DispatchRule, Grid

CELL = 0.02  # degrees: the spatial hash of the grids' boxes and centres


@dataclass(frozen=True)
class ClassifierRow:
    id: int
    version: int
    sha256: str
    threshold: float


class GridIndex:
    """Active grids by cells of ``CELL`` degrees: those whose box touches a cell, and those
    whose centre lies in it (both lists in grid code order, as the database returns them)."""

    def __init__(self, grids: list[Grid]) -> None:
        self.by_box: dict[tuple[int, int], list[Grid]] = {}
        self.by_centre: dict[tuple[int, int], list[Grid]] = {}
        for grid in grids:
            for x in range(_cell(grid.min_lon), _cell(grid.max_lon) + 1):
                for y in range(_cell(grid.min_lat), _cell(grid.max_lat) + 1):
                    self.by_box.setdefault((x, y), []).append(grid)
            self.by_centre.setdefault((_cell(grid.center_lon), _cell(grid.center_lat)), []).append(
                grid
            )

    def containing_box(self, lon: float, lat: float) -> list[Grid]:
        return [
            g
            for g in self.by_box.get((_cell(lon), _cell(lat)), ())
            if g.min_lon <= lon <= g.max_lon and g.min_lat <= lat <= g.max_lat
        ]

    def centred_in(self, min_lon: float, min_lat: float, max_lon: float, max_lat: float):
        found = []
        for x in range(_cell(min_lon), _cell(max_lon) + 1):
            for y in range(_cell(min_lat), _cell(max_lat) + 1):
                found.extend(
                    g
                    for g in self.by_centre.get((x, y), ())
                    if min_lon <= g.center_lon <= max_lon and min_lat <= g.center_lat <= max_lat
                )
        return found


def _cell(value: float) -> int:
    return math.floor(value / CELL)


_serials = itertools.count(1)


@dataclass
class Snapshot:
    fingerprint: tuple
    born: float = field(default_factory=time.monotonic)
    serial: int = field(default_factory=lambda: next(_serials))  # a new one for every reload
    categories: dict[int, Category] | None = None
    rules: dict[tuple[int, int], Department] | None = None
    grids: GridIndex | None = None
    minor_by_code: dict[str, Category] | None = None
    by_code: dict[str, Category] | None = None

    @property
    def classifier(self) -> ClassifierRow | None:
        active_id, version, sha256, threshold = self.fingerprint[-4:]
        if active_id is None:
            return None
        return ClassifierRow(int(active_id), int(version), str(sha256), float(threshold))

    @property
    def version(self) -> int:
        """Keys other caches of derived data (the address index) to this snapshot."""
        return self.serial


def _fingerprint_sql() -> str:
    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    category, rule, grid = table(Category), table(DispatchRule), table(Grid)
    department, region, model = table(Department), table(Region), table(ClassifierModel)
    active = f"(SELECT %s FROM {model} WHERE active = %s ORDER BY version DESC LIMIT 1)"
    parts = [
        f"(SELECT COUNT(*) FROM {category})",
        f"(SELECT MAX(id) FROM {category})",
        f"(SELECT COUNT(*) FROM {rule})",
        f"(SELECT MAX(id) FROM {rule})",
        f"(SELECT MAX(updated_at) FROM {rule})",
        f"(SELECT COUNT(*) FROM {grid})",
        f"(SELECT MAX(id) FROM {grid})",
        f"(SELECT COUNT(*) FROM {region})",
        f"(SELECT MAX(id) FROM {region})",
        f"(SELECT COUNT(*) FROM {department})",
        f"(SELECT MAX(updated_at) FROM {department})",
        *(active.replace("%s", column, 1) for column in ("id", "version", "sha256", "threshold")),
    ]
    return "SELECT " + ", ".join(parts)


def _fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(), [True] * 4)
        return tuple(cursor.fetchone())


class ConfigCache:
    """Process-wide; dict reads and the snapshot swap are atomic under the GIL."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def clear(self) -> None:
        self._snapshot = None
        self._checked_at = float("-inf")

    def current(self) -> Snapshot:
        """The snapshot, fingerprinted again when the last check is older than the interval."""
        snapshot = self._snapshot
        now = time.monotonic()
        interval = float(getattr(settings, "GOVERNANCE_CACHE_SECONDS", 1.0))
        if snapshot is not None and now - self._checked_at < interval:
            return snapshot
        with self._lock:
            fingerprint = _fingerprint()
            max_age = float(getattr(settings, "GOVERNANCE_CACHE_MAX_AGE", 60.0))
            snapshot = self._snapshot
            if (
                snapshot is None
                or snapshot.fingerprint != fingerprint
                or now - snapshot.born > max_age
            ):
                snapshot = Snapshot(fingerprint)
                self._snapshot = snapshot
            self._checked_at = time.monotonic()
            return snapshot

    def categories(self, snapshot: Snapshot | None = None) -> dict[int, Category]:
        """Every category by id, with its major class and default departments loaded."""
        snapshot = snapshot or self.current()
        if snapshot.categories is None:
            snapshot.categories = {
                c.pk: c
                for c in Category.objects.select_related(
                    "parent", "default_department", "parent__default_department"
                )
            }
        return snapshot.categories

    def rules(self) -> dict[tuple[int, int], Department]:
        """(category id, region id) → the rule's department, active departments only."""
        snapshot = self.current()
        if snapshot.rules is None:
            snapshot.rules = {
                (rule.category_id, rule.region_id): rule.department
                for rule in DispatchRule.objects.filter(department__is_active=True).select_related(
                    "department"
                )
            }
        return snapshot.rules

    def grids(self) -> GridIndex:
        snapshot = self.current()
        if snapshot.grids is None:
            snapshot.grids = GridIndex(
                list(
                    Grid.objects.filter(active=True)
                    .select_related("street", "district")
                    .order_by("code")
                )
            )
        return snapshot.grids


cache = ConfigCache()


def category_by_code(code: str) -> Category | None:
    """Any category by code (active or not), from the cache."""
    snapshot = cache.current()
    categories = cache.categories(snapshot)
    if snapshot.by_code is None:
        snapshot.by_code = {c.code: c for c in categories.values()}
    return snapshot.by_code.get(code)


def minor_by_code() -> dict[str, Category]:
    """The classes a case can have (as ``categories.minor_categories``) by code."""
    snapshot = cache.current()
    categories = cache.categories(snapshot)
    if snapshot.minor_by_code is None:
        found = (active_minor(pk, categories) for pk in categories)
        snapshot.minor_by_code = {c.code: c for c in found if c is not None}
    return snapshot.minor_by_code


def active_minor(pk: int, categories: dict[int, Category] | None = None) -> Category | None:
    """An active minor class (its major class active too) by id, from the cache."""
    category = (categories if categories is not None else cache.categories()).get(pk)
    if category is None or not category.active or category.parent_id is None:
        return None
    parent = category.parent
    return category if parent is not None and parent.active else None


def _dropped(sender, **kwargs) -> None:
    cache.clear()
    transaction.on_commit(cache.clear)


def connect_signals() -> None:
    for model in (Category, DispatchRule, Grid, Department, Region, ClassifierModel):
        uid = f"governance_config_cache_{model._meta.label_lower}"
        post_save.connect(_dropped, sender=model, dispatch_uid=uid + "_save")
        post_delete.connect(_dropped, sender=model, dispatch_uid=uid + "_delete")
