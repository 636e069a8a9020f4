"""Administrative regions (GB/T 2260) and the department tree."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartgov.core.tree import TreeNode


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("District / county")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")


REGION_LEVEL_DEPTH = {
    RegionLevel.PROVINCE: 1,
    RegionLevel.CITY: 2,
    RegionLevel.COUNTY: 3,
    RegionLevel.STREET: 4,
    RegionLevel.COMMUNITY: 5,
}


class Region(TreeNode):
    """An administrative division with its GB/T 2260 code (6, 9 or 12 digits)."""

    SEGMENT_WIDTH = 12

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def path_segment(self) -> str:
        return self.code.ljust(self.SEGMENT_WIDTH, "0")

    def save(self, *args, **kwargs):
        self._refresh_path()
        super().save(*args, **kwargs)
        self._move_descendants()

    @property
    def full_name(self) -> str:
        return "".join(r.name for r in self.ancestors(include_self=True))


class DepartmentKind(models.TextChoices):
    CITY_OFFICE = "city_office", _("City government office")
    BUREAU = "bureau", _("Bureau")
    DISTRICT_OFFICE = "district_office", _("District government office")
    STREET_OFFICE = "street_office", _("Street office")
    COMMUNITY = "community", _("Community")
    DATA_BUREAU = "data_bureau", _("Data bureau")


class Department(TreeNode):
    """A government body or unit; sits in a region and under a parent department."""

    SEGMENT_WIDTH = 10

    name = models.CharField(_("name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    code = models.CharField(
        _("organisation code"),
        max_length=18,
        blank=True,
        help_text=_("Unified social credit code of the body, when it has one."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=DepartmentKind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("region")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent department"),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="department_unique_name_under_parent"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="department_unique_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def path_segment(self) -> str:
        return str(self.pk).zfill(self.SEGMENT_WIDTH)

    def save(self, *args, **kwargs):
        if self.pk is None:
            # The path needs the primary key: insert with a unique placeholder, then fix it.
            self.path = "tmp" + uuid.uuid4().hex
            super().save(*args, **kwargs)
            self._refresh_path()
            super().save(update_fields=["path", "depth"])
            self._saved_path = self.path
            return
        self._refresh_path()
        super().save(*args, **kwargs)
        self._move_descendants()
