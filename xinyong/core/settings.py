"""The one place that reads the environment.

Every setting is an ``XINYONG_`` environment variable (or a line in ``.env``); the rest of the
code asks :func:`get_settings` and never reads ``os.environ`` itself. Each field is documented in
``docs/settings.md`` and a test fails when one is not.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINYONG_", env_file=".env", extra="ignore")

    var_dir: Path = Field(Path("var"), description="Folder for the SQLite database and keys.")
    cache_dir: Path | None = Field(
        None, description="Folder for files the platform derives and keeps between runs (the report font's "
        "common-character cut); unset: VAR_DIR/cache.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; empty means SQLite (WAL) at VAR_DIR/xinyong.db.",
    )
    db_ping_idle_seconds: float = Field(
        10, ge=0, le=3600,
        description="A pooled PostgreSQL connection idle longer than this is checked with a round trip before it is "
        "used (0: before every use). One used more recently is trusted; if the server went away meanwhile, that one "
        "request fails and the pool is renewed (docs/deployment.md).",
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
    import_worker_min_bytes: int = Field(
        16 * 2**20, ge=0,
        description="Files of this size or more are read and validated in a second process while the "
        "first writes (0: never). Starting it costs about a second.",
    )
    max_import_errors_reported: int = Field(
        100_000, ge=1, description="At most this many row errors are written to an error report."
    )
    page_size: int = Field(50, ge=5, le=500, description="Rows per page in web lists.")
    checks_synchronous_commit: bool = Field(
        False,
        description="Make each single check wait for its log to reach the disk (PostgreSQL); false lets the answer "
        "return first, at the risk of the last fraction of a second of check logs on a database crash (docs/checks.md).",
    )

    # --- accounts: login, sessions, tokens, rate limits (docs/accounts.md) ---
    password_min_length: int = Field(12, ge=12, le=128, description="Shortest password accepted.")
    password_min_classes: int = Field(
        3, ge=3, le=4, description="Character classes (lower, upper, digit, other) a password must mix."
    )
    lockout_threshold: int = Field(5, ge=1, le=100, description="Failed logins in a row that lock an account.")
    lockout_minutes: int = Field(15, ge=1, description="How long a locked account stays locked.")
    session_idle_minutes: int = Field(30, ge=1, description="A web session ends after this long without a request.")
    session_max_hours: int = Field(12, ge=1, description="A web session ends this long after login, however active.")
    cookie_secure: Literal["auto", "true", "false"] = Field(
        "auto",
        description="Mark the session and CSRF cookies Secure: auto (always, except a browser on the server itself "
        "over plain http: the demo on 127.0.0.1), true, or false (docs/deployment.md).",
    )

    @field_validator("cookie_secure", mode="before")
    @classmethod
    def _cookie_secure_word(cls, value: object) -> object:
        """true/false as any boolean spelling (1, yes, on, True…), auto as itself."""
        text = str(value).strip().lower()
        return {"1": "true", "yes": "true", "on": "true", "0": "false", "no": "false", "off": "false"}.get(text, text)

    totp_key: str | None = Field(
        None,
        description="Hex key (32 hex digits) that encrypts TOTP secrets at rest; empty means VAR_DIR/keys/totp.key.",
    )
    token_default_days: int = Field(90, ge=1, le=3650, description="Validity of a new API token unless given.")
    token_max_days: int = Field(365, ge=1, le=3650, description="Longest validity an API token may be given.")
    token_admin_max_hours: int = Field(
        12, ge=1, le=24 * 30,
        description="Longest validity of a token acting as an administrator (such a token skips TOTP; issuing one "
        "from the web needs a fresh TOTP code; docs/accounts.md).",
    )
    login_rate_per_ip: int = Field(
        30, ge=1, description="Login attempts allowed from one address per LOGIN_RATE_WINDOW_SECONDS."
    )
    login_rate_per_username: int = Field(
        10, ge=1, description="Login attempts allowed for one username per LOGIN_RATE_WINDOW_SECONDS."
    )
    login_rate_window_seconds: int = Field(300, ge=1, description="Window of the login rate limits.")
    api_rate_per_token: int = Field(
        600, ge=1, description="Requests one API token may make per API_RATE_WINDOW_SECONDS."
    )
    api_rate_window_seconds: int = Field(60, ge=1, description="Window of the API rate limit.")
    public_rate_per_ip: int = Field(
        300, ge=1, description="Requests one address may make without logging in per PUBLIC_RATE_WINDOW_SECONDS "
        "(pages and API; docs/privacy.md).",
    )
    public_rate_window_seconds: int = Field(60, ge=1, description="Window of the public rate limit.")
    person_lookup_per_ip: int = Field(
        20, ge=1, le=1000,
        description="Look-ups of a natural person (identity number and name, POST /api/v1/subjects/lookup) one address "
        "may make per PERSON_LOOKUP_WINDOW_SECONDS without logging in (docs/privacy.md, 公众查询自然人).",
    )
    person_lookup_window_seconds: int = Field(3600, ge=60, description="Window of the person look-up limit.")
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses or networks (CIDR) of the reverse proxies in front of the server; "
        "X-Forwarded-For is read only from these, empty means never (docs/deployment.md).",
    )
    token_cache_seconds: float = Field(
        5, ge=0, le=300,
        description="How long a resolved API token is trusted without asking the database again; a token revoked or a "
        "user locked by another process stops working here within this time (0: ask every time; docs/accounts.md).",
    )
    home_counts_seconds: float = Field(
        60, ge=0, le=86400,
        description="How long the home page shows the counts it last made before it counts again, in the background "
        "(counting reads every record shown; 0: count on every view; docs/api.md, Web pages).",
    )
    portal_cache_seconds: float = Field(
        30, ge=0, le=3600,
        description="How long each process keeps what the public portal's pages read (counts, 双公示 listings and "
        "timeliness, typical cases, policy lists); a records import or a typical case marked clears it at once "
        "(0: keep nothing; docs/disclosure.md).",
    )
    jobs_workers: int = Field(
        1, ge=0, le=64,
        description="Job worker processes `xinyong serve` starts beside the web server, to run uploaded-file imports "
        "outside the web requests (0: none; run `xinyong worker` separately; docs/deployment.md).",
    )
    jobs_inline: bool = Field(
        False,
        description="Run a queued job at once inside the process that queued it instead of in a worker (tests, a "
        "single-user demo); never in production: a large upload then holds a web worker.",
    )
    jobs_poll_seconds: float = Field(
        2.0, ge=0.1, le=300, description="How often an idle job worker looks for queued jobs, in seconds."
    )
    jobs_max_attempts: int = Field(
        3, ge=1, le=20,
        description="Times a job is started again after its worker died (kill -9, power cut) before it is failed.",
    )
    max_request_mb: int = Field(
        50, ge=1, le=2048, description="Largest request body accepted (uploads, API batches), in MB; larger gets 413."
    )
    file_max_unzipped_mb: int = Field(
        512, ge=1, le=16_384,
        description="Largest size an uploaded or imported XLSX may unpack to, in MB; checked before it is parsed.",
    )
    file_max_cell_chars: int = Field(
        32_767, ge=1_000, le=10_000_000,
        description="Most characters one cell (or CSV field) may hold; Excel's own limit is 32,767.",
    )
    file_max_rows: int = Field(
        1_048_576, ge=1_000, le=100_000_000,
        description="Most rows a file read in (import, batch check, grades) may have; Excel's own limit is 1,048,576.",
    )
    redress_attachment_max_mb: int = Field(
        10, ge=1, le=100, description="Largest attachment (PDF, PNG, JPEG) of an objection, in MB; larger is refused."
    )
    api_max_batch_rows: int = Field(
        10_000, ge=1, le=1_000_000, description="Most rows one POST /api/v1/records may carry."
    )

    # --- identity numbers at rest (docs/privacy.md) ---
    data_key: SecretStr | None = Field(
        None,
        description="The data key ring as JSON (encryption and look-up keys); empty means VAR_DIR/keys/data-keys.json.",
    )
    key_rotate_chunk: int = Field(
        5000, ge=100, le=100_000, description="Subjects re-encrypted per transaction by `xinyong keys rotate`."
    )

    # --- the audit chain's anchors outside the database (docs/audit.md) ---
    audit_anchor_file: Path | None = Field(
        None,
        description="File the audit chain's signed anchors are appended to (`xinyong audit anchor`); empty means "
        "VAR_DIR/audit/anchors.jsonl. Put it where the database's users cannot write.",
    )
    audit_anchor_key: SecretStr | None = Field(
        None,
        description="Hex key that signs the audit anchors (HMAC-SM3); empty means VAR_DIR/keys/audit-anchor.key, made "
        "by the first anchor.",
    )

    # --- real-time push to departments (docs/checks.md, 实时推送) ---
    push_watch_days: int = Field(
        365, ge=0, le=3650,
        description="A department that checked a subject within this many days is told of its changes (0: only subscriptions).",
    )
    push_poll_seconds: float = Field(
        1.0, ge=0.1, le=60, description="How often the event stream (GET /api/v1/push/stream) looks for new messages."
    )
    push_stream_seconds: int = Field(
        300, ge=0, le=3600, description="Longest time one event-stream connection stays open (the client reconnects)."
    )
    push_max_attempts: int = Field(
        8, ge=1, le=100, description="Webhook deliveries tried per message before it is left to the pull API."
    )
    push_retry_seconds: int = Field(
        30, ge=1, le=86_400, description="Wait after the first failed webhook delivery; doubled after each further one."
    )
    push_webhook_timeout_seconds: float = Field(
        10.0, ge=0.5, le=120, description="How long one webhook POST may take."
    )
    report_font: Path | None = Field(
        None, description="The OpenType/TrueType font credit reports set Chinese in (subset and embedded in each PDF); "
        "unset: Noto Sans SC from the npm package @embedpdf/fonts-sc that `make setup` installs.",
    )
    report_font_cache: bool = Field(
        True, description="Keep, under VAR_DIR/cache, a subset of the report font with the common Chinese characters "
        "(GB 2312) and the ASCII ones, made on the first report (seconds, once per font), and subset each report from "
        "it rather than from the whole font (several times faster); a report with a character outside it uses the "
        "whole font.",
    )
    report_issuer: str = Field("浙江省公共信用信息平台", max_length=100,
                               description="The issuing unit printed in a credit report's header.")
    report_verify_url: str = Field(
        "http://127.0.0.1:8000/reports/verify", max_length=300,
        description="The public address of the report verification page, printed on each report and in its QR code.",
    )
    report_verify_per_ip: int = Field(
        30, ge=1, le=10_000, description="Report verifications (number and code, or an uploaded PDF) one address may "
        "make without logging in per REPORT_VERIFY_WINDOW_SECONDS.",
    )
    report_verify_window_seconds: int = Field(600, ge=10, description="Window of the report verification limit.")

    # --- disclosure: authorized queries and OpenID Connect login (docs/disclosure.md, docs/deployment.md) ---
    authorization_max_days: int = Field(
        90, ge=1, le=366, description="Longest validity a person may give an authorization code (days from today).")
    authorization_max_reads: int = Field(
        50, ge=1, le=10_000, description="Most reads a person may allow on one authorization code.")
    authorized_query_per_ip: int = Field(
        20, ge=1, le=10_000, description="Reads (and guesses) with an authorization code one address may make per "
        "AUTHORIZED_QUERY_WINDOW_SECONDS; codes are 80-bit random, this stops bulk trying.")
    authorized_query_window_seconds: int = Field(600, ge=10, description="Window of the authorized query limit.")
    oidc_enabled: bool = Field(
        False, description="Offer login through an OpenID Connect identity provider (the province's single sign-on) "
        "besides the password and TOTP; needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_REDIRECT_URL.")
    oidc_issuer: str | None = Field(
        None, max_length=300, description="The provider's issuer URL; its /.well-known/openid-configuration is read, "
        "and every ID token's `iss` must equal it exactly.")
    oidc_client_id: str | None = Field(None, max_length=200, description="This platform's client id at the provider.")
    oidc_client_secret: SecretStr | None = Field(
        None, description="The client secret (sent with HTTP Basic to the token endpoint); empty: a public client "
        "that relies on PKCE alone.")
    oidc_redirect_url: str = Field(
        "http://127.0.0.1:8000/login/oidc/callback", max_length=300,
        description="The callback address registered at the provider (this platform's /login/oidc/callback).")
    oidc_scopes: str = Field("openid profile", max_length=200, description="Scopes asked for (must include openid).")
    oidc_identity_claim: str = Field(
        "id_number", max_length=100, description="The ID-token claim holding the person's identity number "
        "(公民身份号码); it is matched to a subject user linked to that person.")
    oidc_display_name: str = Field(
        "浙江政务服务网统一身份认证", max_length=100, description="The provider's name on the login button.")
    oidc_login_ttl_seconds: int = Field(
        600, ge=60, le=3600, description="How long a started provider login may take before its state is refused.")
    oidc_http_timeout_seconds: float = Field(
        10, ge=1, le=60, description="Timeout of each call to the provider (discovery, keys, token).")

    # --- credit evaluation runs (docs/evaluation.md, 6.2) ---
    evaluation_memory_limit: str = Field(
        "3GB", description="DuckDB's memory limit during `xinyong evaluate run` (a number and KB, MB, GB or TB, e.g. "
        "3GB); beyond it the copy of the platform's tables and the scoring spill to EVALUATION_TEMP_DIR.",
    )
    evaluation_temp_dir: Path | None = Field(
        None, description="Folder under which a run keeps its DuckDB database file and spill files (removed when the "
        "run ends); unset: CACHE_DIR/evaluation (VAR_DIR/cache/evaluation).",
    )
    evaluation_parts: int = Field(
        0, ge=0, le=1000, description="Score a run in this many parts by subject, one after the other (0: one part "
        "per EVALUATION_PART_SUBJECTS subjects, at least one).",
    )
    evaluation_part_subjects: int = Field(
        2_500_000, ge=1000, description="With EVALUATION_PARTS 0: how many subjects one part scores at most.",
    )
    evaluation_threads: int = Field(
        0, ge=0, le=256, description="DuckDB threads of a run (0: DuckDB's default, one per core).",
    )
    evaluation_fetch_rows: int = Field(
        10_000, ge=100, le=1_000_000, description="Scores fetched from DuckDB and written to the database together.",
    )

    @field_validator("evaluation_memory_limit", mode="after")
    @classmethod
    def _memory_size(cls, value: str) -> str:
        """A DuckDB size: a positive number and a unit of bytes (KB … TB, KiB … TiB)."""
        import re

        text = value.strip().replace(" ", "")
        m = re.fullmatch(r"(\d+(?:\.\d+)?)(KB|MB|GB|TB|KIB|MIB|GIB|TIB)", text.upper())
        if not m or float(m.group(1)) <= 0:
            raise ValueError(f"XINYONG_EVALUATION_MEMORY_LIMIT 的值 {value!r} 无效：应为正数加单位 KB、MB、GB 或 TB，"
                             "例如 3GB (a DuckDB memory size such as 3GB)")
        return m.group(1) + m.group(2).replace("I", "i")

    @property
    def evaluation_dir(self) -> Path:
        """Where a run's DuckDB file and spill files go (each run in a folder of its own beneath)."""
        return self.evaluation_temp_dir or (self.cache_dir or self.var_dir / "cache") / "evaluation"

    # --- the daily jobs (docs/deployment.md, 每日任务) ---
    daily_enabled: bool = Field(
        True,
        description="`xinyong serve` runs the daily jobs itself once a day (false: leave them to cron running "
        "`xinyong jobs daily`; the tests set false).",
    )
    daily_at: time = Field(
        time(1, 30),
        description="Beijing time (Asia/Shanghai, HH:MM) from which the server runs the day's jobs; a server started "
        "later in the day runs them at once.",
    )
    daily_skip: str = Field(
        "",
        description="Comma-separated daily jobs this installation leaves out (e.g. audit.anchor where the anchor runs "
        "as an operating-system user of its own); `xinyong jobs list` names them all.",
    )

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
