"""The common-character cut of the report font (XINYONG_REPORT_FONT_CACHE): a report whose
characters are all in it is subset from it and reads the same; one with a character outside it
is subset from the whole font; the cut is made once and kept under VAR_DIR/cache."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.disclosure.helpers import embedded_fonts, pdf_text
from xinyong.core import clock
from xinyong.core.settings import reset_settings
from xinyong.disclosure import pdf
from xinyong.disclosure.sections import SECTIONS, Block, FilledSection, Table

HEAD = pdf.ReportHeader(
    title="公共信用信息报告（法人和非法人组织版）", number="XY20261204ABCDEF01", code="ABCD2345",
    issued_at=datetime(2026, 12, 4, 9, 30, tzinfo=clock.CST), purpose="信用审查", requester="压测（核查人员）",
    issuer="浙江省公共信用信息平台", verify_url="http://127.0.0.1:8000/reports/verify?number=XY20261204ABCDEF01",
    verify_page="http://127.0.0.1:8000/reports/verify",
)
RARE = "㐀"  # CJK extension A: in the font, not in GB 2312


def sections_with(text: str) -> list[FilledSection]:
    blocks = [Block(caption="行政处罚", lines=[("名称", text)],
                    table=Table(["决定文书号", "状态"], [["杭市监罚〔2026〕12号", "公示中"]] * 3))]
    return [FilledSection(spec, blocks if i == 1 else []) for i, spec in enumerate(SECTIONS)]


@pytest.fixture
def cache_on(monkeypatch, tmp_path):
    monkeypatch.setenv("XINYONG_REPORT_FONT_CACHE", "true")
    monkeypatch.setenv("XINYONG_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("XINYONG_CACHE_DIR", raising=False)  # the cut under VAR_DIR/cache, made here
    # a small common set keeps the cut quick; what is tested is the mechanism, not GB 2312
    small = {ord(c) for c in pdf_text_chars()} | set(range(0x20, 0x7F))
    monkeypatch.setattr(pdf, "common_characters", lambda: small)
    monkeypatch.setattr(pdf, "_common", None)
    reset_settings()
    yield tmp_path / "var" / "cache"
    monkeypatch.setattr(pdf, "_common", None)
    reset_settings()


def pdf_text_chars() -> str:
    fixed = ("公共信用信息报告（法人和非法人组织版）报告编号时间查询目的人出具单位验证码：年月日核查员压测审浙江省平台"
             "第页共可在核验本真伪说明依据归集的反映状况自然身份按权限脱敏显示凭或上传文件经任何改动即不能通过。；"
             "一二三四五六七八九十、基础行政管理诚实守信相关荣誉严重失主体名单经营活动异常录承约情况评价司法判决及执行"
             "职称和业资格其他议修复提升建无处罚决定文书号状态杭市监〔〕中某科技有限司，\u3000")
    fixed += "".join(s.title for s in SECTIONS)
    return fixed


def whole_font_render(monkeypatch, text: str) -> bytes:
    monkeypatch.setenv("XINYONG_REPORT_FONT_CACHE", "false")
    reset_settings()
    out = pdf.render(HEAD, sections_with(text))
    monkeypatch.setenv("XINYONG_REPORT_FONT_CACHE", "true")
    reset_settings()
    return out


def test_the_cut_is_kept_and_a_report_within_it_reads_the_same(cache_on, monkeypatch):
    whole = whole_font_render(monkeypatch, "某某科技有限公司")
    assert list(cache_on.glob("report-font-*.otf")) == []  # nothing made before the first report
    cut = pdf.render(HEAD, sections_with("某某科技有限公司"))
    assert len(list(cache_on.glob("report-font-*.otf"))) == 1
    assert pdf_text(cut) == pdf_text(whole)  # the same glyphs under the same CIDs
    assert cut != whole  # from the other font file
    assert "某某科技有限公司" in pdf_text(cut)
    (font,) = embedded_fonts(cut)
    assert font["subtype"] == "/Type0" and 0 < font["size"] < 200_000
    # made once: a later report (another process too) reads the kept file
    monkeypatch.setattr(pdf, "_common", None)
    monkeypatch.setattr(pdf, "_cut_common", lambda raw: pytest.fail("the cut was made again"))
    assert pdf_text(pdf.render(HEAD, sections_with("某某科技有限公司"))) == pdf_text(whole)


def test_a_character_outside_the_cut_uses_the_whole_font(cache_on, monkeypatch):
    whole = whole_font_render(monkeypatch, f"某{RARE}科技有限公司")
    chosen = []
    real = pdf._choose_font_file

    def spy(doc):
        real(doc)
        chosen.append(type(doc.fonts[pdf.FONT_KEY].ttfont))

    monkeypatch.setattr(pdf, "_choose_font_file", spy)
    out = pdf.render(HEAD, sections_with(f"某{RARE}科技有限公司"))
    assert chosen and chosen[0] is not pdf._CffOnly  # the whole font
    assert RARE in pdf_text(out) and out == whole
    within = pdf.render(HEAD, sections_with("某某科技有限公司"))
    assert chosen[1] is pdf._CffOnly  # the cut
    assert "某某科技有限公司" in pdf_text(within)


def test_the_cut_is_checked_for_composite_glyphs_once(cache_on):
    pdf.render(HEAD, sections_with("某某科技有限公司"))
    (note,) = cache_on.glob("report-font-*.json")
    assert note.read_text() == '{"seac_free": true}'  # Noto Sans SC: no seac, no subroutines in the cut
    assert pdf.common_font(pdf._parsed[2]).seac_free


def test_a_table_row_written_at_once_is_what_fpdf2_writes_call_by_call(monkeypatch):
    """pdf._row writes a row's rectangles and lines as fpdf2's rect() and text() would: the
    report is the same byte for byte (heading rows repeated over pages, empty cells, wrapping)."""
    rows = [[f"杭市监罚〔2026〕{i}号", "公示中" * (i % 5), "", "某某科技有限公司（温州）" * (i % 3)] for i in range(120)]
    blocks = [Block(caption="行政处罚", lines=[("名称", "某某科技有限公司")],
                    table=Table(["决定文书号", "状态", "备注", "名称"], rows))]
    filled = [FilledSection(spec, blocks if i in (1, 3) else []) for i, spec in enumerate(SECTIONS)]
    monkeypatch.setattr(pdf, "FAST_ROWS", False)
    by_call = pdf.render(HEAD, filled)
    monkeypatch.setattr(pdf, "FAST_ROWS", True)
    assert pdf.render(HEAD, filled) == by_call


def test_reports_written_at_once_in_threads_are_each_whole():
    """Requests are served from a thread pool: the font parsed once per process is shared, and
    what fpdf2's output changes on it (the font descriptor) must be each report's own."""
    from concurrent.futures import ThreadPoolExecutor

    from pypdf import PdfReader

    rows = [[f"杭市监罚〔2026〕{i}号", "公示中"] for i in range(150)]
    filled = [FilledSection(spec, [Block(caption="行政处罚", table=Table(["决定文书号", "状态"], rows))]
                            if i == 1 else []) for i, spec in enumerate(SECTIONS)]
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda _: pdf.render(HEAD, filled), range(8)))
    for out in outs:
        assert len(PdfReader(__import__("io").BytesIO(out)).pages) >= 2
        assert "杭市监罚〔2026〕149号" in pdf_text(out)
    assert len(set(outs)) == 1  # the same header and sections: the same bytes


def test_each_document_gets_its_own_font_descriptor():
    """(The race above is rare to catch in a test: the invariant behind it.)"""
    from fpdf import FPDF

    a, b = FPDF(), FPDF()
    pdf._add_font(a)
    pdf._add_font(b)
    fa, fb = a.fonts[pdf.FONT_KEY], b.fonts[pdf.FONT_KEY]
    assert fa.desc is not fb.desc and fa.desc is not pdf._parsed[1].desc
    assert fa.subset is not fb.subset and fa.ttfont is not fb.ttfont
