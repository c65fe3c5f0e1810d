# ruff: noqa: S608 — table names come from the models' metadata, never from input
"""The batch check's Spark path: the SAME statements :mod:`xinyong.checks.matching` builds (the
one definition of the matching and trigger rules), compiled for Spark SQL, so that a
province-wide screening can run on a cluster too.

The DuckDB path compiles the statements for PostgreSQL, whose SQL DuckDB speaks. Spark SQL reads
that SQL alike except for three things, and the dialect here changes only those:

- a record's fact (``facts ->> 'key'``) is ``get_json_object(facts, '$.key')`` — the facts are
  JSON text in the Parquet export;
- text types are ``STRING`` (Spark has no unbounded ``VARCHAR``);
- identifiers are quoted with backticks.

Dates compare with ISO text as in the other paths (Spark casts the text to a date). The tables
are the DuckDB copy of the platform's (:func:`xinyong.checks.matching.copy_to_duckdb`) written
as Parquet and registered as views of the same names (on a cluster: the same tables read through
JDBC, registered under the same names). A test holds Spark local mode to DuckDB's hits.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.dialects.postgresql.base import PGCompiler, PGIdentifierPreparer, PGTypeCompiler
from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2

from xinyong.checks.matching import DUCK_TABLES

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SparkCompiler(PGCompiler):
    def _json_key(self, binary, **kw) -> str:
        key = getattr(binary.right, "value", None)
        if not isinstance(key, str) or not _KEY.match(key):  # facts are named by policy codes
            raise ValueError(f"a fact key Spark can read: {key!r}")
        return f"get_json_object({self.process(binary.left, **kw)}, '$.{key}')"

    def visit_json_getitem_op_binary(self, binary, operator, _cast_applied=False, **kw):
        return self._json_key(binary, **kw)

    def visit_json_path_getitem_op_binary(self, binary, operator, _cast_applied=False, **kw):  # pragma: no cover
        raise NotImplementedError("a fact path: the batch reads single keys only")


class SparkTypeCompiler(PGTypeCompiler):
    def visit_VARCHAR(self, type_, **kw):
        return "STRING"

    def visit_TEXT(self, type_, **kw):
        return "STRING"

    def visit_CHAR(self, type_, **kw):
        return "STRING"


class SparkPreparer(PGIdentifierPreparer):
    def __init__(self, dialect):
        super().__init__(dialect, initial_quote="`", final_quote="`")


class SparkDialect(PGDialect_psycopg2):
    name = "spark"
    statement_compiler = SparkCompiler
    type_compiler_cls = SparkTypeCompiler
    preparer = SparkPreparer


def compile_for_spark(stmt) -> str:
    """SQL text Spark SQL runs: the statement with every value inlined."""
    return str(stmt.compile(dialect=SparkDialect(), compile_kwargs={"literal_binds": True}))


def export_parquet(con, folder: Path, tables=(*DUCK_TABLES, "cand")) -> dict[str, Path]:
    """Write the DuckDB copy of the tables (and the candidates) as Parquet files."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in tables:
        path = folder / f"{name}.parquet"
        con.execute(f"COPY \"{name}\" TO '{path}' (FORMAT PARQUET)")
        out[name] = path
    return out


def run_spark(spark, files: dict[str, Path], stmt) -> list[tuple]:
    """The statement on Spark over the tables registered as views of the Parquet files."""
    for name, path in files.items():
        spark.read.parquet(str(path)).createOrReplaceTempView(name)
    return [tuple(r) for r in spark.sql(compile_for_spark(stmt)).collect()]
