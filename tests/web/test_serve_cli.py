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


def test_serve_starts_the_job_workers_and_stops_them(tmp_path, monkeypatch):
    """Uploaded files are imported by job workers beside the web server (XINYONG_JOBS_WORKERS),
    never in a web request; they end with the server. 0 starts none."""
    from xinyong.core import settings

    class FakeProcess:
        def __init__(self, args):
            self.args, self.stopped = args, False
            spawned.append(self)

        def terminate(self):
            self.stopped = True

        def wait(self, timeout=None):
            return 0

    spawned: list[FakeProcess] = []
    monkeypatch.setattr("subprocess.Popen", FakeProcess)
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: None)
    monkeypatch.setenv("XINYONG_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("XINYONG_JOBS_WORKERS", "2")
    settings.reset_settings()
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert len(spawned) == 2 and all(p.args[-1] == "worker" and p.stopped for p in spawned)
    monkeypatch.setenv("XINYONG_JOBS_WORKERS", "0")
    settings.reset_settings()
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0 and len(spawned) == 2
    settings.reset_settings()
