"""A run at scale: the platform's data copied into a DuckDB file under a memory limit, scored
part by part and stored a chunk at a time. A run in 3 parts (and chunks of 2 rows) stores exactly
the scores, grades, dimensions and contributions of a run in one part; the settings are checked
with messages in Chinese that name the setting. On SQLite and PostgreSQL; a fixed cut-off date."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from xinyong.core import settings
from xinyong.evaluation import service

from .helpers import AS_OF
from .test_runs import record, subject


def stored(session, run_id: int) -> dict[int, tuple]:
    return {s.subject_id: (s.score, s.grade, s.dimensions, s.contributions)
            for s in service.scores_of(session, run_id)}


def test_a_run_in_three_parts_stores_what_a_run_in_one_part_stores(session):
    people = [subject(session, cipher=None if i % 4 == 0 else "x") for i in range(11)]
    for i, p in enumerate(people):
        for k in range(i % 5):
            record(session, p, "admin_penalty", severity="serious" if k % 2 else "general",
                   decided=date(2025 + k % 2, 1 + i, 1 + k))
        if i % 3 == 0:
            record(session, p, "volunteer_service", polarity="honest", severity=None)
        if i % 5 == 0:
            record(session, p, "tax_violation", status="repaired")  # never counts
    subject(session, "gov_body", "测试县人民政府", cipher=None)  # not a person: not scored

    seen: list[tuple[str, int, int | None]] = []
    one = service.run_evaluation(session, "personal", as_of=AS_OF, user="test", parts=1)
    three = service.run_evaluation(session, "personal", as_of=AS_OF, user="test", parts=3, chunk=2,
                                   progress=lambda stage, n, total: seen.append((stage, n, total)))
    assert one.subjects == three.subjects == 11 and three.grade_changes == 0
    assert one.grades == three.grades
    a, b = stored(session, one.run_id), stored(session, three.run_id)
    assert a == b and set(a) == {p.id for p in people}
    assert len({v[0] for v in a.values()}) > 3  # the data gives different scores
    # the progress bar: load advances, then store's total once and 11 rows in chunks of at most 2
    store = [(n, total) for stage, n, total in seen if stage == "store"]
    assert store[0] == (0, 11) and sum(n for n, _t in store) == 11 and max(n for n, _t in store) <= 2
    assert any(stage == "load" and n > 0 for stage, n, _t in seen)


def test_the_parts_follow_the_subjects_unless_set():
    assert service.parts_for(0) == 1
    assert service.parts_for(2_500_000) == 1
    assert service.parts_for(2_500_001) == 2
    assert service.parts_for(10_000_000) == 4
    assert service.parts_for(10, parts=3) == 3
    assert service.parts_for(10_000, part_subjects=1000) == 10


def test_the_run_folder_goes_when_the_run_ends(session, tmp_path, monkeypatch):
    monkeypatch.setenv("XINYONG_EVALUATION_TEMP_DIR", str(tmp_path / "ev"))
    monkeypatch.setenv("XINYONG_EVALUATION_MEMORY_LIMIT", "512MB")
    settings.reset_settings()
    try:
        subject(session)
        result = service.run_evaluation(session, "personal", as_of=AS_OF, user="test")
        assert result.subjects == 1
        assert list((tmp_path / "ev").iterdir()) == []  # the DuckDB file and spill folder are gone
    finally:
        monkeypatch.undo()
        settings.reset_settings()


@pytest.mark.parametrize("bad", ["lots", "3", "0GB", "-1GB", "3 parsecs", ""])
def test_a_bad_memory_limit_is_refused_naming_the_setting(bad):
    with pytest.raises(ValidationError) as exc:
        settings.Settings(evaluation_memory_limit=bad)
    assert "XINYONG_EVALUATION_MEMORY_LIMIT 的值" in str(exc.value) and "无效" in str(exc.value)


@pytest.mark.parametrize(("given", "kept"), [("3GB", "3GB"), ("512 mb", "512MB"), ("1.5GiB", "1.5GiB"),
                                             ("2tb", "2TB")])
def test_a_memory_limit_duckdb_reads_is_kept(given, kept):
    import duckdb

    assert settings.Settings(evaluation_memory_limit=given).evaluation_memory_limit == kept
    duckdb.connect(config={"memory_limit": kept}).close()


def test_the_other_evaluation_settings_are_checked():
    for field, bad in [("evaluation_parts", -1), ("evaluation_fetch_rows", 10), ("evaluation_threads", -2),
                       ("evaluation_part_subjects", 0)]:
        with pytest.raises(ValidationError):
            settings.Settings(**{field: bad})
    s = settings.Settings(var_dir="/srv/x", cache_dir=None, evaluation_temp_dir=None)
    assert str(s.evaluation_dir) == "/srv/x/cache/evaluation"
    assert str(settings.Settings(evaluation_temp_dir="/tmp/ev").evaluation_dir) == "/tmp/ev"
