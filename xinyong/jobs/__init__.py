"""每日任务: the one runner of every capability's daily work (``xinyong jobs daily``, and the
server's scheduler). The jobs themselves are registered by their packages in
:mod:`xinyong.core.daily`; this package runs them, one transaction each, and keeps what each
run changed in ``daily_runs``.
"""
