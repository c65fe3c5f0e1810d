"""Storing a single check (xinyong/checks/store.py): on PostgreSQL one statement writes the check,
its hits and takes the audit chain's head; on SQLite the ORM statements. Either way the stored
hits are the result's, and the audit chain stays whole."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from tests.lists.helpers import body, designate, person, post, record
from xinyong.accounts.principal import cli_principal
from xinyong.audit import service as audit
from xinyong.audit.models import AuditChainHead, AuditEntry
from xinyong.checks import service as checks
from xinyong.checks.models import Check, CheckHit
from xinyong.lists import service as lists

WHO = cli_principal("tester")


def _stored_hits(session, check_id):
    rows = session.execute(select(CheckHit.measure_code, CheckHit.measure_type, CheckHit.mandatory, CheckHit.via,
                                  CheckHit.source_id, CheckHit.target_subject_id, CheckHit.role)
                           .where(CheckHit.check_id == check_id)).all()
    return sorted(tuple(r) for r in rows)


def _result_hits(result):
    return sorted((h.measure.code, h.measure.type, h.measure.mandatory, h.via, h.source_id, h.target.id, h.role)
                  for h in result.hits)


def test_hits_and_audit_entries_are_stored_as_the_result_gives_them(session):
    rep, rep_ric = person(session, "许法人", born=date(1970, 2, 3))
    firm = body(session, "杭州失信机械有限公司", legal_rep=("许法人", rep_ric))
    boss, boss_ric = person(session, "韩经理", born=date(1975, 1, 1))
    post(session, boss, firm, "总经理")
    designate(session, rep, firm, "legal_rep", start=date(2012, 1, 1))
    designate(session, boss, firm, "principal", start=date(2012, 1, 1))
    record(session, firm, "dishonest_judgment_debtor", "serious")
    cheat, cheat_ric = person(session, "陈舞弊")
    record(session, cheat, "exam_cheating", "general")
    clean, clean_ric = person(session, "周清白")
    lists.refresh(session)
    before = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)) or 0

    made = [checks.check_one(session, scenario=sc, code=code, purpose="存储测试", who=WHO)
            for sc, code in (("consumption_restriction", rep_ric), ("civil_servant_recruitment", cheat_ric),
                             ("civil_servant_recruitment", clean_ric), ("consumption_restriction", boss_ric))]
    session.commit()
    assert [len(r.hits) > 0 for r in made] == [True, True, False, True]
    assert any(h.role == "legal_rep" for h in made[0].hits) and any(h.source_id is None or h.role is None
                                                                    for r in made for h in r.hits)
    for r in made:
        assert _stored_hits(session, r.check.id) == _result_hits(r)
        stored = session.get(Check, r.check.id)
        assert (stored.outcome, stored.hit_count, stored.purpose) == (r.check.outcome, len(r.hits), "存储测试")
        assert (r.check.created_at, r.check.policy_version_id) == (stored.created_at, stored.policy_version_id)
    entries = session.execute(select(AuditEntry.seq, AuditEntry.entity_id).where(AuditEntry.action == "check")
                              .order_by(AuditEntry.seq)).all()
    assert [e.entity_id for e in entries] == [str(r.check.id) for r in made]
    assert [e.seq for e in entries] == list(range(before + 1, before + 5))
    assert audit.verify(session).ok


def test_a_missing_chain_head_is_made_on_the_way(session):
    cheat, cheat_ric = person(session, "陈舞弊")
    record(session, cheat, "exam_cheating", "general")
    audit.log_event(session, who=WHO, action="update", entity="test", entity_id=1)
    session.execute(delete(AuditChainHead))  # as in a database whose head row was never made
    session.commit()
    r = checks.check_one(session, scenario="civil_servant_recruitment", code=cheat_ric, purpose="存储测试", who=WHO)
    session.commit()
    assert r.hits and _stored_hits(session, r.check.id) == _result_hits(r)
    assert session.scalar(select(AuditChainHead.seq)) == session.scalar(select(AuditEntry.seq).order_by(
        AuditEntry.seq.desc()).limit(1))
    assert audit.verify(session).ok


def test_the_rows_a_check_reads_name_their_columns_in_order():
    """check_one's first statement returns records and list entries as JSON arrays, read back by
    position into RecordRow / EntryRow: their fields are the selected columns, in order."""
    assert checks.RecordRow._fields == tuple(c.key for c in checks._RECORD_COLUMNS)
    assert checks.EntryRow._fields == tuple(c.key for c in checks._ENTRY_COLUMNS)
