"""Synthetic commitments for the tests: a row as the template has it, valid unless told."""

from __future__ import annotations

from datetime import date
from itertools import count

from xinyong.core.codes import make_uscc

_n = count(1)
TODAY = date(2026, 6, 1)  # the tests' fixed "today" (never the wall clock)
ACCEPTING = make_uscc("11", "330106", "00270001")


def code(region: str = "330106", day: str = "20260301") -> str:
    return f"{region}{day}{next(_n):06d}"


def row(subject, **kw) -> dict:
    out = {
        "code": code(), "kind": "服务质量承诺", "subject_code": subject.code, "subject_name": subject.name,
        "matter": "政务服务事项办理", "content": "一般事项3个工作日内办结", "liability": "公开致歉并限期整改",
        "service_area": None, "list_kind": "公共服务清单", "list_item": "社会保障卡申领", "accepting_unit": "某区信用办",
        "accepting_code": ACCEPTING, "disclosure": "可向社会公开", "made_on": "2026-03-01", "due_on": "2026-05-01",
        "evidence": None,
    }
    out.update(kw)
    return out
