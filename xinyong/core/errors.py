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
