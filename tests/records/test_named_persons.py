"""The persons a decision names (直接责任人员, a ric_list fact): checked number by number at
import, stored masked, never shown by their keys, and indexed by the keyed hash of each number
so that a check of that person finds the record."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.records.factories import debtor
from xinyong.catalog import service as catalog_service
from xinyong.core.codes import make_ric, make_uscc
from xinyong.core.masking import mask_ric
from xinyong.records.ingest import import_source
from xinyong.records.models import PERSON_KEYS, Record, RecordPerson
from xinyong.records.readers import rows_from_dicts
from xinyong.records.schemas import facts_out
from xinyong.subjects.identity import lookup_key

FIRM = make_uscc("91", "330106", "61234567")
A = make_ric("330106", date(1971, 1, 1), 41)
B = make_ric("330102", date(1980, 6, 6), 42)
HEADER = "直接责任人员公民身份号码"


def test_named_persons_are_stored_masked_and_indexed(session):
    rows = [
        debtor("杭州某机械有限公司", FIRM, date(2026, 6, 1), "（2026）浙01执1号", **{HEADER: f"{A}、{B}，{A}"}),
        debtor("杭州某机械有限公司", FIRM, date(2026, 6, 2), "（2026）浙01执2号"),
        debtor("杭州某机械有限公司", FIRM, date(2026, 6, 3), "（2026）浙01执3号", **{HEADER: f"{A}、330106199002301234"}),
    ]
    result = import_source(session, rows_from_dicts(rows), file_name="t", category="dishonest_judgment_debtor")
    assert result.new == 2 and result.rejected == 1
    (bad,) = result.errors
    assert (bad.row, bad.field, bad.zh.startswith("第2个号码")) == (3, HEADER, True)
    named = session.scalar(select(Record).where(Record.decision_date == date(2026, 6, 1)))
    masked = f"{mask_ric(A)}、{mask_ric(B)}"
    assert named.facts["responsible_persons"] == masked  # twice given, once kept; never in plain
    assert A not in str(named.facts) and B not in str(named.facts)
    assert named.facts[PERSON_KEYS] == {"responsible_persons": [lookup_key(A), lookup_key(B)]}
    rows_ = session.execute(select(RecordPerson.record_id, RecordPerson.person_key, RecordPerson.person_masked)
                            .order_by(RecordPerson.id)).all()
    assert rows_ == [(named.id, lookup_key(A), masked.split("、")[0]), (named.id, lookup_key(B), masked.split("、")[1])]
    _vid, policy = catalog_service.active_version(session)
    shown = {f.key for f in facts_out(policy.category("dishonest_judgment_debtor"), named.facts, named.subject,
                                      named.subject_name)}
    assert "responsible_persons" in shown and PERSON_KEYS not in shown


def test_a_changed_decision_rewrites_whom_it_names(session):
    row = debtor("杭州某机械有限公司", FIRM, date(2026, 6, 1), "（2026）浙01执9号", **{HEADER: A})
    import_source(session, rows_from_dicts([row]), file_name="t", category="dishonest_judgment_debtor")
    row[HEADER] = B
    result = import_source(session, rows_from_dicts([row]), file_name="t2", category="dishonest_judgment_debtor")
    assert result.updated == 1
    assert session.scalars(select(RecordPerson.person_key)).all() == [lookup_key(B)]
