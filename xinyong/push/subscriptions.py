"""Subscriptions: the subjects a department asked, by code, to be told about."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import (
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from xinyong.accounts.models import Department
from xinyong.core import xlsx
from xinyong.core.clock import today as _today
from xinyong.core.db import utcnow
from xinyong.core.errors import InvalidInput, NotFound
from xinyong.push.common import CHUNK, MAX_CODES
from xinyong.push.models import PushSubscription
from xinyong.subjects import service as subjects_service
from xinyong.subjects.identity import lookup_keys
from xinyong.subjects.models import Subject

# --- subscriptions ---------------------------------------------------------------------------------


@dataclass
class SubscribeResult:
    added: list[tuple[str, int]] = field(default_factory=list)  # (code as given, subject id)
    existing: list[tuple[str, int]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # well-formed, but no such subject
    invalid: list[str] = field(default_factory=list)  # fails its check digit

    @property
    def subject_ids(self) -> dict[str, int]:
        return dict(self.added + self.existing)


def _resolve(session: Session, codes: list[str], out: SubscribeResult) -> list[tuple[str, int]]:
    """(code as given, subject id) for every code that names a subject, exactly: the code is
    cleaned and validated (check digit) and looked up by its identity key, as a check does."""
    cleaned: list[tuple[str, str]] = []
    for raw in codes:
        given = str(raw or "").strip()
        if not given:
            continue
        try:
            cleaned.append((given, subjects_service.check_code(given)))
        except NotFound:
            out.invalid.append(given)
    found: list[tuple[str, int]] = []
    for i in range(0, len(cleaned), CHUNK):
        part = cleaned[i:i + CHUNK]
        keys = lookup_keys([c for _, c in part])
        ids = dict(session.execute(select(Subject.code, Subject.id).where(Subject.code.in_(set(keys)))).all())
        for (given, _), key in zip(part, keys, strict=True):
            sid = ids.get(key)
            if sid is None:
                out.unknown.append(given)
            else:
                found.append((given, sid))
    return found


def read_codes(text: str = "", file_name: str | None = None, content: bytes | None = None) -> list[str]:
    """Codes from a textarea (one a line, or separated by commas, spaces or semicolons) and/or an
    XLSX or CSV file (every cell of the column headed like a code column, or the first column)."""
    import re

    codes = [c for c in re.split(r"[\s,，;；、]+", text or "") if c.strip()]
    if content:
        codes.extend(_codes_from_file(file_name or "", content))
    if len(codes) > MAX_CODES:
        raise InvalidInput(f"一次最多订阅 {MAX_CODES:,} 个代码", f"at most {MAX_CODES} codes at once")
    return codes


CODE_HEADERS = ("统一社会信用代码或公民身份号码", "统一社会信用代码", "公民身份号码", "身份证号码", "身份证号", "证件号码", "代码", "code")


def _codes_from_file(name: str, content: bytes) -> list[str]:
    import csv
    import io

    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        wb, ws, last_row, last_column = xlsx.open_workbook(io.BytesIO(content))  # looked at before it is parsed
        try:
            rows = [list(r) for r in ws.iter_rows(values_only=True, max_row=last_row, max_col=max(last_column, 1))
                    ] if last_row else []
        except Exception as exc:  # a part that passed the look but does not parse
            raise InvalidInput("无法读取该 XLSX 文件", f"unreadable XLSX: {type(exc).__name__}") from None
        finally:
            wb.close()
    elif suffix in (".csv", ".txt"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("gb18030", errors="replace")
        rows = list(csv.reader(io.StringIO(text)))
    else:
        raise InvalidInput("请上传 XLSX 或 CSV 文件", "upload an XLSX or CSV file", field="file")
    if not rows:
        return []
    header = [str(h or "").strip() for h in rows[0]]
    col = next((i for i, h in enumerate(header) if h in CODE_HEADERS), None)
    body = rows[1:] if col is not None else rows
    col = col or 0
    return [str(r[col]).strip() for r in body if col < len(r) and r[col] not in (None, "") and str(r[col]).strip()]


def subscribe(session: Session, department: Department, codes: list[str], *, by: str,
              ends_on: date | None = None) -> SubscribeResult:
    """Subscribe ``department`` to the subjects named by ``codes`` (exact code match; unknown
    and malformed codes are reported, never guessed). Set-based a chunk at a time."""
    if len(codes) > MAX_CODES:
        raise InvalidInput(f"一次最多订阅 {MAX_CODES:,} 个代码", f"at most {MAX_CODES} codes at once")
    if ends_on is not None and ends_on < _today():
        raise InvalidInput("订阅截止日期不能早于今天", "ends_on is in the past", field="ends_on")
    out = SubscribeResult()
    found = _resolve(session, codes, out)
    seen: set[int] = set()
    now = utcnow()
    for i in range(0, len(found), CHUNK):
        part = [(g, sid) for g, sid in found[i:i + CHUNK] if not (sid in seen or seen.add(sid))]
        have = set(session.scalars(select(PushSubscription.subject_id).where(
            PushSubscription.department_code == department.code,
            PushSubscription.subject_id.in_([sid for _, sid in part]))))
        rows = []
        for given, sid in part:
            if sid in have:
                out.existing.append((given, sid))
            else:
                out.added.append((given, sid))
                rows.append({"department_code": department.code, "subject_id": sid, "source": "explicit",
                             "created_by": by, "created_at": now, "ends_on": ends_on})
        if rows:
            session.execute(insert(PushSubscription), rows)
    session.flush()
    return out


@dataclass
class UnsubscribeResult:
    removed: int = 0
    unknown: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


def unsubscribe(session: Session, department: Department, *, codes: list[str] | None = None,
                subject_ids: list[int] | None = None) -> UnsubscribeResult:
    """End the department's subscriptions to these subjects (by code or by subject id)."""
    out = UnsubscribeResult()
    ids = list(subject_ids or [])
    if codes:
        res = SubscribeResult()
        ids += [sid for _, sid in _resolve(session, codes, res)]
        out.unknown, out.invalid = res.unknown, res.invalid
    for i in range(0, len(ids), CHUNK):
        r = session.execute(delete(PushSubscription).where(
            PushSubscription.department_code == department.code, PushSubscription.subject_id.in_(ids[i:i + CHUNK])))
        out.removed += max(r.rowcount or 0, 0)
    session.flush()
    return out


def subscriptions(session: Session, department: Department, *, limit: int = 50, offset: int = 0
                  ) -> tuple[list[tuple[PushSubscription, Subject]], int]:
    q = (select(PushSubscription, Subject).join(Subject, Subject.id == PushSubscription.subject_id)
         .where(PushSubscription.department_code == department.code))
    total = session.scalar(select(func.count()).where(PushSubscription.department_code == department.code)) or 0
    rows = session.execute(q.order_by(PushSubscription.id.desc()).limit(limit).offset(offset)).all()
    return [(s, subj) for s, subj in rows], int(total)
