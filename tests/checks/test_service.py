"""Checks against a database: the recruitment scenario, every trigger kind, measures reaching
the responsible persons of a body or enterprise, expiry and repair removing a hit, the green
channel, possible matches, and the batch path (database and DuckDB) agreeing with the single
path."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import duckdb
import pytest
from sqlalchemy import func, insert, select

from tests.lists.helpers import body, person, post, record
from xinyong.accounts.principal import cli_principal
from xinyong.audit import service as audit
from xinyong.catalog import service as catalog_service
from xinyong.checks import matching
from xinyong.checks import service as checks
from xinyong.checks.models import Check, CheckCandidate, CheckHit
from xinyong.core.clock import frozen_today, today
from xinyong.core.errors import InvalidInput
from xinyong.lists import service as lists
from xinyong.lists.models import SubjectGrade

WHO = cli_principal("tester")


def run(session, scenario, code):
    return checks.check_one(session, scenario=scenario, code=code, purpose="测试核查", who=WHO)


def measures(result):
    return sorted({(h.measure.code, h.role) for h in result.hits})


def test_recruitment_outcomes(session):
    cheat, cheat_ric = person(session, "陈舞弊")
    record(session, cheat, "exam_cheating", "general")
    fined, fined_ric = person(session, "林罚款")
    record(session, fined, "admin_penalty", "general")
    debtor, debtor_ric = person(session, "黄失信")
    record(session, debtor, "dishonest_judgment_debtor", "serious")
    honest, honest_ric = person(session, "何模范")
    record(session, honest, "honour")
    lists.refresh(session)

    r = run(session, "civil_servant_recruitment", cheat_ric)
    assert (r.check.outcome_kind, r.check.outcome) == ("mandatory", "取消报考资格/不予录用")
    assert [h.measure.code for h in r.mandatory] == ["rec_exam_cheating"]
    r = run(session, "civil_servant_recruitment", fined_ric)
    assert (r.check.outcome, measures(r)) == ("审慎审查", [("rec_bad_info_review", None)])
    r = run(session, "civil_servant_recruitment", debtor_ric)
    assert {("rec_blacklisted", None), ("rec_refuse_judgment", None)} <= set(measures(r))
    assert any(h.via == "list" for h in r.hits)
    assert run(session, "civil_servant_recruitment", honest_ric).check.outcome == "通过"
    from xinyong.core.codes import make_ric

    unknown = run(session, "civil_servant_recruitment", make_ric("330102", date(2000, 1, 2), 5))
    assert (unknown.subject, unknown.check.match, unknown.check.outcome) == (None, "none", "通过")
    stored = session.get(Check, r.check.id)
    assert stored.policy_version_id and stored.purpose == "测试核查" and stored.username == "tester"


def test_punishment_reaches_the_legal_representative_and_principal(session):
    rep, rep_ric = person(session, "许法人", born=date(1970, 2, 3))
    boss, boss_ric = person(session, "韩经理", born=date(1975, 1, 1))
    deputy, deputy_ric = person(session, "冯副总", born=date(1976, 1, 1))
    firm = body(session, "杭州失信机械有限公司", legal_rep=("许法人", rep_ric))
    post(session, boss, firm, "总经理")
    post(session, deputy, firm, "副总经理")
    record(session, firm, "dishonest_judgment_debtor", "serious")

    r = run(session, "consumption_restriction", rep_ric)
    assert r.check.outcome_kind == "mandatory"
    assert {(h.measure.code, h.role, h.target.id) for h in r.hits} >= {("cons_transport_class", "legal_rep", firm.id)}
    assert len({h.measure.code for h in r.hits}) == 9  # all nine consumption limits
    assert {h.role for h in run(session, "consumption_restriction", boss_ric).hits} == {"principal"}
    assert run(session, "consumption_restriction", deputy_ric).hits == []  # 副 is not the principal

    firm_check = run(session, "consumption_restriction", firm.code)
    roles = {p.role: p for p in firm_check.reached}
    assert roles["legal_rep"].name == "许*人" and rep_ric not in roles["legal_rep"].code
    assert roles["legal_rep"].code == rep_ric[:6] + "*" * 12
    assert roles["principal"].name == "韩*理"
    assert "directly_responsible" in roles and roles["directly_responsible"].name == "—"


def test_government_debtor_reaches_its_financial_head(session):
    director, director_ric = person(session, "曹局长", kind="public_servant")
    cfo, cfo_ric = person(session, "邓财务", kind="public_servant")
    ended, ended_ric = person(session, "彭前任", kind="public_servant")
    bureau = body(session, "某县交通运输局", kind="gov_body", region="330122")
    post(session, director, bureau, "局长")
    post(session, cfo, bureau, "计划财务处处长")
    post(session, ended, bureau, "局长", start=date(2015, 1, 1), end=date(2019, 12, 31))
    record(session, bureau, "dishonest_judgment_debtor", "serious")
    assert {h.measure.code for h in run(session, "consumption_restriction", cfo_ric).hits} == {"gov_debtor_officials_consumption"}
    assert len({h.measure.code for h in run(session, "consumption_restriction", director_ric).hits}) == 10
    assert run(session, "consumption_restriction", ended_ric).hits == []  # no longer in the post


@pytest.mark.parametrize("change", ["expire", "repair", "revoke"])
def test_expiry_and_repair_remove_the_hit(session, change):
    p, ric = person(session, "吕变化")
    r = record(session, p, "judicial_judgment", "general", days_shown=60)
    assert run(session, "civil_servant_recruitment", ric).check.outcome_kind == "mandatory"
    if change == "expire":
        with frozen_today(r.display_until + timedelta(days=1)):
            assert run(session, "civil_servant_recruitment", ric).hits == []
        return
    r.status = "repaired" if change == "repair" else "revoked"
    session.flush()
    assert run(session, "civil_servant_recruitment", ric).check.outcome == "通过"


def test_green_channel(session):
    clean, clean_ric = person(session, "孔守信")
    old, old_ric = person(session, "曹旧罚")
    record(session, old, "admin_penalty", "general", decided=today() - timedelta(days=3 * 366 + 10), days_shown=365)
    recent, recent_ric = person(session, "严近罚")
    record(session, recent, "admin_penalty", "general", decided=today() - timedelta(days=700), days_shown=365)
    r = run(session, "administrative_licensing", clean_ric)
    assert (r.check.outcome_kind, r.check.outcome) == ("reward", "绿色通道 / 容缺受理")
    assert {h.measure.code for h in r.hits} == {"reward_green_channel", "reward_rongque"}
    assert run(session, "administrative_licensing", old_ric).check.outcome_kind == "reward"
    # a bad record within three years breaks the streak even after its display period ended
    assert run(session, "administrative_licensing", recent_ric).hits == []
    # a red-list decision also opens the green channel
    lists.include(session, code=recent_ric, list_kind="redlist", decision_no="杭信〔2026〕1号", decided_by="杭州市信用办",
                  decided_on=today(), reason="优秀志愿者", by="admin")
    r = run(session, "administrative_licensing", recent_ric)
    assert {(h.measure.code, h.via) for h in r.hits} == {("reward_green_channel", "list"), ("reward_rongque", "list")}


def test_a_stale_look_back_reads_the_records_again(session, engine, count_queries):
    """check_one's first statement reads the subject's records before it knows the policy, with
    the look-back (clean years) the scenario asked last time; when that differs, the records are
    read again, so a bad record outside its display period but inside the three years still
    breaks the green channel; the next check reads them once."""
    recent, recent_ric = person(session, "严近罚")
    record(session, recent, "admin_penalty", "general", decided=today() - timedelta(days=700), days_shown=365)
    checks._last_since.clear()  # as in a process that has not checked this scenario yet
    catalog_service.active_version(session)  # the policy's lists in memory, as after any request
    audit.log_event(session, who=WHO, action="update", entity="test", entity_id=1)  # the chain head made
    with count_queries(engine) as first:
        assert run(session, "administrative_licensing", recent_ric).hits == []
    with count_queries(engine) as second:
        assert run(session, "administrative_licensing", recent_ric).hits == []
    assert second.count == first.count - 2  # the records and list entries, read again the first time


def test_grade_triggers(session):
    gov = body(session, "某县人民政府", kind="gov_body", region="330122")
    firm = body(session, "杭州评价优秀有限公司")
    session.add_all([SubjectGrade(subject_id=gov.id, grade="较差", graded_on=date(2026, 6, 30), source="t", created_by="t"),
                     SubjectGrade(subject_id=firm.id, grade="良好", graded_on=date(2025, 6, 30), source="t", created_by="t"),
                     SubjectGrade(subject_id=firm.id, grade="优秀", graded_on=date(2026, 6, 30), source="t", created_by="t")])
    session.flush()
    r = run(session, "project_approval", gov.code)
    assert ("gov_policy_limits", "grade") in {(h.measure.code, h.via) for h in r.hits}
    r = run(session, "fiscal_subsidy", firm.code)
    assert r.check.outcome == "同等条件下优先支持"
    assert {h.measure.code for h in r.hits} == {"reward_subsidy_priority"}


def write_candidates(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["姓名", "统一社会信用代码或公民身份号码", "地区", "出生日期"])
        w.writerows(rows)


def build_mixed(session):
    """Subjects with every kind of fact, and the candidates file naming them."""
    out = {}
    p1, out["cheat"] = person(session, "甲舞弊")
    record(session, p1, "exam_cheating", "serious")
    p2, out["debtor"] = person(session, "乙失信")
    record(session, p2, "dishonest_judgment_debtor", "serious")
    p3, out["fined"] = person(session, "丙罚款")
    record(session, p3, "admin_penalty", "general")
    record(session, p3, "admin_penalty", "serious", decided=today() - timedelta(days=900), days_shown=400)
    p4, out["rep"] = person(session, "丁法人", born=date(1971, 1, 1))
    firm = body(session, "戊有限公司", legal_rep=("丁法人", out["rep"]))
    record(session, firm, "dishonest_judgment_debtor", "serious")
    out["firm"] = firm.code
    p5, out["red"] = person(session, "己志愿", born=date(1992, 2, 2))
    p6, out["clean"] = person(session, "庚清白", born=date(1993, 3, 3))
    lists.refresh(session)
    lists.include(session, code=out["red"], list_kind="redlist", decision_no="杭信〔2026〕2号", decided_by="杭州市信用办",
                  decided_on=today(), reason="优秀志愿者", by="admin")
    session.add(SubjectGrade(subject_id=firm.id, grade="优秀", graded_on=date(2026, 1, 1), source="t", created_by="t"))
    session.flush()
    return out, p2


def hit_set(rows):
    return {(h.measure_code, h.via, h.source_id, h.role) for h in rows}


@pytest.mark.parametrize("scenario", ["civil_servant_recruitment", "consumption_restriction", "administrative_licensing",
                                      "fiscal_subsidy"])
def test_batch_agrees_with_single_checks(session, tmp_path, scenario):
    codes, debtor = build_mixed(session)
    names = list(codes)
    path = tmp_path / "c.csv"
    write_candidates(path, [[n, codes[n], "", ""] for n in names] + [["乙失信", "", debtor.region_code, debtor.birth_date.isoformat()]])
    batch = checks.create_batch(session, scenario=scenario, purpose="批量测试", who=WHO, file_name="c.csv")
    checks.load_candidates(session, batch, path)
    checks.match_batch(session, batch, WHO)
    rows = {c.row_no: c for c in checks.batch_checks(session, batch.id, limit=100)}
    for i, n in enumerate(names, start=1):
        got = rows[i]
        try:
            single = run(session, scenario, codes[n])
        except InvalidInput:  # a subject the scenario is not for: refused singly, flagged in a batch
            assert (got.match, got.outcome_kind, got.hit_count) == ("other_kind", "invalid", 0), n
            assert "不属本场景核查对象" in got.outcome
            continue
        assert (got.outcome_kind, got.outcome, got.subject_id) == (single.check.outcome_kind, single.check.outcome,
                                                                    single.check.subject_id), n
        batch_hits = session.scalars(select(CheckHit).where(CheckHit.check_id == got.id)).all()
        assert hit_set(batch_hits) == {(h.measure.code, h.via, h.source_id, h.role) for h in single.hits}, n
    possible = rows[len(names) + 1]
    assert (possible.match, possible.outcome_kind, possible.subject_id) == ("possible", "possible", debtor.id)


def test_possible_match_is_flagged_never_punished(session, tmp_path):
    p, ric = person(session, "钟疑似", region="330108", born=date(1988, 8, 8))
    record(session, p, "exam_cheating", "serious")
    path = tmp_path / "c.csv"
    write_candidates(path, [["钟疑似", "", "330108", "1988-08-08"], ["钟疑似", "", "330108", "1988-08-09"],
                            ["钟疑似", ric, "", ""]])
    batch = checks.create_batch(session, scenario="civil_servant_recruitment", purpose="t", who=WHO, file_name="c.csv")
    session.commit()
    result = tmp_path / "r.xlsx"
    checks.run_batch(session, batch.id, path, result, WHO)
    r1, r2, r3 = checks.batch_checks(session, batch.id)
    assert (r1.match, r1.outcome, r1.mandatory_count > 0) == ("possible", "疑似匹配，请人工核实", True)
    assert (r2.match, r2.outcome) == ("none", "通过")  # another birth date: not the same person
    assert (r3.match, r3.outcome_kind) == ("code", "mandatory")
    # the uploaded rows are working data: gone once the checks and the result file are stored
    assert session.scalar(select(func.count()).select_from(CheckCandidate).where(CheckCandidate.batch_id == batch.id)) == 0
    assert result.exists() and r1.candidate_name == "钟疑似"


def test_duckdb_path_agrees_with_the_database(session, policy):
    codes, debtor = build_mixed(session)
    from xinyong.subjects.identity import lookup_keys

    keys = lookup_keys(list(codes.values()))
    cand_rows = [(i, n, k, True, None, None) for i, (n, k) in enumerate(zip(codes, keys, strict=True), start=1)]
    cand_rows.append((len(cand_rows) + 1, "乙失信", None, True, debtor.region_code, debtor.birth_date))
    for scenario in ("civil_servant_recruitment", "consumption_restriction", "administrative_licensing"):
        sc = checks.scenario_of(policy, scenario)
        con = duckdb.connect()
        matching.copy_to_duckdb(session, con)
        con.execute("CREATE TABLE cand (row_no BIGINT, name VARCHAR, code_key VARCHAR, code_ok BOOLEAN, "
                    "region_code VARCHAR, birth_date DATE)")
        con.executemany("INSERT INTO cand VALUES (?, ?, ?, ?, ?, ?)", cand_rows)
        q = matching.build(policy, sc, today(), matching.candidate_table("cand"))
        duck = {tuple(r) for r in con.execute(matching.compile_for_duckdb(q.hits)).fetchall()}
        # the same statement in the database, over the candidates as the batch path stores them
        batch = checks.create_batch(session, scenario=scenario, purpose="t", who=WHO, file_name="x.csv")
        session.execute(insert(CheckCandidate), [dict(zip(("row_no", "name", "code_key", "code_ok", "region_code",
                                                          "birth_date"), r, strict=True), batch_id=batch.id)
                                                 for r in cand_rows])
        t = CheckCandidate.__table__
        cand = select(*(t.c[c] for c in matching.CAND_COLUMNS)).where(t.c.batch_id == batch.id).subquery("cand")
        db = {tuple(r) for r in session.execute(matching.build(policy, sc, today(), cand).hits).all()}
        assert duck == db, scenario
        assert duck  # something hit


@pytest.mark.parametrize("durable", [False, True])
def test_a_single_check_commits_without_waiting_for_the_disk_unless_told(session, monkeypatch, durable):
    """PostgreSQL: the check's own transaction runs with synchronous_commit off (docs/checks.md);
    XINYONG_CHECKS_SYNCHRONOUS_COMMIT=true keeps the server's durable default. SQLite: nothing to
    set (WAL + synchronous=NORMAL), and the check is stored either way."""
    from sqlalchemy import text

    from xinyong.core import settings

    monkeypatch.setenv("XINYONG_CHECKS_SYNCHRONOUS_COMMIT", str(durable).lower())
    settings.reset_settings()
    subject, ric = person(session, "黎持久")
    session.commit()
    r = run(session, "civil_servant_recruitment", ric)
    if session.get_bind().dialect.name == "postgresql":
        server_default = "on"
        now = session.execute(text("SHOW synchronous_commit")).scalar()
        assert now == (server_default if durable else "off")
    session.commit()
    assert session.get(Check, r.check.id).subject_id == subject.id
    if session.get_bind().dialect.name == "postgresql":  # SET LOCAL ends with the transaction
        assert session.execute(text("SHOW synchronous_commit")).scalar() == "on"
    settings.reset_settings()


def test_a_scenario_checks_only_the_subject_kinds_it_is_for(session):
    """公务员录用 checks persons: an enterprise (stored or not) is refused with a reason, not
    answered "通过" by measures that cannot apply to it."""
    from xinyong.core.codes import make_uscc
    from xinyong.core.errors import InvalidInput

    firm = body(session, "某某贸易有限公司")
    session.commit()
    with pytest.raises(InvalidInput) as err:
        run(session, "civil_servant_recruitment", firm.code)
    assert "只核查" in err.value.zh and err.value.field == "code"
    with pytest.raises(InvalidInput):
        run(session, "civil_servant_recruitment", make_uscc("91", "330106", "77777777"))
    assert session.scalar(select(Check.id).where(Check.subject_id == firm.id)) is None
    assert run(session, "government_procurement", firm.code).check.subject_id == firm.id
