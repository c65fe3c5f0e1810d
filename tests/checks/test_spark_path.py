"""The batch check's matching and triggers on Spark SQL (local mode) give DuckDB's hits, from the
same statements (skipped where pyspark or Java is absent)."""

from __future__ import annotations

import duckdb
import pytest

from xinyong.checks import matching
from xinyong.checks import service as checks
from xinyong.checks import spark as spark_path
from xinyong.core.clock import today
from xinyong.evaluation import scoring

from .test_service import build_mixed

SCENARIOS = ("civil_servant_recruitment", "consumption_restriction", "administrative_licensing", "fiscal_subsidy")


@pytest.mark.spark
def test_the_spark_text_reads_facts_with_get_json_object(session, policy):
    sc = checks.scenario_of(policy, "civil_servant_recruitment")
    sql = spark_path.compile_for_spark(matching.build(policy, sc, today(), matching.candidate_table("cand")).hits)
    assert "->>" not in sql and "get_json_object(records.facts, '$." in sql
    assert "VARCHAR" not in sql and '"' not in sql


@pytest.mark.spark
def test_spark_finds_the_hits_duckdb_finds(session, policy, tmp_path, spark_ready):
    codes, debtor = build_mixed(session)
    from xinyong.subjects.identity import lookup_keys

    keys = lookup_keys(list(codes.values()))
    cand_rows = [(i, n, k, True, None, None) for i, (n, k) in enumerate(zip(codes, keys, strict=True), start=1)]
    cand_rows.append((len(cand_rows) + 1, "乙失信", None, True, debtor.region_code, debtor.birth_date))
    con = duckdb.connect()
    matching.copy_to_duckdb(session, con)
    con.execute("CREATE TABLE cand (row_no BIGINT, name VARCHAR, code_key VARCHAR, code_ok BOOLEAN, "
                "region_code VARCHAR, birth_date DATE)")
    con.executemany("INSERT INTO cand VALUES (?, ?, ?, ?, ?, ?)", cand_rows)
    files = spark_path.export_parquet(con, tmp_path)
    spark = scoring.local_spark()
    for scenario in SCENARIOS:
        q = matching.build(policy, checks.scenario_of(policy, scenario), today(), matching.candidate_table("cand"))
        duck = {tuple(r) for r in con.execute(matching.compile_for_duckdb(q.hits)).fetchall()}
        sp = {tuple(r) for r in spark_path.run_spark(spark, files, q.hits)}
        assert sp == duck, scenario
        assert duck  # something hit
        matched = {tuple(r) for r in con.execute(matching.compile_for_duckdb(q.matched)).fetchall()}
        assert {tuple(r) for r in spark_path.run_spark(spark, files, q.matched)} == matched
