"""Government bodies and rows for the supervision tests (synthetic codes, valid check digits)."""

from __future__ import annotations

from itertools import count

from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.core.codes import make_uscc
from xinyong.subjects.models import Subject

_n = count(1)


def gov(session: Session, name: str, region: str, *, kind: str = "gov_body") -> Subject:
    s = Subject(kind=kind, code=make_uscc("11" if kind == "gov_body" else "91", region, f"{next(_n) + 61000000:08d}"),
                name=name, region_code=region)
    session.add(s)
    session.flush()
    return s


def supervisor(region: str = "330100") -> Principal:
    return Principal(user_id=None, username=f"supervisor_{region}", role="supervisor", region_code=region,
                     via="session")
