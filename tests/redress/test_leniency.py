"""Leniency for self-correction (从轻、减轻、免于惩戒): a correction recorded by the credit office
or the record's source department softens the measures the measures list says, in the single
and the batch check, with the reason in the result; revoked, it earns nothing; refusals change
nothing; the policy check refuses leniency its basis does not allow."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.lists.helpers import person, record
from tests.redress.helpers import PDF
from xinyong.accounts.principal import Principal, cli_principal
from xinyong.audit.models import AuditEntry
from xinyong.catalog import service as catalog_service
from xinyong.catalog.loader import DEFAULT_DIR, load_dir
from xinyong.catalog.schemas import Leniency
from xinyong.checks import leniency as check_leniency
from xinyong.checks import service as checks
from xinyong.checks.models import CheckHit
from xinyong.core.clock import today
from xinyong.core.errors import Forbidden, InvalidInput
from xinyong.redress import leniency
from xinyong.redress.models import SelfCorrection

OFFICE = cli_principal("信用办")


class raises_zh:
    """``pytest.raises`` for a platform error whose Chinese message holds ``words``."""

    def __init__(self, kind, words):
        self.ctx, self.words = pytest.raises(kind), words

    def __enter__(self):
        self.info = self.ctx.__enter__()
        return self.info

    def __exit__(self, *exc):
        out = self.ctx.__exit__(*exc)
        assert self.words in self.info.value.zh, self.info.value.zh
        return out


def run(session, scenario, code, policy=None):
    return checks.check_one(session, scenario=scenario, code=code, purpose="测试核查", who=OFFICE)


def by_code(result):
    return {h.measure.code: h for h in result.hits}


def servant(session):
    s, ric = person(session, "周公务", kind="public_servant")
    r = record(session, s, "admin_penalty", "general")
    return s, ric, r


def department(r, code=None) -> Principal:
    return Principal(user_id=None, username="部门", role="reporter", region_code="330100",
                     department_code=code or r.department_code, via="session")


def test_the_hook_is_registered():
    assert leniency.corrections_in_force in check_leniency.hooks.registered()
    assert leniency.corrections_table in check_leniency.table_hooks.registered()


def test_waived_then_revoked(session):
    s, ric, r = servant(session)
    before = by_code(run(session, "cadre_selection", ric))
    assert {"ps_appointment_limit", "rec_bad_info_review"} <= set(before)
    assert before["ps_appointment_limit"].leniency is None

    c = leniency.record_correction(session, OFFICE, record_id=r.id, kind="loss_recovered", corrected_on=None,
                                   note="已足额退还多收费用", evidence=("退款凭证.pdf", PDF))
    assert (c.recorded_as, c.evidence_type) == ("office", "application/pdf")
    res = run(session, "cadre_selection", ric)
    hits = by_code(res)
    soft = hits["ps_appointment_limit"]
    assert soft.waived and "免于实施" in soft.leniency and "主动挽回损失" in soft.leniency and "76号" in soft.leniency
    assert hits["rec_bad_info_review"].leniency is None  # no leniency offered for that one
    assert res.check.hit_count == len(res.hits) - 1  # the waived one is shown, not counted
    stored = checks.stored_result(session, res.check)
    assert by_code(stored)["ps_appointment_limit"].waived
    assert by_code(stored)["ps_appointment_limit"].leniency == soft.leniency

    leniency.revoke(session, OFFICE, c.id, reasons="退款凭证系伪造")
    again = by_code(run(session, "cadre_selection", ric))
    assert again["ps_appointment_limit"].leniency is None and not again["ps_appointment_limit"].waived
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "self_correction")).all()
    assert actions == ["correction_record", "correction_revoke"]


def test_shortened_in_force_and_ended(session):
    p, ric = person(session, "钱整改")
    long_ = record(session, p, "admin_penalty", "general", days_shown=400)  # shown ~370 more days
    q, ric2 = person(session, "孙整改")
    short = record(session, q, "admin_penalty", "general", days_shown=90)  # shown 60 more days
    for r in (long_, short):
        leniency.record_correction(session, OFFICE, record_id=r.id, kind="rectified_on_time",
                                   corrected_on=today(), note="按期整改到位")
    kept = by_code(run(session, "administrative_licensing", ric))["bad_no_convenience"]
    assert not kept.waived and "期限缩短 6 个月（缩短后仍在期内）" in kept.leniency and "98号" in kept.leniency
    gone = by_code(run(session, "administrative_licensing", ric2))["bad_no_convenience"]
    assert gone.waived and "缩短后已届满" in gone.leniency
    # a person earns nothing from a kind the measure names only for public servants' waiver
    assert by_code(run(session, "administrative_licensing", ric2))["bad_licensing_review"].leniency is None


def test_downgraded_from_mandatory_to_reference(session):
    s, ric, r = servant(session)
    vid, policy = catalog_service.active_version(session)
    ms = policy.measures
    m = ms.measure("ps_appointment_limit").model_copy(update={
        "mandatory": True,
        "leniency": [Leniency(effect="reference", kinds=["effects_removed"], subject_kinds=["public_servant"],
                              basis=ms.measure("ps_appointment_limit").leniency[0].basis)]})
    changed = policy.model_copy(update={"measures": ms.model_copy(update={
        "measures": [m if x.code == m.code else x for x in ms.measures]})})
    first = checks.check_subject(session, s, None, scenario="cadre_selection", purpose="t", who=OFFICE,
                                 policy=(vid, changed))
    assert first.check.outcome == "暂缓任用"
    leniency.record_correction(session, OFFICE, record_id=r.id, kind="effects_removed", corrected_on=None,
                               note="已公开致歉并消除影响")
    res = checks.check_subject(session, s, None, scenario="cadre_selection", purpose="t", who=OFFICE,
                               policy=(vid, changed))
    h = by_code(res)["ps_appointment_limit"]
    assert (h.downgraded, h.mandatory, h.waived) == (True, False, False)
    assert "由必须适用改为审慎参考" in h.leniency
    assert res.check.outcome == "审慎审查" and res.check.mandatory_count == 0


def write_candidates(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "公民身份号码", "地区", "出生日期"])
        w.writerows(rows)


def test_batch_agrees_with_single_checks(session, tmp_path):
    p, ric = person(session, "钱整改")
    long_ = record(session, p, "admin_penalty", "general", days_shown=400)
    q, ric2 = person(session, "孙整改")
    short = record(session, q, "admin_penalty", "general", days_shown=90)
    n, ric3 = person(session, "李未改")
    record(session, n, "admin_penalty", "general")
    for r in (long_, short):
        leniency.record_correction(session, OFFICE, record_id=r.id, kind="rectified_on_time", corrected_on=None,
                                   note="按期整改到位")
    path = tmp_path / "c.csv"
    write_candidates(path, [["钱整改", ric, "", ""], ["孙整改", ric2, "", ""], ["李未改", ric3, "", ""]])
    batch = checks.create_batch(session, scenario="administrative_licensing", purpose="t", who=OFFICE,
                                file_name="c.csv")
    checks.load_candidates(session, batch, path)
    checks.match_batch(session, batch, OFFICE)
    rows = checks.batch_checks(session, batch.id)
    for got, code in zip(rows, (ric, ric2, ric3), strict=True):
        single = run(session, "administrative_licensing", code)
        assert (got.outcome, got.hit_count, got.mandatory_count) == (
            single.check.outcome, single.check.hit_count, single.check.mandatory_count)
        mine = session.scalars(select(CheckHit).where(CheckHit.check_id == got.id)).all()
        assert {(h.measure_code, h.waived, bool(h.leniency)) for h in mine} == {
            (h.measure.code, h.waived, bool(h.leniency)) for h in single.hits}
    result = tmp_path / "r.xlsx"
    checks.write_result(session, batch, result)
    from openpyxl import load_workbook

    ws = load_workbook(result).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert values[0][-1] == "从轻、减轻、免于实施"
    assert "期限缩短 6 个月" in (values[1][-1] or "")
    assert "取消告知承诺" not in (values[2][6] or "")  # 孙: shortened away, not listed as hit


def test_who_may_record(session):
    s, ric, r = servant(session)
    c = leniency.record_correction(session, department(r), record_id=r.id, kind="harm_stopped",
                                   corrected_on=None, note="已停止违规收费")
    assert c.recorded_as == "department"
    with raises_zh(Forbidden, "作出认定的部门"):
        leniency.record_correction(session, department(r, "11330100MB0000000X"), record_id=r.id,
                                   kind="loss_recovered", corrected_on=None, note="x")
    outsider = Principal(user_id=None, username="外地", role="admin", region_code="330200", via="session")
    with raises_zh(Forbidden, "地区权限"):
        leniency.record_correction(session, outsider, record_id=r.id, kind="loss_recovered", corrected_on=None,
                                   note="x")
    subject = Principal(user_id=None, username="本人", role="subject", region_code=None, subject_id=s.id,
                        via="session")
    with raises_zh(Forbidden, ""):
        leniency.record_correction(session, subject, record_id=r.id, kind="loss_recovered", corrected_on=None,
                                   note="x")
    checker = Principal(user_id=None, username="核查", role="checker", region_code="330100", via="session")
    with raises_zh(Forbidden, ""):
        leniency.revoke(session, checker, c.id, reasons="x")


@pytest.mark.parametrize("kwargs, field, words", [
    ({"kind": "apologised"}, "kind", "未知的自我纠错类型"),
    ({"note": "  "}, "note", "请说明纠错的情况"),
    ({"corrected_on": date(2099, 1, 1)}, "corrected_on", "不能晚于今天"),
    ({"corrected_on": date(2000, 1, 1)}, "corrected_on", "早于记录的决定日期"),
    ({"evidence": ("说明.txt", b"plain text")}, "files", "不是 PDF、PNG 或 JPEG"),
])
def test_bad_input_changes_nothing(session, kwargs, field, words):
    s, ric, r = servant(session)
    args = {"record_id": r.id, "kind": "loss_recovered", "corrected_on": None, "note": "已退还"} | kwargs
    with raises_zh(InvalidInput, words) as err:
        leniency.record_correction(session, OFFICE, **args)
    assert err.value.field == field
    assert session.scalar(select(func.count()).select_from(SelfCorrection)) == 0


def test_repeat_and_second_revocation_refused(session):
    s, ric, r = servant(session)
    c = leniency.record_correction(session, OFFICE, record_id=r.id, kind="loss_recovered", corrected_on=None,
                                   note="已退还")
    with raises_zh(InvalidInput, "已登记“主动挽回损失”"):
        leniency.record_correction(session, OFFICE, record_id=r.id, kind="loss_recovered", corrected_on=None,
                                   note="又退还")
    with raises_zh(InvalidInput, "请填写撤销理由"):
        leniency.revoke(session, OFFICE, c.id, reasons="")
    leniency.revoke(session, OFFICE, c.id, reasons="登记有误")
    with raises_zh(InvalidInput, "不能再次撤销"):
        leniency.revoke(session, OFFICE, c.id, reasons="再撤")
    honour = record(session, s, "honour")
    with raises_zh(InvalidInput, "只有失信记录"):
        leniency.record_correction(session, OFFICE, record_id=honour.id, kind="loss_recovered", corrected_on=None,
                                   note="x")


# --- the policy check ---------------------------------------------------------------------------


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "policy"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def _add_leniency(folder: Path, code: str, block: str) -> None:
    file = folder / "measures.yaml"
    text = file.read_text(encoding="utf-8")
    start = text.index(f"  - code: {code}\n")
    end = text.index("\n  - code: ", start + 5)
    file.write_text(text[:end] + "\n" + block.rstrip("\n") + text[end:], encoding="utf-8")


BASIS_76 = "          - {title: 国发〔2016〕76号, level: central_policy, article: 四(四)}\n"


def problems(folder: Path) -> list[str]:
    policy, found = load_dir(folder)
    assert policy is None
    return [str(p) for p in found]


def test_default_policy_ships_leniency_where_allowed():
    policy, found = load_dir(DEFAULT_DIR)
    assert not found
    offered = {m.code: [o.effect for o in m.leniency] for m in policy.measures.measures if m.leniency}
    assert offered == {"ps_appointment_limit": ["waive"], "bad_no_convenience": ["shorten"]}
    assert all(not policy.measures.measure(c).restricts_rights for c in offered)
    assert [k.code for k in policy.redress.self_correction_kinds] == [
        "loss_recovered", "harm_stopped", "effects_removed", "rectified_on_time"]


def test_policy_check_refuses_leniency_on_what_a_law_imposes(folder):
    _add_leniency(folder, "rec_exam_cheating", "    leniency:\n      - effect: waive\n        kinds: [loss_recovered]\n"
                  "        subject_kinds: [person]\n        basis:\n" + BASIS_76)
    (msg,) = problems(folder)
    assert msg.startswith("measures.yaml:") and "rec_exam_cheating" in msg and "cannot waive" in msg


def test_policy_check_refuses_unknown_kind_downgrade_of_reference_and_no_basis(folder):
    _add_leniency(folder, "bad_more_inspection", "    leniency:\n      - effect: reference\n        kinds: [apologised]\n"
                  "        subject_kinds: [person]\n")
    found = problems(folder)
    assert any("not mandatory" in p for p in found)
    assert any("'apologised' is not a self_correction_kinds code" in p for p in found)
    assert any("cites no basis" in p for p in found)


def test_policy_check_shorten_needs_months(folder):
    _add_leniency(folder, "bad_more_inspection", "    leniency:\n      - effect: shorten\n        kinds: [loss_recovered]\n"
                  "        subject_kinds: [person]\n        basis:\n" + BASIS_76)
    (msg,) = problems(folder)
    assert "months goes with effect: shorten" in msg


def test_policy_check_subject_kinds_and_deadlines(folder):
    _add_leniency(folder, "gov_public_criticism", "    leniency:\n      - effect: waive\n        kinds: [loss_recovered]\n"
                  "        subject_kinds: [person]\n        basis:\n" + BASIS_76)
    (msg,) = problems(folder)
    assert "does not apply to 'person'" in msg


def test_redress_deadlines_validated(folder):
    file = folder / "redress.yaml"
    text = file.read_text(encoding="utf-8").replace("  objection_at_most:\n    days: 20", "  objection_at_most:\n    days: 3")
    file.write_text(text, encoding="utf-8")
    (msg,) = problems(folder)
    assert msg.startswith("redress.yaml") and "objection_at_most is shorter than objection_decide" in msg
    text = text.replace("  objection_at_most:\n    days: 3", "  objection_at_most:\n    days: 20")
    text = text.replace("  repair_decide:\n    days: 10\n    basis: ", "  repair_decide:\n    days: 10\n    basis_: ")
    file.write_text(text, encoding="utf-8")
    found = problems(folder)
    assert any("deadlines.repair_decide.basis" in p for p in found)
