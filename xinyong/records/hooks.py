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


# --- what a credit file says of a subject's standing ------------------------------------------

# ``hook(session, subject, full, policy)`` → lines (label, text) for the head of the subject's
# credit file: the lists it is on, its grade. ``full`` is True when the reader sees the file in
# full (the subject itself, an official whose region covers it); a hook shows the public only
# what the policy publishes. Registered by the packages below records (lists).
Standing = Callable[..., list[tuple[str, str]]]

_standing: Hooks[Standing] = Hooks()
register_standing = _standing.register


def standing(session: Session, subject, full: bool, policy) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for hook in _standing.registered():
        lines += hook(session, subject, full, policy)
    return lines
