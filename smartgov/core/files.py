"""What an uploaded file is, by its first bytes (never by the name or type a client sent).

Every module that takes files (case photos, application materials, approval attachments)
checks them here, so the platform accepts the same kinds everywhere.
"""

from __future__ import annotations

# content type → (file extension, magic prefixes)
KINDS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "image/jpeg": (".jpg", (b"\xff\xd8\xff",)),
    "image/png": (".png", (b"\x89PNG\r\n\x1a\n",)),
    "image/gif": (".gif", (b"GIF87a", b"GIF89a")),
    "application/pdf": (".pdf", (b"%PDF-",)),
    # OFD (GB/T 33190, China's layout document format) is a ZIP container.
    "application/ofd": (".ofd", (b"PK\x03\x04",)),
}
WEBP = "image/webp"

PHOTOS_AND_PDF = frozenset({"image/jpeg", "image/png", "image/gif", WEBP, "application/pdf"})
DOCUMENTS = frozenset({"image/jpeg", "image/png", "application/pdf", "application/ofd"})


def sniff(head: bytes, allowed: frozenset[str] = PHOTOS_AND_PDF) -> str | None:
    """The content type the bytes start like, if it is one of ``allowed``; else None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP if WEBP in allowed else None
    for content_type, (_ext, prefixes) in KINDS.items():
        if content_type in allowed and any(head.startswith(p) for p in prefixes):
            return content_type
    return None


def extension(content_type: str) -> str:
    if content_type == WEBP:
        return ".webp"
    return KINDS[content_type][0]


def head_of(file, size: int = 16) -> bytes:
    """The first bytes of a Django File / UploadedFile, leaving it at its start."""
    if hasattr(file, "seek"):
        file.seek(0)
    head = file.read(size)
    if hasattr(file, "seek"):
        file.seek(0)
    return head if isinstance(head, bytes) else head.encode()
