"""Objections keep their attachments under the data folder: each test gets its own."""

from __future__ import annotations

import pytest

from xinyong.core import settings


@pytest.fixture(autouse=True)
def data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XINYONG_VAR_DIR", str(tmp_path / "var"))
    settings.reset_settings()
    yield tmp_path / "var"
    settings.reset_settings()
