"""Demo phase: self-corrections (自我纠错) recorded by the credit office against a share of the
public servants' dishonest records, so that 干部选拔任用信用审查 shows a measure waived for
self-correction. One ``INSERT … SELECT`` whatever the scale, and one audit entry; its own random
stream (``seed + 1603``), after every earlier phase, so the subjects and records stay the same."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import case, func, insert, literal, select
from sqlalchemy.orm import Session

from xinyong.audit.service import log_event
from xinyong.core.db import utcnow
from xinyong.records.models import Record
from xinyong.redress.models import SelfCorrection
from xinyong.subjects.models import Subject

KINDS = ("loss_recovered", "harm_stopped", "effects_removed", "rectified_on_time")
NOTES = {
    "loss_recovered": "已主动退还违规收取的费用，挽回全部经济损失",
    "harm_stopped": "发现问题后立即停止违规行为，未造成进一步危害",
    "effects_removed": "已向当事人公开致歉并在本单位通报整改情况，消除不良影响",
    "rectified_on_time": "已在整改期限内完成整改并报送整改报告",
}
SHARE = 5  # one record in five


def build_leniency(session: Session, *, seed: int, today: date) -> dict[str, int]:
    rng = random.Random(seed + 1603)
    offset = rng.randrange(SHARE)
    turn = rng.randrange(len(KINDS))
    slot = (Record.id + turn) % len(KINDS)
    kind = case(*((slot == i, literal(k)) for i, k in enumerate(KINDS)))
    note = case(*((slot == i, literal(NOTES[k])) for i, k in enumerate(KINDS)))
    rows = (select(Record.id, Record.subject_id, Record.region_code, Record.department_code, kind,
                   func.coalesce(Record.decision_date, literal(today)), note, literal("demo"), literal("office"),
                   literal(utcnow()))
            .join(Subject, Subject.id == Record.subject_id)
            .where(Subject.kind == "public_servant", Record.polarity == "dishonest", Record.status == "active",
                   Record.id % SHARE == offset))
    cols = [SelfCorrection.record_id, SelfCorrection.subject_id, SelfCorrection.region_code,
            SelfCorrection.department_code, SelfCorrection.kind, SelfCorrection.corrected_on, SelfCorrection.note,
            SelfCorrection.recorded_by, SelfCorrection.recorded_as, SelfCorrection.recorded_at]
    made = session.execute(insert(SelfCorrection).from_select(cols, rows)).rowcount or 0
    log_event(session, who="demo", action="correction_record", entity="self_correction",
              after={"demo_self_corrections": made})
    return {"self_corrections": made}
