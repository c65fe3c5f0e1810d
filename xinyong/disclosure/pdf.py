"""The credit report as a PDF (fpdf2): Chinese set in a font that set-up installs, subset and
embedded, so that the report reads the same on any machine, one lacking every CJK font too.

The font is Noto Sans SC (思源黑体, SIL Open Font License) from the npm package
``@embedpdf/fonts-sc`` that ``make setup`` installs with the project's other front-end
packages (package.json); ``XINYONG_REPORT_FONT`` names another. Only the glyphs a report uses
are embedded (fpdf2 subsets with fontTools), so a report weighs tens of kilobytes, not the
font's eight megabytes. Nothing here reads the database: :mod:`xinyong.disclosure.service`
hands over the filled sections.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import segno
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap

import xinyong
from xinyong.core.errors import XinyongError
from xinyong.core.settings import get_settings
from xinyong.disclosure.sections import FilledSection

PROJECT_ROOT = Path(xinyong.__file__).resolve().parent.parent
DEFAULT_FONT = PROJECT_ROOT / "node_modules" / "@embedpdf" / "fonts-sc" / "fonts" / "NotoSansHans-Regular.otf"
FONT_FAMILY = "NotoSansSC"
FONT_KEY = FONT_FAMILY.lower()  # fpdf2's key of the regular style
NUMERALS = "一二三四五六七八九十"
LOGGER = logging.getLogger(__name__)


class ReportFontMissing(XinyongError):
    status_code = 503

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"信用报告所用的中文字体未安装（{path}）：请运行 make setup 安装前端依赖，或用 XINYONG_REPORT_FONT 指定字体文件",
            f"the report font is missing ({path}): run make setup, or set XINYONG_REPORT_FONT",
        )


def font_path() -> Path:
    path = get_settings().report_font or DEFAULT_FONT
    if not Path(path).is_file():
        raise ReportFontMissing(Path(path))
    return Path(path)


_parsed: tuple[str, object, bytes] | None = None  # (path, fpdf2's parsed font, the font file's bytes)
_parsed_lock = threading.Lock()


def _add_font(pdf: FPDF) -> None:
    """The report font added to ``pdf``. Parsing the font's cmap and glyph widths takes a
    sixth of a second, so it is done once per process: each report gets a copy of the parsed
    font (the widths shared, the set of used glyphs its own) over a fresh, lazily read font object
    for fpdf2 to subset — subsetting changes the font object it is given. Should fpdf2's font
    object change shape, the plain ``add_font`` still works, only slower."""
    global _parsed
    path = str(font_path())
    try:
        with _parsed_lock:
            if _parsed is None or _parsed[0] != path:
                probe = FPDF()
                probe.add_font(FONT_FAMILY, "", path)
                parsed = probe.fonts[FONT_KEY]
                raw = Path(path).read_bytes()
                if LEAN and parsed.is_cff and parsed.is_cid_keyed:
                    raw = _lean(raw)
                _parsed = (path, parsed, raw)
            _, parsed, raw = _parsed
        font = copy.copy(parsed)  # the widths and glyph ids shared (read only), what a document uses its own
        # fpdf2's output names, numbers and fills in the font descriptor: each document its own, or
        # two reports written at once (two requests) number each other's objects (a KeyError in
        # the cross-reference table, or a broken PDF)
        font.desc = copy.copy(parsed.desc)
        # the whole font's bounding boxes stay valid for a subset: not recomputing them glyph by
        # glyph halves the time of subsetting
        font.ttfont = ttLib.TTFont(io.BytesIO(raw), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
        font.missing_glyphs = []
        font.subset = SubsetMap(font)
        pdf.fonts[FONT_KEY] = font
        if font.is_cff and font.is_cid_keyed:
            pdf._set_min_pdf_version("1.6")
    except (AttributeError, KeyError, TypeError):  # pragma: no cover - another fpdf2
        pdf.fonts.pop(FONT_KEY, None)
        pdf.add_font(FONT_FAMILY, "", path)


# tables no report needs: the layout tables fpdf2 drops from every subset anyway (but reads
# through first, to learn whether the font needs 32-bit offsets), the vertical metrics and the
# signature (an embedded CID-keyed font is its CFF table alone)
LEAN = True
UNUSED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "VORG", "vhea", "vmtx", "DSIG")


def _lean(raw: bytes) -> bytes:
    """A CID-keyed CFF font file without :data:`UNUSED_TABLES`, once per process: the glyphs,
    their widths and their codes are left as they are (the tables kept are copied byte for
    byte), so a report reads and looks the same, and its subsetting skips reading what it would
    drop. (A TrueType or name-keyed font is embedded with more of its tables: left whole.)"""
    font = ttLib.TTFont(io.BytesIO(raw), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    for tag in UNUSED_TABLES:
        if tag in font:
            del font[tag]
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


# --- the common-character font (XINYONG_REPORT_FONT_CACHE) ------------------------------------
#
# Subsetting reads the font's cmap and CFF charset and walks its glyphs: from the whole font
# (65,000 glyphs) that is most of a report's time. A font cut once to the characters reports
# nearly always use — GB 2312's 7,445 and ASCII — is a ninth of it, and a report's subset cut
# from it is the same glyphs under the same CIDs (a CID-keyed font keeps its CIDs when subset),
# with the same outlines and widths, so the PDF reads and looks the same. The cut is made without
# subroutines, and checked once for accented glyphs built from others (seac): when it has none,
# as a CID-keyed font should not, a report's subsetting need not run every glyph's program twice
# (once for such components, once for the subroutines it uses), and the glyphs are copied into
# the report as they are instead of being decompiled and compiled again. Kept on disk (it takes
# seconds to make) under VAR_DIR/cache, named by the font's digest, with a note of that check; a
# report with a character outside it is subset from the whole font, the ordinary way.
COMMON_VERSION = 2


@dataclass(frozen=True)
class CommonFont:
    data: bytes
    names: frozenset[str]  # its glyph names
    seac_free: bool  # no glyph builds on another: subsetting may skip the closure


_common: tuple[str, CommonFont] | None = None  # (the cache file, what it holds)
_common_lock = threading.Lock()
_digest: tuple[bytes, str] | None = None  # (the font's bytes, their digest), computed once


def common_characters() -> set[int]:
    """GB 2312 (its symbols and both levels of hanzi) and printable ASCII."""
    chars = set(range(0x20, 0x7F))
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def _cut_common(raw: bytes) -> bytes:
    from fontTools import subset as ftsubset

    font = ttLib.TTFont(io.BytesIO(raw), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True, name_IDs=["*"], name_languages=["*"],
                               layout_features=["*"], glyph_names=True, desubroutinize=True)
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(unicodes=common_characters())
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


def _seac_free(data: bytes) -> bool:
    """Whether no glyph of the CID-keyed CFF font ``data`` is an accented glyph built from two
    others (the seac form of endchar), and it has no subroutines."""
    from fontTools.subset.cff import _ClosureGlyphsT2Decompiler

    font = ttLib.TTFont(io.BytesIO(data), lazy=True)
    if "CFF " not in font:
        return False
    cff = font["CFF "].cff
    top = cff[cff.keys()[0]]
    if len(cff.GlobalSubrs) or not getattr(top, "FDArray", None):
        return False
    if any(len(getattr(fd.Private, "Subrs", []) or []) for fd in top.FDArray):
        return False
    components: set[str] = set()
    for name in top.charset:
        glyph = top.CharStrings[name]
        _ClosureGlyphsT2Decompiler(components, [], glyph.globalSubrs).execute(glyph)
        if components:
            return False
    return True


def common_font(raw: bytes) -> CommonFont | None:
    """The common-character cut of the font ``raw`` (made and kept on first use); None when the
    setting is off."""
    global _common, _digest
    settings = get_settings()
    if not settings.report_font_cache:
        return None
    if _digest is None or _digest[0] is not raw:
        _digest = (raw, hashlib.sha256(raw).hexdigest()[:24])
    path = (settings.cache_dir or settings.var_dir / "cache") / f"report-font-{_digest[1]}-v{COMMON_VERSION}.otf"
    note = path.with_suffix(".json")
    key = str(path.resolve())
    with _common_lock:
        if _common is None or _common[0] != key:
            data = path.read_bytes() if path.is_file() else None
            checked = json.loads(note.read_text(encoding="utf-8")) if data and note.is_file() else None
            if data is None:
                data = _cut_common(raw)
            if checked is None:
                checked = {"seac_free": _seac_free(data)}
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    for target, content in ((path, data), (note, json.dumps(checked).encode())):
                        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
                        tmp.write_bytes(content)
                        os.replace(tmp, target)
                except OSError:  # pragma: no cover - a read-only VAR_DIR: kept in memory only
                    pass
            names = ttLib.TTFont(io.BytesIO(data), lazy=True).getGlyphOrder()
            _common = (key, CommonFont(data, frozenset(names), bool(checked.get("seac_free"))))
        return _common[1]


def _choose_font_file(pdf: FPDF) -> None:
    """Before output: the report's font object over the common-character cut when every glyph
    the report used is in it (else it stays over the whole font)."""
    font = pdf.fonts.get(FONT_KEY)
    if font is None or _parsed is None or not (getattr(font, "is_cff", False) and font.is_cid_keyed):
        return
    try:
        found = common_font(_parsed[2])
    except Exception:  # noqa: BLE001 - never fail a report over the cache: the whole font serves
        LOGGER.exception("report font cache: falling back to the whole font")
        return
    if found is None or not set(font.subset.get_all_glyph_names()) <= found.names:
        return
    cut = _CffOnly(io.BytesIO(found.data), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    if found.seac_free:
        cut["CFF "].__class__ = _PlainCFF
    for tag in CUT_UNREAD:  # only the CFF table is embedded; the subsetter would read and prune these
        if tag in cut:
            del cut[tag]
    font.ttfont = cut


CUT_UNREAD = ("cmap", "name", "OS/2", "post")


class _CffOnly(ttLib.TTFont):
    """A CID-keyed CFF font as fpdf2 embeds it: its CFF table alone, compiled after subsetting.
    fpdf2 first saves the whole subset font and then throws that away for the CFF table; saving
    nothing skips compiling the glyphs twice."""

    def save(self, file, reorderTables=True):  # noqa: ANN001, ARG002, N803 - fontTools' signature
        return None


class _PlainCFF(ttLib.getTableClass("CFF ")):  # type: ignore[misc]
    """The CFF table of the common-character cut, which has no subroutines and no glyph built
    from others (checked when it was made): subsetting it needs no closure over the glyphs'
    programs and no search for unused subroutines, so the glyphs it keeps stay compiled."""

    def closure_glyphs(self, s) -> None:  # noqa: ANN001 - fontTools' subsetter
        return None

    def prune_post_subset(self, ttfFont, options) -> bool:  # noqa: ANN001, N803 - fontTools' subsetter
        from fontTools.subset.util import _uniq_sort

        if options.desubroutinize or not options.hinting:  # pragma: no cover - not fpdf2's options
            return super().prune_post_subset(ttfFont, options)
        for fontname in self.cff.keys():
            font = self.cff[fontname]
            if hasattr(font, "FDSelect"):  # drop the unused font dictionaries, as fontTools does
                sel = font.FDSelect
                indices = _uniq_sort(sel.gidArray)
                sel.gidArray = [indices.index(ss) for ss in sel.gidArray]
                arr = font.FDArray
                arr.items = [arr[i] for i in indices]
                del arr.file, arr.offsets
        return True


@dataclass
class ReportHeader:
    title: str
    number: str
    code: str
    issued_at: datetime  # China Standard Time, aware
    purpose: str
    requester: str
    issuer: str
    verify_url: str  # the verification page, with the number and code (the QR code)
    verify_page: str  # the verification page, as printed


def _numeral(i: int) -> str:
    if i <= 10:
        return NUMERALS[i - 1]
    return "十" + NUMERALS[i - 11] if i < 20 else str(i)


class _Report(FPDF):
    head: ReportHeader

    def header(self) -> None:
        self.set_font(FONT_FAMILY, size=8)
        self.set_text_color(110)
        self.cell(0, 5, self.head.issuer, new_x="LMARGIN")
        self.cell(0, 5, f"报告编号：{self.head.number}", align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(180)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT_FAMILY, size=8)
        self.set_text_color(110)
        self.cell(0, 5, f"验证码：{self.head.code}　可在 {self.head.verify_page} 核验本报告真伪", new_x="LMARGIN")
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="R")
        self.set_text_color(0)


def render(head: ReportHeader, sections: list[FilledSection]) -> bytes:
    pdf = _Report(orientation="P", unit="mm", format="A4")
    pdf.head = head
    pdf.set_margins(16, 14, 16)
    pdf.set_auto_page_break(True, margin=18)
    _add_font(pdf)
    pdf.set_title(head.title)
    pdf.set_subject(f"报告编号 {head.number}")
    pdf.set_keywords(f"report-number:{head.number}")
    pdf.set_author(head.issuer)
    pdf.set_creator("xinyong")
    pdf.set_creation_date(head.issued_at)
    pdf.add_page()

    top = pdf.get_y()
    qr = io.BytesIO()
    segno.make(head.verify_url, error="m").save(qr, kind="png", scale=4, border=1)
    qr.seek(0)
    pdf.image(qr, x=pdf.w - pdf.r_margin - 28, y=top, w=28, h=28)

    pdf.set_font(FONT_FAMILY, size=20)
    pdf.cell(pdf.epw - 30, 12, head.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, size=10)
    for label, value in (
        ("报告编号", head.number),
        ("报告时间", head.issued_at.strftime("%Y年%m月%d日 %H:%M")),
        ("查询目的", head.purpose),
        ("查询人", head.requester),
        ("出具单位", head.issuer),
        ("验证码", head.code),
    ):
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(pdf.epw - 32, 6, f"{label}：{value}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 30))
    pdf.ln(2)

    for i, section in enumerate(sections, start=1):
        _section(pdf, i, section)

    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, size=8)
    pdf.set_text_color(90)
    pdf.multi_cell(0, 4.5, (
        "说明：本报告依据平台归集的公共信用信息出具，反映报告时间时的信息状况；自然人身份信息按查询人的权限脱敏显示。"
        f"本报告的真伪可凭报告编号和验证码，或上传本 PDF 文件，在 {head.verify_page} 核验；"
        "文件经任何改动即不能通过核验。"
    ))
    _choose_font_file(pdf)
    return bytes(pdf.output())


def _section(pdf: FPDF, i: int, section: FilledSection) -> None:
    if pdf.will_page_break(34):  # a heading keeps its first lines with it
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, size=13)
    pdf.set_fill_color(232, 238, 247)
    pdf.cell(0, 8, f"{_numeral(i)}、{section.spec.title}", fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FONT_FAMILY, size=9.5)
    if section.empty:
        pdf.cell(0, 6, "无", new_x="LMARGIN", new_y="NEXT")
        return
    for block in section.blocks:
        if block.caption and pdf.will_page_break(7 + (3 * LINE_MM + 4 * PAD_MM if block.table else 0)):
            pdf.add_page()  # a caption (and a table's heading row) never alone at a page's foot
        if block.caption:
            pdf.set_font(FONT_FAMILY, size=10.5)
            pdf.cell(0, 7, block.caption, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT_FAMILY, size=9.5)
        for label, value in block.lines:
            pdf.multi_cell(0, 5.5, f"{label}：{value}", new_x="LMARGIN", new_y="NEXT")
        if block.table is not None and block.table.rows:
            _table(pdf, block.table.headers, block.table.rows)
        if block.note:
            pdf.set_text_color(90)
            pdf.multi_cell(0, 5, block.note, new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0)
        pdf.ln(1)


TABLE_PT = 8.5
LINE_MM = 4.2
PAD_MM = 1.0


def _widths(pdf: FPDF, headers: list[str], rows: list[list[str]]) -> list[float]:
    """Column widths in proportion to the longest text a column holds (its first rows), within bounds."""
    weights = []
    for i, h in enumerate(headers):
        longest = max([len(h)] + [len(r[i]) for r in rows[:50] if i < len(r)])
        weights.append(min(max(longest, 4), 22))
    total = sum(weights)
    return [pdf.epw * w / total for w in weights]


def _wrap(text: str, width: float, char_width) -> list[str]:
    """Lines of ``text`` no wider than ``width``, broken between any two characters (Chinese
    breaks anywhere; codes and dates are short enough for their columns)."""
    lines, line, used = [], [], 0.0
    for ch in text:
        w = char_width(ch)
        if line and used + w > width:
            lines.append("".join(line))
            line, used = [], 0.0
        line.append(ch)
        used += w
    lines.append("".join(line))
    return lines


# A table row's rectangles and text lines written as one piece of the page's content, the very
# operators fpdf2's rect() and text() write one call at a time (tests/disclosure compare the two
# byte for byte): a report of 300 records is thousands of such calls, each with fpdf2's checks.
FAST_ROWS = True


def _row(pdf: FPDF, x: float, y: float, h: float, widths: list[float], wrapped: list[list[str]],
         heading: bool) -> None:
    k, page_h = pdf.k, pdf.h
    font = pdf.current_font
    op = "B" if heading else "S"
    pre, post = "", ""
    if pdf.fill_color != pdf.text_color:
        pre, post = f"q {pdf.text_color.serialize().lower()} ", " Q"
    out: list[str] = []
    for lines, w in zip(wrapped, widths, strict=False):
        out.append(f"{x * k:.2f} {(page_h - y) * k:.2f} {w * k:.2f} {-h * k:.2f} re {op}")
        for i, line in enumerate(lines):
            if not pdf.current_font_is_set_on_page:
                out.append(pdf._set_font_for_page(font, pdf.font_size_pt))
            tx, ty = x + PAD_MM, y + PAD_MM + i * LINE_MM + LINE_MM * 0.78
            out.append(f"{pre}BT {tx * k:.2f} {(page_h - ty) * k:.2f} Td {font.encode_text(line)} ET{post}")
        x += w
    pdf._out("\n".join(out))


def _table(pdf: FPDF, headers: list[str], rows: list[list[str]]) -> None:
    """A ruled table drawn with the plain primitives (rect, text): a report of 300 records is
    hundreds of cells, and fpdf2's general table (markdown, per-cell line breaking) took two
    seconds where this takes a tenth of that. The heading row is repeated on each new page."""
    pdf.set_font(FONT_FAMILY, size=TABLE_PT)
    widths_cache: dict[str, float] = {}

    def char_width(ch: str) -> float:
        w = widths_cache.get(ch)
        if w is None:
            w = widths_cache[ch] = pdf.get_string_width(ch)
        return w

    widths = _widths(pdf, headers, rows)
    pdf.set_draw_color(170)
    pdf.set_line_width(0.2)

    def draw(cells: list[str], heading: bool) -> None:
        wrapped = [_wrap(c or "—", w - 2 * PAD_MM, char_width) for c, w in zip(cells, widths, strict=False)]
        h = max(len(lines) for lines in wrapped) * LINE_MM + 2 * PAD_MM
        if pdf.will_page_break(h):
            pdf.add_page()
            pdf.set_font(FONT_FAMILY, size=TABLE_PT)
            if not heading:
                draw(headers, True)
        x, y = pdf.l_margin, pdf.get_y()
        if heading:
            pdf.set_fill_color(242, 242, 242)
        if FAST_ROWS:
            _row(pdf, x, y, h, widths, wrapped, heading)
        else:
            for lines, w in zip(wrapped, widths, strict=False):
                pdf.rect(x, y, w, h, style="DF" if heading else "D")
                for i, line in enumerate(lines):
                    pdf.text(x + PAD_MM, y + PAD_MM + i * LINE_MM + LINE_MM * 0.78, line)
                x += w
        pdf.set_y(y + h)

    if pdf.will_page_break(3 * LINE_MM + 4 * PAD_MM):
        pdf.add_page()
        pdf.set_font(FONT_FAMILY, size=TABLE_PT)
    draw(headers, True)
    for row in rows:
        draw([v if v else "—" for v in row], False)
    pdf.set_font(FONT_FAMILY, size=9.5)
