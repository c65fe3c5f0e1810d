"""实时推送: the real-time push of credit changes to the departments that deal with a subject —
subscriptions, the outbox, the inbox, webhooks and statistics (浙政办发〔2017〕75号 二(二)5).

Importing the package registers the push producers as hooks of the packages above it, which
cannot call the push themselves: :func:`xinyong.push.events.on_list_events` with
:mod:`xinyong.lists.hooks` (after a refresh, a listing or a removal) and
:func:`xinyong.push.events.on_import` with :mod:`xinyong.records.hooks` (after an import batch).
``xinyong.checks`` and ``xinyong.lists`` are imported first: the push reads the checks' table
(a recent check makes a department watch a subject), and the lists' own records hook — the
refresh that lists a batch's records — must be registered before the push's so that it runs
first: the listings it makes are pushed by the lists hook, then the batch's records by the
records hook, all in the batch's transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

import xinyong.checks  # noqa: F401  (the checks' tables, which the push reads)
import xinyong.lists  # noqa: F401  (registers the lists' records hook before the push's)
from xinyong.lists import hooks as _list_hooks
from xinyong.records import hooks as _record_hooks


def _push_list_events(session: Session, after_event_id: int) -> None:
    from xinyong.push.events import on_list_events

    on_list_events(session, after_event_id)


def _push_import(session: Session, batch_id: int) -> None:
    from xinyong.push.events import on_import

    on_import(session, batch_id)


_list_hooks.register(_push_list_events)
_record_hooks.register(_push_import)
