"""Shipped measures stay inside their articles (issue: measures within the law, points 3, 4, 7):
who, for which acts, for how long — on the single check, the batch in the database and the batch
on DuckDB alike.

- 公务员法第六十四条 with 政务处分法第八条: no promotion during the sanction's period (警告 six
  months, 记过 twelve …), not during the record's five-year display period.
- 公司法第一百七十八条: no director or manager after 贪污、贿赂、侵占财产、挪用财产 or an offence
  against the socialist market economy (chapter 3), while the sentence runs and five years after;
  two years after a suspended sentence's probation; five years after a deprivation of political
  rights for any crime.
- 保安服务管理条例第十七条: no security guard after an intentional crime (not a negligent one).
- 浙 政务 二(一)4: cheating in the civil-service exam cancels the 录用资格 (five years, or long
  term when particularly grave); a criminal record cancels the 报考资格.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from sqlalchemy import insert, select

from tests.checks.test_service import WHO, hit_set, run, write_candidates
from tests.lists.helpers import person, record
from xinyong.checks import matching
from xinyong.checks import service as checks
from xinyong.checks.models import CheckCandidate, CheckHit
from xinyong.core.clock import frozen_today
from xinyong.subjects.identity import lookup_keys

DAY = date(2026, 12, 2)


def measures(result) -> set[str]:
    return {h.measure.code for h in result.hits}


def servant(session, name, **kw):
    return person(session, name, kind="public_servant", **kw)


def sanction(session, who, kind: str, decided: date, sanction_kind: str = "政务处分"):
    sev = {"记大过": "grave", "降级": "grave", "撤职": "serious"}.get(kind, "general")
    return record(session, who, "disciplinary_sanction", sev, decided=decided, days_shown=5 * 365,
                  facts={"sanction_kind": sanction_kind, "sanction_type": kind})


def conviction(session, who, crime: str, decided: date, sentence_end: str | None = None, severity="serious",
               **extra):
    facts = {"crime": crime, "sentence_type": "有期徒刑", **extra}
    if sentence_end:
        facts["sentence_end"] = sentence_end
    return record(session, who, "judicial_judgment", severity, decided=decided, days_shown=12 * 365, facts=facts)


def test_the_promotion_bar_lasts_the_sanctions_period_not_the_display_period(session):
    with frozen_today(DAY):
        old_warning, old_ric = servant(session, "王警告")
        sanction(session, old_warning, "警告", date(2026, 5, 1))  # six months: ended on 2026-11-01
        warned, warned_ric = servant(session, "李警告")
        sanction(session, warned, "警告", date(2026, 7, 1))  # runs to 2027-01-01
        demerit, demerit_ric = servant(session, "赵记过")
        sanction(session, demerit, "记过", date(2026, 1, 15))  # twelve months
        demoted, demoted_ric = servant(session, "钱降级")
        sanction(session, demoted, "降级", date(2025, 1, 10))  # 24 months: still running
        party, party_ric = servant(session, "孙党纪")
        sanction(session, party, "严重警告", date(2026, 10, 1), sanction_kind="党纪处分")
        got = {n: measures(run(session, "cadre_selection", ric)) for n, ric in
               [("old", old_ric), ("warned", warned_ric), ("demerit", demerit_ric), ("demoted", demoted_ric),
                ("party", party_ric)]}
    assert "ps_promotion_bar" not in got["old"]  # the record is still shown: only the reference measures
    assert "ps_appointment_limit" in got["old"]
    assert {n for n, m in got.items() if "ps_promotion_bar" in m} == {"warned", "demerit", "demoted"}


def test_the_company_law_bar_reaches_only_its_offences_and_five_years(session):
    with frozen_today(DAY):
        embezzler, e_ric = person(session, "周贪污")
        conviction(session, embezzler, "贪污罪", date(2019, 3, 1), sentence_end="2022-02-28")
        fraudster, f_ric = person(session, "吴集资")
        conviction(session, fraudster, "非法吸收公众存款罪", date(2016, 6, 1), sentence_end="2022-06-30")
        long_ago, l_ric = person(session, "郑挪用")
        conviction(session, long_ago, "挪用资金罪", date(2014, 1, 1), sentence_end="2020-12-01")  # ended > 5 years
        brawler, b_ric = person(session, "冯寻衅")
        conviction(session, brawler, "寻衅滋事罪", date(2025, 3, 1), sentence_end="2026-03-01")
        got = {n: measures(run(session, "legal_rep_appointment", ric)) for n, ric in
               [("embezzler", e_ric), ("fraudster", f_ric), ("long_ago", l_ric), ("brawler", b_ric)]}
    assert {n for n, m in got.items() if "post_limit_company" in m} == {"embezzler", "fraudster"}


def test_the_company_law_bar_counts_probation_and_deprivation_of_political_rights(session):
    """公司法第一百七十八条第一款第二项: a suspended sentence bars for two years from the end of its
    probation (not five from the sentence); deprivation of political rights, for any crime, for
    five years from the end of the deprivation."""
    with frozen_today(DAY):
        cases = {
            # 贪污罪, 缓刑: probation ended 2025-06-30, two years run to 2027-06-30
            "suspended": ("贪污罪", date(2022, 7, 1), None, {"probation_end": "2025-06-30"}),
            # probation ended 2024-11-30: two years over on 2026-11-30, though the judgment is < 5 years old
            "suspended_over": ("职务侵占罪", date(2022, 12, 1), None, {"probation_end": "2024-11-30"}),
            # 寻衅滋事罪 is not one of the article's offences, but deprivation covers any crime
            "deprived": ("寻衅滋事罪", date(2015, 3, 1), "2019-02-28", {"deprivation_end": "2022-02-28"}),
            "deprived_over": ("故意伤害罪", date(2012, 3, 1), "2016-02-28", {"deprivation_end": "2021-02-28"}),
            "not_deprived": ("故意伤害罪", date(2020, 3, 1), "2024-02-28", {}),
        }
        got = {}
        for name, (crime, decided, end, extra) in cases.items():
            p, ric = person(session, f"公司法{name}")
            conviction(session, p, crime, decided, sentence_end=end, **extra)
            got[name] = measures(run(session, "legal_rep_appointment", ric))
    assert {n for n, m in got.items() if "post_limit_company" in m} == {"suspended", "deprived"}


def test_the_security_guard_bar_needs_an_intentional_crime(session):
    with frozen_today(DAY):
        brawler, b_ric = person(session, "陈寻衅")
        conviction(session, brawler, "寻衅滋事罪", date(2025, 3, 1), sentence_end="2026-03-01")
        driver, d_ric = person(session, "褚肇事")
        conviction(session, driver, "交通肇事罪", date(2025, 3, 1), sentence_end="2026-03-01")
        assert "security_guard_bar" in measures(run(session, "special_industry_entry", b_ric))
        assert "security_guard_bar" not in measures(run(session, "special_industry_entry", d_ric))


def test_exam_cheating_cancels_the_admission_only_for_the_civil_service_exam(session):
    def cheat(name, kind, gravity, decided, **extra):
        p, ric = person(session, name)
        record(session, p, "exam_cheating", "serious" if gravity == "特别严重" else "general", decided=decided,
               days_shown=5 * 365, facts={"exam_kind": kind, "gravity": gravity, **extra})
        return ric

    with frozen_today(DAY):
        cs = cheat("蒋公考", "公务员录用考试", "严重", date(2024, 7, 1))
        gaokao = cheat("沈高考", "国家教育考试", "严重", date(2024, 7, 1))
        light = cheat("韩一般", "公务员录用考试", "一般", date(2024, 7, 1))
        banned = cheat("杨限考", "公务员录用考试", "严重", date(2022, 7, 1), ban_until="2027-06-30")
        short = cheat("许短限", "公务员录用考试", "严重", date(2024, 7, 1), ban_until="2026-06-30")  # the decision's own end
        over = cheat("朱期满", "公务员录用考试", "严重", date(2021, 7, 1))  # five years ended 2026-07-01
        convicted, c_ric = person(session, "秦犯罪")
        conviction(session, convicted, "盗窃罪", date(2024, 1, 1), sentence_end="2024-12-31")
        results = {n: run(session, "civil_servant_recruitment", ric) for n, ric in
                   [("cs", cs), ("gaokao", gaokao), ("light", light), ("banned", banned), ("short", short), ("over", over),
                    ("convicted", c_ric)]}
    cancels = {n for n, r in results.items() if "rec_exam_cheating" in measures(r)}
    assert cancels == {"cs", "banned"}
    # the other cheats remain a reference for the review, not a cancellation
    assert results["gaokao"].check.outcome_kind == "reference"
    # the two outcomes are worded as 浙 政务 二(一)4 words them
    [h] = [h for h in results["cs"].mandatory if h.measure.code == "rec_exam_cheating"]
    assert h.measure.outcome == "取消录用资格"
    assert {h.measure.outcome for h in results["convicted"].mandatory} == {"取消报考资格"}


@pytest.mark.parametrize("scenario", ["cadre_selection", "legal_rep_appointment", "special_industry_entry",
                                      "civil_servant_recruitment"])
def test_fact_triggers_agree_on_every_path(session, tmp_path, scenario):
    """The same subjects through the single check, the batch in the database and the batch's
    statement on DuckDB: the facts a trigger reads and the periods it computes agree."""
    with frozen_today(DAY):
        codes = {}
        for name, crime, decided, end in [("甲贪污", "贪污罪", date(2019, 3, 1), "2022-02-28"),
                                          ("乙挪用", "挪用资金罪", date(2014, 1, 1), "2020-12-01"),
                                          ("丙寻衅", "寻衅滋事罪", date(2025, 3, 1), "2026-03-01"),
                                          ("丁肇事", "交通肇事罪", date(2025, 3, 1), None)]:
            p, codes[name] = person(session, name)
            conviction(session, p, crime, decided, end)
        for name, crime, decided, extra in [("壬缓刑", "贪污罪", date(2022, 7, 1), {"probation_end": "2025-06-30"}),
                                            ("癸缓满", "职务侵占罪", date(2022, 12, 1), {"probation_end": "2024-11-30"}),
                                            ("子剥权", "寻衅滋事罪", date(2015, 3, 1), {"deprivation_end": "2022-02-28"})]:
            p, codes[name] = person(session, name)
            conviction(session, p, crime, decided, **extra)
        for name, kind, decided in [("戊警告", "警告", date(2026, 5, 1)), ("己警告", "警告", date(2026, 7, 1)),
                                    ("庚降级", "降级", date(2025, 1, 10))]:
            p, codes[name] = servant(session, name)
            sanction(session, p, kind, decided)
        p, codes["辛公考"] = person(session, "辛公考")
        record(session, p, "exam_cheating", "general", decided=date(2024, 7, 1), days_shown=5 * 365,
               facts={"exam_kind": "公务员录用考试", "gravity": "严重"})
        names = list(codes)
        path = tmp_path / "c.csv"
        write_candidates(path, [[n, codes[n], "", ""] for n in names])
        batch = checks.create_batch(session, scenario=scenario, purpose="t", who=WHO, file_name="c.csv")
        checks.load_candidates(session, batch, path)
        checks.match_batch(session, batch, WHO)
        rows = {c.row_no: c for c in checks.batch_checks(session, batch.id, limit=100)}
        singles = {}
        for i, n in enumerate(names, start=1):
            try:
                single = run(session, scenario, codes[n])
            except Exception:  # noqa: BLE001 — a subject the scenario is not for
                continue
            singles[i] = single
            batch_hits = session.scalars(select(CheckHit).where(CheckHit.check_id == rows[i].id)).all()
            assert hit_set(batch_hits) == {(h.measure.code, h.via, h.source_id, h.role) for h in single.hits}, n

        policy = checks.catalog_service.active_version(session)[1]
        sc = checks.scenario_of(policy, scenario)
        keys = lookup_keys([codes[n] for n in names])
        cand_rows = [(i, n, k, True, None, None) for i, (n, k) in enumerate(zip(names, keys, strict=True), start=1)]
        con = duckdb.connect()
        matching.copy_to_duckdb(session, con)
        con.execute("CREATE TABLE cand (row_no BIGINT, name VARCHAR, code_key VARCHAR, code_ok BOOLEAN, "
                    "region_code VARCHAR, birth_date DATE)")
        con.executemany("INSERT INTO cand VALUES (?, ?, ?, ?, ?, ?)", cand_rows)
        duck = {tuple(r) for r in con.execute(matching.compile_for_duckdb(matching.build(
            policy, sc, DAY, matching.candidate_table("cand")).hits)).fetchall()}
        other = checks.create_batch(session, scenario=scenario, purpose="t", who=WHO, file_name="x.csv")
        session.execute(insert(CheckCandidate), [dict(zip(("row_no", "name", "code_key", "code_ok", "region_code",
                                                           "birth_date"), r, strict=True), batch_id=other.id)
                                                  for r in cand_rows])
        t = CheckCandidate.__table__
        cand = select(*(t.c[c] for c in matching.CAND_COLUMNS)).where(t.c.batch_id == other.id).subquery("cand")
        db = {tuple(r) for r in session.execute(matching.build(policy, sc, DAY, cand).hits).all()}
    assert duck == db and duck
    fact_measures = {"ps_promotion_bar", "post_limit_company", "security_guard_bar", "rec_exam_cheating"}
    assert {r[5] for r in duck} & fact_measures  # the scenario's fact-based measure hit someone


def test_a_period_that_needs_its_date_names_it():
    from pydantic import ValidationError

    from xinyong.catalog.schemas import TriggerPeriod

    with pytest.raises(ValidationError, match="needs_from_fact needs from_fact"):
        TriggerPeriod(months=60, needs_from_fact=True)
    period = TriggerPeriod(from_fact="sentence_end", months=60, instead=[{"fact": "probation_end", "months": 24}])
    assert period.date_facts() == ["sentence_end", "probation_end"]
