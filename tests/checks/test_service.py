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

from tests.lists.helpers import body, designate, name_persons, person, post, record
from xinyong.accounts.principal import cli_principal
from xinyong.audit import service as audit
from xinyong.catalog import service as catalog_service
from xinyong.checks import matching
from xinyong.checks import service as checks
from xinyong.checks.models import Check, CheckCandidate, CheckHit
from xinyong.core.clock import frozen_today, today
from xinyong.core.errors import InvalidInput
from xinyong.core.masking import mask_ric
from xinyong.lists import service as lists
from xinyong.lists.models import SubjectGrade

WHO = cli_principal("tester")


def run(session, scenario, code):
    return checks.check_one(session, scenario=scenario, code=code, purpose="测试核查", who=WHO)


def measures(result):
    return sorted({(h.measure.code, h.role) for h in result.hits})


def test_recruitment_outcomes(session):
    cheat, cheat_ric = person(session, "陈舞弊")
    record(session, cheat, "exam_cheating", "general", facts={"exam_kind": "公务员录用考试", "gravity": "严重"})
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
    assert r.mandatory[0].measure.outcome == "取消录用资格"
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
    designate(session, rep, firm, "legal_rep", start=date(2015, 3, 1))
    designate(session, boss, firm, "principal")
    post(session, boss, firm, "总经理")
    post(session, deputy, firm, "副总经理")  # a post, no designation: answers for nothing
    record(session, firm, "dishonest_judgment_debtor", "serious")

    r = run(session, "consumption_restriction", rep_ric)
    assert r.check.outcome_kind == "mandatory"
    assert {(h.measure.code, h.role, h.target.id) for h in r.hits} >= {("cons_transport_class", "legal_rep", firm.id)}
    assert len({h.measure.code for h in r.hits}) == 9  # all nine consumption limits
    assert {h.role for h in run(session, "consumption_restriction", boss_ric).hits} == {"principal"}
    assert run(session, "consumption_restriction", deputy_ric).hits == []

    firm_check = run(session, "consumption_restriction", firm.code)
    roles = {p.role: p for p in firm_check.reached}
    assert roles["legal_rep"].name == "许*人" and rep_ric not in roles["legal_rep"].code
    assert roles["legal_rep"].code == rep_ric[:6] + "*" * 12
    assert roles["principal"].name == "韩*理"
    assert "directly_responsible" in roles and roles["directly_responsible"].name == "—"
    assert "请人工核实" in roles["directly_responsible"].code  # the decision names nobody
    # the stored check lists the same persons
    again = checks.stored_result(session, checks.get_check(session, firm_check.check.id))
    assert {(p.role, p.name) for p in again.reached} == {(p.role, p.name) for p in firm_check.reached}


def test_government_debtor_reaches_its_financial_head(session):
    director, director_ric = person(session, "曹局长", kind="public_servant")
    cfo, cfo_ric = person(session, "邓财务", kind="public_servant")
    ended, ended_ric = person(session, "彭前任", kind="public_servant")
    bureau = body(session, "某县交通运输局", kind="gov_body", region="330122")
    designate(session, director, bureau, "principal")
    designate(session, cfo, bureau, "financial_head")
    designate(session, ended, bureau, "principal", start=date(2015, 1, 1), end=date(2019, 12, 31))
    record(session, bureau, "dishonest_judgment_debtor", "serious")
    assert {h.measure.code for h in run(session, "consumption_restriction", cfo_ric).hits} == {"gov_debtor_officials_consumption"}
    assert len({h.measure.code for h in run(session, "consumption_restriction", director_ric).hits}) == 10
    assert run(session, "consumption_restriction", ended_ric).hits == []  # left before the court listed the bureau


