"""Data migration 0003: identity numbers stored in plain before encryption at rest.

Run by ``xinyong/migrations/versions/0003_audit.py`` (through ``xinyong init``, which creates the
key ring first) on a database that already holds subjects or records. Written against the
tables as they are at revision 0003, in plain SQL, a chunk of rows at a time:

- subjects: ``code`` / ``legal_rep_code`` holding an identity number become its keyed hash,
  the number encrypted into ``code_cipher`` / ``legal_rep_cipher``;
- records and record_versions: the content hash is keyed, identity-number facts masked, and a
  source id ``<decision no>#<identity number>`` names the subject by its keyed hash — exactly
  what the ingest writer now stores, so re-sending an old row is still "unchanged".
"""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.engine import Connection

from xinyong.core.crypto import get_keyring
from xinyong.core.masking import mask_ids_in_text, mask_ric
from xinyong.subjects import identity

CHUNK = 5000


def _mask_facts(facts: dict) -> dict:
    out = {}
    for k, v in facts.items():
        if isinstance(v, str) and v:
            v = mask_ric(v) if k.endswith("_id_no") or identity.is_identity_number(v) else mask_ids_in_text(v)
        out[k] = v
    return out


def protect_existing(conn: Connection) -> None:
    ring = get_keyring()
    last = 0
    while True:
        rows = conn.execute(text(
            "SELECT id, code, code_cipher, legal_rep_code, legal_rep_cipher FROM subjects "
            "WHERE id > :last ORDER BY id LIMIT :n"), {"last": last, "n": CHUNK}).all()
        if not rows:
            break
        last = rows[-1][0]
        params = []
        for sid, code, cipher, rep, rep_cipher in rows:
            new = {"i": sid, "c": code, "cc": cipher, "r": rep, "rc": rep_cipher}
            if cipher is None and identity.is_identity_number(code):
                new["c"], new["cc"] = ring.keyed_hash(code), ring.encrypt(code, identity.CODE_CONTEXT)
            if rep and rep_cipher is None and identity.is_identity_number(rep):
                new["r"], new["rc"] = ring.keyed_hash(rep), ring.encrypt(rep, identity.REP_CONTEXT)
            if new != {"i": sid, "c": code, "cc": cipher, "r": rep, "rc": rep_cipher}:
                params.append(new)
        if params:
            conn.execute(text("UPDATE subjects SET code = :c, code_cipher = :cc, legal_rep_code = :r, "
                              "legal_rep_cipher = :rc WHERE id = :i"), params)

    for table, has_source in (("records", True), ("record_versions", False)):
        last = 0
        cols = "id, content_hash, facts" + (", source_id, decision_no" if has_source else "")
        while True:
            rows = conn.execute(text(f"SELECT {cols} FROM {table} WHERE id > :last ORDER BY id LIMIT :n"),  # noqa: S608
                                {"last": last, "n": CHUNK}).all()
            if not rows:
                break
            last = rows[-1][0]
            params = []
            for row in rows:
                facts = row[2] if isinstance(row[2], dict) else json.loads(row[2] or "{}")
                p = {"i": row[0], "h": ring.keyed_hash(row[1])[:32],
                     "f": json.dumps(_mask_facts(facts), ensure_ascii=False, sort_keys=True, separators=(",", ":"))}
                if has_source:
                    source_id, decision_no = row[3], row[4]
                    code = source_id[len(decision_no) + 1:] if source_id.startswith(decision_no + "#") else ""
                    p["s"] = (f"{decision_no}#{ring.keyed_hash(code)[:32]}"
                              if identity.is_identity_number(code) else source_id)
                params.append(p)
            sets = "content_hash = :h, facts = :f" + (", source_id = :s" if has_source else "")
            conn.execute(text(f"UPDATE {table} SET {sets} WHERE id = :i"), params)  # noqa: S608
