"""Who acts in the objection tests, and small files of each kind."""

from __future__ import annotations

from xinyong.accounts.principal import Principal

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16
DOCX = b"PK\x03\x04" + b"\x00" * 40  # a Word file (a ZIP), named .pdf in the tests

OFFICE = Principal(user_id=900, username="office_hz", role="admin", region_code="330100", via="session")
OFFICE_NB = Principal(user_id=901, username="office_nb", role="admin", region_code="330200", via="session")
CHECKER = Principal(user_id=902, username="checker_hz", role="checker", region_code="330100", via="session")


def subject_user(subject_id: int) -> Principal:
    return Principal(user_id=903, username=f"self_{subject_id}", role="subject", region_code=None,
                     subject_id=subject_id, via="session")
