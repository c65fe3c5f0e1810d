"""What the credit report tests share: reading a PDF's text and its fonts."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

HEADINGS = [
    "基础信息", "行政管理信息", "诚实守信相关荣誉信息", "严重失信主体名单信息", "经营（活动）异常名录信息",
    "信用承诺及履约情况", "信用评价信息", "司法判决及执行信息", "职称和职业资格信息", "其他", "异议及信用修复信息",
    "信用状况提升建议",
]


def pdf_text(data: bytes) -> str:
    """The PDF's text with every blank taken out (an extractor spaces CJK glyphs freely)."""
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"[\s\x00]+", "", text)


def embedded_fonts(data: bytes) -> list[dict]:
    """Each font the pages use: its name, subtype, and the embedded font file (if any) with its size."""
    reader = PdfReader(io.BytesIO(data))
    out, seen = [], set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            key = font.get("/BaseFont")
            if key in seen:
                continue
            seen.add(key)
            entry = {"name": str(key), "subtype": str(font.get("/Subtype")), "file": None, "size": 0}
            for desc in font.get("/DescendantFonts", []):
                fd = desc.get_object().get("/FontDescriptor")
                if fd is None:
                    continue
                fd = fd.get_object()
                for k in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if k in fd:
                        entry["file"] = k
                        entry["size"] = len(fd[k].get_object().get_data())
            out.append(entry)
    return out


def altered(data: bytes) -> bytes:
    """The same report with one byte of its content changed (a forged or edited copy)."""
    b = bytearray(data)
    i = len(b) // 2
    b[i] = (b[i] + 1) % 256
    return bytes(b)


def section(text: str, title: str) -> str:
    """What the report's text says under one heading (一、基础信息 …), up to the next heading."""
    start = text.find(f"、{title}")
    assert start >= 0, f"no section {title}"
    start += len(title) + 1
    nxt = re.search(r"[一二三四五六七八九十]+、(?:" + "|".join(map(re.escape, HEADINGS)) + ")", text[start:])
    return text[start:start + nxt.start()] if nxt else text[start:]
