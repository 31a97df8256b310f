"""The report of a sweep: many runs over a design of parameter values.

A sweep (``simspam --multirun``, ``simspam-design``) is collected by ``simspam-collect``
into ``runs`` (one row per job: swept values, scenario, seed, status, error) and
``outcomes`` (headline outcomes per run id), with ``sensitivity`` (Sobol' indices) when the
design was a complete Saltelli sample, and ``design`` (the design table, whose rows the
jobs ran by ``design.row``) for designs made by ``simspam-design``.  This module turns
those tables into one self-contained page: how far the outcomes spread over the design,
how each outcome moves with each swept parameter, which parameters explain its variance,
and which runs failed.  Tables in, a :class:`simspam.report.model.Report` out:
:func:`sweep_table` is the one place the tables are joined, and it is pure.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..metrics.outcomes import COMPARED, COST_PARTS, POLICY_COST, describe
from ..viz import units
from ..viz.compare_figures import runs_table_figure
from ..viz.sweep_figures import (
    outcome_distribution_figure,
    parameter_scatter_figure,
    sensitivity_figure,
    swept_parameters,
)
from .model import Card, Provenance, Report, Section, Table

__all__ = ["SWEEP_SECTIONS", "build_sweep_report", "sweep_table"]

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


def _range_table(table: pd.DataFrame, params: list[str]) -> list[Table]:
    if not params:
        return []
    rows = []
    for p in params:
        v = pd.to_numeric(table[p], errors="coerce")
        rows.append([p, units.significant(v.min()), units.significant(v.max()), str(v.nunique())])
    return [Table(["Parameter", "Lowest", "Highest", "Distinct values"], rows)]


def _headline(runs: pd.DataFrame | None, table: pd.DataFrame, params: list[str]) -> list[Card]:
    n = 0 if runs is None else len(runs)
    failed = 0 if runs is None or "status" not in runs.columns else int((runs["status"].astype(str) != "ok").sum())
    cards = [Card("Runs in the sweep", n), Card("Failed or incomplete runs", failed), Card("Parameters swept", len(params))]
    for o in ("spam_delivered", "social_cost"):
        if o in table.columns and len(table):
            v = pd.to_numeric(table[o], errors="coerce").dropna()
            if len(v):
                outcome = describe(o)
                cards.append(Card(f"{outcome.label} (median over runs)", float(v.median()), outcome.unit,
                                  low=float(v.quantile(0.05)), high=float(v.quantile(0.95)), interval="90 % of runs"))
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
                        tables=_range_table(table, params))]
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
) -> Report:
    """The report of a sweep, from its collected tables (nothing is rendered or written)."""
    table = sweep_table(runs, outcomes, design)
    params = swept_parameters(table, [*COMPARED, *COST_PARTS, POLICY_COST]) if len(table) else []
    return Report(
        title="simspam sweep report" + (f": {name}" if name else ""),
        sections=_sections(runs, table, params, sensitivity),
        provenance=Provenance.of(provenance),
        cards=_headline(runs, table, params),
        description=("Many runs of the model over a design of parameter values. Outcomes are totals over each "
                     "run's simulated period."),
    )
