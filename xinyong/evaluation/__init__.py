"""信用评价: indicator systems scored set-based on DuckDB (or Spark), with history and grade changes.

Importing the package registers the governments' rankings on the supervisor's board
(:mod:`xinyong.supervision.hooks`), which supervision, above evaluation, cannot import."""

from xinyong.supervision import hooks as _supervision_hooks


def _board_rankings(session, region):
    from xinyong.evaluation.results import board_sections

    return board_sections(session, region)


_supervision_hooks.board_sections.register(_board_rankings)
