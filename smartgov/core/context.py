"""Per-request context (request id, source IP, actor) that the audit log reads.

Kept in a context variable so services need not thread the request through every call.
Commands and tasks set it with ``audit_context``.
"""

from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    source_ip: str = ""
    channel: str = "system"


_EMPTY = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("smartgov_request", default=_EMPTY)


def current() -> RequestContext:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def audit_context(**changes):
    """Run a block with the given request id / source IP / channel (for commands and tasks)."""
    base = current()
    if "request_id" not in changes and not base.request_id:
        changes["request_id"] = new_request_id()
    token = _current.set(replace(base, **changes))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def set_for_request(ctx: RequestContext):
    return _current.set(ctx)


def reset(token) -> None:
    _current.reset(token)
