"""What the supervisor's board shows of the packages below supervision (DESIGN.md's order):
each registered hook answers ``(session, region) → list of sections`` — a section a dict with
``title``, ``headers``, ``rows`` (lists of cells), ``link`` and ``note`` — and the board lists
them after its own figures. The evaluation registers the governments' rankings here
(:mod:`xinyong.evaluation`), so supervision never imports it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from xinyong.core.hooks import Hooks

BoardSection = dict
board_sections: Hooks[Callable[[Session, str | None], list[BoardSection]]] = Hooks()


def sections(session: Session, region: str | None) -> list[BoardSection]:
    out: list[BoardSection] = []
    for hook in board_sections.registered():
        out.extend(hook(session, region))
    return out
