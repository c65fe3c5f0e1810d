"""The scoring statement on DuckDB: each indicator kind, which records count, and the SQL held to
the reference rules of xinyong.evaluation.rules. A fixed cut-off date, never today."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong.catalog.indicators import Normalise
from xinyong.catalog.loader import DEFAULT_DIR, load_dir
from xinyong.evaluation import rules, scoring

from .helpers import AS_OF, Duck, one

LINEAR = {"method": "minmax", "lo": 0, "hi": 10}  # raw 0..10 onto 0..1: points = raw × 100


def test_count_counts_matching_records_inside_the_window():
    db = Duck()
    db.subject(1)
    db.record(1, "admin_penalty", decided=date(2026, 1, 1))
    db.record(1, "admin_penalty", decided=date(2024, 1, 1))  # outside a 12-month window
    db.record(1, "admin_penalty", severity="serious")
    db.record(1, "volunteer_service", polarity="honest", severity=None)
    sys = one({"code": "c", "kind": "count", "records": {"categories": ["admin_penalty"], "window_months": 12},
               "normalise": LINEAR})
    assert db.score(sys)[1]["r_c"] == 2
    sys = one({"code": "c", "kind": "count", "records": {"polarity": "dishonest", "severities": ["serious"]},
               "normalise": LINEAR})
    assert db.score(sys)[1]["r_c"] == 1


def test_rate_divides_and_uses_if_missing_without_a_denominator():
    db = Duck()
    db.subject(1, "gov_body", code="G1")
    db.subject(2, "gov_body", code="G2")
    for days in (2, 5, 30, 40):  # records G1 reported, received 2, 5, 30, 40 days after the decision
        db.record(99, "admin_penalty", department="G1", received_days=days)
    sys = one({"code": "r", "kind": "rate", "if_missing": 0.25,
               "records": {"categories": ["admin_penalty"], "by": "reporter", "reported_within_days": 9},
               "of": {"categories": ["admin_penalty"], "by": "reporter"},
               "normalise": {"method": "minmax", "lo": 0, "hi": 1}})
    rows = db.score(sys)
    assert rows[1]["r_r"] == pytest.approx(0.5)
    assert rows[1]["score"] == 500
    assert rows[2]["r_r"] is None
    assert rows[2]["n_r"] == 0.25 and rows[2]["score"] == 250


def test_recency_halves_a_record_every_half_life():
    db = Duck()
    db.subject(1)
    db.record(1, "admin_penalty", severity="serious", decided=date(2025, 6, 30))  # 365 days before AS_OF
    db.record(1, "admin_penalty", severity="general", decided=AS_OF)
    sys = one({"code": "w", "kind": "recency", "records": {"categories": ["admin_penalty"]},
               "half_life_days": 365, "severity_weights": {"serious": 4.0}, "default_weight": 1.0,
               "normalise": LINEAR})
    assert db.score(sys)[1]["r_w"] == pytest.approx(4.0 * 0.5 + 1.0)


def test_flag_on_a_list_only_while_the_entry_is_in_force():
    db = Duck()
    for sid in range(1, 6):
        db.subject(sid)
    db.entry(1)  # by decision, active
    db.entry(2, status="removed")
    db.entry(3, until=date(2026, 3, 1))  # period over
    rid = db.record(4, "dishonest_judgment_debtor", severity="serious", status="repaired")
    db.entry(4, basis="record", record_id=rid)  # its record repaired
    db.entry(5, "watchlist")
    sys = one({"code": "f", "kind": "flag", "flag": "list", "list": "blacklist",
               "normalise": {"method": "piecewise", "points": [[0, 1.0], [1, 0.0]]}})
    rows = db.score(sys)
    assert [rows[s]["r_f"] for s in range(1, 6)] == [1, 0, 0, 0, 0]
    assert rows[1]["score"] == 0 and rows[5]["score"] == 1000


def test_flag_identity_is_whether_an_identity_number_is_held():
    db = Duck()
    db.subject(1, identity=True)
    db.subject(2, identity=False)
    sys = one({"code": "i", "kind": "flag", "flag": "identity", "normalise": {"method": "minmax", "lo": 0, "hi": 1}})
    rows = db.score(sys)
    assert (rows[1]["r_i"], rows[2]["r_i"]) == (1, 0)


def test_expired_repaired_and_revoked_records_do_not_count():
    db = Duck()
    db.subject(1)
    db.record(1, "admin_penalty")  # counts
    db.record(1, "admin_penalty", until=date(2026, 6, 29))  # display period over the day before
    db.record(1, "admin_penalty", status="expired")
    db.record(1, "admin_penalty", status="repaired")
    db.record(1, "admin_penalty", status="revoked")
    db.record(1, "admin_penalty", decided=date(2026, 7, 1))  # after the cut-off
    db.record(1, "admin_penalty", until=AS_OF)  # shown through the cut-off day: counts
    sys = one({"code": "c", "kind": "count", "records": {"categories": ["admin_penalty"]}, "normalise": LINEAR})
    assert db.score(sys)[1]["r_c"] == 2


def test_records_under_objection_count_as_the_system_says():
    db = Duck()
    db.subject(1)
    db.record(1, "admin_penalty", status="under_objection")
    ind = {"code": "c", "kind": "count", "records": {"categories": ["admin_penalty"]}, "normalise": LINEAR}
    assert db.score(one(ind))[1]["r_c"] == 1
    sys = one(ind).model_copy(update={"count_under_objection": False})
    assert db.score(sys)[1]["r_c"] == 0


def test_only_the_systems_subject_kinds_are_scored():
    db = Duck()
    db.subject(1, "person")
    db.subject(2, "enterprise")
    sys = one({"code": "i", "kind": "flag", "flag": "identity", "normalise": {"method": "minmax", "lo": 0, "hi": 1}})
    assert set(db.score(sys)) == {1}


@pytest.mark.parametrize("norm", [
    Normalise(method="minmax", lo=0.5, hi=1.0),
    Normalise(method="minmax", lo=0, hi=6, better="lower"),
    Normalise(method="piecewise", points=[(0, 1.0), (1, 0.8), (4, 0.4), (8, 0.0)]),
    Normalise(method="piecewise", points=[(0, 0.0), (10, 0.6), (100, 1.0)]),
])
def test_sql_normalisation_matches_the_rule(norm):
    import duckdb

    con = duckdb.connect()
    for x in (-1, 0, 0.3, 0.5, 0.75, 1, 2.5, 4, 6, 7.9, 8, 10, 55, 100, 1000):
        got = con.execute(f"SELECT {scoring.normalise_sql(f'CAST({x} AS DOUBLE)', norm)}").fetchone()[0]
        assert got == pytest.approx(rules.normalise(x, norm)), x


def _mixed(db: Duck) -> None:
    """A few persons and bodies with a spread of records, for whole-system comparisons."""
    for sid in range(1, 13):
        db.subject(sid, "gov_body" if sid > 8 else "person", code=f"G{sid}", identity=sid % 3 != 0)
    cats = ["admin_penalty", "judicial_judgment", "volunteer_service", "commitment_breach", "credit_commitment",
            "honour", "tax_violation", "safety_accident_liability", "accountability_decision", "admin_licence"]
    for sid in range(1, 13):
        for k in range(sid % 5 + 1):
            cat = cats[(sid + k) % len(cats)]
            pol = {"volunteer_service": "honest", "honour": "honest", "credit_commitment": "neutral",
                   "admin_licence": "neutral"}.get(cat, "dishonest")
            sev = None if pol != "dishonest" else ("serious" if (sid + k) % 4 == 0 else "general")
            db.record(sid, cat, polarity=pol, severity=sev, decided=date(2023 + k % 4, 1 + sid % 12, 1),
                      department=f"G{9 + k % 4}", received_days=k * 4)
    db.entry(2)
    db.entry(10)
    for body in (9, 10, 11):  # supervision inputs about three of the four bodies
        db.input(body, "inspections", category="考核", score=70 + body, issued=date(2026, 1, 15))
        db.input(body, "inspections", category="督查", year=2025)
        db.input(body, "proposals", category="人大代表建议", deadline=date(2026, 3, 1), done=date(2026, 2, 1 + body),
                 satisfied=body % 2 == 0)
        db.input(body, "proposals", category="政协提案", on_time=body != 10, adopted=True)
        db.input(body, "judicial", issued=date(2026, 1, 1), deadline=date(2026, 2, 1),
                 done=None if body == 11 else date(2026, 1, 20 + body))
        db.input(body, "appraisals", score=80.5 + body)
        db.input(body, "ratings", score=None if body == 9 else 90.0)


def test_the_default_systems_score_by_the_reference_rules():
    policy, problems = load_dir(DEFAULT_DIR)
    assert not problems
    db = Duck()
    _mixed(db)
    for sys in policy.evaluation.systems:
        rows = db.score(sys)
        assert rows
        for row in rows.values():
            normalised = {i.code: rules.normalise(row[f"r_{i.code}"], i.normalise, i.if_missing)
                          for _d, i in sys.indicators()}
            for code, value in normalised.items():
                assert row[f"n_{code}"] == pytest.approx(value)
            score, dims, points = rules.score_of(normalised, sys)
            assert row["score"] == pytest.approx(score, abs=0.006)
            assert row["grade"] == rules.grade_for(row["score"], sys)
            for code, p in points.items():
                assert row[f"p_{code}"] == pytest.approx(p)
            for code, d in dims.items():
                assert row[f"d_{code}"] == pytest.approx(d, abs=0.006)


def test_scoring_in_parts_gives_the_whole_statements_rows():
    """A run in parts by subject (for a province larger than memory) gives exactly the rows of
    the one statement, for every shipped system — records reported by a subject included."""
    policy, _ = load_dir(DEFAULT_DIR)
    db = Duck()
    _mixed(db)
    for sys in policy.evaluation.systems:
        whole = sorted(scoring.run_duckdb(db.con, sys, AS_OF))
        assert whole
        for parts in (2, 3, 5):
            assert sorted(scoring.run_duckdb(db.con, sys, AS_OF, parts=parts)) == whole
    with pytest.raises(ValueError):
        scoring.build_sql(policy.evaluation.systems[0], AS_OF, part=(3, 3))


@pytest.mark.spark
def test_spark_gives_the_same_scores_as_duckdb(tmp_path, spark_ready):
    policy, _ = load_dir(DEFAULT_DIR)
    db = Duck()
    _mixed(db)
    files = scoring.export_parquet(db.con, tmp_path)
    spark = scoring.local_spark()
    for sys in policy.evaluation.systems:
        duck = sorted(scoring.run_duckdb(db.con, sys, AS_OF))
        sp = sorted(scoring.run_spark(spark, files, sys, AS_OF))
        assert len(sp) == len(duck)
        cols = scoring.result_columns(sys)
        for a, b in zip(duck, sp, strict=True):
            for name, x, y in zip(cols, a, b, strict=True):
                if isinstance(x, float) or isinstance(y, float):
                    assert float(x) == pytest.approx(float(y), abs=0.01), name
                else:
                    assert x == y, name


@pytest.mark.parametrize(("count", "grade"), [(5, "poor"), (6, "fair"), (7, "fair"), (9, "excellent"), (10, "excellent")])
def test_the_statement_grades_a_score_on_a_cut_off_into_the_grade_above(count, grade):
    db = Duck()
    db.subject(1)
    for _ in range(count):
        db.record(1, "volunteer_service", polarity="honest", severity=None)
    sys = one({"code": "c", "kind": "count", "records": {"categories": ["volunteer_service"]},
               "normalise": {"method": "minmax", "lo": 0, "hi": 10}})
    row = db.score(sys)[1]
    assert row["score"] == count * 100
    assert row["grade"] == grade
