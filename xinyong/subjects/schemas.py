"""How a subject is shown to a reader: the masking rules that every output (the API's models
in :mod:`xinyong.records.schemas`, the web pages) applies, so that one set covers both.

Natural persons' names and every identity number are masked (张*丰, 330106********1234);
organisations' names and USCCs are public and shown whole. An identity number or a person's
name inside free text is replaced by its masked form.
"""

from __future__ import annotations

import re

from xinyong.core import masking
from xinyong.core.codes import CodeError, validate_uscc
from xinyong.subjects.models import NATURAL_KINDS, Subject

# An identity number inside free text: 18 characters (second generation) or 15 digits (first).
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")


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


def mask_text(text: str, *names: str | None) -> str:
    """Free text with every identity number in it masked, and the given persons' names too."""
    text = _ID_IN_TEXT.sub(lambda m: masking.mask_ric(m.group()) if _looks_like_id(m.group()) else m.group(), text)
    for name in names:
        if name and len(name) > 1:
            text = text.replace(name, masking.mask_name(name))
    return text


def subject_name(subject: Subject) -> str:
    return masking.mask_name(subject.name) if subject.kind in NATURAL_KINDS else subject.name


def subject_code(subject: Subject) -> str:
    return masking.mask_ric(subject.code) if subject.kind in NATURAL_KINDS else subject.code


def masked_query(q: str) -> str:
    """A search query as it may be echoed back: an identity number in it is masked."""
    return mask_text(q)
