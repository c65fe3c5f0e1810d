"""A large file is read and validated in a worker process: same result as in one process."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests import factories as f
from xinyong.catalog import service as catalog_service
from xinyong.core.settings import get_settings
from xinyong.records import pipeline
from xinyong.records.ingest import import_file
from xinyong.records.models import Record
from xinyong.records.readers import FileUnusable
from xinyong.records.validation import Defaults


def rows() -> list[dict]:
    out = [f.penalty_row(i) for i in range(1, 40)]
    out[3] = f.penalty_row(4, 处罚决定日期="2999-01-01")  # in the future
    out[7] = f.penalty_row(8, 行政处罚决定书文号="")  # missing
    out[9] = f.person_penalty_row(10)
    out[11] = f.person_penalty_row(12, 证件号码="3.30106199001011E+17")  # mangled by a spreadsheet
    out.append(dict(out[0]))  # the same record again
    return out


def outcome(result):
    return (result.total, result.new, result.updated, result.unchanged, result.rejected,
            [(e.row, e.field, e.zh) for e in result.errors], sorted(result.categories), result.ignored_columns)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_worker_gives_what_one_process_gives(session, tmp_path, monkeypatch, kind):
    data = rows()
    if kind == "csv":
        path = f.write_csv(tmp_path / "p.csv", data)
    else:
        wb = Workbook()
        ws = wb.active
        ws.append(list(data[0]))
        for r in data:
            ws.append(list(r.values()))
        path = tmp_path / "p.xlsx"
        wb.save(path)
    settings = get_settings()
    monkeypatch.setattr(settings, "import_chunk_rows", 100)  # several chunks
    monkeypatch.setattr(settings, "import_worker_min_bytes", 0)
    expected = outcome(import_file(session, path, defaults=Defaults(today=date(2026, 11, 26))))
    stored = sorted(session.execute(select(Record.source_id, Record.content_hash, Record.facts)).all())
    session.rollback()

    monkeypatch.setattr(settings, "import_worker_min_bytes", 1)
    seen: list[int] = []
    result = import_file(session, path, defaults=Defaults(today=date(2026, 11, 26)), progress=seen.append)
    session.commit()
    assert outcome(result) == expected
    assert (result.rejected, result.unchanged, result.new) == (3, 1, len(data) - 4)
    assert sorted(session.execute(select(Record.source_id, Record.content_hash, Record.facts)).all()) == stored
    assert seen and seen[-1] == result.total


def test_worker_failure_is_an_error_and_stores_nothing(session, tmp_path, monkeypatch):
    path = f.write_csv(tmp_path / "p.csv", rows())
    monkeypatch.setattr(get_settings(), "import_worker_min_bytes", 1)
    _version, policy = catalog_service.active_version(session)
    # a file the worker cannot use is refused as in one process
    with pytest.raises(FileUnusable, match="no such file"):
        list(pipeline.validated_chunks_in_worker(tmp_path / "gone.csv", None, policy, Defaults(), 100))
    # anything else that goes wrong in the worker fails the batch with its traceback
    with pytest.raises(RuntimeError, match="import worker failed"):
        list(pipeline.validated_chunks_in_worker(path, None, policy, None, 100))
    real = pipeline.validated_chunks_in_worker
    monkeypatch.setattr(pipeline, "validated_chunks_in_worker",
                        lambda p, c, pol, _d, n: real(p, c, pol, None, n))
    with pytest.raises(RuntimeError):
        import_file(session, path)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Record)) == 0
