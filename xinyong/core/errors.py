"""Errors that carry a message an official can act on, in Chinese and English."""

from __future__ import annotations


class XinyongError(Exception):
    """Base class: ``zh`` is shown to officials, ``en`` goes to logs and API clients too."""

    status_code = 400

    def __init__(self, zh: str, en: str | None = None, *, field: str | None = None):
        super().__init__(en or zh)
        self.zh = zh
        self.en = en or zh
        self.field = field

    def as_dict(self) -> dict:
        out = {"message": self.zh, "message_en": self.en}
        if self.field:
            out["field"] = self.field
        return out


class NotFound(XinyongError):
    status_code = 404


class InvalidInput(XinyongError):
    status_code = 422


class PolicyError(XinyongError):
    status_code = 422


class Unauthorized(XinyongError):
    """Not logged in (or the session or token is no longer valid): 401, pages redirect to /login."""

    status_code = 401

    def __init__(
        self, zh: str = "请先登录", en: str | None = "login required", *, field: str | None = None,
        redirect: str | None = None,
    ):
        super().__init__(zh, en, field=field)
        self.redirect = redirect  # where a page request is sent instead (the login page)


class Forbidden(XinyongError):
    """Logged in, but the role or region scope does not allow this: 403."""

    status_code = 403

    def __init__(
        self, zh: str = "无权访问", en: str | None = "forbidden", *, field: str | None = None,
        redirect: str | None = None,
    ):
        super().__init__(zh, en, field=field)
        self.redirect = redirect  # where a page request is sent instead (e.g. TOTP enrolment)


class TooManyRequests(XinyongError):
    """A rate limit was reached: 429, with the seconds to wait in ``retry_after``."""

    status_code = 429

    def __init__(self, zh: str, en: str | None = None, *, retry_after: int = 60):
        super().__init__(zh, en)
        self.retry_after = max(1, int(retry_after))
        self.headers = {"Retry-After": str(self.retry_after)}
