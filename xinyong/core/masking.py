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


# --- free text shown to the public ---------------------------------------------------------------
#
# Written here rather than taken from a library: the PII libraries at hand (Presidio, scrubadub,
# and the like) recognise English-language patterns — US phone numbers, street numbers before the
# street, e-mail — and no Chinese mobile or landline numbers, no 公民身份号码, no address written
# province → road → 号 → 幢/单元/室, and no Chinese names without a trained model that would
# then be a second masking rule. The patterns below are few, each tested by a table and a
# property test (tests/core/test_masking_text.py), and mask what they find the same way as the
# fields above: a phone keeps its first three and last four, an address its road.

# A mobile number: 11 digits from 13x–19x, optionally +86 before it and - or a space inside.
_MOBILE = re.compile(r"(?<![0-9A-Za-z+])((?:\+?86[- ]?)?1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9A-Za-z])")
# A landline: an area code (0 and two or three digits, maybe in brackets) and 7–8 digits, with
# an extension maybe; or 7–8 digits right after a word that says it is a telephone number.
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z])(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[-－—]|0\d{2,3}(?=\d{7,8}(?!\d)))(\d{3,4})(\d{4})"
    r"(?:(?:转|-|－|ext\.?)\d{1,5})?(?![0-9A-Za-z])")
_PHONE_WORD = re.compile(r"((?:电话|手机|联系方式|联系电话|座机|Tel|TEL|tel)[:：]?\s*)(\d{3,4})(\d{4})(?!\d)")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_NUM = r"[0-9０-９一二三四五六七八九十百零〇]+"
# A house number after the road, lane, village or community it stands in (文三路478号, 8弄, 12号
# 华星大厦A座1201室), to the next punctuation: the road is kept, the rest masked.
_HOUSE = re.compile(rf"(?<=[路街巷弄里村道])(?!{_NUM}(?:年|月|日|时|分|元|万|次|人|名|天|条|款|项))"
                    rf"{_NUM}(?:[-－—]{_NUM})?(?:号|弄)[^，。；;,、\s（）()“”\"]*")
# A building, unit, floor or room number in figures anywhere (3幢2单元501室, 12楼, A座): masked
# whole; in words (一座桥, 三楼) it is ordinary speech and stays.
_UNIT = re.compile(r"[0-9０-９A-Za-z]+(?:[-－][0-9０-９]+)?(?:幢|栋|座|单元|号楼|楼|层|室)"
                   rf"(?:(?:{_NUM}|[A-Za-z])(?:[-－]{_NUM})?(?:幢|栋|座|单元|号楼|楼|层|室))*")
MASK = "****"


def _phone_mask(head: str, mid: str, last: str) -> str:
    return head + "*" * len(mid) + last


def mask_personal_text(text: str, *names: str | None) -> str:
    """Free text as the public may read it (a penalty's 违法事实, 处罚内容, 备注): identity numbers
    masked as everywhere (:func:`mask_ids_in_text`); mobile numbers as :func:`mask_phone` does
    (138****5678); landlines keep their area code and last four (0571-****4321); e-mail keeps
    its first letter and domain (z***@example.com); an address keeps its road and loses its
    house, building and room numbers (文三路****); and each of ``names`` — the natural persons
    the record itself names: a legal representative, a person named in a fact the catalog marks
    ``personal`` — is masked as :func:`mask_name` does wherever it stands. Names the record does
    not give are not guessed at: a guess would mask 张家港 and miss 欧阳娜娜 (docs/privacy.md)."""
    if not text:
        return text
    text = mask_ids_in_text(text)
    text = _MOBILE.sub(lambda m: _phone_mask(m.group(1), m.group(2), m.group(3)), text)
    text = _LANDLINE.sub(lambda m: m.group()[: m.start(1) - m.start()] + "*" * len(m.group(1)) + m.group(2)
                         + m.group()[m.end(2) - m.start():], text)
    text = _PHONE_WORD.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    text = _HOUSE.sub(MASK, text)
    text = _UNIT.sub(MASK, text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) > 1}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


_NAME_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def names_in(value: str | None) -> list[str]:
    """The names a fact lists (张三、李四 / 张三,李四): each one a person the record names."""
    return [n for n in _NAME_SEPARATORS.split(value or "") if n]
