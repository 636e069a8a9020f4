"""The append-only, hash-chained audit log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """One state change: who did what to which object, before and after, chained by SM3 hash.

    Rows are only ever inserted (by ``smartgov.core.audit.record``); database triggers refuse
    UPDATE and DELETE, and ``smartgov audit verify`` detects changes made around them.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    source_ip = models.CharField(_("source IP"), max_length=45, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """Single row holding the chain's last sequence number and hash; locked by each append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AuditCheckpoint(models.Model):
    """An SM2 signature over the chain head at one record, made with the platform's key.

    Database access alone cannot forge one: rewriting the chain (re-hashing records and
    moving the head) leaves the signed hash of an earlier record behind, which verification
    compares. The signing key lives outside the database (``AUDIT_SIGNING_KEY`` or var/).
    """

    seq = models.BigIntegerField(_("sequence"), unique=True)
    record_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    public_key = models.CharField(max_length=128)
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"checkpoint #{self.seq}"
