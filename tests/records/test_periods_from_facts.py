"""Display periods computed from a record's own facts (issue: measures within the law, points 5
and 6).

- 条例第十六条: a conviction to a custodial sentence is shown for five years from the end of the
  sentence, not from the judgment — so it is shown all through the sentence.
- 最高人民法院关于公布失信被执行人名单信息的若干规定（2017）第二条: grounds (二)–(六) two years,
  which the court may extend by one to three (its 失信期限届满日期 is honoured, up to five);
  ground (一) has no fixed term and lasts until the court removes the listing (删除日期).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.records.factories import COURT, debtor, load
from xinyong.catalog.schemas import PolicySet
from xinyong.core.clock import frozen_today
from xinyong.core.codes import make_ric
from xinyong.records.models import Record
from xinyong.records.periods import OPEN_END, compute
from xinyong.records.service import displayed

ABLE = "有履行能力而拒不履行生效法律文书确定义务"
REPORT = "违反财产报告制度"


def test_a_custodial_sentence_is_shown_five_years_from_its_end(policy: PolicySet) -> None:
    cat = policy.category("judicial_judgment")
    facts = {"crime": "盗窃罪", "sentence_type": "有期徒刑", "sentence_end": "2034-12-04"}
    span = compute(cat, "serious", date(2026, 8, 19), facts)
    # the case of the issue: it stopped showing on 2031-08-19 while the sentence ran to 2034
    assert span.display_until == date(2039, 12, 4)
    assert span.retention_until == date(2039, 12, 4)
    # without the sentence's end it counts from the judgment, as before
    assert compute(cat, "serious", date(2026, 8, 19), {"crime": "盗窃罪"}).display_until == date(2031, 8, 19)


def test_a_debtor_listing_lasts_as_its_ground_says(policy: PolicySet) -> None:
    cat = policy.category("dishonest_judgment_debtor")
    listed = date(2024, 3, 5)
    assert compute(cat, "serious", listed, {"listing_ground": REPORT}).display_until == date(2026, 3, 5)
    # ground (一): no fixed term
    able = compute(cat, "serious", listed, {"listing_ground": ABLE})
    assert able.display_until == OPEN_END and able.retention_until == OPEN_END
    # the court's 失信期限届满日期 is honoured: an extension by three years …
    extended = {"listing_ground": REPORT, "listing_end": "2029-03-04"}
    assert compute(cat, "serious", listed, extended).display_until == date(2029, 3, 4)
    # … but never past five years
    too_long = {"listing_ground": REPORT, "listing_end": "2031-01-01"}
    assert compute(cat, "serious", listed, too_long).display_until == date(2029, 3, 5)
    # the court's removal ends any listing, the open-ended one too
    removed = {"listing_ground": ABLE, "removal_date": "2026-10-01"}
    assert compute(cat, "serious", listed, removed).display_until == date(2026, 10, 1)


def test_an_open_listing_stays_shown_until_the_court_removes_it(session) -> None:
    """Through the import: a ground-(一) listing from 2024 is shown years later; the court re-sends
    the row with its 删除日期 and the record stops being shown from the day after."""
    ric = make_ric("330106", date(1980, 5, 6), 31)
    row = debtor("周长期", ric, date(2024, 3, 5), "(2024)浙0106执888号", **{"失信被执行人行为具体情形": ABLE})
    load(session, [row], "dishonest_judgment_debtor")
    rec = session.scalars(select(Record).where(Record.decision_no == "(2024)浙0106执888号")).one()
    assert rec.display_until == OPEN_END and rec.department_code == COURT
    with frozen_today(date(2031, 1, 1)):
        assert session.scalar(select(Record.id).where(displayed(date(2031, 1, 1)), Record.id == rec.id)) == rec.id
    load(session, [{**row, "删除日期": "2026-11-30"}], "dishonest_judgment_debtor")
    session.refresh(rec)
    assert rec.display_until == date(2026, 11, 30) and rec.version == 2
    day_after = date(2026, 11, 30) + timedelta(days=1)
    assert session.scalar(select(Record.id).where(displayed(day_after), Record.id == rec.id)) is None
