"""Ingest: every kind of bad row, idempotency, versions, formats, all-or-none."""

from __future__ import annotations

import json
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests import factories as f
from xinyong.core.clock import frozen_today
from xinyong.records import service
from xinyong.records.ingest import import_file, import_source
from xinyong.records.models import ImportBatch, Record, RecordVersion
from xinyong.records.readers import FileUnusable, rows_from_dicts
from xinyong.records.report import write_report
from xinyong.subjects.models import Subject


def run(session, rows, category="admin_penalty", **kw):
    result = import_source(session, rows_from_dicts(rows), file_name="t.json", category=category, **kw)
    session.commit()
    return result


def errors_by_row(result):
    out: dict[int, list] = {}
    for e in result.errors:
        out.setdefault(e.row, []).append(e)
    return out


def test_good_rows_are_stored_with_provenance(session):
    result = run(session, [f.penalty_row(1), f.penalty_row(2), f.person_penalty_row(3)])
    assert (result.new, result.rejected, result.exit_code) == (3, 0, 0)
    rec = session.scalars(select(Record).order_by(Record.id)).first()
    assert rec.category_code == "admin_penalty"
    assert rec.department_code == f.DEPT
    assert rec.batch_id == result.batch_id and rec.row_no == 1
    assert rec.policy_version_id == result.policy_version_id
    assert rec.severity == "general"
    assert rec.facts["fine_amount"] == "1"
    assert rec.disclosure == "public"
    person = session.scalar(select(Subject).where(Subject.kind == "person"))
    assert person.birth_date == date(1985, 6, 1)
    assert session.scalar(select(Record.disclosure).where(Record.subject_id == person.id)) == "authorized"


def test_severity_derived_from_penalty_type(session):
    run(session, [f.penalty_row(1, **{"处罚类别": "吊销营业执照"}), f.penalty_row(2, **{"处罚类别": "警告"})])
    sev = dict(session.execute(select(Record.decision_no, Record.severity)).all())
    assert sev["杭市监罚〔2025〕1号"] == "serious"
    assert sev["杭市监罚〔2025〕2号"] == "minor"


@pytest.mark.parametrize(
    ("override", "field", "words"),
    [
        ({"行政相对人代码_1(统一社会信用代码)": "91330106123456789X"}, "行政相对人代码_1(统一社会信用代码)", "校验位"),
        ({"行政相对人代码_1(统一社会信用代码)": "3.30106199001011E+17", "行政相对人类别": ""}, "行政相对人代码_1(统一社会信用代码)", "科学计数法"),
        ({"行政相对人名称": "  "}, "行政相对人名称", "缺少必填项"),
        ({"行政处罚决定书文号": ""}, "行政处罚决定书文号", "缺少必填项"),
        ({"处罚决定日期": "2025-02-30"}, "处罚决定日期", "不存在"),
        ({"处罚决定日期": "2999-01-01"}, "处罚决定日期", "晚于今天"),
        ({"处罚决定日期": "25-1-1"}, "处罚决定日期", "四位年份"),
        ({"违法事实": None}, "违法事实", "缺少必填项"),
        ({"罚款金额（万元）": "一万"}, "罚款金额（万元）", "不是数字"),
        ({"行政相对人类别": "外星人"}, "行政相对人类别", "主体类别"),
        ({"数据来源单位统一社会信用代码": "123"}, "数据来源单位统一社会信用代码", "报送部门"),
    ],
)
def test_each_bad_row_is_reported_and_never_blocks_good_rows(session, override, field, words):
    result = run(session, [f.penalty_row(1), f.penalty_row(2, **override), f.penalty_row(3)])
    assert result.new == 2
    assert result.rejected == 1
    errs = errors_by_row(result)[2]
    hit = [e for e in errs if e.field == field]
    assert hit, errs
    assert any(words in e.zh for e in hit), [e.zh for e in hit]
    assert all(e.en for e in errs)


def test_kind_not_allowed_for_category(session, policy):
    cat = next(c for c in policy.catalog.categories if set(c.subject_kinds) <= {"gov_body"})
    rows = [{"主体名称": "某公司", "统一社会信用代码或公民身份号码": f.company(7), "决定文书号": "X1", "决定日期": "2025-01-01",
             "报送部门": f.DEPT_NAME, "报送部门统一社会信用代码": f.DEPT, "来源记录编号": "s1"}]
    result = run(session, rows, category=cat.code)
    assert result.rejected == 1
    assert any("只记录" in e.zh for e in result.errors)


