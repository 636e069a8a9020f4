"""Approval after acceptance (审批): one task per item step, time requests, attachments.

When an application is accepted, its item version's ``ItemStep`` rows become ``ApprovalTask``
rows. Steps run in ``position`` order; consecutive steps sharing a non-empty
``parallel_group`` run at the same time (并联审批), each in its own department, and the next
step starts when all of them are done. A task's due date counts its step's ``limit_days``
working days from the day it became active.

``TimeRequest`` is a handler's request to suspend the clock (中止/特别程序) or extend the
limit (延期); a supervisor decides it. ``EventAttachment`` holds files attached to one
timeline event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.scope import ScopeFields
from smartgov.core.models import Department
from smartgov.services.application_models import Application, ApplicationEvent, WarningLevel


class TaskStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for earlier steps")
    ACTIVE = "active", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TaskDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    DENY = "deny", _("Deny")


class ApprovalTask(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(
        "services.ItemStep", on_delete=models.PROTECT, related_name="+", verbose_name=_("step")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("step name"), max_length=64)
    parallel_group = models.CharField(_("parallel group"), max_length=32, blank=True)
    role = models.CharField(_("role"), max_length=64, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=TaskStatus.choices,
        default=TaskStatus.WAITING,
        db_index=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    activated_at = models.DateTimeField(_("started at"), null=True, blank=True)
    due_date = models.DateField(_("step due date"), null=True, blank=True)
    warning_level = models.CharField(
        _("warning"), max_length=8, choices=WarningLevel.choices, default=WarningLevel.NONE
    )
    decision = models.CharField(
        _("decision"), max_length=16, choices=TaskDecision.choices, blank=True
    )
    comment = models.TextField(_("opinion"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finished by"),
    )

    scope_fields = ScopeFields(department="department")

    class Meta:
        ordering = ["application", "position", "pk"]
        verbose_name = _("approval task")
        verbose_name_plural = _("approval tasks")
        indexes = [models.Index(fields=["department", "status"], name="services_task_dept_st")]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.position}. {self.name}"


class TimeRequestKind(models.TextChoices):
    SUSPEND = "suspend", _("Suspension (clock stopped)")
    EXTEND = "extend", _("Extension of the limit")


class TimeRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the supervisor")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ENDED = "ended", _("Ended (clock resumed)")


class TimeRequest(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="time_requests"
    )
    task = models.ForeignKey(
        ApprovalTask, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TimeRequestKind.choices)
    days = models.PositiveIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=TimeRequestStatus.choices,
        default=TimeRequestStatus.PENDING,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    # A suspension ends on this day at the latest (or earlier, when the handler resumes).
    ends_on = models.DateField(_("suspended until"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    scope_fields = ScopeFields(department="application__item__department")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("time request")
        verbose_name_plural = _("time requests")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.kind} {self.days} ({self.status})"


class EventAttachment(models.Model):
    """A file attached to one timeline event (checked by its first bytes, ≤ 10 MB)."""

    event = models.ForeignKey(
        ApplicationEvent, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="application-events/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    scope_fields = ScopeFields(department="event__application__item__department")

    class Meta:
        ordering = ["event", "pk"]

    def __str__(self) -> str:
        return self.name
