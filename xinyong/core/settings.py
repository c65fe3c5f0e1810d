"""The one place that reads the environment.

Every setting is an ``XINYONG_`` environment variable (or a line in ``.env``); the rest of the
code asks :func:`get_settings` and never reads ``os.environ`` itself. Each field is documented in
``docs/settings.md`` and a test fails when one is not.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINYONG_", env_file=".env", extra="ignore")

    var_dir: Path = Field(Path("var"), description="Folder for the SQLite database and keys.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; empty means SQLite (WAL) at VAR_DIR/xinyong.db.",
    )
    policy_dir: Path | None = Field(
        None,
        description="Folder of policy lists loaded by `xinyong init`; empty means the shipped defaults.",
    )
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8000, description="Port the web server listens on.")
    import_chunk_rows: int = Field(
        5000, ge=100, le=100_000, description="Rows validated and written together during an import."
    )
    max_import_errors_reported: int = Field(
        100_000, ge=1, description="At most this many row errors are written to an error report."
    )
    page_size: int = Field(50, ge=5, le=500, description="Rows per page in web lists.")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'xinyong.db').as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment)."""
    get_settings.cache_clear()
