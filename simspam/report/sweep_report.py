"""The HTML report for a sweep: many runs over a design of parameter values.

A sweep (``simspam --multirun``, ``simspam-design``) is collected by ``simspam-collect``
into ``runs`` (one row per job: swept values, scenario, seed, status, error) and
``outcomes`` (headline outcomes per run id), with ``sensitivity`` (Sobol' indices) when the
design was a complete Saltelli sample, and ``design`` (the design table, whose rows the
jobs ran by ``design.row``) for designs made by ``simspam-design``.  This module turns
those tables into one self-contained page: how far the outcomes spread over the design,
how each outcome moves with each swept parameter, which parameters explain its variance,
and which runs failed.  Tables in, HTML out: :func:`sweep_table` is the one place the
tables are joined, and it is pure.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from simspam.report.html import Section, render_page, write_atomic
from simspam.viz.compare_figures import outcome_info, runs_table_figure
from simspam.viz.sweep_figures import (
    outcome_distribution_figure,
    parameter_scatter_figure,
    sensitivity_figure,
    swept_parameters,
)

__all__ = ["SWEEP_SECTIONS", "build_sweep_report", "sweep_table", "write_sweep_report"]

SWEEP_SECTIONS: dict[str, str] = {
    "design": "What was swept",
    "outcomes": "Outcomes across the design",
    "parameters": "What moves the outcomes",
    "sensitivity": "Which uncertainties matter",
    "runs": "Runs",
}
#: Outcomes the page shows, in this order, when the table has them.
SWEEP_OUTCOMES = ("spam_delivered", "consumer_hours", "social_cost", "spammer_revenue", "spam_share_last_year")
_SCATTER_OUTCOMES = ("spam_delivered", "social_cost")


def sweep_table(runs: pd.DataFrame | None, outcomes: pd.DataFrame | None,
                design: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per successful run: its swept values (from the design table when the jobs
    name a ``design.row``), scenario, seed and outcomes."""
    if runs is None or runs.empty or "status" not in runs.columns:
        return pd.DataFrame()
    ok = runs.loc[runs["status"].astype(str) == "ok"]
    if outcomes is not None and not outcomes.empty and "run_id" in outcomes.columns:
        ok = ok.merge(outcomes, on="run_id", how="inner", suffixes=("", "_outcome"))
    if design is not None and not design.empty and "design.row" in ok.columns:
        values = design.drop(columns=[c for c in ("design_id", "scenario", "seed") if c in design.columns])
        values = values.reset_index(drop=True).rename_axis("design.row").reset_index()
        ok = ok.drop(columns=[c for c in values.columns if c in ok.columns and c != "design.row"])
        ok = ok.assign(**{"design.row": pd.to_numeric(ok["design.row"], errors="coerce")}).merge(
            values, on="design.row", how="left")
    return ok.reset_index(drop=True)


def _range_table(table: pd.DataFrame, params: list[str]) -> str | None:
    if not params:
        return None
    rows = []
    for p in params:
        v = pd.to_numeric(table[p], errors="coerce")
        rows.append(f"<tr><td>{html.escape(p)}</td><td>{v.min():.4g}</td><td>{v.max():.4g}</td>"
                    f"<td>{v.nunique()}</td></tr>")
    return ("<table><thead><tr><th>Parameter</th><th>Lowest</th><th>Highest</th><th>Distinct values</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>")


def _headline(runs: pd.DataFrame | None, table: pd.DataFrame, params: list[str]) -> dict[str, object]:
    n = 0 if runs is None else len(runs)
    failed = 0 if runs is None or "status" not in runs.columns else int((runs["status"].astype(str) != "ok").sum())
    cards: dict[str, object] = {"runs": {"value": n, "label": "Runs in the sweep"},
                                "failed": {"value": failed, "label": "Failed or incomplete runs"},
                                "params": {"value": len(params), "label": "Parameters swept"}}
    for o in ("spam_delivered", "social_cost"):
        if o in table.columns and len(table):
            v = pd.to_numeric(table[o], errors="coerce").dropna()
            if len(v):
                label, unit, _ = outcome_info(o)
                cards[o] = {"value": float(v.median()), "low": float(v.quantile(0.05)),
                            "high": float(v.quantile(0.95)), "unit": "usd" if unit == "USD" else None,
                            "label": f"{label} (median over runs)", "interval": "90 % of runs"}
    return cards


