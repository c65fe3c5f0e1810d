"""One set of masking rules for every public or lower-privilege output.

张三 → 张*, 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜; 330106199001011234 → 330106************;
13812345678 → 138****5678; an address keeps its first six characters; an identity number inside
free text is replaced by its masked form (:func:`mask_ids_in_text`).

An identity number keeps its region (the first six digits) and nothing else. The last four
were kept until 2026-12: with the check digit they narrow the birth date to about 2,300
candidates, which a look-up answering "exists" or not confirms in minutes; without them a
number has some 2×10⁷ candidates (docs/privacy.md, 脱敏的算术). Numbers masked the old way
(stored in records' facts before then) are masked again the new way wherever they are shown.
Organisations' names and USCCs are public information and are not masked.

Where each rule applies (every public or lower-privilege output) is listed in docs/privacy.md;
:mod:`xinyong.subjects.schemas` applies them to subjects and their records.
"""

from __future__ import annotations

import re

from xinyong.core.codes import CodeError, validate_uscc


def mask_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


RIC_KEPT = 6  # the region; docs/privacy.md says why nothing else is kept


def mask_ric(ric: str | None) -> str:
    """330106199001011234 → 330106************ (the region only). Masking twice, or masking a
    number masked the old way (330106********1234), gives the same."""
    if not ric:
        return ""
    if len(ric) < 10:
        return "*" * len(ric)
    return ric[:RIC_KEPT] + "*" * (len(ric) - RIC_KEPT)


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_address(address: str | None, keep: int = 6) -> str:
    if not address:
        return ""
    return address[:keep] + ("*" * 4 if len(address) > keep else "")


# An identity number inside free text: 18 characters (second generation) or 15 digits (first).
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
# A number masked the old way (first six and last four kept): stored so in records' facts.
_OLD_MASK_IN_TEXT = re.compile(r"(?<![0-9A-Za-z*])(\d{6}\*{5,8}\d{3}[0-9Xx])(?![0-9A-Za-z*])")


def _looks_like_id(token: str) -> bool:
    """Whether a number in free text may be an identity number: anything of 18 characters that
    is not a valid USCC (a mistyped identity number is still personal data), or 15 digits with
    a province code and a birth date (the first-generation number)."""
    if len(token) == 18:
        try:
            validate_uscc(token)
        except CodeError:
            return True
        return False
    province, month, day = int(token[:2]), int(token[8:10]), int(token[10:12])
    return 11 <= province <= 82 and 1 <= month <= 12 and 1 <= day <= 31


def mask_ids_in_text(text: str) -> str:
    """Free text with every identity number in it masked (a USCC is left as it is), and every
    number masked the old way masked again."""
    if not text:
        return text
    if "*" in text:
        text = _OLD_MASK_IN_TEXT.sub(lambda m: mask_ric(m.group()), text)
    if not _ID_IN_TEXT.search(text):
        return text
    return _ID_IN_TEXT.sub(lambda m: mask_ric(m.group()) if _looks_like_id(m.group()) else m.group(), text)
