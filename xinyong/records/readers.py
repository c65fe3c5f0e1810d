"""Stream rows out of CSV (UTF-8 or GB18030), XLSX and JSON Lines files.

Nothing is read whole: CSV and JSON Lines go line by line, XLSX through openpyxl's read-only
mode, so memory stays flat however large the file. A file that cannot be read at all raises
:class:`FileUnusable` (the import then stores nothing and exits 2); a bad line inside a readable
file is a row error like any other.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers.expat import ExpatError

from xinyong.core import xlsx
from xinyong.core.errors import XinyongError
from xinyong.core.settings import get_settings

FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
_PARSE_ERRORS = (ExpatError, ValueError, KeyError, IndexError, TypeError, zipfile.BadZipFile, OSError, EOFError)
_DAMAGED = "该 Excel 文件已损坏，无法读取：请在 Excel 中打开后重新“另存为 .xlsx”"


class FileUnusable(XinyongError):
    status_code = 400


@dataclass
class Source:
    format: str
    headers: list[str]
    rows: Iterator[tuple[int, list | None, str | None]]  # (row number, values, line error)
    encoding: str | None = None
    # the category a workbook says it was made for (the platform's own template marks it)
    category_hint: str | None = None


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when every byte decodes as UTF-8, else GB18030."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        head = fh.read(3)
        fh.seek(0)
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"
        except UnicodeDecodeError:
            pass
    decoder = codecs.getincrementaldecoder("gb18030")()
    with open(path, "rb") as fh:
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "gb18030"
        except UnicodeDecodeError as exc:
            raise FileUnusable(
                "文件编码无法识别：请另存为 UTF-8 或 GB18030 编码的 CSV，或直接使用 XLSX",
                f"the file is neither UTF-8 nor GB18030 ({exc.reason})",
            ) from None


def open_source(path: Path, fmt: str | None = None) -> Source:
    path = Path(path)
    if not path.exists():
        raise FileUnusable(f"文件不存在：{path}", f"no such file: {path}")
    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise FileUnusable(
            f"不支持的文件类型“{path.suffix}”：请使用 .xlsx、.csv 或 .jsonl",
            f"unsupported file type {path.suffix!r}: use .xlsx, .csv or .jsonl",
        )
    if path.stat().st_size == 0:
        raise FileUnusable("文件是空的", "the file is empty")
    if fmt == "csv":
        return _csv(path)
    if fmt == "xlsx":
        return _xlsx(path)
    return _jsonl(path)


def _csv(path: Path) -> Source:
    settings = get_settings()
    csv.field_size_limit(settings.file_max_cell_chars)
    max_rows = settings.file_max_rows
    encoding = detect_encoding(path)
    fh = open(path, encoding=encoding, newline="")
    first = fh.readline()
    fh.seek(0)
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(fh, delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        fh.close()
        raise FileUnusable("文件没有表头行", "the file has no header row") from None
    except csv.Error as exc:
        fh.close()
        raise FileUnusable(f"CSV 格式错误：{exc}", f"malformed CSV: {exc}") from None
    _check_headers(headers)

    def rows() -> Iterator[tuple[int, list | None, str | None]]:
        n = 1
        try:
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    n = reader.line_num
                    if "field limit" in str(exc):
                        yield n, None, f"该行有字段超过 {settings.file_max_cell_chars:,} 个字符的上限"
                    else:
                        yield n, None, f"CSV 格式错误：{exc}"
                    continue
                n += 1
                if n > max_rows:
                    raise FileUnusable(f"文件超过 {max_rows:,} 行上限，请拆分后分别导入",
                                       f"the file has more than {max_rows} rows")
                text = "".join(values)  # a row with any non-blank cell (one C call, not one per cell)
                if text and not text.isspace():
                    yield n, values, None
        finally:
            fh.close()

    return Source("csv", headers, rows(), encoding)


def _xlsx(path: Path) -> Source:
    try:
        wb, ws, last_row, last_column = xlsx.open_workbook(path)
    except xlsx.UnsafeWorkbook as exc:
        raise FileUnusable(exc.zh, exc.en) from None
    hint = template_category(wb)
    if not last_row:
        wb.close()
        raise FileUnusable("工作表是空的", "the first worksheet is empty")
    # bounded by the last row and column holding a value, whatever the sheet's dimension claims
    it = ws.iter_rows(values_only=True, max_row=last_row, max_col=max(last_column, 1))
    headers = None
    header_row = 0
    try:
        for header_row, values in enumerate(it, start=1):  # noqa: B007 (used below)
            if values and any(v is not None and str(v).strip() for v in values):
                headers = ["" if v is None else str(v) for v in values]
                break
    except _PARSE_ERRORS:
        wb.close()
        raise FileUnusable(_DAMAGED, "the worksheet cannot be parsed") from None
    if headers is None:
        wb.close()
        raise FileUnusable("工作表是空的", "the first worksheet is empty")
    _check_headers(headers)

    def rows() -> Iterator[tuple[int, list | None, str | None]]:
        try:
            for n, values in enumerate(it, start=header_row + 1):
                if values and any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                    yield n, list(values), None
        except _PARSE_ERRORS:
            raise FileUnusable(_DAMAGED, "the worksheet cannot be parsed") from None
        finally:
            wb.close()

    return Source("xlsx", headers, rows(), category_hint=hint)


TEMPLATE_KEYWORD = "xinyong-template"


def template_category(wb) -> str | None:
    """The category code a workbook generated by :mod:`xinyong.records.template` carries in its
    document properties (keywords ``xinyong-template``, category the code), so that the
    platform's own template is recognised whatever its headers have in common with another
    category's. None for any other workbook."""
    props = getattr(wb, "properties", None)
    if props is None or (props.keywords or "").strip() != TEMPLATE_KEYWORD:
        return None
    return (props.category or "").strip() or None


