"""Demo-data hooks: ``smartgov demo`` calls each registered loader in order.

Later modules register in their AppConfig.ready():

    register_demo_loader("governance", load_demo_cases, after=("accounts",))

A loader must be idempotent (running the demo twice changes nothing) and return a short
summary line for the console.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLoader:
    code: str
    load: Callable[..., str]
    after: tuple[str, ...] = ()


_LOADERS: dict[str, DemoLoader] = {}


def register_demo_loader(
    code: str, load: Callable[..., str], *, after: tuple[str, ...] = ()
) -> None:
    _LOADERS[code] = DemoLoader(code=code, load=load, after=tuple(after))


def ordered_loaders() -> list[DemoLoader]:
    """Loaders sorted so each runs after the ones it names (stable otherwise)."""
    done: list[DemoLoader] = []
    seen: set[str] = set()

    def visit(loader: DemoLoader, stack: tuple[str, ...]) -> None:
        if loader.code in seen:
            return
        if loader.code in stack:
            raise ValueError(f"demo loaders form a cycle: {' -> '.join((*stack, loader.code))}")
        for dependency in loader.after:
            if dependency in _LOADERS:
                visit(_LOADERS[dependency], (*stack, loader.code))
        seen.add(loader.code)
        done.append(loader)

    for loader in _LOADERS.values():
        visit(loader, ())
    return done
