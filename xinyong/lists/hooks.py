"""What runs after the lists change, inside the transaction that changed them.

``lists`` sits above the packages that react to a listing or a removal (the checks' real-time
push, 实时推送), so it cannot call them; they register here instead, the way the lists
themselves register with :mod:`xinyong.records.hooks`.

A hook is called as ``hook(session, after_event_id)`` once a change is flushed and before the
caller commits, so a failing hook rolls the change back with it. The events the change made are
the ``list_entry_events`` rows with ``id > after_event_id``: the service takes the
:func:`mark` (the highest event id this transaction can see) *before* it writes, and every
event it writes afterwards gets a larger id — on SQLite because one writer at a time takes
``max + 1``, on PostgreSQL because a sequence only grows, so an id handed out after the mark
exceeds every id that was visible at the mark. No column or bookkeeping is needed, and it
works for the set-based :func:`xinyong.lists.service.refresh`, whose ``INSERT … SELECT``
statements return no ids.

Under concurrency the range can also hold events another transaction committed in between
(on PostgreSQL, READ COMMITTED). A hook must therefore be idempotent per event — the push
producer skips an event it has already made a message for, and since a transaction's events
and its messages become visible together at its commit, an event seen from outside always
comes with its messages.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.core.hooks import Hooks

Hook = Callable[[Session, int], None]

_registry: Hooks[Hook] = Hooks()
register = _registry.register
unregister = _registry.unregister
registered = _registry.registered


def mark(session: Session) -> int | None:
    """The highest ``list_entry_events.id`` visible now (0 when there is none), taken before a
    change; None when no hook is registered (then nothing needs to know)."""
    if not registered():
        return None
    from xinyong.lists.models import ListEntryEvent

    return int(session.scalar(select(func.max(ListEntryEvent.id))) or 0)


def run(session: Session, after_event_id: int | None) -> None:
    """Call every hook with the mark taken before the change (nothing when there was none)."""
    if after_event_id is None:
        return
    session.flush()
    for hook in registered():
        hook(session, after_event_id)
