"""好差评: the applicant's rating of one application, and the rectification of a bad one.

Five levels (5 非常满意 … 1 非常不满意) with the national evaluation system's indicators.
A rating of 2 or 1 opens a ``Rectification`` for the item's department, due 15 working days
later; the department answers, the service centre revisits the applicant, and the applicant
sees the answer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields
from smartgov.core.models import Department
from smartgov.services.application_models import Application


class RatingLevel(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


class Rating(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="rating")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("rating"), choices=RatingLevel.choices)
    # Indicator codes (see ratings.py INDICATORS), the ones the applicant ticked.
    indicators = models.JSONField(_("indicators"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("channel"), max_length=16, default="online")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rated_at = models.DateTimeField(default=timezone.now, db_index=True)

    scope_fields = ScopeFields(department="department")

    class Meta:
        ordering = ["-rated_at", "-pk"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.level}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the department")
    ANSWERED = "answered", _("Answered, waiting for the revisit")
    CLOSED = "closed", _("Closed after the revisit")


class Rectification(models.Model):
    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="rectification")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
        db_index=True,
    )
    due_date = models.DateField(_("due date"))
    answer = models.TextField(_("rectification answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    revisit_satisfied = models.BooleanField(_("satisfied at the revisit"), null=True, blank=True)
    revisit_comment = models.TextField(_("revisit notes"), blank=True)
    revisited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revisited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    scope_fields = ScopeFields(department="department")

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")

    def __str__(self) -> str:
        return f"rectification of {self.rating_id} ({self.status})"
