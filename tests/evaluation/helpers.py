"""Synthetic subjects, records and list entries for the evaluation tests (never real people)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from xinyong.catalog.indicators import IndicatorSystem

AS_OF = date(2026, 6, 30)  # every test scores as of this day, never today's


def system(dimensions: list[dict], grades: list[dict] | None = None, **over) -> IndicatorSystem:
    data = {
        "code": "t", "name": "测试体系", "version": "1", "subject_kinds": ["person", "gov_body"],
        "dimensions": dimensions,
        "grades": grades or [{"code": "poor", "name": "较差", "min": 0}, {"code": "fair", "name": "中等", "min": 600},
                             {"code": "good", "name": "良好", "min": 750},
                             {"code": "excellent", "name": "优秀", "min": 900}],
        **over,
    }
    return IndicatorSystem.model_validate(data)


def one(ind: dict) -> IndicatorSystem:
    """A system of one dimension holding one indicator: its points are the whole score."""
    return system([{"code": "d", "name": "维度", "weight": 1, "indicators": [{"weight": 1, "name": "指标", **ind}]}])


# --- DuckDB rows -----------------------------------------------------------------------------


class Duck:
    """An in-memory DuckDB holding the three tables the statement reads."""

    def __init__(self):
        import duckdb

        from xinyong.evaluation import scoring

        self.con = duckdb.connect()
        scoring.duckdb_schema(self.con)
        self.next_record = 1
        self.next_entry = 1
        self.next_input = 1

    def subject(self, sid: int, kind: str = "person", code: str | None = None, identity: bool = True,
                region: str = "330106") -> int:
        self.con.execute("INSERT INTO subjects VALUES (?, ?, ?, ?, ?)",
                         [sid, kind, code or f"K{sid}", "*" if identity else None, region])
        return sid

    def record(self, sid: int, category: str, *, polarity: str = "dishonest", severity: str | None = "general",
               decided: date = date(2026, 1, 1), until: date = date(2029, 1, 1), status: str = "active",
               department: str = "D", received_days: int = 1) -> int:
        rid = self.next_record
        self.next_record += 1
        seen = datetime.combine(decided + timedelta(days=received_days), datetime.min.time())
        self.con.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [rid, sid, department, category, polarity, severity, decided, until, status, seen])
        return rid

    def entry(self, sid: int, kind: str = "blacklist", *, status: str = "active", basis: str = "decision",
              record_id: int | None = None, start: date = date(2026, 1, 1), until: date | None = None) -> None:
        self.con.execute("INSERT INTO list_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         [self.next_entry, sid, kind, basis, record_id, status, start, until])
        self.next_entry += 1

    def input(self, body: int, kind: str, *, year: int = 2026, category: str | None = None,
              issued: date | None = None, deadline: date | None = None, done: date | None = None,
              on_time: bool | None = None, adopted: bool | None = None, satisfied: bool | None = None,
              score: float | None = None) -> None:
        """A supervision input about a government body (xinyong.supervision's one table)."""
        self.con.execute("INSERT INTO supervision_inputs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [self.next_input, kind, body, year, category, issued, deadline, done, on_time, adopted,
                          satisfied, score])
        self.next_input += 1

    def score(self, sys: IndicatorSystem, as_of: date = AS_OF) -> dict[int, dict]:
        from xinyong.evaluation import scoring

        cols = scoring.result_columns(sys)
        rows = {r[0]: dict(zip(cols, r, strict=True)) for r in scoring.run_duckdb(self.con, sys, as_of)}
        for v in rows.values():  # the points follow from the values, as a run stores them
            v.update({f"p_{code}": p for code, p in scoring.points(sys, v).items()})
        return rows
