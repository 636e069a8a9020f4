"""Photos and documents on cases: checked by their first bytes (not the name a client sent),
limited in size and number, hashed (SHA-256) and stored with Django's default storage
(``MEDIA_ROOT`` under the var directory, ``governance/<year>/<month>/``)."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile

from smartgov.core import files as filetypes
from smartgov.core.errors import InvalidInput
from smartgov.governance.models import Case, CaseAttachment, CaseEvent

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_FILES = 9


def max_bytes() -> int:
    return int(getattr(settings, "GOVERNANCE_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_files() -> int:
    return int(getattr(settings, "GOVERNANCE_ATTACHMENT_MAX_FILES", DEFAULT_MAX_FILES))


@dataclass(frozen=True)
class PreparedFile:
    name: str
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def sniff(head: bytes) -> str | None:
    """The content type the bytes start like (JPEG, PNG, GIF, WebP, PDF), else None."""
    return filetypes.sniff(head, filetypes.PHOTOS_AND_PDF)


def _read(item) -> tuple[str, bytes]:
    """(name, bytes) from an uploaded file, a File, or a (name, bytes) pair."""
    if isinstance(item, tuple) and len(item) == 2:
        name, content = item
        return str(name), bytes(content)
    name = getattr(item, "name", "") or "file"
    size = getattr(item, "size", None)
    if size is not None and size > max_bytes():
        raise InvalidInput(
            "attachment_too_large",
            "An attachment is larger than allowed.",
            detail={"name": os.path.basename(name), "max_bytes": max_bytes()},
        )
    if hasattr(item, "seek"):
        item.seek(0)
    return name, item.read(max_bytes() + 1)


def prepare(items) -> list[PreparedFile]:
    """Check every file before anything is stored: type by content, size, count."""
    items = list(items or ())
    if len(items) > max_files():
        raise InvalidInput(
            "too_many_attachments",
            "Too many attachments at once.",
            detail={"max_files": max_files()},
        )
    prepared = []
    for item in items:
        name, content = _read(item)
        name = os.path.basename(name.replace("\\", "/")).strip()[:200] or "file"
        if not content:
            raise InvalidInput("attachment_empty", "An attachment is empty.", detail={"name": name})
        if len(content) > max_bytes():
            raise InvalidInput(
                "attachment_too_large",
                "An attachment is larger than allowed.",
                detail={"name": name, "max_bytes": max_bytes()},
            )
        content_type = sniff(content[:16])
        if content_type is None:
            raise InvalidInput(
                "attachment_type",
                "Attachments must be photos (JPEG, PNG, GIF, WebP) or PDF documents.",
                detail={"name": name},
            )
        prepared.append(
            PreparedFile(
                name=name,
                content=content,
                content_type=content_type,
                sha256=hashlib.sha256(content).hexdigest(),
            )
        )
    return prepared


def store(
    case: Case, files: list[PreparedFile], *, actor, event: CaseEvent | None = None
) -> list[CaseAttachment]:
    """Write checked files to storage and their rows (inside the caller's transaction)."""
    stored = []
    for prepared in files:
        attachment = CaseAttachment(
            case=case,
            event=event,
            name=prepared.name,
            content_type=prepared.content_type,
            size=prepared.size,
            sha256=prepared.sha256,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        filename = f"{uuid.uuid4().hex}{filetypes.extension(prepared.content_type)}"
        attachment.file.save(filename, ContentFile(prepared.content), save=False)
        attachment.save()
        stored.append(attachment)
    if event is not None and stored:
        event.data = {**event.data, "attachments": [a.pk for a in stored]}
        event.save(update_fields=["data"])
    return stored
