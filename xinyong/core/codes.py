"""统一社会信用代码 and 公民身份号码: validation that says which part is wrong.

python-stdnum does the check digits (never hand-rolled here). Its region table for identity
numbers stops before 2021 and raises a bare ``KeyError`` for newer codes (330113 临平区), so the
region part is checked against :mod:`xinyong.core.regions` first and stdnum's errors never reach
a user as a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from stdnum import exceptions as sx
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc

from xinyong.core import regions
from xinyong.core.errors import InvalidInput

# USCC registration-authority and kind (first two characters) → subject kind.
# 1x 机构编制 (机关, 事业单位), N 农业 (集体经济组织), 居委会/村委会 register under 民政 or 其他.
GOV_PREFIXES = ("11", "12", "13", "19", "N1", "N2", "N3", "N9")


class CodeError(InvalidInput):
    """A code that fails validation; ``part`` names what is wrong (length, format, check, …)."""

    def __init__(self, zh: str, en: str, part: str):
        super().__init__(zh, en)
        self.part = part


@dataclass(frozen=True)
class RicInfo:
    ric: str
    birth_date: date
    gender: str  # "M" / "F"
    region_code: str


_PLAIN = re.compile(r"^[0-9A-Za-z]{18}$")


def clean_code(value: object) -> str:
    """Fold full-width characters and drop spaces and dashes, upper-case; no other guessing."""
    text = str(value)
    if _PLAIN.match(text):
        return text.upper()
    out = []
    for ch in text:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        elif o == 0x3000:
            continue
        if ch in " \t\r\n-\u00a0\u200b":
            continue
        out.append(ch)
    return "".join(out).upper()


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_LETTER_AUTHORITIES = "ABCDEFGNY"
_USCC_SET = frozenset(_USCC_ALPHABET)


def _uscc_check_error() -> CodeError:
    return CodeError(
        "统一社会信用代码校验位错误（最后一位与前17位不符），请核对原件",
        "unified social credit code check character is wrong",
        "check",
    )


def _uscc_format_error() -> CodeError:
    return CodeError(
        "统一社会信用代码格式错误：只能含数字和除 I、O、S、V、Z 以外的大写字母，第3至8位为行政区划代码",
        "unified social credit code format is wrong: digits and capitals except I, O, S, V, Z; "
        "characters 3-8 are a region code",
        "format",
    )


CENTRAL_REGION = "100000"  # 中央级登记管理机关


def _check_uscc_region(code: str) -> str:
    region = code[2:8]
    if region != CENTRAL_REGION and not regions.is_known(region):
        raise CodeError(
            f"统一社会信用代码第3至8位 {region} 不是有效的行政区划代码",
            f"characters 3-8 ({region}) of the unified social credit code are not a region code",
            "region",
        )
    return code


def validate_uscc(value: object) -> str:
    code = clean_code(value)
    return _validate_uscc(code)


@lru_cache(maxsize=262144)
def _validate_uscc(code: str) -> str:
    """Cached: a department's code repeats on every row it sends."""
    if len(code) != 18:
        raise CodeError(
            f"统一社会信用代码应为18位，实为{len(code)}位",
            f"a unified social credit code has 18 characters, got {len(code)}",
            "length",
        )
    if code[0] in _LETTER_AUTHORITIES and _uscc.compact(code[1:]) == code[1:]:
        # python-stdnum requires digits in the first eight places, but GB 32100 also assigns
        # letter authorities (N 农业, Y 其他...); the check character is stdnum's all the same.
        if any(c not in _USCC_ALPHABET for c in code) or not code[2:8].isdigit():
            raise _uscc_format_error()
        if code[-1] != _uscc.calc_check_digit(code):
            raise _uscc_check_error()
        return _check_uscc_region(code)
    # The format checks python-stdnum's validate() makes, on the already compact code (its own
    # validate cleans the string twice more); the check character is stdnum's.
    if not code[:8].isdigit() or not _USCC_SET.issuperset(code[8:]):
        raise _uscc_format_error()
    if code[-1] != _uscc.calc_check_digit(code):
        raise _uscc_check_error()
    return _check_uscc_region(code)


@lru_cache(maxsize=65536)
def _region_ok(prefix: str, year: int) -> bool:
    region = regions.get(prefix)
    if region is not None:
        return True
    try:
        _ric.get_birth_place(prefix + f"{year:04d}" + "0101" + "0000")
        return True
    except (sx.ValidationError, KeyError, ValueError, IndexError):
        return False


def validate_ric(value: object) -> RicInfo:
    return _validate_ric(clean_code(value))


@lru_cache(maxsize=262144)
def _validate_ric(code: str) -> RicInfo:
    if len(code) != 18:
        raise CodeError(
            f"公民身份号码应为18位，实为{len(code)}位",
            f"an identity number has 18 characters, got {len(code)}",
            "length",
        )
    if not code[:17].isdigit() or not (code[17].isdigit() or code[17] == "X"):
        raise CodeError(
            "公民身份号码前17位应为数字，最后一位为数字或X",
            "an identity number is 17 digits followed by a digit or X",
            "format",
        )
    if code[17] != _ric.calc_check_digit(code):
        raise CodeError(
            "公民身份号码校验位错误（最后一位与前17位不符），请核对证件",
            "identity number check digit is wrong",
            "check",
        )
    try:
        birth = _ric.get_birth_date(code)
    except sx.ValidationError:
        raise CodeError(
            f"公民身份号码中的出生日期 {code[6:14]} 不存在",
            f"the birth date {code[6:14]} in the identity number does not exist",
            "birth_date",
        ) from None
    if birth > date.today() or birth.year < 1880:
        raise CodeError(
            f"公民身份号码中的出生日期 {birth.isoformat()} 不合理",
            f"the birth date {birth.isoformat()} in the identity number is not plausible",
            "birth_date",
        )
    if not _region_ok(code[:6], birth.year):
        raise CodeError(
            f"公民身份号码前6位 {code[:6]} 不是有效的行政区划代码",
            f"the first six digits {code[:6]} are not a region code",
            "region",
        )
    gender = "M" if int(code[16]) % 2 else "F"
    return RicInfo(ric=code, birth_date=birth, gender=gender, region_code=code[:6])


def uscc_region(code: str) -> str:
    """The six-digit region code inside a USCC (characters 3–8)."""
    return code[2:8]


def subject_region(code: str, natural: bool) -> str:
    """The region a subject is registered in, read from its identifier: digits 1–6 of an
    identity number (GB 11643), characters 3–8 of a USCC (GB 32100)."""
    return code[:6] if natural else uscc_region(code)


def uscc_kind(code: str) -> str:
    """``gov_body`` for 机关, 事业单位 and collective bodies; ``enterprise`` otherwise."""
    return "gov_body" if code[:2] in GOV_PREFIXES else "enterprise"


def looks_like_ric(code: str) -> bool:
    return len(code) == 18 and code[:17].isdigit()


def make_uscc(prefix2: str, region: str, org_body8: str) -> str:
    """Build a valid USCC from its parts, for the demo and tests.

    The embedded organisation code gets its GB 11714 check character here because
    python-stdnum has no module for it; the USCC's own check character is stdnum's.
    """
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(org_body8, weights, strict=True))
    check = 11 - total % 11
    org = org_body8 + ("X" if check == 10 else "0" if check == 11 else str(check))
    body = prefix2 + region + org
    return body + _uscc.calc_check_digit(body + "0")


def make_ric(region: str, birth: date, seq3: int) -> str:
    body = f"{region}{birth:%Y%m%d}{seq3:03d}"
    return body + _ric.calc_check_digit(body + "0")
