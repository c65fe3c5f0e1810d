"""The subjects an entry concerns beyond its own subject column (``audit_entry_subjects``): written
with the entry, append-only, part of its hash only when present (old chains still verify); and
the subject's 谁查询了我, which finds every read, check and reveal of him, each once."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from tests.audit.test_chain import CHECKER, fill
from tests.lists.helpers import person
from xinyong.accounts.principal import cli_principal
from xinyong.audit import service
from xinyong.audit.models import AuditEntry, AuditEntrySubject
from xinyong.checks import service as checks


def inbox_view(session, ids, subject_id=None):
    return service.log_event(session, who=CHECKER, action="read", entity="push_inbox", subject_id=subject_id,
                             purpose="查阅推送消息", subject_ids=ids)


def tamper_links(session, sql: str) -> None:
    """What only the database owner could do: bypass the link table's triggers."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE audit_entry_subjects DISABLE TRIGGER USER")
        conn.exec_driver_sql(sql)
        conn.exec_driver_sql("ALTER TABLE audit_entry_subjects ENABLE TRIGGER USER")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_subjects_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_subjects_no_delete")
        conn.exec_driver_sql(sql)
    session.commit()


def test_an_entry_links_its_subjects_and_they_enter_its_hash(session):
    fill(session, 2)  # entries without links: hashed as they always were
    e = inbox_view(session, [12, 11, 12, 10], subject_id=10)
    session.commit()
    assert e.subject_ids == [11, 12]  # its own subject is not repeated, each once, sorted
    rows = session.execute(select(AuditEntrySubject.seq, AuditEntrySubject.subject_id)
                           .order_by(AuditEntrySubject.subject_id)).all()
    assert [tuple(r) for r in rows] == [(3, 11), (3, 12)]
    stored = session.get(AuditEntry, 3)
    fields = {k: getattr(stored, k) for k in service.HASHED_FIELDS}
    assert service.entry_hash({**fields, "subject_ids": [12, 11]}) == stored.hash
    assert service.entry_hash(fields) != stored.hash
    old = session.get(AuditEntry, 1)
    canonical = json.loads(service.canonical({k: getattr(old, k) for k in service.HASHED_FIELDS}))
    assert "subject_ids" not in canonical  # an entry without links keeps the form it was hashed in
    verdict = service.verify(session, chunk=2)
    assert verdict.ok and verdict.checked == 3


def test_a_link_removed_or_added_behind_the_triggers_is_found(session):
    fill(session, 1)
    inbox_view(session, [21, 22])
    fill(session, 1)
    session.commit()
    assert service.verify(session).ok
    tamper_links(session, "DELETE FROM audit_entry_subjects WHERE subject_id = 22")
    assert (service.verify(session).problem, service.verify(session).first_bad_seq) == ("altered", 2)
    tamper_links(session, "INSERT INTO audit_entry_subjects (seq, subject_id) VALUES (2, 22), (3, 99)")
    assert service.verify(session).first_bad_seq == 3  # entry 2 whole again; 3 gained a link


def test_the_link_table_refuses_update_and_delete(session):
    inbox_view(session, [31, 32])
    session.commit()
    for sql in ("UPDATE audit_entry_subjects SET subject_id = 33 WHERE subject_id = 31",
                "DELETE FROM audit_entry_subjects WHERE subject_id = 31"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(sql))
        session.rollback()
    assert session.scalar(select(func.count()).select_from(AuditEntrySubject)) == 2


def test_the_log_filter_finds_linked_entries(session):
    fill(session, 1)  # subject 100
    inbox_view(session, [100, 200])
    session.commit()
    assert [e.seq for e in service.entries(session, service.EntryFilter(subject_id=100))] == [2, 1]
    assert [e.seq for e in service.entries(session, service.EntryFilter(subject_ids=(200,)))] == [2]
    assert service.entries(session, service.EntryFilter(subject_ids=())) == []
    assert service.linked_subjects(session, [1, 2]) == {2: [100, 200]}


def test_who_read_me_lists_each_read_check_and_reveal_once(session, tmp_path):
    """A single check, a batch check finding him, a read of his file, the reveal of his number and
    an inbox view listing him with others each appear exactly once; writes about him and entries
    about others do not."""
    me, ric = person(session, "谢被查", born=date(1985, 5, 5))
    other, other_ric = person(session, "邓旁人", born=date(1986, 6, 6))
    session.commit()
    who = cli_principal("checker_cli")
    single = checks.check_one(session, scenario="civil_servant_recruitment", code=ric, purpose="单项核查", who=who)
    session.commit()
    path = tmp_path / "c.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["姓名", "统一社会信用代码或公民身份号码", "地区", "出生日期"],
                                  ["谢被查", ric, "", ""], ["邓旁人", other_ric, "", ""], ["谢被查", ric, "", ""]])
    batch = checks.create_batch(session, scenario="civil_servant_recruitment", purpose="批量核查", who=who,
                                file_name="c.csv")
    session.commit()
    checks.run_batch(session, batch.id, path, tmp_path / "r.xlsx", who)
    service.log_read(session, who=CHECKER, subject_id=me.id, purpose="查阅档案", what="credit_file")
    service.log_event(session, who=CHECKER, action="reveal", entity="subject.code", subject_id=me.id, purpose="核对身份")
    inbox_view(session, [other.id, me.id])
    service.log_event(session, who=CHECKER, action="update", entity="record", subject_id=me.id)  # a write: not a read
    service.log_read(session, who=CHECKER, subject_id=other.id, purpose="别人", what="credit_file")
    session.commit()

    reads = service.readers_of(session, me.id)
    assert [(e.action, e.entity, e.purpose) for e in reads] == [
        ("read", "push_inbox", "查阅推送消息"), ("reveal", "subject.code", "核对身份"),
        ("read", "credit_file", "查阅档案"), ("check", "check_batch", "批量核查"), ("check", "check", "单项核查")]
    assert len({e.seq for e in reads}) == len(reads) == service.count_readers(session, me.id) == 5
    assert reads[-1].entity_id == str(single.check.id)
    assert [e.entity for e in service.readers_of(session, me.id, limit=2, offset=1)] == ["subject.code", "credit_file"]
    assert [e.purpose for e in service.readers_of(session, other.id)] == ["别人", "查阅推送消息", "批量核查"]
    assert service.verify(session).ok
