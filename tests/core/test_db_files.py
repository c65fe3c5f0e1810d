"""The SQLite database is created owner-only: it holds encrypted identity numbers, their keyed
hashes and the audit log, and was created readable by every user of the machine."""

from __future__ import annotations

import stat

from sqlalchemy import text

from xinyong.core import db as core_db
from xinyong.core import settings


def _build(var, monkeypatch, url_dir=None) -> dict[str, int]:
    monkeypatch.setenv("XINYONG_VAR_DIR", str(var))
    settings.reset_settings()
    folder = url_dir or var
    engine = core_db.make_engine(f"sqlite:///{(folder / 'xinyong.db').as_posix()}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    finally:
        engine.dispose()
        settings.reset_settings()


def test_a_new_database_and_its_folder_are_owner_only(tmp_path, monkeypatch):
    var = tmp_path / "var"
    modes = _build(var, monkeypatch)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert modes["xinyong.db"] == 0o600
    assert set(modes.values()) == {0o600}  # the -wal and -shm files too


def test_the_platforms_folder_made_earlier_is_tightened_when_the_database_is_created(tmp_path, monkeypatch):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    _build(var, monkeypatch)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700


def test_a_folder_the_operator_chose_keeps_its_mode(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o750)
    modes = _build(tmp_path / "var", monkeypatch, url_dir=data)
    assert stat.S_IMODE(data.stat().st_mode) == 0o750
    assert modes["xinyong.db"] == 0o600
