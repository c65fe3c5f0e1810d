"""联合奖惩核查: scenario checks for one subject or a batch, measures, feedback and statistics.

The real-time push (实时推送) of credit changes to the departments that deal with a subject is
its own package, :mod:`xinyong.push`, below this one: it reads the checks (a department that
checked a subject recently is told of its changes) and registers its producers as hooks.
"""