def test_severity_not_allowed(session):
    result = run(session, [f.penalty_row(1, 严重程度="较重")])
    assert result.rejected == 1
    assert any(e.field == "严重程度" for e in result.errors)


def test_idempotent_and_versions(session):
    first = run(session, [f.penalty_row(1), f.penalty_row(2)])
    again = run(session, [f.penalty_row(1), f.penalty_row(2)])
    assert (again.new, again.unchanged, again.updated) == (0, 2, 0)
    changed = run(session, [f.penalty_row(1, 处罚内容="罚款人民币两万元")])
    assert (changed.new, changed.updated) == (0, 1)
    rec = session.scalar(select(Record).where(Record.decision_no == "杭市监罚〔2025〕1号"))
    assert rec.version == 2
    assert rec.facts["penalty_content"] == "罚款人民币两万元"
    assert rec.first_seen <= rec.last_seen
    assert rec.last_batch_id == changed.batch_id
    old = service.history(session, rec.id)
    assert [v.version for v in old] == [1]
    assert old[0].facts["penalty_content"] == "罚款人民币一万元"
    assert old[0].batch_id == first.batch_id
    assert session.scalar(select(func.count()).select_from(Record)) == 2


def test_same_record_twice_in_one_batch(session):
    result = run(session, [f.penalty_row(1), f.penalty_row(1), f.penalty_row(1, 处罚内容="改")])
    assert (result.new, result.unchanged, result.updated) == (1, 1, 1)
    assert session.scalar(select(func.count()).select_from(RecordVersion)) == 1


def test_one_decision_naming_two_subjects(session):
    result = run(session, [f.penalty_row(1), f.penalty_row(1, code=f.company(99))])
    assert result.new == 2


def test_expired_records_leave_display_but_stay_in_archive(session):
    run(session, [f.penalty_row(1, 处罚决定日期="2022-01-01"), f.penalty_row(2, 处罚决定日期="2025-06-01")])
    subj = {s.name: s.id for s in session.scalars(select(Subject))}
    with frozen_today(date(2025, 7, 1)):
        old = subj["杭州测试1有限公司"]
        assert service.records_of(session, old) == []
        archived = service.records_of(session, old, archive=True)
        assert len(archived) == 1
        assert service.effective_status(archived[0]) == "expired"
        assert len(service.records_of(session, subj["杭州测试2有限公司"])) == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(session, tmp_path, encoding):
    path = tmp_path / "p.csv"
    f.write_csv(path, [f.penalty_row(1), f.penalty_row(2)], encoding)
    result = import_file(session, path)  # category from the national header signature
    session.commit()
    assert (result.new, result.rejected) == (2, 0)
    assert session.scalar(select(Record.subject_name).limit(1)).startswith("杭州测试")


def test_xlsx_with_numbers_dates_and_mangled_ids(session, tmp_path):
    wb = Workbook()
    ws = wb.active
    rows = [f.person_penalty_row(1), f.person_penalty_row(2), f.penalty_row(3)]
    headers = list(rows[0])
    ws.append(headers)
    for i, r in enumerate(rows):
        values = [r[h] for h in headers]
        if i == 0:
            values[headers.index("处罚决定日期")] = date(2025, 6, 1)  # a real date cell
        if i == 1:
            values[headers.index("证件号码")] = 3.30106199001011e17  # what a spreadsheet does
        ws.append(values)
    path = tmp_path / "p.xlsx"
    wb.save(path)
    result = import_file(session, path)
    session.commit()
    assert (result.new, result.rejected) == (2, 1)
    assert errors_by_row(result)[3][0].field == "证件号码"


