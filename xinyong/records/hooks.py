"""What runs at the end of every records import, inside the batch's transaction.

``records`` sits above the packages that react to new records (the lists, later the
evaluation), so it cannot call them; they register here instead. A hook is called as
``hook(session, batch_id)`` after the batch's rows are written and before the caller commits,
so a failing hook rolls the whole batch back with it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

Hook = Callable[[Session, int], None]

_hooks: list[Hook] = []


def register(hook: Hook) -> Hook:
    """Add ``hook`` (once, however often it is registered); returns it, so it can decorate."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def unregister(hook: Hook) -> None:
    if hook in _hooks:
        _hooks.remove(hook)


def registered() -> list[Hook]:
    return list(_hooks)


def run(session: Session, batch_id: int) -> None:
    for hook in list(_hooks):
        hook(session, batch_id)