def test_a_job_title_makes_nobody_a_principal(session):
    """A court's 书记员 (clerk) has 书记 in her title, a 主任科员 has 主任: neither answers for the
    court when it is a dishonest judgment debtor. Only the registered principal is reached."""
    court = body(session, "某县人民法院", kind="gov_body", region="330122")
    clerk, clerk_ric = person(session, "施书记员", kind="public_servant")
    officer, officer_ric = person(session, "严主任科员", kind="public_servant", born=date(1981, 1, 1))
    president, president_ric = person(session, "岑院长", kind="public_servant", born=date(1968, 1, 1))
    post(session, clerk, court, "书记员")
    post(session, officer, court, "一级主任科员")
    post(session, president, court, "院长")
    designate(session, president, court, "principal", start=date(2019, 6, 1))
    record(session, court, "dishonest_judgment_debtor", "serious")
    assert run(session, "consumption_restriction", clerk_ric).hits == []
    assert run(session, "consumption_restriction", officer_ric).hits == []
    assert run(session, "consumption_restriction", clerk_ric).check.outcome_kind == "clean"
    assert {h.role for h in run(session, "consumption_restriction", president_ric).hits} == {"principal"}
    reached = run(session, "consumption_restriction", court.code).reached
    assert {(p.role, p.name) for p in reached if p.role == "principal"} == {("principal", "岑*长")}


def test_the_principal_at_the_time_of_the_breach_is_reached(session):
    """Responsibility follows the day of the act, not the day of the check: the principal who
    held the post when the court listed the bureau is reached after she left it; the one who
    took the post afterwards is not."""
    bureau = body(session, "某县住房和城乡建设局", kind="gov_body", region="330122")
    then, then_ric = person(session, "柏前任", kind="public_servant", born=date(1966, 5, 5))
    now, now_ric = person(session, "卫现任", kind="public_servant", born=date(1972, 7, 7))
    designate(session, then, bureau, "principal", start=date(2018, 1, 1), end=date(2025, 12, 31))
    designate(session, now, bureau, "principal", start=date(2026, 1, 1))
    listed = record(session, bureau, "dishonest_judgment_debtor", "serious", decided=date(2025, 6, 1),
                    days_shown=800)
    with frozen_today(date(2026, 12, 2)):
        then_hits = run(session, "consumption_restriction", then_ric).hits
        assert {(h.role, h.source_id) for h in then_hits} == {("principal", listed.id)}
        assert run(session, "consumption_restriction", now_ric).hits == []
        reached = run(session, "consumption_restriction", bureau.code).reached
        assert {p.name for p in reached if p.role == "principal"} == {"柏*任"}


def test_a_ppp_breach_is_traced_to_whoever_answered_on_the_day_of_the_breach(session, policy):
    """项目责任回溯 (76号 五(二)): a PPP breach found in 2026 for a breach of 2023 reaches the
    principal of 2023; a breach without the date falls back to the day it was found."""
    from xinyong.checks import responsibility

    gov = body(session, "某县人民政府", kind="gov_body", region="330122")
    old, _ = person(session, "窦原县长", kind="public_servant", born=date(1965, 1, 1))
    new, _ = person(session, "章新县长", kind="public_servant", born=date(1970, 1, 1))
    designate(session, old, gov, "principal", start=date(2021, 1, 1), end=date(2024, 3, 31))
    designate(session, new, gov, "principal", start=date(2024, 4, 1))
    dated = record(session, gov, "ppp_breach", "general", decided=date(2026, 5, 1), facts={"breach_date": "2023-09-15"})
    undated = record(session, gov, "ppp_breach", "general", decided=date(2026, 5, 1))
    spans = responsibility.record_spans(session, policy, {dated.id: dated, undated.id: undated})
    assert spans == {dated.id: (date(2023, 9, 15), date(2023, 9, 15)), undated.id: (date(2026, 5, 1), date(2026, 5, 1))}
    answers = responsibility.answers_for(session, policy, old, {"principal"})
    assert responsibility.answered_then(answers, gov.id, "principal", "record", dated.id, spans[dated.id])
    assert not responsibility.answered_then(answers, gov.id, "principal", "record", undated.id, spans[undated.id])