def _json_line(line: str, n: int):
    """One line parsed; a line no reporting system writes — nested deeper than Python's
    recursion allows, or a number of thousands of digits — refuses the whole file (a clear
    4xx at upload), while an ordinary malformed line stays a row error."""
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise FileUnusable(f"第 {n} 行嵌套层数过多，不是一条记录：JSON Lines 文件每行应为一个扁平的 JSON 对象",
                           f"line {n} is nested too deeply") from None
    except ValueError:
        raise FileUnusable(f"第 {n} 行含有位数过多的数字，无法作为记录读取",
                           f"line {n} holds a number with too many digits") from None


# A JSON Lines line is one record: a flat object whose values are text, numbers, true/false or
# null (a list at most). Far deeper nesting or far longer numbers come from no reporting system.
MAX_JSON_DEPTH = 32
MAX_NUMBER_DIGITS = 100
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_LONG_DIGITS = re.compile(rf"[0-9]{{{MAX_NUMBER_DIGITS + 1}}}")
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_ONE_BRACKET = str.maketrans("{}", "[]")


def _json_line_shape(line: str) -> tuple[int, bool]:
    """Whether a line nests deeper than :data:`MAX_JSON_DEPTH` (returned as a depth past it, or
    0) and whether it holds a number of more than :data:`MAX_NUMBER_DIGITS` digits — found
    without building anything: most lines have few brackets and no long run of digits at all;
    only the others have their strings taken out and their brackets reduced, innermost pairs
    first, at most ``MAX_JSON_DEPTH`` times (a line that still has a pair left nests deeper; an
    unbalanced one counts the openers never closed as well). Each step is one pass in C over the line, so a 16 MB line of brackets takes
    a fraction of a second and no recursion."""
    if line.count("[") + line.count("{") <= MAX_JSON_DEPTH and not _LONG_DIGITS.search(line):
        return 0, False
    bare = _JSON_STRING.sub('""', line)  # what is inside a string is text, not structure
    long_number = _LONG_DIGITS.search(bare) is not None
    brackets = _NOT_BRACKET.sub("", bare).translate(_ONE_BRACKET)
    passes = 0
    while "[]" in brackets:
        if passes == MAX_JSON_DEPTH:
            return MAX_JSON_DEPTH + 1, long_number
        brackets = brackets.replace("[]", "")
        passes += 1
    # what is left is unbalanced ("]]][[["): the parser would go as deep as the pairs taken
    # out and the openers never closed together, before it found the fault
    depth = passes + brackets.count("[")
    return (depth if depth > MAX_JSON_DEPTH else 0), long_number


