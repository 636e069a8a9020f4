"""The platform's one domain error type and its mapping to HTTP statuses."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


class SmartgovError(Exception):
    """A failure a caller can act on: a stable machine code, a human message, optional detail.

    Services raise it; the API handler and the page views turn it into a response. The code is
    what clients branch on, so it never changes once published. The message is an English
    msgid, translated into the active language (zh-hans by default) when it is read.
    """

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        detail: Any = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.raw_message = message
        self.detail = detail
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        return (
            gettext(str(self.raw_message))
            if isinstance(self.raw_message, str)
            else str(self.raw_message)
        )

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class InvalidInput(SmartgovError):
    """Input failed validation (malformed ID, bad value)."""

    status = 400


class NotFound(SmartgovError):
    """The object does not exist, or the actor may not know that it exists."""

    status = 404


class PermissionDeniedError(SmartgovError):
    """The actor is known but not allowed to do this."""

    status = 403


class NotAuthenticated(SmartgovError):
    """No valid credentials came with the request."""

    status = 401


class Conflict(SmartgovError):
    """The request clashes with the current state (duplicate, wrong lifecycle state)."""

    status = 409


class Throttled(SmartgovError):
    """Too many requests; the caller should wait."""

    status = 429


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    """The JSON shape of every API error."""
    return {"code": code, "message": gettext(str(message)), "detail": detail}
