"""Documentation is part of the work: a command, setting or API route with no documentation
fails the suite (the datasette habit)."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from xinyong.cli import app
from xinyong.core.settings import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _commands(group, prefix=""):
    for name, cmd in getattr(group, "commands", {}).items():
        full = f"{prefix}{name}"
        if getattr(cmd, "commands", None):
            yield from _commands(cmd, full + " ")
        else:
            yield full


def test_every_cli_command_is_documented():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    click_app = typer.main.get_command(app)
    missing = [c for c in _commands(click_app) if f"`xinyong {c}" not in text]
    assert not missing, f"document these commands in docs/cli.md: {missing}"


def test_every_setting_is_documented():
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    missing = [f"XINYONG_{n.upper()}" for n in Settings.model_fields if f"XINYONG_{n.upper()}" not in text]
    assert not missing, f"document these settings in docs/settings.md: {missing}"


def test_every_api_route_is_documented():
    from xinyong.web.app import create_app, route_table

    text = (DOCS / "api.md").read_text(encoding="utf-8")
    paths = {r.path for r in route_table(create_app()) if r.path.startswith("/api/")}
    assert len(paths) >= 4, "the route table should list the API routes"
    paths -= {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/docs/oauth2-redirect", "/api/v1/redoc"}
    missing = sorted(p for p in paths if p not in text and re.sub(r"\{[^}]+\}", "{", p) not in text)
    assert not missing, f"document these API routes in docs/api.md: {missing}"
