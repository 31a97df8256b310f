"""Headline figures of a run, computed from the tidy tables (never from live objects).

What each headline is, its unit and how it is computed are declared once, in the outcome
catalogue (:mod:`simspam.metrics.outcomes`); this module evaluates the catalogue's
:data:`~simspam.metrics.outcomes.HEADLINE` outcomes on one run's tables, in that order (the
order of ``summary.json``).
"""
from __future__ import annotations

import pandas as pd

from .outcomes import CATALOGUE, HEADLINE, RunView


def headline(daily: pd.DataFrame, events: pd.DataFrame, value_lost_legit: float = 1.0) -> dict[str, float]:
    """``{outcome: value}`` for every headline outcome; ``value_lost_legit`` is the value (USD)
    of one legitimate message lost to a filter (``params.consumers.value_lost_legit``)."""
    view = RunView(daily, events, value_lost_legit)
    return {name: CATALOGUE[name].compute(view) for name in HEADLINE}
