"""Clean what departments' files get wrong, without guessing.

Real files carry full-width digits and letters, stray and ideographic spaces, dates written
several ways, and identity numbers that a spreadsheet turned into floating-point numbers. What
has exactly one reading is cleaned; what does not (a two-digit year, an identity number whose last
digits a spreadsheet rounded away) is rejected with a message that tells the official how to fix
the file. Every function here is pure and raises :class:`CellError`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_FW = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FW[0x3000] = 0x20  # ideographic space
_SPACES = re.compile(r"[\s\u00a0\u200b\u3000\ufeff]+")


class CellError(ValueError):
    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh = zh
        self.en = en


def halfwidth(text: str) -> str:
    return text.translate(_FW)


def clean_text(value: object) -> str:
    """Trim, fold runs of any whitespace (ideographic, non-breaking) to one space."""
    if value is None:
        return ""
    if value.__class__ is not str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
    if "\u200b" in value or "\ufeff" in value:
        value = value.replace("\u200b", "").replace("\ufeff", "")
    return " ".join(value.split())


def clean_header(value: object) -> str:
    """Headers compare after folding width, spaces and the two kinds of brackets."""
    text = halfwidth(clean_text(value)).replace(" ", "")
    return text.replace("（", "(").replace("）", ")").lower()


_SCI = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)


def clean_code_cell(value: object) -> str:
    """An identifier cell: reject numbers a spreadsheet mangled, fold widths, drop spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise CellError("应为证件号码或代码", "expected an identifier")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            value = int(value)
        else:
            raise _sci_error()
    text = halfwidth(str(value)).strip()
    text = _SPACES.sub("", text).replace("-", "")
    if _SCI.match(text):
        raise _sci_error()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text.upper()


def _sci_error() -> CellError:
    return CellError(
        "号码被表格软件转成了科学计数法（如 3.30106199001011E+17），末几位已丢失，无法还原；"
        "请将该列设置为“文本”格式后重新录入完整号码",
        "the number was turned into scientific notation by a spreadsheet and its last digits are "
        "lost; format the column as text and enter the full number again",
    )


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def parse_date(value: object) -> date:
    """A calendar date from the ways officials write one; never a two-digit year or D/M/Y."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise _date_error(str(value))
        value = str(int(value))
    if value.__class__ is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)  # the common case, in C
        except ValueError:
            pass
    text = halfwidth(clean_text(value))
    text = _TIME_SUFFIX.sub("", text).strip().replace(" ", "")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return date(y, mo, d)
            except ValueError:
                raise CellError(
                    f"日期 {text} 不存在（请核对月份和日）", f"the date {text} does not exist"
                ) from None
    raise _date_error(text)


def _date_error(text: str) -> CellError:
    return CellError(
        f"无法识别的日期“{text}”，请写成 2024-03-15 或 2024年3月15日 的形式（四位年份）",
        f"unreadable date {text!r}: write it as 2024-03-15 (four-digit year)",
    )


def parse_decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise CellError("应为数字", "expected a number")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = halfwidth(clean_text(value)).replace(",", "").replace(" ", "")
    try:
        out = Decimal(text)
    except InvalidOperation:
        raise CellError(f"“{text}”不是数字", f"{text!r} is not a number") from None
    if not out.is_finite():
        raise CellError(f"“{text}”不是数字", f"{text!r} is not a number")
    return out


def parse_integer(value: object) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise CellError(f"“{value}”应为整数", f"{value!r} is not a whole number")
    return int(number)


_TRUE = {"是", "true", "yes", "y", "1", "同意", "已同意"}
_FALSE = {"否", "false", "no", "n", "0", "不同意", "未同意"}


def parse_boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = halfwidth(clean_text(value)).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"“{value}”应填“是”或“否”", f"{value!r} should be 是 (yes) or 否 (no)")
