"""The credit report as a service: its text in the standard's section order, the font embedded,
the identity masked as the reader's rights require, every issue audited, verification."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import select

from tests.disclosure.helpers import HEADINGS, altered, embedded_fonts, pdf_text, section
from tests.records.factories import World, build_world
from xinyong.accounts.principal import Principal, cli_principal
from xinyong.audit.models import AuditEntry
from xinyong.catalog import service as catalog_service
from xinyong.core.errors import InvalidInput
from xinyong.disclosure import sections, service
from xinyong.disclosure.models import IssuedReport
from xinyong.subjects.identity import NotAllowed

CHECKER = Principal(user_id=7, username="checker_hz", role="checker", region_code="330100", via="session")
ADMIN = Principal(user_id=8, username="admin_hz", role="admin", region_code="330100", via="session")


@pytest.fixture
def world(session) -> World:
    return build_world(session)


def issue(session, who, subject, *, full=True, reveal=False, purpose="信用审查"):
    version_id, policy = catalog_service.active_version(session)
    out = service.issue(session, policy, version_id, who, subject, purpose=purpose, full=full, reveal=reveal)
    session.commit()
    return out


def test_text_has_the_title_and_the_sections_in_the_standards_order(session, world):
    issued = issue(session, CHECKER, world.ent_hz)
    text = pdf_text(issued.pdf)
    assert "公共信用信息报告（法人和非法人组织版）" in text
    for label in ("报告编号", "报告时间", "查询目的", "查询人", "出具单位", "验证码"):
        assert label in text
    assert issued.report.number in text and issued.report.code in text and "信用审查" in text
    positions = [text.find(f"、{h}") for h in HEADINGS]
    assert all(p >= 0 for p in positions), dict(zip(HEADINGS, positions, strict=True))
    assert positions == sorted(positions)
    assert "杭州甲科技有限公司" in text and "杭市监罚〔2026〕1号" in text  # the record, with its status and period
    assert "杭市监罚〔2024〕2号" not in text  # past its display period
    # sections the platform has nothing for yet say so
    for empty in ("信用承诺及履约情况", "异议及信用修复信息", "信用评价信息"):
        assert section(text, empty) == "无"


def test_person_report_lists_the_list_entry_and_the_judicial_record(session, world):
    text = pdf_text(issue(session, CHECKER, world.person).pdf)
    assert "公共信用信息报告（自然人版）" in text
    serious = section(text, "严重失信主体名单信息")
    assert "严重失信主体名单" in serious and "在列" in serious
    judicial = section(text, "司法判决及执行信息")
    assert "(2026)浙01执5号" in judicial


def test_the_font_is_embedded_and_subset(session, world):
    fonts = embedded_fonts(issue(session, CHECKER, world.ent_hz).pdf)
    assert fonts, "the report uses a font"
    for f in fonts:
        assert f["subtype"] == "/Type0"  # a composite (CID) font: Chinese
        assert f["file"] in ("/FontFile2", "/FontFile3"), f  # embedded, not left to the reader's system
        assert "+" in f["name"]  # a subset's tag (ABCDEF+Name)
        assert 0 < f["size"] < 1_000_000  # the glyphs used, not the font's megabytes


def test_persons_are_masked_for_an_official_without_reveal_rights(session, world):
    text = pdf_text(issue(session, CHECKER, world.person).pdf)
    assert World.PERSON_NAME not in text and world.person_ric not in text
    assert "张*丰" in text and world.person_ric[:6] + "*" * 12 in text
    with pytest.raises(NotAllowed):
        issue(session, CHECKER, world.person, reveal=True)


def test_an_administrator_may_reveal_and_the_reveal_is_audited(session, world):
    issued = issue(session, ADMIN, world.person, reveal=True)
    text = pdf_text(issued.pdf)
    assert World.PERSON_NAME in text and world.person_ric in text
    assert not issued.report.masked
    reveals = session.scalars(select(AuditEntry).where(AuditEntry.action == "reveal",
                                                       AuditEntry.subject_id == world.person.id)).all()
    assert len(reveals) == 1


def test_a_public_view_withholds_what_the_public_may_not_read(session, world):
    text = pdf_text(issue(session, CHECKER, world.person, full=False).pdf)
    assert "杭市监罚〔2026〕4号" not in text  # the person's 授权查询 penalty
    assert "另有1条授权查询或政务共享信息" in text


def test_every_issue_is_audited(session, world):
    a = issue(session, CHECKER, world.person)
    b = issue(session, cli_principal(), world.ent_hz, purpose="监督考核")
    created = session.scalars(select(AuditEntry).where(AuditEntry.entity == "credit_report",
                                                       AuditEntry.action == "create")).all()
    assert {(e.entity_id, e.subject_id, e.username) for e in created} == {
        (a.report.number, world.person.id, "checker_hz"), (b.report.number, world.ent_hz.id, "cli")}
    # an official's report on a natural person is a read of personal data (谁查询了我)
    reads = session.scalars(select(AuditEntry).where(AuditEntry.entity == "credit_report",
                                                     AuditEntry.action == "read")).all()
    assert [(e.entity_id, e.subject_id, e.purpose) for e in reads] == [(a.report.number, world.person.id, "信用审查")]
    stored = {r.number: r for r in session.scalars(select(IssuedReport))}
    assert stored[a.report.number].requester == "checker_hz" and stored[b.report.number].purpose == "监督考核"


def test_a_report_needs_a_purpose(session, world):
    with pytest.raises(InvalidInput):
        issue(session, CHECKER, world.ent_hz, purpose="  ")


def test_verify_genuine_altered_and_forged(session, world):
    issued = issue(session, CHECKER, world.ent_hz)
    ok = service.verify_pdf(session, issued.pdf)
    assert ok.genuine and ok.outcome == "genuine" and ok.number == issued.report.number
    edited = service.verify_pdf(session, altered(issued.pdf))
    assert not edited.genuine and edited.outcome == "altered"
    forged = service.verify_pdf(session, b"%PDF-1.4 not a report of ours")
    assert not forged.genuine and forged.outcome == "unknown"
    assert service.verify_code(session, issued.report.number, issued.report.code.lower()).genuine
    wrong = service.verify_code(session, issued.report.number, "AAAAAAAA")
    unknown = service.verify_code(session, "XY20260101FFFFFFFF", issued.report.code)
    assert not wrong.genuine and not unknown.genuine and wrong.zh == unknown.zh  # no oracle for numbers


def test_a_later_capability_adds_rows_through_the_registry(session, world):
    @sections.register("commitments")
    def commitments(ctx):
        return [sections.Block(caption="信用承诺", table=sections.Table(["承诺事项", "履约情况"], [["按期纳税", "已履约"]]))]

    try:
        text = pdf_text(issue(session, CHECKER, world.ent_hz).pdf)
    finally:
        sections.unregister("commitments", commitments)
    part = section(text, "信用承诺及履约情况")
    assert "按期纳税" in part and "已履约" in part
    with pytest.raises(ValueError):
        sections.register("no_such_section")


def test_the_report_renders_to_a_picture_with_its_chinese_text(session, world, tmp_path):
    """Rendered by PDFium (the engine of Chromium's viewer, from PyPI, so no system package is
    needed): page one becomes a PNG with ink where the Chinese title is set, and PDFium's own text
    extraction reads the title and the sections in the standard's order."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(issue(session, CHECKER, world.person).pdf)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    text = "".join(text.split())
    assert "公共信用信息报告（自然人版）" in text
    positions = [text.find(f"、{h}") for h in HEADINGS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    image = doc[0].render(scale=100 / 72).to_pil().convert("L")
    path = tmp_path / "page1.png"
    image.save(path)
    assert path.stat().st_size > 5_000  # a page with text and a QR code, not a blank one
    width, height = image.size
    top = image.crop((0, 0, width, height // 5))  # the title and the report's head
    dark = sum(1 for v in top.getdata() if v < 128)
    assert dark > 500, "the title area has no ink: the Chinese font did not render"


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("pdftotext")), reason="poppler-utils not installed")
def test_poppler_renders_the_report(session, world, tmp_path):
    """Where poppler is installed: its text has the title and sections, and page one renders."""
    path = tmp_path / "r.pdf"
    path.write_bytes(issue(session, CHECKER, world.person).pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = "".join(text.split())
    assert "公共信用信息报告（自然人版）" in text
    positions = [text.find(f"、{h}") for h in HEADINGS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    assert png.stat().st_size > 5_000  # a page with text and a QR code, not a blank one
