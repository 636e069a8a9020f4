"""A small in-process publisher of domain events (DESIGN.md: cross-module reactions).

    events.subscribe("services.application_approved", issue_result_license)
    events.publish("services.application_approved", application=application, actor=actor)

Handlers run synchronously, in the publisher's transaction, in the order they subscribed; an
exception in a handler propagates, so the publisher's transaction rolls back and nothing is
half done. Slow work belongs in a task the handler enqueues, not in the handler.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

Handler = Callable[..., None]

_HANDLERS: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    """Call ``handler(**payload)`` on every ``publish(name, …)``; subscribing twice is a no-op."""
    if handler not in _HANDLERS[name]:
        _HANDLERS[name].append(handler)


def unsubscribe(name: str, handler: Handler) -> None:
    if handler in _HANDLERS.get(name, []):
        _HANDLERS[name].remove(handler)


def publish(name: str, **payload) -> None:
    for handler in list(_HANDLERS.get(name, ())):
        handler(**payload)
