"""`xinyong serve --workers N`: several web processes need PostgreSQL; on SQLite it is refused
with the reason, before any server starts."""

from __future__ import annotations

from typer.testing import CliRunner

from xinyong.cli import app


def test_several_workers_are_refused_on_sqlite(tmp_path, monkeypatch):
    from xinyong.core import settings

    monkeypatch.setenv("XINYONG_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    settings.reset_settings()
    started = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: started.append(kw))
    result = CliRunner().invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code == 2 and "PostgreSQL" in result.output and not started
    result = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert result.exit_code == 0 and started[0]["workers"] == 1 and started[0]["port"] == 8123
    monkeypatch.setenv("XINYONG_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1:1/none")
    settings.reset_settings()
    result = CliRunner().invoke(app, ["serve", "--workers", "3"])
    assert result.exit_code == 0 and started[1]["workers"] == 3
    settings.reset_settings()
