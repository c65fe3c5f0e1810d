"""The credit reports the platform has issued (信用报告): what a verification needs.

One row per report, written in the transaction that issues it: the report number and the
verification code printed on it, the SHA-256 of the exact PDF bytes handed out, and whom it is
about, who asked for it, for what purpose and when. The PDF itself is not kept — the platform
does not become a second store of what it disclosed — so a copy is genuine exactly when its
bytes hash to the stored digest: an edited or forged copy cannot match. Rows are never
updated or deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, utcnow


class IssuedReport(Base):
    __tablename__ = "credit_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # 报告编号, printed on every page
    code: Mapped[str] = mapped_column(String(16))  # 验证码, printed and in the QR code
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the PDF bytes handed out
    size: Mapped[int] = mapped_column(Integer)  # bytes
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    requester: Mapped[str] = mapped_column(String(100))  # username (role), as the audit log names it
    requester_role: Mapped[str | None] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(200))
    masked: Mapped[bool] = mapped_column(default=True)  # False: the identity shown whole (revealed)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
