"""联合奖惩核查: scenario checks for one subject or a batch, measures, feedback, statistics, and
the real-time push (实时推送) of credit changes to the departments that deal with a subject.

Importing the package registers the push producers as hooks of the packages above it, which
cannot call checks themselves: :func:`xinyong.checks.push.on_list_events` with
:mod:`xinyong.lists.hooks` (after a refresh, a listing or a removal) and
:func:`xinyong.checks.push.on_import` with :mod:`xinyong.records.hooks` (after an import batch).
``xinyong.lists`` is imported first, so its own records hook — the refresh that lists a batch's
records — is registered before the push's and runs first: the listings it makes are pushed by
the lists hook, then the batch's records by the records hook, all in the batch's transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

import xinyong.lists  # noqa: F401  (registers the lists' records hook before the push's)
from xinyong.lists import hooks as _list_hooks
from xinyong.records import hooks as _record_hooks


def _push_list_events(session: Session, after_event_id: int) -> None:
    from xinyong.checks.push import on_list_events

    on_list_events(session, after_event_id)


def _push_import(session: Session, batch_id: int) -> None:
    from xinyong.checks.push import on_import

    on_import(session, batch_id)


_list_hooks.register(_push_list_events)
_record_hooks.register(_push_import)
