"""Shared fixtures: a fresh database per test, on SQLite always and on PostgreSQL when
``XINYONG_TEST_DATABASE_URL`` is set (``make test`` sets it when the server answers).

SQLite: the migrations run once into a template file that each test copies. PostgreSQL: the
migrations run once into a schema of this test run's own, and each test starts from emptied
tables. Either way the default policy lists are loaded and active.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.db import make_engine, session_factory

# Identity numbers are encrypted at rest (docs/privacy.md): each test process gets a data key
# ring of its own through the environment (subprocesses inherit it; key-file tests unset it).
if not os.environ.get("XINYONG_DATA_KEY"):
    import json as _json

    from xinyong.core.crypto import fresh_keyring

    os.environ["XINYONG_DATA_KEY"] = _json.dumps(fresh_keyring().as_json())

# The test client speaks plain http to "testserver", where a Secure cookie would never be sent
# back; XINYONG_COOKIE_SECURE=auto (the default) is tested on its own (tests/accounts).
os.environ.setdefault("XINYONG_COOKIE_SECURE", "false")


def pytest_configure(config):
    """Credit reports are subset from the report font's common-character cut, as in production.
    Making the cut takes seconds, and each test has a VAR_DIR of its own: the cut is kept in one
    folder for this run (made by the first report of each worker, shared by the others through
    the environment they inherit), removed at the end. tests/disclosure/test_report_font_cache.py
    tests the cut itself in a folder of its own."""
    if os.environ.get("PYTEST_XDIST_WORKER") or os.environ.get("XINYONG_CACHE_DIR"):
        return
    import tempfile

    folder = tempfile.mkdtemp(prefix="xinyong-test-cache-")
    os.environ["XINYONG_CACHE_DIR"] = folder
    config._xinyong_cache_dir = folder


def pytest_unconfigure(config):
    folder = getattr(config, "_xinyong_cache_dir", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop("XINYONG_CACHE_DIR", None)

# Uploaded files are imported by a job worker (xinyong.core.work); the tests run each job at once,
# in-process, after it is queued (tests/core/test_work.py runs the worker loop itself).
os.environ.setdefault("XINYONG_JOBS_INLINE", "1")
os.environ.setdefault("XINYONG_JOBS_WORKERS", "0")  # `serve` in a test starts no worker process
# A server started by a test (``xinyong serve``) runs no daily jobs of its own: the tests run
# them where they mean to (tests/jobs).
os.environ["XINYONG_DAILY_ENABLED"] = "false"

PG_URL = os.environ.get("XINYONG_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
KEEP_TABLES = {"alembic_version", "policy_versions"}


def pytest_ignore_collect(collection_path, config):
    """tests/browser needs Chromium and Playwright: `make test-browser` installs both and sets
    XINYONG_BROWSER_TESTS=1; the main suite leaves the folder out."""
    if collection_path.name == "browser" and os.environ.get("XINYONG_BROWSER_TESTS") != "1":
        return True
    return None


@pytest.fixture
def spark_ready() -> None:
    """For the Spark tests (marked ``spark``): skipped where Spark local mode cannot run (no
    pyspark, no Java) — but failed under ``make test-spark`` (XINYONG_SPARK_TESTS=1), where a skip
    would hide that the tests did not run."""
    from xinyong.evaluation import scoring

    why = scoring.spark_available()
    if why and os.environ.get("XINYONG_SPARK_TESTS") == "1":
        pytest.fail(f"XINYONG_SPARK_TESTS=1 but Spark local mode cannot run here: {why}")
    if why:
        pytest.skip(f"Spark local mode cannot run here: {why}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with session_factory(engine)() as s:
        catalog_service.ensure_default(s, user="test")
        s.commit()
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str | None]:
    if not PG_URL:
        yield None
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    schema = f"t_{worker}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = _pg_engine(schema)
    migrate.upgrade(engine)
    with session_factory(engine)() as s:
        catalog_service.ensure_default(s, user="test")
        s.commit()
    engine.dispose()
    yield schema
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _pg_engine(schema: str) -> Engine:
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"}, pool_size=5)
    return engine


def pg_url_for(schema: str) -> str:
    """A URL that lands in the test schema, for a subprocess (the CLI) to use."""
    from urllib.parse import quote

    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, tmp_path, sqlite_template, pg_schema) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "xinyong.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    assert pg_schema
    engine = _pg_engine(pg_schema)
    with engine.begin() as conn:
        names = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": pg_schema})]
        wipe = [n for n in names if n not in KEEP_TABLES]
        if wipe:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in wipe) + " RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield pg_url_for(pg_schema)


@pytest.fixture
def engine(db_url) -> Iterator[Engine]:
    engine = make_engine(db_url) if db_url.startswith("sqlite") else create_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    s = session_factory(engine)()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


@pytest.fixture
def app_env(db_url, monkeypatch, tmp_path) -> Iterator[str]:
    """Point the settings (and so the CLI and the web app) at this test's database."""
    from xinyong.core import settings

    monkeypatch.setenv("XINYONG_DATABASE_URL", db_url)
    monkeypatch.setenv("XINYONG_VAR_DIR", str(tmp_path / "var"))
    settings.reset_settings()
    core_db.reset_engines()
    yield db_url
    settings.reset_settings()
    core_db.reset_engines()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The login and API rate limits, the resolved-token cache and the home page's counts are
    kept in-process: each test starts with none used."""
    from xinyong.accounts import ratelimit, token_cache
    from xinyong.records.home_counts import cache as home_counts

    ratelimit.reset()
    token_cache.tokens.clear()
    home_counts.clear()
    yield


@pytest.fixture
def policy(session):
    return catalog_service.active_version(session)[1]


class QueryCounter:
    """Counts the SQL statements an engine runs (pinned query counts per page)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.count = 0

    def _on(self, *_args, **_kwargs) -> None:
        self.count += 1

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on)


@pytest.fixture
def count_queries():
    return QueryCounter
