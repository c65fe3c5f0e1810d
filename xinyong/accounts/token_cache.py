"""API tokens resolved in the last few seconds, trusted again without asking the database.

Why: every call of a department's system presents its token, and resolving one is a query (the
token and its user, the department's categories) made in a worker thread: on the platform's
busiest route, single checks (应查必查), that query and the trip through the thread pool cost
about as much as the rest of the request's framework together (benchmarks/README.md, checks). A
token answered from here needs neither: the access rule runs on the event loop.

What it costs: a change made by *another process* — a token revoked from the command line, a
user locked or given another role there, a department's categories changed — reaches this
process within ``XINYONG_TOKEN_CACHE_SECONDS`` (default 5). A change made in *this* process
empties the cache at once: any flush that writes a user, a token (other than its
``last_used_at``) or a department clears it, and so does an ``UPDATE`` or ``DELETE`` statement on
their tables run through a session. Expiry is checked on every call against the
token's own time. ``XINYONG_TOKEN_CACHE_SECONDS=0`` turns the cache off (every call asks the
database, as before).

Nothing here holds a database object: an entry is the :class:`Principal` (frozen) and the
token's id and expiry. Entries are keyed by the database as well as the token's hash, so a
process that switches databases (the tests) never carries a token across.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from xinyong.accounts.models import ApiToken, Department, User
from xinyong.accounts.principal import Principal

MAX_ENTRIES = 10_000  # distinct tokens remembered at once; the cache is emptied when full


@dataclass(frozen=True)
class CachedToken:
    principal: Principal
    token_id: int
    expires_at: datetime
    until: float  # time.monotonic() after which the database is asked again


class TokenCache:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], CachedToken] = {}
        self._lock = threading.Lock()

    def get(self, database: str, token_hash: str, now: float | None = None) -> CachedToken | None:
        entry = self._entries.get((database, token_hash))
        if entry is None:
            return None
        if (time.monotonic() if now is None else now) >= entry.until:
            self._entries.pop((database, token_hash), None)
            return None
        return entry

    def put(self, database: str, token_hash: str, principal: Principal, token_id: int, expires_at: datetime,
            seconds: float, now: float | None = None) -> None:
        if seconds <= 0:
            return
        until = (time.monotonic() if now is None else now) + seconds
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[(database, token_hash)] = CachedToken(principal, token_id, expires_at, until)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


tokens = TokenCache()


def _only_last_used(obj: ApiToken) -> bool:
    """A token whose one change is ``last_used_at`` (what every resolve writes once a minute)."""
    state = inspect(obj)
    changed = {a.key for a in state.attrs if a.history.has_changes()}
    return changed <= {"last_used_at"}


@event.listens_for(Session, "after_flush")
def _forget_on_change(session: Session, _context) -> None:
    """Empty the cache when this process writes anything a resolved token depends on. The
    session's new/dirty/deleted sets still hold what was just flushed (pre-flush state)."""
    if not len(tokens):
        return
    watched = User | Department | ApiToken
    if any(isinstance(obj, watched) for obj in (*session.new, *session.deleted)) or any(
            isinstance(obj, watched) and not (isinstance(obj, ApiToken) and _only_last_used(obj))
            for obj in session.dirty):
        tokens.clear()


_TABLES = frozenset({User.__tablename__, ApiToken.__tablename__, Department.__tablename__})


@event.listens_for(Session, "do_orm_execute")
def _forget_on_statement(state: ORMExecuteState) -> None:
    """The same for ``session.execute(update(User)…)`` and the like, which no flush sees."""
    if len(tokens) and (state.is_update or state.is_delete):
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _TABLES:
            tokens.clear()
