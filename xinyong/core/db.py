"""Database engine, sessions and the declarative base.

SQLite (WAL mode, in ``var/``) is the zero-set-up default; PostgreSQL is chosen by
``XINYONG_DATABASE_URL``. Everything above this module speaks SQLAlchemy 2 and never asks which
one it got, except where a bulk load is measurably faster on one (the ingest writer uses COPY on
PostgreSQL).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import JSON, MetaData, create_engine, event, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from xinyong.core.settings import get_settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON on SQLite, JSONB on PostgreSQL (indexable, compact).
JSONType = JSON().with_variant(JSONB(), "postgresql")


# The largest row number both databases store (PostgreSQL ``integer`` keys are 32-bit signed).
MAX_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def _private_sqlite_file(path: Path) -> None:
    """Create the SQLite database file owner-only (0600) in an owner-only folder (0700): it holds
    encrypted identity numbers, their keyed hashes and the audit log, and was created readable by
    every user of the machine. SQLite gives its -wal and -shm files the database file's mode. The
    platform's own folder (``XINYONG_VAR_DIR``) is tightened when the database is first created in
    it; a folder an operator chose elsewhere keeps its mode unless the platform creates it."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
    elif folder.resolve() == get_settings().var_dir.resolve() and not path.exists():
        folder.chmod(0o700)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            _private_sqlite_file(Path(path))
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    idle = get_settings().db_ping_idle_seconds
    engine = create_engine(url, pool_pre_ping=idle == 0, pool_size=10, max_overflow=20)
    if idle > 0:
        _ping_when_idle(engine, idle)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection with a round trip only when it has been idle ``idle_seconds``.

    Why not ``pool_pre_ping``: that pings on every checkout, a round trip (about 0.15 ms) on
    every request, for a failure — the server restarted, a firewall dropped an idle connection —
    that idle connections suffer. A connection handed back moments ago is used as it is; if the
    server did go away in between, that request fails, SQLAlchemy sees the disconnect and renews
    the whole pool, and the next request gets a fresh connection. The ping is SQLAlchemy's own
    (``dialect.do_ping``); raising ``DisconnectionError`` from ``checkout`` makes the pool
    replace the connection and try again (SQLAlchemy's documented custom pessimistic ping).
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the pooled connection is gone") from exc


_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """The process's engine for ``url`` (default: the settings' database), made once."""
    url = url or get_settings().effective_database_url
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = make_engine(url)
    return engine


def defer_durability(session: Session) -> None:
    """Let this transaction's commit return before its write-ahead log reaches the disk.

    PostgreSQL's ``synchronous_commit = off``, for this transaction only (``SET LOCAL``): a
    crash of the database server may lose the transactions committed in the last moments
    (at most three times ``wal_writer_delay``, 0.6 s by default), but never leaves the database
    inconsistent, and the log is replayed in order, so a lost transaction takes every later one
    with it (the audit chain never has a hole). Used where the answer matters more than the
    last fraction of a second of a log (single checks; see ``checks_synchronous_commit``).
    SQLite needs nothing: in WAL mode with ``synchronous=NORMAL`` a commit does not wait for the
    disk either (only a checkpoint does).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def reset_engines() -> None:
    """Dispose of every engine (tests switch databases; a forked worker must not share them)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