def test_the_directly_responsible_persons_are_those_the_decision_names(session):
    """直接责任人员 are named in the decision that made the record: a person so named is reached
    for that record only; a colleague the decision does not name is not; checking the body
    names the person for the one record and asks for a person to verify the other."""
    firm = body(session, "杭州拒执建材有限公司")
    named, named_ric = person(session, "秦责任", born=date(1979, 9, 9))
    colleague, colleague_ric = person(session, "尤同事", born=date(1981, 1, 1))
    post(session, colleague, firm, "财务经理")
    first = record(session, firm, "dishonest_judgment_debtor", "serious")
    second = record(session, firm, "dishonest_judgment_debtor", "serious")
    name_persons(session, first, (named, named_ric))
    r = run(session, "consumption_restriction", named_ric)
    assert {(h.role, h.source_id, h.target.id) for h in r.hits} == {("directly_responsible", first.id, firm.id)}
    assert len({h.measure.code for h in r.hits}) == 9 and r.check.outcome_kind == "mandatory"
    assert run(session, "consumption_restriction", colleague_ric).hits == []
    lines = [p for p in run(session, "consumption_restriction", firm.code).reached if p.role == "directly_responsible"]
    assert [(p.name, p.code) for p in lines] == [("秦*任", mask_ric(named_ric)),
                                                ("—", "决定书未载明直接责任人员，请人工核实")]
    assert second.id != first.id


def test_a_body_with_nobody_designated_asks_for_a_person_to_verify(session):
    bureau = body(session, "某县水利局", kind="gov_body", region="330122")
    clerk, _ = person(session, "尤书记员", kind="public_servant")
    post(session, clerk, bureau, "书记员")
    record(session, bureau, "dishonest_judgment_debtor", "serious")
    reached = {p.role: p for p in run(session, "consumption_restriction", bureau.code).reached}
    assert reached["principal"].name == "—" and "请人工核实" in reached["principal"].code
    assert reached["legal_rep"].name == "—" and "请人工核实" in reached["legal_rep"].code


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
    designate(session, p4, firm, "legal_rep", start=date(2010, 1, 1))
    gov = body(session, "某县财政局", kind="gov_body", region="330122")
    p7, out["then"] = person(session, "辛前任", kind="public_servant", born=date(1965, 5, 5))
    p8, out["now"] = person(session, "壬现任", kind="public_servant", born=date(1972, 7, 7))
    designate(session, p7, gov, "principal", start=date(2015, 1, 1), end=today() - timedelta(days=100))
    designate(session, p8, gov, "principal", start=today() - timedelta(days=99))
    listed = record(session, gov, "dishonest_judgment_debtor", "serious", decided=today() - timedelta(days=200))
    p9, out["named"] = person(session, "癸经办", kind="public_servant", born=date(1983, 3, 3))
    name_persons(session, listed, (p9, out["named"]))
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
    record(session, p, "exam_cheating", "serious", facts={"exam_kind": "公务员录用考试", "gravity": "特别严重"})
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


def test_responsible_persons_cost_the_same_queries_for_one_body_or_many(session, engine, count_queries):
    """A person who answers for several bodies, and a body with several registered persons,
    are checked in a fixed number of statements (the designations in one, the bodies' records in
    one), not one per body or per person."""

    def world(n):
        head, head_ric = person(session, f"汤{n}任", kind="public_servant", born=date(1960 + n, 1, 1))
        bodies = []
        for i in range(n):
            b = body(session, f"某县第{n}{i}局", kind="gov_body", region="330122")
            designate(session, head, b, "principal", start=date(2010, 1, 1))
            for j in range(n):
                other, _ = person(session, f"方{n}{i}{j}", kind="public_servant", born=date(1970, 1, 1 + j))
                designate(session, other, b, "financial_head", start=date(2010 + j, 1, 1), end=date(2010 + j, 12, 31))
            record(session, b, "dishonest_judgment_debtor", "serious")
            bodies.append(b)
        return head_ric, bodies[0].code

    one_person, one_body = world(1)
    many_person, many_body = world(4)
    catalog_service.active_version(session)
    audit.log_event(session, who=WHO, action="update", entity="test", entity_id=1)
    run(session, "consumption_restriction", one_person)  # the statements' caches warm
    run(session, "consumption_restriction", one_body)
    counts = []
    for code in (one_person, many_person, one_body, many_body):
        with count_queries(engine) as counter:
            run(session, "consumption_restriction", code)
        counts.append(counter.count)
    assert counts[0] == counts[1] and counts[2] == counts[3], counts