def _sections(runs: pd.DataFrame | None, table: pd.DataFrame, params: list[str],
              sensitivity: pd.DataFrame | None) -> list[Section]:
    outcomes = [o for o in SWEEP_OUTCOMES if o in table.columns]
    scen = sorted(set(table["scenario"].astype(str))) if "scenario" in table.columns and len(table) else []
    what = (f"{len(table)} successful runs over {len(params)} swept "
            f"{'parameter' if len(params) == 1 else 'parameters'}")
    if len(scen) > 1:
        what += f" and {len(scen)} scenarios ({', '.join(scen)})"
    sections = [Section(SWEEP_SECTIONS["design"],
                        what + ". The table lists each swept parameter's range over the runs that succeeded.",
                        [], table_html=_range_table(table, params))]
    if outcomes and len(table):
        sections.append(Section(
            SWEEP_SECTIONS["outcomes"],
            "How differently things turn out across the design: every dot is one run, the box spans the middle "
            "half of the runs and the line in it is the median.",
            [outcome_distribution_figure(table, outcomes)]))
        sections.append(Section(
            SWEEP_SECTIONS["parameters"],
            "Each outcome against each swept parameter, one dot per run. A clear slope means the outcome depends "
            "on that parameter; a shapeless cloud means it does not (or that other parameters drown it out).",
            [parameter_scatter_figure(table, o, params) for o in _SCATTER_OUTCOMES if o in outcomes]))
    if sensitivity is not None and not sensitivity.empty and "outcome" in sensitivity.columns:
        have = list(dict.fromkeys(sensitivity["outcome"].astype(str)))
        shown = [o for o in _SCATTER_OUTCOMES if o in have] or have[:1]
        sections.append(Section(
            SWEEP_SECTIONS["sensitivity"],
            "Sobol' indices: the share of an outcome's variance over the design that each parameter explains, on "
            "its own (first order) and with all its interactions (total), with confidence intervals. Parameters "
            "with a small total index can be fixed anywhere in their range without changing the outcome; the "
            "ones at the top are worth measuring better.",
            [sensitivity_figure(sensitivity, o) for o in shown]))
    if runs is not None and len(runs):
        r = runs.copy()
        r["scenario"] = r["scenario"].fillna("(not started)").astype(str) if "scenario" in r.columns else "(unknown)"
        failed = int((r["status"].astype(str) != "ok").sum()) if "status" in r.columns else 0
        text = f"{len(r)} runs; " + ("all succeeded." if failed == 0 else
                                     f"{failed} failed or did not finish and are not in the charts (listed below).")
        sections.append(Section(SWEEP_SECTIONS["runs"], text, [runs_table_figure(r, baseline="")]))
    return sections


def build_sweep_report(
    runs: pd.DataFrame | None,
    outcomes: pd.DataFrame | None,
    *,
    sensitivity: pd.DataFrame | None = None,
    design: pd.DataFrame | None = None,
    provenance: Mapping[str, object] | None = None,
    name: str = "",
) -> str:
    """The full HTML page for a sweep, as a string (nothing is written)."""
    table = sweep_table(runs, outcomes, design)
    from simspam.experiments.runner import COST_PARTS, OUTCOMES

    params = swept_parameters(table, [*OUTCOMES, *COST_PARTS, "policy_cost"]) if len(table) else []
    return render_page(
        "simspam sweep report" + (f": {name}" if name else ""),
        _sections(runs, table, params, sensitivity),
        dict(provenance or {}),
        headline=_headline(runs, table, params),
        description=("Many runs of the model over a design of parameter values. Outcomes are totals over each "
                     "run's simulated period."),
    )


def write_sweep_report(path: str | os.PathLike[str], runs: pd.DataFrame | None, outcomes: pd.DataFrame | None,
                       **kwargs) -> Path:
    """Render the sweep report and write it atomically to ``path`` (nothing on failure)."""
    page = build_sweep_report(runs, outcomes, **kwargs)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, page)

