"""A registry of hooks: how a package lets the packages below it react to its changes.

DESIGN.md's table is the dependency order, so ``records`` cannot call ``lists`` and ``lists``
cannot call ``checks``; the package that changes something keeps a :class:`Hooks` and calls
it inside the transaction of the change, and the packages that react register with it when
they are imported. Order of registration is order of calls; a hook registered twice is called
once. Written here because it is a dozen lines: pluggy (hook specifications, plugin managers)
and blinker (signals held by weak references) bring machinery these registries do not need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

H = TypeVar("H", bound=Callable[..., object])


class Hooks(Generic[H]):
    def __init__(self) -> None:
        self._hooks: list[H] = []

    def register(self, hook: H) -> H:
        """Add ``hook`` (once, however often it is registered); returns it, so it can decorate."""
        if hook not in self._hooks:
            self._hooks.append(hook)
        return hook

    def unregister(self, hook: H) -> None:
        if hook in self._hooks:
            self._hooks.remove(hook)

    def registered(self) -> list[H]:
        """The hooks, in the order they are called (a copy: a hook may unregister itself)."""
        return list(self._hooks)
