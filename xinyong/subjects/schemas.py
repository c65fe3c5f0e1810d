"""How a subject is shown to a reader: the masking rules that every output (the API's models
in :mod:`xinyong.records.schemas`, the web pages) applies, so that one set covers both.

Natural persons' names and every identity number are masked (张*丰, 330106************);
organisations' names and USCCs are public and shown whole. An identity number or a person's
name inside free text is replaced by its masked form.
"""

from __future__ import annotations

from xinyong.core import masking
from xinyong.subjects.identity import display_code
from xinyong.subjects.models import NATURAL_KINDS, Subject


def mask_text(text: str, *names: str | None) -> str:
    """Free text with every identity number in it masked, and the given persons' names too."""
    text = masking.mask_ids_in_text(text)
    for name in names:
        if name and len(name) > 1:
            text = text.replace(name, masking.mask_name(name))
    return text


def subject_name(subject: Subject) -> str:
    return masking.mask_name(subject.name) if subject.kind in NATURAL_KINDS else subject.name


def subject_code(subject: Subject) -> str:
    """A USCC whole, an identity number masked (decrypted to be masked: the masked form is not
    stored, see :mod:`xinyong.subjects.identity`)."""
    return display_code(subject)


def masked_query(q: str) -> str:
    """A search query as it may be echoed back: an identity number in it is masked."""
    return mask_text(q)


# --- posts and designations (xinyong.subjects.designations) ----------------------------------

from datetime import date as _date  # noqa: E402

from pydantic import BaseModel, Field  # noqa: E402


class DesignationRowIn(BaseModel):
    """One person in one body over one period: a post (``title``), a designation (``role``), or
    both. The same columns as the XLSX template."""

    body_code: str = Field(description="单位统一社会信用代码")
    body_name: str | None = Field(None, description="单位名称（核对用）")
    name: str = Field(description="姓名")
    ric: str = Field(description="公民身份号码")
    title: str | None = Field(None, description="职务（任职记录）")
    role: str | None = Field(None, description="登记身份：法定代表人 / 主要负责人 / 财政（财务）部门负责人")
    start: _date = Field(description="起始日期")
    end: _date | None = Field(None, description="终止日期；仍在任的不填")
    basis: str | None = Field(None, description="任免文号或登记依据")


class DesignationBatchIn(BaseModel):
    rows: list[DesignationRowIn] = Field(min_length=1, max_length=20_000)


class RowProblemOut(BaseModel):
    row: int
    column: str
    message: str


class DesignationImportOut(BaseModel):
    rows: int
    rejected: int
    posts_new: int
    posts_updated: int
    designations_new: int
    designations_updated: int
    errors: list[RowProblemOut]


class DesignationOut(BaseModel):
    role: str
    role_name: str
    name: str = Field(description="姓名（脱敏）")
    code: str = Field(description="公民身份号码（脱敏）")
    start_date: _date
    end_date: _date | None
    basis: str | None
