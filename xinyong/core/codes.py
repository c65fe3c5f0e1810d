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

from xinyong.core import clock, regions
from xinyong.core.errors import InvalidInput

# What a USCC's first two characters say the body is: the registration authority (登记管理部门)
# and the organisation type (机构类别) of GB 32100-2015 表1 with its 第1号修改单 (2016), plus the
# two types civil-affairs departments assign to 基层群众性自治组织特别法人 (民法典 第一百零一条)
# beyond that table: 54 村民委员会 and 55 居民委员会, which is how the committees' codes read.
# Each maps to (subject kind, the label a person sees, or None to show the kind's own name).
#
# ``gov_body`` is what 政务诚信 covers: 温政办〔2017〕71号 二(二)1 names 地方政府、地方政府部门、
# 事业单位和居民委员会、村民委员会等基层自治组织. 农村集体经济组织 (N1–N3) are 特别法人 of their
# own (民法典 第九十九条), economic organisations rather than government bodies: they are
# 法人和其他组织, shown as 农村集体经济组织.
USCC_TYPES: dict[str, tuple[str, str | None]] = {
    "11": ("gov_body", "机关"),
    "12": ("gov_body", "事业单位"),
    "13": ("gov_body", "群众团体"),
    "19": ("gov_body", None),
    "21": ("enterprise", "外国常驻新闻机构"),
    "29": ("enterprise", None),
    "31": ("enterprise", "律师执业机构"),
    "32": ("enterprise", "公证处"),
    "33": ("enterprise", "基层法律服务所"),
    "34": ("enterprise", "司法鉴定机构"),
    "35": ("enterprise", "仲裁委员会"),
    "39": ("enterprise", None),
    "41": ("enterprise", "外国在华文化中心"),
    "49": ("enterprise", None),
    "51": ("enterprise", "社会团体"),
    "52": ("enterprise", "民办非企业单位"),
    "53": ("enterprise", "基金会"),
    "54": ("gov_body", "村民委员会"),
    "55": ("gov_body", "居民委员会"),
    "59": ("enterprise", None),
    "61": ("enterprise", "外国旅游部门常驻代表机构"),
    "62": ("enterprise", "港澳台地区旅游部门常驻代表机构"),
    "69": ("enterprise", None),
    "71": ("enterprise", "宗教活动场所"),
    "72": ("enterprise", "宗教院校"),
    "79": ("enterprise", None),
    "81": ("enterprise", "基层工会"),
    "89": ("enterprise", None),
    "91": ("enterprise", "企业"),
    "92": ("enterprise", "个体工商户"),
    "93": ("enterprise", "农民专业合作社"),
    "A1": ("enterprise", "军队事业单位"),
    "A9": ("enterprise", None),
    "N1": ("enterprise", "农村集体经济组织"),
    "N2": ("enterprise", "农村集体经济组织"),
    "N3": ("enterprise", "农村集体经济组织"),
    "N9": ("enterprise", "农村集体经济组织"),
    "Y1": ("enterprise", None),
}
GOV_PREFIXES = tuple(p for p, (kind, _label) in USCC_TYPES.items() if kind == "gov_body")


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
    if birth > clock.today() or birth.year < 1880:
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
    """``gov_body`` for 机关, 事业单位, 群众团体 and 村（居）民委员会; ``enterprise`` otherwise
    (a type the table does not know is not a government body: see :data:`USCC_TYPES`)."""
    return USCC_TYPES.get(code[:2], ("enterprise", None))[0]


def uscc_label(code: str | None) -> str | None:
    """What the code says the body is (事业单位, 村民委员会, 农村集体经济组织 …), or None where the
    type is a catch-all (其他) or the code is not 18 characters: the caller then shows the kind's
    name. Only for a legal subject's code (an identity number's first digits mean a region)."""
    if not code or len(code) != 18:
        return None
    return USCC_TYPES.get(code[:2], (None, None))[1]


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
