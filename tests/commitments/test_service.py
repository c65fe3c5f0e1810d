"""The register: import with per-row errors, status changes audited before and after, a breach
(found by the daily run or reported) becoming exactly one 违背信用承诺 record through the records'
write path, a second run changing nothing, rates per body and region, and the public list."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.commitments.helpers import TODAY, code, row
from tests.lists.helpers import body, person
from xinyong.accounts.principal import Principal, cli_principal
from xinyong.audit.models import AuditEntry
from xinyong.commitments import service
from xinyong.commitments.models import Commitment
from xinyong.core.masking import mask_name
from xinyong.records.models import Record

WHO = cli_principal("credit_office")


def officer(region: str = "330100") -> Principal:
    return Principal(user_id=None, username=f"admin_{region}", role="admin", region_code=region, via="session")


def _one(session, subject, **kw) -> Commitment:
    return service.create(session, row(subject, **kw), who=WHO, today=TODAY)


def test_good_rows_are_written_and_each_bad_row_named(session):
    bureau = body(session, "某区行政服务中心", kind="gov_body", region="330106")
    firm = body(session, "某某科技有限公司", region="330106")
    far = body(session, "宁波某局", kind="gov_body", region="330203")
    dup = code()
    result = service.import_rows(session, [
        row(bureau, code=dup),                                                       # 1 good
        row(bureau, code=dup),                                                       # 2 same code as row 1
        row(bureau, code="3301062026030100001"),                                     # 3 19 characters
        row(bureau, kind="随口承诺"),                                                # 4 no such kind
        row(bureau, subject_code="91330106MA2XXXXX0X"),                              # 5 bad USCC
        row(bureau, subject_name="别的单位"),                                        # 6 name differs
        row(firm),                                                                   # 7 an enterprise's service-quality commitment
        row(bureau, kind="街道和乡镇公开承诺", list_kind=None, list_item=None),       # 8 no service area
        row(bureau, list_item=None),                                                 # 9 no list item
        row(bureau, made_on="2026-04-01", due_on="2026-03-01"),                      # 10 due before made
        row(bureau, accepting_code="1233"),                                          # 11 bad accepting code
        row(firm, kind="告知承诺", list_kind=None, list_item=None, disclosure="不可公开"),  # 12 good
        row(bureau, kind="街道和乡镇公开承诺", service_area="养老", list_kind=None, list_item=None),  # 13 good
        row(bureau, made_on="2026-02-30"),                                           # 14 no such date
    ], who=officer("330100"), today=TODAY)
    assert (result.rows, result.created, result.rejected) == (14, 3, 11)
    by_row = {e.row: (e.column, e.reason) for e in result.errors}
    assert set(by_row) == {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14}
    assert by_row[2] == ("承诺编码", "与第 1 行的承诺编码重复")
    assert by_row[3][0] == "承诺编码" and "应为20位" in by_row[3][1]
    assert by_row[4][0] == "承诺类型" and "服务质量承诺" in by_row[4][1]
    assert by_row[5][0] == "承诺主体代码"
    assert by_row[6][0] == "承诺主体名称" and "不一致" in by_row[6][1]
    assert by_row[7] == ("承诺主体代码", "服务质量承诺不能由该类信用主体作出")
    assert by_row[8][0] == "服务领域"
    assert by_row[9][0] == "清单事项"
    assert by_row[10] == ("履行期限", "履行期限早于承诺作出日期")
    assert by_row[11][0] == "受理单位统一社会信用代码"
    assert by_row[14][0] == "承诺作出日期" and "格式不正确" in by_row[14][1]
    # another region's body, for an officer of Hangzhou: refused, the rest kept
    out = service.import_rows(session, [row(far)], who=officer("330100"), today=TODAY)
    assert out.created == 0 and out.errors[0].reason == "该信用主体不在您的地区权限范围内"
    stored = session.scalars(select(Commitment).order_by(Commitment.id)).all()
    assert [(c.kind, c.status, c.disclosure) for c in stored] == [
        ("service_quality", "in_force", "public"), ("notification", "in_force", "private"),
        ("township_public", "in_force", "public")]
    audited = session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "commitment", AuditEntry.action == "create"))
    assert audited == 3


def test_the_template_reads_back(session):
    import io

    from openpyxl import load_workbook

    kinds = service.kind_list(session)
    data = service.template_bytes(kinds)
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["承诺编码", "承诺类型", "承诺主体代码"]
    assert service.read_xlsx(data) == []


def test_a_due_date_passed_becomes_exactly_one_record_and_a_second_run_changes_nothing(session):
    bureau = body(session, "某区人力社保局", kind="gov_body", region="330106")
    late = _one(session, bureau, due_on="2026-05-01")
    kept = _one(session, bureau, due_on="2026-05-01")
    service.change_status(session, kept.id, "fulfilled", who=WHO, reason="按期办结", on=date(2026, 4, 20))
    not_yet = _one(session, bureau, due_on="2026-06-01")  # due today: not late yet
    counts = service.daily_breaches(session, TODAY)
    assert counts == {"due": 1, "breached": 1, "records": 1, "rejected": 0}
    session.refresh(late)
    assert late.status == "breached" and late.status_on == TODAY and late.breach_record_id is not None
    record = session.get(Record, late.breach_record_id)
    assert (record.category_code, record.subject_id, record.source_id, record.department_code) == (
        "commitment_breach", bureau.id, f"commitment:{late.code}", late.accepting_code)
    assert record.facts["commitment_code"] == late.code and record.facts["commitment_kind"] == "服务质量承诺"
    assert record.decision_date == TODAY
    # the second run (and the next day's) writes nothing more
    assert service.daily_breaches(session, TODAY)["due"] == 0
    assert service.daily_breaches(session, date(2026, 6, 2)) == {"due": 1, "breached": 1, "records": 1, "rejected": 0}
    assert service.daily_breaches(session, date(2026, 6, 2))["due"] == 0
    n = session.scalar(select(func.count()).select_from(Record).where(Record.category_code == "commitment_breach"))
    assert n == 2
    session.refresh(not_yet)
    assert not_yet.status == "breached"  # due 06-01, late on 06-02
    session.refresh(kept)
    assert kept.status == "fulfilled" and kept.breach_record_id is None


def test_a_reported_breach_writes_its_record_at_once(session):
    someone, ric = person(session, "钱多多", region="330106")
    c = _one(session, someone, subject_code=ric, kind="告知承诺", list_kind=None, list_item=None, due_on=None)
    service.change_status(session, c.id, "已违诺", who=WHO, reason="承诺事项与实际情况不符", on=date(2026, 5, 10))
    session.refresh(c)
    record = session.get(Record, c.breach_record_id)
    assert record.subject_id == someone.id and record.decision_date == date(2026, 5, 10)
    assert record.facts["unfulfilled"] == "承诺事项与实际情况不符" and record.facts["commitment_kind"] == "审批替代型"
    assert service.daily_breaches(session, TODAY)["due"] == 0


def test_status_changes_are_audited_before_and_after_and_only_from_in_force(session):
    import pytest

    from xinyong.core.errors import Forbidden, InvalidInput

    bureau = body(session, "某区医保局", kind="gov_body", region="330106")
    c = _one(session, bureau)
    with pytest.raises(InvalidInput) as exc:
        service.change_status(session, c.id, "fulfilled", who=WHO, reason=" ", on=TODAY)
    assert "理由" in exc.value.zh
    with pytest.raises(Forbidden):
        service.change_status(session, c.id, "withdrawn", who=officer("330200"), reason="撤回", on=TODAY)
    service.change_status(session, c.id, "withdrawn", who=officer("330100"), reason="政策调整，承诺事项取消", on=TODAY)
    with pytest.raises(InvalidInput) as exc:
        service.change_status(session, c.id, "fulfilled", who=WHO, reason="办结", on=TODAY)
    assert "不能改为" in exc.value.zh
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity == "commitment", AuditEntry.action == "status"))
    assert entry.before["status"] == "in_force" and entry.after["status"] == "withdrawn"
    assert entry.after["status_reason"] == "政策调整，承诺事项取消" and entry.subject_id == bureau.id


def test_rates_per_body_and_region(session):
    a = body(session, "甲局", kind="gov_body", region="330106")
    b = body(session, "乙局", kind="gov_body", region="330110")
    for subject, outcomes in ((a, ["fulfilled", "fulfilled", "fulfilled", "breached", None]), (b, ["breached"])):
        for outcome in outcomes:
            c = _one(session, subject)
            if outcome:
                service.change_status(session, c.id, outcome, who=WHO, reason="认定", on=TODAY)
    by_body = {r.name: r for r in service.rates_by_body(session, WHO)}
    assert (by_body["甲局"].total, by_body["甲局"].fulfilled, by_body["甲局"].in_force) == (5, 3, 1)
    assert by_body["甲局"].rate == 0.75 and by_body["乙局"].rate == 0.0
    by_region = {r.key: r for r in service.rates_by_region(session, officer("330100"))}
    assert set(by_region) == {"330106", "330110"} and by_region["330106"].rate == 0.75
    assert service.rates_by_region(session, officer("330200")) == []


def test_the_public_list_shows_what_the_policy_allows(session):
    servant, servant_ric = person(session, "孙公仆", region="330106", kind="public_servant")
    someone, ric = person(session, "李一二", region="330106")
    bureau = body(session, "某街道办事处", kind="gov_body", region="330106")
    shown = _one(session, servant, subject_code=servant_ric)
    _one(session, someone, subject_code=ric, kind="告知承诺", list_kind=None, list_item=None)     # a person's: not public
    _one(session, bureau, disclosure="特定范围内公开")                            # not for the public
    gone = _one(session, bureau)
    service.change_status(session, gone.id, "withdrawn", who=WHO, reason="撤回", on=TODAY)
    public = _one(session, bureau, kind="街道和乡镇公开承诺", service_area="就业", list_kind=None, list_item=None)
    listed = service.public_list(session)
    assert {c.id for c, _s in listed} == {shown.id, public.id}
    assert mask_name("孙公仆") == "孙*仆"


def test_the_breach_run_is_a_registered_daily_job(session):
    import xinyong.commitments  # noqa: F401  (importing the package registers its job)
    from xinyong.core import daily

    job = next(j for j in daily.registered() if j.name == "commitments.breaches")
    assert job.label == "信用承诺违诺认定" and job.counts["breached"] == "新认定违诺"
    bureau = body(session, "某区民政局", kind="gov_body", region="330106")
    _one(session, bureau, due_on="2026-05-01")
    assert job.run(session, TODAY)["records"] == 1 and job.run(session, TODAY)["due"] == 0
