"""Identifiers at rest: the value stored in ``Subject.code``, and the identity numbers behind it.

A USCC (bodies, enterprises) is public and is its own key. An identity number (公民身份号码) is
personal data and is never stored in plain:

- ``Subject.code`` holds its keyed hash (HMAC-SM3, 64 hex digits), so a look-up by number is an
  indexed equality on the hash and the table cannot be searched without the key;
- ``Subject.code_cipher`` holds it encrypted (SM4-GCM, ``<key id>$…``), for the few who may see
  it whole (the subject itself, an administrator through an audited action, :func:`reveal`);
- the masked form shown everywhere else (330106************) is computed from the ciphertext
  when shown, never stored: stored next to the birth date it would *be* the number.

``Subject.legal_rep_code`` / ``legal_rep_cipher`` hold an enterprise's or body's legal
representative the same way, so ``person.code == enterprise.legal_rep_code`` finds them.

Which codes are hashed is decided by the code's form alone (17 digits, a plausible birth date
and the right check digit), never by who asks, so every writer and reader agrees: an all-digit
USCC that happens to pass as an identity number (rare) is stored hashed and encrypted too, and
shown whole, being an organisation's. Everyone else looks subjects up by code ONLY through
:func:`lookup_key` / :func:`lookup_keys` or :mod:`xinyong.subjects.service`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session
from stdnum.cn import ric as _ric

from xinyong.core import masking
from xinyong.core.codes import clean_code
from xinyong.core.crypto import Keyring, get_keyring
from xinyong.core.errors import XinyongError
from xinyong.subjects.models import NATURAL_KINDS, Subject

if TYPE_CHECKING:
    from xinyong.accounts.principal import Principal

CODE_CONTEXT = "subjects.code"
REP_CONTEXT = "subjects.legal_rep_code"
HIDDEN = "*" * 18  # shown when a number cannot be decrypted here


def is_identity_number(cleaned: str) -> bool:
    """Whether a cleaned 18-character code has the form of an identity number: 17 digits, a
    birth date in 18xx–20xx with a month and a day that can be, and the right check digit."""
    if len(cleaned) != 18 or not cleaned[:17].isdigit():
        return False
    century, month, day = cleaned[6:8], cleaned[10:12], cleaned[12:14]
    if century not in ("18", "19", "20") or not ("01" <= month <= "12") or not ("01" <= day <= "31"):
        return False
    last = cleaned[17]
    return (last.isdigit() or last == "X") and _ric.calc_check_digit(cleaned) == last


# --- look-ups ------------------------------------------------------------------------------------


def lookup_key(code: str) -> str:
    """The ``Subject.code`` value for a USCC or an identity number (cleaned first)."""
    cleaned = clean_code(code)
    if is_identity_number(cleaned):
        return get_keyring().keyed_hash(cleaned)
    return cleaned


def lookup_keys(codes: Iterable[str]) -> list[str]:
    """:func:`lookup_key` for many codes, in order: about 3.5 s per million identity numbers on
    one core (HMAC-SM3 1.3–1.5 s of it, the rest cleaning and the form check;
    ``benchmarks/lookup_keys.py``)."""
    base = None
    out = []
    for code in codes:
        code = clean_code(code)
        if is_identity_number(code):
            if base is None:
                base = get_keyring().hmac_base
            h = base.copy()
            h.update(code.encode())
            code = h.finalize().hex()
        out.append(code)
    return out


def source_key(code: str) -> str:
    """What stands for an identity number inside a record's derived source id
    (``<decision no>#<this>``): the first 32 hex digits of its keyed hash."""
    return lookup_key(code)[:32]


# --- storing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Protected:
    key: str | None  # for Subject.code / legal_rep_code
    cipher: str | None  # for code_cipher / legal_rep_cipher; None for a plain USCC


def protect(code: str, context: str = CODE_CONTEXT, ring: Keyring | None = None) -> Protected:
    """The stored forms of a cleaned code: its look-up key, and its ciphertext when hashed."""
    cleaned = clean_code(code)
    if not is_identity_number(cleaned):
        return Protected(cleaned, None)
    ring = ring or get_keyring()
    return Protected(ring.keyed_hash(cleaned), ring.encrypt(cleaned, context))


def protect_rows(rows: list[dict]) -> list[dict]:
    """Subject rows (dicts with ``code`` and perhaps ``legal_rep_code`` in plain) as they are
    stored: keys and ciphertexts in place of the numbers. For bulk inserts."""
    ring = get_keyring()
    out = []
    for row in rows:
        row = dict(row)
        p = protect(row["code"], CODE_CONTEXT, ring)
        row["code"], row["code_cipher"] = p.key, p.cipher
        if "legal_rep_code" in row:
            rp = protect(row["legal_rep_code"], REP_CONTEXT, ring) if row["legal_rep_code"] else Protected(None, None)
            row["legal_rep_code"], row["legal_rep_cipher"] = rp.key, rp.cipher
        out.append(row)
    return out


# --- showing -------------------------------------------------------------------------------------


def _decrypt(cipher: str, context: str) -> str | None:
    try:
        return get_keyring().decrypt(cipher, context)
    except XinyongError:
        return None


def display_code(subject: Subject) -> str:
    """The code as anyone may see it: a USCC whole, an identity number masked."""
    if subject.code_cipher is None:
        return masking.mask_ric(subject.code) if subject.kind in NATURAL_KINDS else subject.code
    plain = _decrypt(subject.code_cipher, CODE_CONTEXT)
    if plain is None:
        return HIDDEN
    return masking.mask_ric(plain) if subject.kind in NATURAL_KINDS else plain


def display_legal_rep_code(subject: Subject) -> str | None:
    """The legal representative's identity number, masked (None when there is none)."""
    if subject.legal_rep_cipher is None:
        return masking.mask_ric(subject.legal_rep_code) if subject.legal_rep_code else None
    plain = _decrypt(subject.legal_rep_cipher, REP_CONTEXT)
    return masking.mask_ric(plain) if plain else HIDDEN


def has_hidden_code(subject: Subject) -> bool:
    """Whether the subject's ``code`` is a keyed hash (links then name the subject's number)."""
    return subject.code_cipher is not None


class NotAllowed(XinyongError):
    status_code = 403


def reveal(
    session: Session,
    subject: Subject,
    *,
    who: Principal,
    purpose: str,
    request_id: str | None = None,
    ip: str | None = None,
    legal_rep: bool = False,
) -> str:
    """The whole identity number, for the subject itself or an administrator only, and every
    time with an audit entry (action ``reveal``) naming who, why and from where, in the
    caller's transaction (the caller commits)."""
    from xinyong.audit.service import log_event

    if not (who.owns(subject.id) or who.role == "admin"):
        raise NotAllowed("只有信用主体本人或管理员可以查看完整身份证号码",
                         "only the subject itself or an administrator may see a whole identity number")
    if not (purpose or "").strip():
        raise XinyongError("查看完整身份证号码须说明目的", "state why the whole identity number is needed")
    cipher = subject.legal_rep_cipher if legal_rep else subject.code_cipher
    if cipher is None:
        plain = subject.legal_rep_code if legal_rep else subject.code
    else:
        plain = get_keyring().decrypt(cipher, REP_CONTEXT if legal_rep else CODE_CONTEXT)
    log_event(
        session, who=who, action="reveal", entity="subject.legal_rep_code" if legal_rep else "subject.code",
        entity_id=subject.id, subject_id=subject.id, purpose=purpose.strip(), request_id=request_id, ip=ip,
    )
    return plain or ""


# --- rotation ------------------------------------------------------------------------------------


@dataclass
class RotationResult:
    active: str
    subjects: int = 0  # rows rewritten
    ciphertexts: int = 0  # ciphertexts re-encrypted
    chunks: int = 0


def not_under(key_id: str):
    """Rows holding a ciphertext under any other key than ``key_id``."""
    prefix = f"{key_id}$%"
    c = Subject.__table__.c
    return or_(
        (c.code_cipher.is_not(None)) & (c.code_cipher.not_like(prefix)),
        (c.legal_rep_cipher.is_not(None)) & (c.legal_rep_cipher.not_like(prefix)),
    )


def reencrypt_chunk(session: Session, ring: Keyring, after_id: int, chunk: int) -> tuple[int, int, int]:
    """Re-encrypt under the active key the next ``chunk`` subjects (by id, after ``after_id``)
    holding a ciphertext under another key: one SELECT and one batched UPDATE.
    Returns (last id seen, rows, ciphertexts); last id 0 when none is left."""
    c = Subject.__table__.c
    rows = session.execute(
        select(c.id, c.code_cipher, c.legal_rep_cipher)
        .where(c.id > after_id, not_under(ring.active))
        .order_by(c.id)
        .limit(chunk)
    ).all()
    if not rows:
        return 0, 0, 0
    params, n = [], 0
    for sid, code_cipher, rep_cipher in rows:
        new_code, new_rep = code_cipher, rep_cipher
        if code_cipher and Keyring.key_id_of(code_cipher) != ring.active:
            new_code = ring.encrypt(ring.decrypt(code_cipher, CODE_CONTEXT), CODE_CONTEXT)
            n += 1
        if rep_cipher and Keyring.key_id_of(rep_cipher) != ring.active:
            new_rep = ring.encrypt(ring.decrypt(rep_cipher, REP_CONTEXT), REP_CONTEXT)
            n += 1
        params.append({"b_id": sid, "b_code": new_code, "b_rep": new_rep})
    t = Subject.__table__
    session.execute(
        update(t).where(t.c.id == bindparam("b_id")).values(
            code_cipher=bindparam("b_code"), legal_rep_cipher=bindparam("b_rep")),
        params,
        execution_options={"synchronize_session": False},
    )
    return int(rows[-1][0]), len(rows), n


def key_usage(session: Session, ring: Keyring) -> dict[str, int]:
    """Ciphertexts per key id of the ring (and "other" for ids the ring lacks): grouped counts."""
    c = Subject.__table__.c
    out: dict[str, int] = {}
    total = 0
    for col in (c.code_cipher, c.legal_rep_cipher):
        total += session.scalar(select(func.count()).where(col.is_not(None))) or 0
        for kid in ring.keys:
            n = session.scalar(select(func.count()).where(col.like(f"{kid}$%"))) or 0
            out[kid] = out.get(kid, 0) + n
    other = total - sum(out.values())
    if other:
        out["other"] = other
    return out


@dataclass
class KeyMismatch:
    """Identity numbers the database holds under keys the ring does not have."""

    missing: int  # ciphertexts under an encryption key the ring lacks
    key_ids: list[str]  # some of those keys' ids (to find the right backup)
    lookup_key_differs: bool  # the ring's look-up key is not the one the codes were made with


def key_mismatch(session: Session, ring: Keyring | None) -> KeyMismatch | None:
    """Whether the stored identity numbers were written under another key ring (``ring`` None:
    no ring at all). Cheap: one count over the ciphertext columns and one subject decrypted
    and hashed again. None when everything matches or nothing is stored."""
    c = Subject.__table__.c
    missing, ids = 0, set()
    for col in (c.code_cipher, c.legal_rep_cipher):
        cond = [col.is_not(None)] + [~col.like(f"{kid}$%") for kid in (ring.keys if ring else ())]
        missing += session.scalar(select(func.count()).where(*cond)) or 0
        for token in session.scalars(select(col).where(*cond).limit(20)):
            ids.add(token.split("$", 1)[0])
    differs = False
    if ring is not None:
        row = session.execute(
            select(c.code, c.code_cipher).where(or_(*[c.code_cipher.like(f"{kid}$%") for kid in ring.keys])).limit(1)
        ).first()
        if row is not None:
            differs = ring.keyed_hash(ring.decrypt(row.code_cipher, CODE_CONTEXT)) != row.code
    if not missing and not differs:
        return None
    return KeyMismatch(missing, sorted(ids), differs)
