"""The error body every API route answers with, for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    message: str = Field(description="中文说明，给办事人员看")
    message_en: str = Field(description="The same in English")
    field: str | None = Field(None, description="The parameter at fault, when one is")
    errors: list[dict[str, Any]] | None = Field(None, description="Validation errors (422 only)")


class ErrorBody(BaseModel):
    detail: ErrorDetail


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the error body under each status code."""
    text = {403: "不予公开", 404: "不存在", 422: "参数有误"}
    return {code: {"model": ErrorBody, "description": text.get(code, "错误")} for code in codes}