def scan_json_lines(path: Path) -> int:
    """The look at a JSON Lines file when it is uploaded, before its import is queued: the
    encoding, the row limit, no line nested deeper or holding a longer number than any record
    can (:func:`_json_line_shape`), and a first line that is an object. One pass, line by
    line, bounded by the upload's size cap. Returns the lines holding something; raises
    :class:`FileUnusable` naming the line."""
    max_rows = get_settings().file_max_rows
    encoding = detect_encoding(path)
    count = 0
    with open(path, encoding=encoding) as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            count += 1
            if n > max_rows:
                raise FileUnusable(f"文件超过 {max_rows:,} 行上限，请拆分后分别导入",
                                   f"the file has more than {max_rows} rows")
            deep, long_number = _json_line_shape(line)
            if deep:
                raise FileUnusable(
                    f"第 {n} 行嵌套超过 {MAX_JSON_DEPTH} 层（或括号不配对），不是一条记录：JSON Lines 文件每行应为一个扁平的 JSON 对象",
                    f"line {n} is nested more than {MAX_JSON_DEPTH} deep")
            if long_number:
                raise FileUnusable(f"第 {n} 行含有位数过多的数字（超过 {MAX_NUMBER_DIGITS} 位），无法作为记录读取",
                                   f"line {n} holds a number of more than {MAX_NUMBER_DIGITS} digits")
            if count == 1:
                try:
                    first = json.loads(line)
                except ValueError:
                    first = None
                if not isinstance(first, dict):
                    raise FileUnusable(f"第 {n} 行不是 JSON 对象：JSON Lines 文件每行应为一个 JSON 对象",
                                       f"line {n} is not a JSON object")
    if not count:
        raise FileUnusable("文件是空的", "the file is empty")
    return count


def inspect_upload(path: Path) -> None:
    """The bounded look at an uploaded file before its import is queued (a clear 4xx in the
    request, nothing stored, nothing queued, for a file that could never be imported): a
    workbook by :func:`xinyong.core.xlsx.scan_workbook`, JSON Lines by :func:`scan_json_lines`,
    a CSV by its encoding. The import's worker reads it again with every check of its own.
    Raises :class:`FileUnusable`."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt == "xlsx":
        try:
            xlsx.scan_workbook(path)
        except xlsx.UnsafeWorkbook as exc:
            raise FileUnusable(exc.zh, exc.en) from None
    elif fmt == "jsonl":
        scan_json_lines(path)
    elif fmt == "csv":
        detect_encoding(path)


def _jsonl(path: Path) -> Source:
    max_rows = get_settings().file_max_rows
    encoding = detect_encoding(path)
    fh = open(path, encoding=encoding)
    # Headers are the keys of the first object; later objects may add keys of their own.
    first_line = ""
    for first_line in fh:
        if first_line.strip():
            break
    try:
        first = _json_line(first_line, 1)
    except FileUnusable:
        fh.close()
        raise
    except json.JSONDecodeError:
        fh.close()
        raise FileUnusable("第1行不是 JSON 对象：JSON Lines 文件每行应为一个 JSON 对象",
                           "line 1 is not a JSON object") from None
    if not isinstance(first, dict):
        fh.close()
        raise FileUnusable("JSON Lines 文件每行应为一个 JSON 对象", "each line must be a JSON object")
    headers = list(first.keys())
    index = {h: i for i, h in enumerate(headers)}
    fh.seek(0)

    def rows() -> Iterator[tuple[int, list | None, str | None]]:
        try:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                if n > max_rows:
                    raise FileUnusable(f"文件超过 {max_rows:,} 行上限，请拆分后分别导入",
                                       f"the file has more than {max_rows} rows")
                try:
                    obj = _json_line(line, n)
                except json.JSONDecodeError as exc:
                    yield n, None, f"该行不是有效的 JSON：{exc.msg}"
                    continue
                if not isinstance(obj, dict):
                    yield n, None, "该行不是 JSON 对象"
                    continue
                for key in obj:
                    if key not in index:
                        index[key] = len(headers)
                        headers.append(key)
                values = [None] * len(headers)
                for key, value in obj.items():
                    values[index[key]] = value
                yield n, values, None
        finally:
            fh.close()

    return Source("jsonl", headers, rows(), encoding)


def _check_headers(headers: list[str]) -> None:
    named = [h for h in headers if h and h.strip()]
    if not named:
        raise FileUnusable("第一行应为表头（列名）", "the first row must hold the column names")
    seen: set[str] = set()
    for h in named:
        if h.strip() in seen:
            raise FileUnusable(f"表头“{h}”出现了两次，请删除重复的列", f"column {h!r} appears twice")
        seen.add(h.strip())


def rows_from_dicts(items: list[dict]) -> Source:
    """The same stream for rows that arrive over the API as JSON objects."""
    headers: list[str] = []
    index: dict[str, int] = {}
    for obj in items:
        for key in obj:
            if key not in index:
                index[key] = len(headers)
                headers.append(key)

    def rows() -> Iterator[tuple[int, list | None, str | None]]:
        for n, obj in enumerate(items, start=1):
            values = [None] * len(headers)
            for key, value in obj.items():
                values[index[key]] = value
            yield n, values, None

    return Source("json", headers, rows())


