"""Files attached to timeline events (an approver's opinion, a decision): checked by their first
bytes (``core.files``) — PDF, JPEG, PNG or an OFD document (a zip with ``OFD.xml``, GB/T 33190) —
at most 10 MB each and 9 at once, hashed (SHA-256), stored with Django's default storage under
``application-events/<year>/<month>/``. Every file is checked before any is stored."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile

from smartgov.core import files
from smartgov.core.errors import InvalidInput
from smartgov.services.workflow_models import EventAttachment

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_FILES = 9


def max_bytes() -> int:
    return int(getattr(settings, "SERVICES_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_files() -> int:
    return int(getattr(settings, "SERVICES_ATTACHMENT_MAX_FILES", DEFAULT_MAX_FILES))


@dataclass(frozen=True)
class PreparedFile:
    name: str
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _is_ofd(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "OFD.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def sniff(content: bytes) -> str | None:
    """The content type the bytes are (PDF, JPEG, PNG, OFD: core.files), else None. An OFD
    must be a readable zip with ``OFD.xml``, not just any zip."""
    content_type = files.sniff(content[:16], files.DOCUMENTS)
    if content_type == "application/ofd" and not _is_ofd(content):
        return None
    return content_type


def _read(item) -> tuple[str, bytes]:
    """(name, bytes) of an uploaded file or any object with ``.name`` and ``.read()``."""
    name = str(getattr(item, "name", "") or "file")
    size = getattr(item, "size", None)
    if isinstance(size, int) and size > max_bytes():
        raise InvalidInput(
            "attachment_too_large",
            "An attachment is larger than allowed.",
            detail={"name": os.path.basename(name), "max_bytes": max_bytes()},
        )
    if hasattr(item, "seek"):
        item.seek(0)
    try:
        content = item.read(max_bytes() + 1)
    except TypeError:  # a reader without a size argument
        content = item.read()
    return name, bytes(content or b"")


def prepare(items) -> list[PreparedFile]:
    """Check every file (count, size, type by content) before anything is stored."""
    items = list(items or ())
    if len(items) > max_files():
        raise InvalidInput(
            "too_many_attachments",
            "Too many attachments at once.",
            detail={"max_files": max_files()},
        )
    prepared = []
    for position, item in enumerate(items):
        if not hasattr(item, "read"):
            raise InvalidInput(
                "attachment_invalid",
                "An attachment is not a file.",
                detail={"attachment": position},
            )
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
        content_type = sniff(content)
        if content_type is None:
            raise InvalidInput(
                "attachment_type",
                "Attachments must be PDF, OFD, JPEG or PNG files.",
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


def store(event, prepared_files: list[PreparedFile]) -> list[EventAttachment]:
    """Write checked files and their rows on ``event`` (inside the caller's transaction)."""
    stored = []
    for prepared in prepared_files:
        attachment = EventAttachment(
            event=event,
            name=prepared.name,
            content_type=prepared.content_type,
            size=prepared.size,
            sha256=prepared.sha256,
        )
        filename = f"{uuid.uuid4().hex}{files.extension(prepared.content_type)}"
        attachment.file.save(filename, ContentFile(prepared.content), save=False)
        attachment.save()
        stored.append(attachment)
    if stored:
        event.data = {
            **event.data,
            "attachments": [
                {"id": a.pk, "name": a.name, "sha256": a.sha256, "size": a.size} for a in stored
            ],
        }
        event.save(update_fields=["data"])
    return stored
