"""The audit log: one hash-chained entry per event; verification names the first entry that was
altered or removed; the table refuses UPDATE and DELETE; concurrent appends keep one chain."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from xinyong.accounts.principal import Principal, cli_principal
from xinyong.audit import service
from xinyong.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry
from xinyong.core.db import session_factory
from xinyong.core.errors import InvalidInput

CHECKER = Principal(user_id=7, username="checker_hz", role="checker", region_code="330100", via="session")


def fill(session, n: int = 5) -> list[AuditEntry]:
    out = []
    for i in range(n):
        out.append(service.log_event(
            session, who=CHECKER, action="update", entity="record", entity_id=i, subject_id=100 + i,
            before={"status": "active", "n": i}, after={"status": "repaired", "n": i, "when": "2026-01-02"},
            request_id=f"req-{i}", ip="10.0.0.1",
        ))
    session.commit()
    return out


def tamper(session, sql: str, **params) -> None:
    """What only someone with the database owner's rights could do: bypass the triggers."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE audit_entries DISABLE TRIGGER USER")
        conn.execute(text(sql), params)
        conn.exec_driver_sql("ALTER TABLE audit_entries ENABLE TRIGGER USER")
    else:
        conn.exec_driver_sql("DROP TRIGGER audit_entries_no_update")
        conn.exec_driver_sql("DROP TRIGGER audit_entries_no_delete")
        conn.execute(text(sql), params)
    session.commit()


def test_entries_chain_from_genesis(session):
    entries = fill(session, 3)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS_HASH
    assert entries[1].prev_hash == entries[0].hash and entries[2].prev_hash == entries[1].hash
    assert all(len(e.hash) == 64 for e in entries)
    stored = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [(e.username, e.role, e.via, e.request_id, e.ip) for e in stored][0] == (
        "checker_hz", "checker", "session", "req-0", "10.0.0.1")
    assert stored[0].after == {"status": "repaired", "n": 0, "when": "2026-01-02"}
    head = session.get(AuditChainHead, 1)
    assert (head.seq, head.hash) == (3, entries[2].hash)
    verdict = service.verify(session)
    assert verdict.ok and verdict.checked == 3


def test_the_hash_is_sm3_over_the_canonical_form(session):
    e = fill(session, 1)[0]
    fields = {k: getattr(e, k) for k in service.HASHED_FIELDS}
    assert e.hash == service.sm3_hex(service.canonical(fields))
    # SM3 itself: the GB/T 32905 example "abc"
    assert service.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_verify_names_an_edited_entry(session):
    fill(session, 5)
    tamper(session, "UPDATE audit_entries SET purpose = 'nothing to see' WHERE seq = 3")
    verdict = service.verify(session)
    assert not verdict.ok
    assert (verdict.first_bad_seq, verdict.problem, verdict.checked) == (3, "altered", 2)
    assert "第 3 条" in verdict.zh


def test_verify_names_an_edit_that_recomputes_the_hash(session):
    """Rewriting an entry and its own hash breaks the next entry's link."""
    entries = fill(session, 4)
    e = entries[1]
    fields = {k: getattr(e, k) for k in service.HASHED_FIELDS} | {"username": "someone_else"}
    tamper(session, "UPDATE audit_entries SET username = 'someone_else', hash = :h WHERE seq = 2",
           h=service.entry_hash(fields))
    verdict = service.verify(session)
    assert (verdict.ok, verdict.first_bad_seq, verdict.problem) == (False, 3, "broken_link")


def test_verify_names_a_deleted_entry(session):
    fill(session, 5)
    tamper(session, "DELETE FROM audit_entries WHERE seq = 2")
    verdict = service.verify(session)
    assert (verdict.ok, verdict.first_bad_seq, verdict.problem) == (False, 2, "removed")
    assert "第 2 条" in verdict.zh


def test_verify_names_entries_cut_from_the_end(session):
    fill(session, 5)
    tamper(session, "DELETE FROM audit_entries WHERE seq >= 4")
    verdict = service.verify(session)
    assert (verdict.ok, verdict.first_bad_seq, verdict.problem, verdict.checked) == (False, 4, "removed", 3)


def test_verify_streams_in_chunks(session):
    fill(session, 12)
    assert service.verify(session, chunk=5).ok
    tamper(session, "UPDATE audit_entries SET ip = '1.2.3.4' WHERE seq = 11")
    assert service.verify(session, chunk=5).first_bad_seq == 11


def test_the_table_refuses_update_and_delete(session):
    fill(session, 2)
    for sql in ("UPDATE audit_entries SET purpose = 'x' WHERE seq = 1", "DELETE FROM audit_entries WHERE seq = 1"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(sql))
        session.rollback()
    assert service.verify(session).ok


def test_a_read_needs_a_purpose_and_the_subject_sees_its_readers(session):
    with pytest.raises(InvalidInput):
        service.log_read(session, who=CHECKER, subject_id=5, purpose="  ", what="credit_file")
    session.rollback()
    service.log_read(session, who=CHECKER, subject_id=5, purpose="公务员录用核查", what="credit_file")
    service.log_read(session, who=cli_principal("ops"), subject_id=6, purpose="其他人", what="credit_file")
    service.log_event(session, who=CHECKER, action="update", entity="record", subject_id=5)
    session.commit()
    reads = service.readers_of(session, 5)
    assert [(r.username, r.role, r.purpose, r.entity) for r in reads] == [
        ("checker_hz", "checker", "公务员录用核查", "credit_file")]


def test_filters(session):
    fill(session, 3)
    service.log_read(session, who=cli_principal("ops"), subject_id=101, purpose="核查", what="record")
    session.commit()
    assert service.count(session) == 4
    assert [e.seq for e in service.entries(session, service.EntryFilter(subject_id=101))] == [4, 2]
    assert [e.seq for e in service.entries(session, service.EntryFilter(username="ops"))] == [4]
    assert [e.seq for e in service.entries(session, service.EntryFilter(action="update"), limit=2)] == [3, 2]
    assert [e.seq for e in service.iter_entries(session, chunk=2)] == [1, 2, 3, 4]


def test_a_rolled_back_append_leaves_no_gap(session):
    fill(session, 2)
    service.log_event(session, who=CHECKER, action="delete", entity="record", entity_id=9)
    session.rollback()
    e = service.log_event(session, who=CHECKER, action="delete", entity="record", entity_id=10)
    session.commit()
    assert e.seq == 3
    assert service.verify(session).ok


def test_concurrent_appends_keep_one_chain(engine):
    """Eight threads, each appending in its own transactions: no seq twice, no fork (PostgreSQL:
    the chain head's row lock; SQLite: its write lock)."""
    factory = session_factory(engine)
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(15):
                with factory() as s:
                    service.log_event(s, who=CHECKER, action="read", entity="credit_file", entity_id=f"{n}-{i}",
                                      subject_id=n, purpose="并发")
                    s.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with factory() as s:
        seqs = s.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        assert seqs == list(range(1, 121))
        verdict = service.verify(s)
        assert verdict.ok and verdict.checked == 120, verdict
