"""What runs at the end of every records import, inside the batch's transaction.

``records`` sits above the packages that react to new records (the lists, later the
evaluation), so it cannot call them; they register here instead. A hook is called as
``hook(session, batch_id)`` after the batch's rows are written and before the caller commits,
so a failing hook rolls the whole batch back with it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from xinyong.core.hooks import Hooks

Hook = Callable[[Session, int], None]

_registry: Hooks[Hook] = Hooks()
register = _registry.register
unregister = _registry.unregister
registered = _registry.registered


def run(session: Session, batch_id: int) -> None:
    for hook in registered():
        hook(session, batch_id)