def test_jsonl_with_english_keys(session, tmp_path):
    path = tmp_path / "p.jsonl"
    base = f.penalty_row(1)
    row = {
        "subject_name": base["行政相对人名称"], "subject_code": base["行政相对人代码_1(统一社会信用代码)"],
        "decision_no": "JSON-1", "decision_date": "2025-05-05", "department_name": f.DEPT_NAME,
        "department_code": f.DEPT, "violation_type": "x", "violation_facts": "y", "penalty_basis": "z",
        "penalty_type": "罚款", "penalty_content": "罚款一千元",
    }
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n" + "{not json\n", encoding="utf-8")
    result = import_file(session, path, category="admin_penalty")
    session.commit()
    assert (result.new, result.rejected) == (1, 1)
    assert errors_by_row(result)[2][0].zh.startswith("该行不是有效的 JSON")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("a.pdf", b"%PDF", "不支持"),
        ("a.csv", b"", "空"),
        ("a.csv", b"\xff\xfe\x00\x01\x80\x81" * 10, "编码"),
        ("a.xlsx", b"not a zip", "Excel"),
        ("a.csv", "名称,名称\n1,2\n".encode(), "两次"),
        ("a.csv", b"foo,bar\n1,2\n", "记录类别"),
    ],
)
def test_unusable_files_store_nothing(session, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileUnusable) as exc:
        import_file(session, path)
    session.rollback()
    assert words in exc.value.zh
    assert session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_error_report(session, tmp_path):
    result = run(session, [f.penalty_row(1), f.penalty_row(2, 处罚决定日期="bad")])
    path = write_report(result, tmp_path / "r.errors.xlsx")
    wb = load_workbook(path, read_only=True)
    rows = list(wb["错误明细"].iter_rows(values_only=True))
    assert rows[0] == ("行号", "列名", "原值", "错误说明", "Error (English)")
    assert rows[1][0] == 2 and rows[1][1] == "处罚决定日期" and rows[1][2] == "bad"


def test_category_column_per_row(session):
    rows = [dict(f.penalty_row(1), 记录类别="行政处罚"), dict(f.penalty_row(2), 记录类别="没有这类")]
    result = import_source(session, rows_from_dicts(rows), file_name="mixed")
    session.commit()
    assert (result.new, result.rejected) == (1, 1)
    assert "未知的记录类别" in result.errors[0].zh


def test_batch_is_all_or_none(session, monkeypatch):
    from xinyong.records import ingest, writer

    calls = {"n": 0}
    real = writer.ChunkWriter._write_unique

    def boom(self, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return real(self, rows)

    monkeypatch.setattr(writer.ChunkWriter, "_write_unique", boom)
    monkeypatch.setattr(ingest.get_settings(), "import_chunk_rows", 100)
    with pytest.raises(RuntimeError):
        import_source(session, rows_from_dicts([f.penalty_row(i) for i in range(250)]), file_name="t", category="admin_penalty")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Record)) == 0
    assert session.scalar(select(func.count()).select_from(Subject)) == 0


def test_the_same_record_in_consecutive_chunks(session, monkeypatch):
    """On PostgreSQL a chunk's insert may still be running when the next chunk is written: a
    record sent again in the next chunk is still found, versioned and counted once."""
    from xinyong.records import ingest

    monkeypatch.setattr(ingest.get_settings(), "import_chunk_rows", 2)
    rows = [f.penalty_row(1), f.penalty_row(2), f.penalty_row(1, 处罚内容="改"), f.penalty_row(3),
            f.penalty_row(2), f.penalty_row(4)]
    result = run(session, rows)
    assert (result.new, result.updated, result.unchanged) == (4, 1, 1)
    assert session.scalar(select(func.count()).select_from(Record)) == 4
    assert session.scalar(select(func.count()).select_from(RecordVersion)) == 1


def test_a_failing_insert_stores_nothing(session, monkeypatch):
    """PostgreSQL: the insert that runs while the next chunk is prepared fails; the import fails
    with its error and the batch leaves nothing behind."""
    from concurrent.futures import Future

    from xinyong.records import ingest, writer

    if session.bind.dialect.name != "postgresql":
        pytest.skip("SQLite writes each chunk before the next one is prepared")
    calls = {"n": 0}
    real_finish = writer.ChunkWriter._finish

    def finish(self):
        calls["n"] += 1
        if calls["n"] == 3 and self.pending is not None:
            self.pending.future.result()  # the real insert ends first; then it "failed"
            failed = Future()
            failed.set_exception(RuntimeError("disk on fire"))
            self.pending = self.pending._replace(future=failed)
        return real_finish(self)

    monkeypatch.setattr(writer.ChunkWriter, "_finish", finish)
    monkeypatch.setattr(ingest.get_settings(), "import_chunk_rows", 100)
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_source(session, rows_from_dicts([f.penalty_row(i) for i in range(250)]), file_name="t",
                      category="admin_penalty")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Record)) == 0


def test_text_with_tabs_newlines_and_backslashes_survives(session):
    facts = "第一行\t制表\n第二行 C:\\路径\\ 引号\"结束"
    run(session, [f.penalty_row(1, 违法事实=facts)])
    rec = session.scalar(select(Record))
    assert rec.facts["violation_facts"] == "第一行 制表 第二行 C:\\路径\\ 引号\"结束"
