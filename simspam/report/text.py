"""The summaries the commands print: a run's headline outcomes, a comparison's and a validation's tables.

Plain text for a terminal, written with the same formatter and labels as the report
(:mod:`simspam.viz.units`, :mod:`simspam.metrics.outcomes`), so the numbers a user reads
after ``simspam`` or ``simspam-compare`` are those on the page.
"""
from __future__ import annotations

import pandas as pd

from ..metrics.outcomes import describe
from ..viz import units

__all__ = ["comparison_table", "run_summary", "validation_table"]


def run_summary(summary: dict) -> str:
    """A run's scenario, seed and run time, then every headline outcome: what it is, and its
    value (whole numbers exact, other numbers as on the report's cards)."""
    sc = summary["scenario"]
    prov = summary["provenance"]
    lines = [f"simspam {prov['version']}  scenario={sc['name']}  seed={prov['seed']}  "
             f"({prov['runtime_seconds']:.2f} s)", ""]
    outcomes = {key: describe(key) for key in summary["headline"]}
    width = max((len(o.meaning) for o in outcomes.values()), default=0)
    for key, value in summary["headline"].items():
        o = outcomes[key]
        lines.append(f"  {o.meaning:<{width}}  {units.plain(value, o.unit):>14}")
    return "\n".join(lines)


def comparison_table(comparison: pd.DataFrame, baseline: str) -> str:
    """Spam delivered and social cost per scenario, with paired intervals against ``baseline``."""
    n = units.number
    lines = [f"{'scenario':<34} {'spam delivered (median, 90% band)':>36} {'averted vs ' + baseline + ' (90% CI)':>34} "
             f"{'P(better)':>9} {'social cost averted':>20}"]
    d = comparison.set_index(["scenario", "outcome"])
    for name in dict.fromkeys(comparison["scenario"]):
        r = d.loc[(name, "spam_delivered")]
        band = f"{n(r['median'])} [{n(r['low'])}, {n(r['high'])}]"
        if name == baseline or pd.isna(r["mean_diff"]):
            lines.append(f"{name:<34} {band:>36} {'(reference)':>34}")
            continue
        av = f"{n(-r['mean_diff'])} [{n(-r['ci_high'])}, {n(-r['ci_low'])}]"
        s = d.loc[(name, "social_cost")]
        lines.append(f"{name:<34} {band:>36} {av:>34} {r['p_better']:>9.2f} "
                     f"{units.quantity(-s['mean_diff'], 'USD'):>20}")
    return "\n".join(lines)


def validation_table(validation: pd.DataFrame) -> str:
    """Each target of a validation: its published band, the median and 90% band over seeds, hit or not."""
    s = units.significant
    lines = [f"{'target':<10} {'band':>21} {'median':>10} {'90% band':>23}  hit"]
    for r in validation.itertuples():
        lines.append(f"{r.target:<10} {f'{r.low:g}-{r.high:g}':>21} {s(r.median):>10} "
                     f"{f'{s(r.q05)}-{s(r.q95)}':>23}  {'yes' if r.hit else 'NO'}")
    return "\n".join(lines)
