"""Every XLSX the platform writes goes through here, so that no text in it can act as a formula;
every XLSX it reads is looked at here before openpyxl parses it, so that no file can take the
server's memory or time.

A subject's name, a row's value in an error report or a reason for listing comes from outside;
openpyxl stores a string that starts with ``=`` as a formula, and a spreadsheet program evaluates
it when the file is opened (``=HYPERLINK(...)`` sends whoever clicks it to the sender's address,
``=WEBSERVICE(...)`` leaks neighbouring cells). Text cells here are stored as text (type ``s``)
and, when they start with ``=``, ``+``, ``-`` or ``@`` (the characters a spreadsheet reads as the
start of a formula), flagged *quote prefix* as well: the cell shows the text as it was sent and
stays text even when an official edits it and presses Enter. The value itself is never altered,
so a file read back gives what was written. Characters XML cannot carry (control characters that
openpyxl refuses with an error) are dropped, so one odd name never breaks a whole export.
"""

from __future__ import annotations

import re
import xml.parsers.expat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.parsers.expat import ExpatError

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell

from xinyong.core.errors import InvalidInput
from xinyong.core.settings import get_settings

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    """The text without the control characters an XLSX cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def is_risky(value: Any) -> bool:
    """Whether a value, written as it is, could be read as a formula by a spreadsheet program."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def text_inert(cell) -> None:
    """Make a cell holding a string a text cell for good (type ``s``, quote prefix when risky)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def cell(ws, value: Any):
    """One cell for a write-only sheet; strings become inert text cells, other values pass as they are."""
    if isinstance(value, str):
        value = clean_text(value)
    c = WriteOnlyCell(ws, value=value)
    text_inert(c)
    return c


def safe_row(ws, values: Iterable[Any]) -> list:
    """A row for ``ws.append``: strings as inert cells, numbers, dates and styled cells unchanged."""
    out: list = []
    for v in values:
        if isinstance(v, str):
            out.append(cell(ws, v))
        else:
            out.append(v)
    return out


def append(ws, values: Iterable[Any]) -> None:
    """``ws.append`` for a write-only sheet, with every string written as inert text."""
    ws.append(safe_row(ws, values))


def set_cell(ws, row: int, column: int, value: Any):
    """``ws.cell(row, column, value)`` for an ordinary (not write-only) sheet, strings as inert text."""
    if isinstance(value, str):
        value = clean_text(value)
    c = ws.cell(row=row, column=column, value=value)
    text_inert(c)
    return c


def streamed_workbook() -> Workbook:
    """A write-only workbook: rows go to disk as they are appended, memory stays flat."""
    return Workbook(write_only=True)


# --- reading: a workbook is looked at before it is parsed ------------------------------------------


class UnsafeWorkbook(InvalidInput):
    """A workbook refused before parsing: too large unpacked, a cell or a sheet beyond the
    limits, XML with a document type declaration (entity bombs, external entities)."""


@dataclass
class WorkbookShape:
    """What the look before parsing found: per worksheet part (``xl/worksheets/sheet1.xml``),
    the last row and the last column holding a value, and the rows holding one."""

    unzipped_bytes: int = 0
    last_row: dict[str, int] = field(default_factory=dict)
    last_column: dict[str, int] = field(default_factory=dict)
    valued_rows: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    unzipped_bytes: int
    cell_chars: int
    rows: int
    members: int = 10_000

    @classmethod
    def from_settings(cls) -> Limits:
        s = get_settings()
        return cls(unzipped_bytes=s.file_max_unzipped_mb * 1024 * 1024, cell_chars=s.file_max_cell_chars,
                   rows=s.file_max_rows)


_XML_PARTS = (".xml", ".rels", ".vml")
_SCAN_CHUNK = 1 << 20
_UPLOAD_CHUNK = 4 << 20


class _Stop(Exception):
    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en


def _column_number(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
    return n


def inspect_workbook(path: Path | BinaryIO, limits: Limits | None = None) -> WorkbookShape:
    """Look at a workbook without building it: the unpacked size the archive declares (which
    is also the most :mod:`zipfile` will ever unpack of it), then every XML part streamed through
    expat with the document type declaration refused (an XLSX never has one; a billion-laughs
    bomb and an external entity need one), every cell's text counted as it streams (a 1 GB cell
    stops at the limit, without the 1 GB in memory) and every worksheet's rows counted (two
    million empty rows stop at the limit in about a second). Raises :class:`UnsafeWorkbook`."""
    limits = limits or Limits.from_settings()
    shape = WorkbookShape()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnsafeWorkbook("无法打开该 Excel 文件：请确认是 .xlsx 格式（旧版 .xls 请另存为 .xlsx）且未损坏",
                             "cannot open the workbook", field="file") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise UnsafeWorkbook(f"该 Excel 文件包含的部件过多（{len(infos):,} 个），无法导入",
                                 f"the workbook has {len(infos)} parts", field="file")
        shape.unzipped_bytes = sum(i.file_size for i in infos)
        if shape.unzipped_bytes > limits.unzipped_bytes:
            mb = limits.unzipped_bytes / 1024 / 1024
            raise UnsafeWorkbook(
                f"该 Excel 文件解压后超过 {mb:g} MB 上限（{shape.unzipped_bytes / 1024 / 1024:,.0f} MB），"
                "请拆分后分别导入", f"the workbook unpacks to more than {mb:g} MB", field="file")
        for info in infos:
            if info.filename.lower().endswith(_XML_PARTS):
                try:
                    _scan_part(archive, info, limits, shape)
                except _Stop as stop:
                    raise UnsafeWorkbook(stop.zh, f"{stop.en} ({info.filename})", field="file") from None
                except (ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError):
                    raise UnsafeWorkbook("该 Excel 文件已损坏，无法读取：请在 Excel 中打开后重新“另存为 .xlsx”",
                                         f"damaged part {info.filename}", field="file") from None
    return shape


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, shape: WorkbookShape) -> None:
    sheet = info.filename.startswith("xl/worksheets/")
    parser = xml.parsers.expat.ParserCreate()
    state = {"chars": 0, "row": 0, "has_value": False, "in_value": False, "col": 0, "cell_col": 0,
             "last_row": 0, "last_col": 0, "valued": 0}

    def doctype(*_args) -> None:
        raise _Stop("该 Excel 文件含有 XML 文档类型声明（DTD），Excel 保存的文件不会有，已拒绝",
                    "a document type declaration (entity expansion, external entities)")

    def start(name: str, attrs: dict) -> None:
        local = name.rsplit(":", 1)[-1]
        if local in ("c", "si") or not state["in_value"]:
            state["chars"] = 0
        if not sheet:
            return
        if local == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
            state["col"] = 0
            if state["row"] > limits.rows:
                raise _Stop(f"工作表超过 {limits.rows:,} 行上限，请拆分后分别导入",
                            f"a worksheet has more than {limits.rows} rows")
        elif local == "c":
            ref = attrs.get("r")
            state["col"] = _column_number(ref) if ref else state["col"] + 1
            state["cell_col"] = state["col"]
        elif local in ("v", "t", "f"):
            state["in_value"] = True

    def end(name: str) -> None:
        local = name.rsplit(":", 1)[-1]
        if local in ("v", "t", "f"):
            state["in_value"] = False
        elif sheet and local == "row" and state["has_value"]:
            state["has_value"] = False
            state["last_row"] = state["row"]
            state["valued"] += 1

    def chars(data: str) -> None:
        state["chars"] += len(data)
        if state["chars"] > limits.cell_chars:
            raise _Stop(f"该 Excel 文件有单元格超过 {limits.cell_chars:,} 个字符的上限，请检查后重新导入",
                        f"a cell holds more than {limits.cell_chars} characters")
        if sheet and state["in_value"] and not state["has_value"] and data.strip():
            state["has_value"] = True
        if sheet and state["in_value"] and data.strip() and state["cell_col"] > state["last_col"]:
            state["last_col"] = state["cell_col"]

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    with archive.open(info) as fh:
        while chunk := fh.read(_SCAN_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    if sheet:
        shape.last_row[info.filename] = state["last_row"]
        shape.last_column[info.filename] = state["last_col"]
        shape.valued_rows[info.filename] = state["valued"]


def open_workbook(path: Path | BinaryIO, limits: Limits | None = None):
    """A read-only workbook, looked at first (:func:`inspect_workbook`), and the bounds of its
    first worksheet: ``(workbook, sheet, last_row, last_column)``. ``iter_rows`` given those
    bounds reads no further than the last value, whatever the sheet's own dimension claims.
    The caller closes the workbook."""
    from openpyxl import load_workbook

    shape = inspect_workbook(path, limits)
    if hasattr(path, "seek"):
        path.seek(0)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError, ExpatError):
        raise UnsafeWorkbook("无法打开该 Excel 文件：请确认是 .xlsx 格式（旧版 .xls 请另存为 .xlsx）且未损坏",
                             "cannot open the workbook", field="file") from None
    if not wb.worksheets:
        wb.close()
        raise UnsafeWorkbook("该 Excel 文件没有工作表", "the workbook has no worksheet", field="file")
    ws = wb.worksheets[0]
    part = getattr(ws, "_worksheet_path", "").lstrip("/")
    return wb, ws, shape.last_row.get(part, 0), shape.last_column.get(part, 0)


# --- the look at upload: bounded and cheap -----------------------------------------------------------

# What Excel writes in a part's XML declaration; anything else (UTF-16, a single-byte code page)
# could spell a document type declaration in bytes the scan below would not recognise.
_UTF8 = {b"utf-8", b"utf8"}
_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_ROW_NUMBER = re.compile(rb"""<(?:[\w.-]+:)?row\b[^>]*?\sr\s*=\s*["'](\d{1,12})["']""")
_ENTITY = re.compile(rb"&#?\w{1,10};")


@dataclass
class ScanResult:
    """What the look at upload found: the unpacked size, per worksheet part the row tags counted
    (rows written, with a value or not), and the unpacked size of the parts that are not
    worksheets (what openpyxl parses whole when it opens a workbook: shared strings, styles)."""

    unzipped_bytes: int = 0
    row_tags: dict[str, int] = field(default_factory=dict)
    other_bytes: int = 0


def scan_workbook(path: Path | BinaryIO, limits: Limits | None = None) -> ScanResult:
    """The look at a workbook when it is uploaded, before its import is queued: everything the
    look before parsing (:func:`inspect_workbook`) refuses, found without parsing — so that an
    upload that can never be imported is a clear 4xx in the request, in a time the web worker can
    spare (about a quarter of a second per 100 MB unpacked, about a second for a workbook near
    the ``XINYONG_FILE_MAX_UNZIPPED_MB`` cap; memory a few pieces read). The archive's directory gives the unpacked size and the
    number of parts (which bound what :mod:`zipfile` will ever unpack); then every XML part is
    unpacked four megabytes at a time and searched as bytes: a document type declaration in its
    prolog (or a part not in UTF-8, which could spell one otherwise) is refused, the rows of each worksheet counted
    (by their tags, and by the last row number named), and no run of text between two tags may
    be longer than a cell may hold. The import's worker looks again, exactly, with
    :func:`inspect_workbook` before openpyxl parses anything. Raises :class:`UnsafeWorkbook`."""
    limits = limits or Limits.from_settings()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnsafeWorkbook("无法打开该 Excel 文件：请确认是 .xlsx 格式（旧版 .xls 请另存为 .xlsx）且未损坏",
                             "cannot open the workbook", field="file") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise UnsafeWorkbook(f"该 Excel 文件包含的部件过多（{len(infos):,} 个），无法导入",
                                 f"the workbook has {len(infos)} parts", field="file")
        unzipped = sum(i.file_size for i in infos)
        if unzipped > limits.unzipped_bytes:
            mb = limits.unzipped_bytes / 1024 / 1024
            raise UnsafeWorkbook(
                f"该 Excel 文件解压后超过 {mb:g} MB 上限（{unzipped / 1024 / 1024:,.0f} MB），"
                "请拆分后分别导入", f"the workbook unpacks to more than {mb:g} MB", field="file")
        result = ScanResult(unzipped_bytes=unzipped, other_bytes=sum(
            i.file_size for i in infos if not i.filename.startswith("xl/worksheets/")))
        for info in infos:
            if info.filename.lower().endswith(_XML_PARTS):
                try:
                    rows = _scan_bytes(archive, info, limits)
                    if info.filename.startswith("xl/worksheets/"):
                        result.row_tags[info.filename] = rows
                except _Stop as stop:
                    raise UnsafeWorkbook(stop.zh, f"{stop.en} ({info.filename})", field="file") from None
                except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
                    raise UnsafeWorkbook("该 Excel 文件已损坏，无法读取：请在 Excel 中打开后重新“另存为 .xlsx”",
                                         f"damaged part {info.filename}", field="file") from None
    return result


_DTD = ("该 Excel 文件含有 XML 文档类型声明（DTD），Excel 保存的文件不会有，已拒绝",
        "a document type declaration (entity expansion, external entities)")


def _prolog(head: bytes) -> None:
    """Walk a part's prolog — the only place XML allows a document type declaration, and with
    it any entity — up to the root element: declarations, comments, processing instructions,
    white space. A prolog longer than the first piece read is no Excel's and is refused."""
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while pos < len(head) and head[pos] in b" \t\r\n":
            pos += 1
        if head.startswith(b"<?", pos):
            end, step = head.find(b"?>", pos + 2), 2
        elif head.startswith(b"<!--", pos):
            end, step = head.find(b"-->", pos + 4), 3
        elif head.startswith(b"<!", pos):
            raise _Stop(*_DTD)  # <!DOCTYPE (or any other declaration, which only a DTD holds)
        elif pos < len(head):
            return  # the root element (or text no parser reads past)
        else:
            end, step = -1, 0
        if end < 0:
            raise _Stop("该 Excel 文件的 XML 部件开头异常（声明或注释过长），Excel 保存的文件不会这样，已拒绝",
                        "an XML part whose prolog runs past the first piece read")
        pos = end + step


def _text_chars(run: bytes) -> int:
    """The characters of text a run from one "<" to the next stands for: after the tag's ">",
    UTF-8 decoded, each entity one character (a run with no ">" is a tag: counted whole)."""
    run = run[run.find(b">") + 1:]
    return len(_ENTITY.sub(b"&", run).decode("utf-8", "replace"))


def _scan_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> int:
    sheet = info.filename.startswith("xl/worksheets/")
    rows = 0
    last_named = 0
    carry = b""  # the end of the previous piece: from its last "<" on (a tag or a text cut in two)
    first = True
    row_tag = b"<row"
    n = limits.cell_chars
    with archive.open(info) as fh:
        # The CRC is not computed here (a third of the time): it guards against a damaged file,
        # not a hostile one, and the worker's look (:func:`inspect_workbook`) checks it.
        if hasattr(fh, "_expected_crc"):
            fh._expected_crc = None
        while piece := fh.read(_UPLOAD_CHUNK):
            if first:
                first = False
                head = piece[:200].removeprefix(b"\xef\xbb\xbf")
                declared = _ENCODING.match(head)
                if b"\x00" in head or (declared and declared.group(1).lower() not in _UTF8):
                    raise _Stop("该 Excel 文件的 XML 部件不是 UTF-8 编码，Excel 保存的文件不会这样，已拒绝",
                                "an XML part not in UTF-8")
                # a worksheet written with a namespace prefix (<x:row>) is counted by its prefix
                row_tag = b"<row" if b"<worksheet" in piece[:4096] else b":row"
                _prolog(piece)
            data = carry + piece
            if sheet:
                # the row tags that end in this piece (one cut in two by the read is counted
                # once, in the seam: neither side of it holds a whole tag name)
                rows += piece.count(row_tag) + (carry[-3:] + piece[:3]).count(row_tag)
                start = data.rfind(b"<row ")  # rows come in order: the last one names the most
                named = _ROW_NUMBER.match(data, start) if start >= 0 else None
                if named:
                    last_named = max(last_named, int(named.group(1)))
                if max(rows, last_named) > limits.rows:
                    raise _Stop(f"工作表超过 {limits.rows:,} 行上限，请拆分后分别导入",
                                f"a worksheet has more than {limits.rows} rows")
            # the longest run without a "<": jump a cell's length ahead each time and look back
            # for the last "<" before it; no "<" there is a run of more than n bytes, then counted
            # in characters (a cell of 32,767 Chinese characters is three times as many bytes)
            pos = data.find(b"<")
            pos = 0 if pos < 0 else pos
            while pos + n + 1 < len(data):
                back = data.rfind(b"<", pos + 1, pos + n + 2)
                if back >= 0:
                    pos = back
                    continue
                end = data.find(b"<", pos + 1)
                if end < 0:
                    break  # runs on into the next piece
                if _text_chars(data[pos:end]) > n:
                    raise _Stop(f"该 Excel 文件有单元格超过 {n:,} 个字符的上限，请检查后重新导入",
                                f"a cell holds more than {n} characters")
                pos = end
            tail = data[pos:]
            if len(tail) > 4 * n + 8 and _text_chars(tail) > n:
                raise _Stop(f"该 Excel 文件有单元格超过 {n:,} 个字符的上限，请检查后重新导入",
                            f"a cell holds more than {n} characters")
            carry = tail if len(tail) <= 4 * n + 8 else tail[-(4 * n + 8):]
    return rows
