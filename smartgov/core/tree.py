"""Materialised-path trees that answer ancestor and descendant queries with one index range.

A node's ``path`` is its ancestors' fixed-width digit segments followed by its own. Descendants
of a node are the rows whose path lies in the half-open range [path + "0", next(path)), which a
plain B-tree index serves on SQLite and PostgreSQL alike; paths hold digits only, so every
collation orders them the same way.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


def next_prefix(path: str) -> str | None:
    """The smallest digit string of the same length greater than every string starting with path."""
    digits = list(path)
    for i in range(len(digits) - 1, -1, -1):
        if digits[i] != "9":
            digits[i] = str(int(digits[i]) + 1)
            return "".join(digits[: i + 1])
    return None


def subtree_q(path: str, *, field: str = "path", include_self: bool = True) -> Q:
    """Q selecting the node with ``path`` (optionally) and all its descendants."""
    upper = next_prefix(path)
    condition = Q(**{f"{field}__gte": path}) if include_self else Q(**{f"{field}__gt": path})
    if upper is not None:
        condition &= Q(**{f"{field}__lt": upper})
    return condition


class TreeNode(models.Model):
    """Abstract base: a parent link plus a materialised path and depth kept in step with it."""

    SEGMENT_WIDTH = 12  # subclasses set the width of one level's segment

    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False, default=1)

    class Meta:
        abstract = True

    def path_segment(self) -> str:
        raise NotImplementedError

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_path = instance.__dict__.get("path")
        return instance

    def _refresh_path(self) -> None:
        self.path = self.compute_path()
        self.depth = len(self.path) // self.SEGMENT_WIDTH

    def _move_descendants(self) -> None:
        """After a save that changed this node's path, re-path its whole subtree."""
        old = getattr(self, "_saved_path", None)
        self._saved_path = self.path
        if not old or old == self.path or old.startswith("tmp"):
            return
        for node in (
            type(self)._default_manager.filter(subtree_q(old, include_self=False)).order_by("depth")
        ):
            node.save(update_fields=["path", "depth"])

    def compute_path(self) -> str:
        parent = self.parent
        prefix = parent.path if parent is not None else ""
        return prefix + self.path_segment()

    def ancestor_paths(self) -> list[str]:
        width = self.SEGMENT_WIDTH
        return [self.path[:i] for i in range(width, len(self.path), width)]

    def ancestors(self, *, include_self: bool = False):
        paths = self.ancestor_paths() + ([self.path] if include_self else [])
        return type(self)._default_manager.filter(path__in=paths).order_by("depth")

    def descendants(self, *, include_self: bool = False):
        return type(self)._default_manager.filter(subtree_q(self.path, include_self=include_self))

    def is_descendant_of(self, other: TreeNode) -> bool:
        return self.path.startswith(other.path) and self.path != other.path
