"""The domain rules of commitments, plain functions a test calls without a database: the
structure of the 20-character commitment code and which status may follow which."""

from __future__ import annotations

from datetime import date

from xinyong.core import regions
from xinyong.core.errors import InvalidInput

CODE_LENGTH = 20

# 履行中 → 已履行 / 已违诺 / 已撤回; the other three are final.
MOVES: dict[str, frozenset[str]] = {
    "in_force": frozenset({"fulfilled", "breached", "withdrawn"}),
    "fulfilled": frozenset(),
    "breached": frozenset(),
    "withdrawn": frozenset(),
}


class CodeProblem(InvalidInput):
    """A commitment code of the wrong structure; ``zh`` names what is wrong."""

    def __init__(self, zh: str, en: str):
        super().__init__(zh, en, field="code")


def validate_code(raw: str | None) -> str:
    """The code (RULES.md: the accepting place's 6-digit region code, the date as YYYYMMDD, a
    6-digit serial — 20 digits), cleaned of spaces; :class:`CodeProblem` naming the part that is
    wrong. Historical region codes stay valid: a code keeps the place that accepted it."""
    code = "".join((raw or "").split())
    if not code:
        raise CodeProblem("承诺编码必填", "the commitment code is required")
    if len(code) != CODE_LENGTH:
        raise CodeProblem(f"承诺编码应为20位（6位行政区划代码+8位日期+6位顺序号），实为{len(code)}位",
                          f"a commitment code has 20 characters, got {len(code)}")
    if not code.isascii() or not code.isdigit():
        bad = next(c for c in code if not (c.isascii() and c.isdigit()))
        raise CodeProblem(f"承诺编码只能由数字组成，含有“{bad}”", f"a commitment code is all digits, got {bad!r}")
    region, day, serial = code[:6], code[6:14], code[14:]
    if not regions.is_known(region):
        raise CodeProblem(f"承诺编码前6位“{region}”不是有效的行政区划代码", f"unknown region code {region}")
    try:
        date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        raise CodeProblem(f"承诺编码第7至14位“{day}”不是有效日期（应为YYYYMMDD）", f"{day} is not a date") from None
    if serial == "000000":
        raise CodeProblem("承诺编码后6位顺序号不能为000000", "the serial must not be 000000")
    return code


def code_date(code: str) -> date:
    return date(int(code[6:10]), int(code[10:12]), int(code[12:14]))


def may_move(current: str, to: str) -> bool:
    return to in MOVES.get(current, frozenset())


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    """In force past its due date: the daily run turns it into a breach."""
    return status == "in_force" and due_on is not None and due_on < today


def rate(fulfilled: int, breached: int) -> float | None:
    """Fulfilment rate: kept among those whose outcome is known (withdrawn and in-force ones
    are not counted); None when none is known yet."""
    done = fulfilled + breached
    return None if done == 0 else fulfilled / done
