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
