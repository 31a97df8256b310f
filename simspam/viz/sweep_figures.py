"""Figures for a sweep: many runs over a design of parameter values (a Hydra grid, a Latin
hypercube, a Saltelli sample), collected by ``simspam-collect`` into ``runs`` (one row per
job: the swept values, scenario, seed, status) and ``outcomes`` (headline outcomes per
run id), plus ``sensitivity`` (Sobol' indices) when the design allows them.

The questions a reader brings to a sweep: how far do the outcomes spread over the design,
which parameter moves them, and how much of their variance each parameter explains.  Each
public function is pure (tables in, a figure out, no I/O) and follows the conventions of
:mod:`simspam.viz.run_figures` and :mod:`simspam.viz.compare_figures` (the house template
and number formats, units in axis titles, round scale factors in ``meta["scale"]``,
annotated empty figures, escaped text).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import units
from .common import escape, escape_series, is_empty, require
from .compare_figures import _num, _set_meta, outcome_info
from .style import PALETTE, empty_figure, style

__all__ = ["sensitivity_figure", "outcome_distribution_figure", "parameter_scatter_figure", "swept_parameters"]

#: Columns of a sweep's runs table that describe the job, not the design.
_BOOKKEEPING = {"job", "run_id", "status", "error", "traceback", "design.row", "design.file", "design_id",
                "runtime_s", "scenario"}


def swept_parameters(table: pd.DataFrame, outcomes: Sequence[str] = ()) -> list[str]:
    """The numeric columns of a sweep's table that vary across runs and are neither
    bookkeeping nor outcomes: the parameters the design swept (``seed`` included only
    when it is the one thing that varies, so replications alone still get a plot)."""
    out = []
    for c in table.columns:
        if c in _BOOKKEEPING or c in set(outcomes) or c == "seed":
            continue
        v = pd.to_numeric(table[c], errors="coerce")
        if v.notna().all() and v.nunique() > 1:
            out.append(str(c))
    if not out and "seed" in table.columns and table["seed"].nunique() > 1:
        out.append("seed")
    return out


def sensitivity_figure(sensitivity: pd.DataFrame | None, outcome: str) -> go.Figure:
    """Sobol' indices of one outcome: first-order ``S1`` and total ``ST`` per parameter.

    Horizontal bars, parameters sorted by ``ST`` (largest at the top), whiskers the
    confidence intervals (``S1_conf``, ``ST_conf``: half-widths, as SALib reports them).
    ``S1`` is the share of the outcome's variance a parameter explains on its own, ``ST``
    adds every interaction it takes part in; a parameter with ``ST`` near zero can be
    fixed anywhere in its range without changing the outcome.
    """
    label, _, _ = outcome_info(outcome)
    title = f"What drives {label[:1].lower() + label[1:]}: Sobol' sensitivity indices"
    if is_empty(sensitivity):
        return empty_figure(title, "no sensitivity indices (needs a complete Saltelli design)")
    require(sensitivity, ["outcome", "parameter", "S1", "ST"], "sensitivity")
    rows = sensitivity.loc[sensitivity["outcome"].astype(str) == outcome]
    if rows.empty:
        return empty_figure(title, f"no indices for {outcome}")
    rows = rows.assign(_st=_num(rows, "ST")).sort_values(["_st", "parameter"], ascending=[False, True], kind="stable")
    params = escape_series(rows["parameter"]).tolist()
    fig = go.Figure()
    for i, (col, name) in enumerate((("S1", "first order (S1): alone"), ("ST", "total (ST): with interactions"))):
        conf = _num(rows, f"{col}_conf")
        fig.add_trace(go.Bar(
            x=_num(rows, col), y=params, orientation="h", name=name, marker_color=PALETTE[i],
            error_x=dict(type="data", array=np.nan_to_num(conf), visible=bool(np.isfinite(conf).any()),
                         color="#333333", thickness=1.2, width=4),
            customdata=[f"± {c:.2f}" if np.isfinite(c) else "" for c in conf],
            hovertemplate="%{y}: %{x:.2f} %{customdata}<extra>" + name + "</extra>",
        ))
    style(fig, title, height=max(300, 140 + 44 * len(params)), barmode="group", hovermode="closest")
    fig.update_xaxes(title_text="Share of the outcome's variance (Sobol' index, 0 to 1)", zeroline=True)
    fig.update_yaxes(title_text="Parameter", type="category", categoryorder="array", categoryarray=params,
                     autorange="reversed")
    _set_meta(fig, outcome=outcome, parameters=rows["parameter"].astype(str).tolist())
    return fig


def outcome_distribution_figure(table: pd.DataFrame | None, outcomes: Sequence[str]) -> go.Figure:
    """How the outcomes spread across the design: one panel per outcome, every successful
    run a dot over its box (median, quartiles), scaled to a round unit per panel
    (``meta["scales"]``)."""
    title = "Outcomes across the design (one dot per run)"
    if is_empty(table):
        return empty_figure(title, "no successful runs")
    outcomes = [o for o in outcomes if o in table.columns and np.isfinite(_num(table, o)).any()]
    if not outcomes:
        return empty_figure(title, "no outcomes")
    fig = make_subplots(rows=len(outcomes), cols=1, vertical_spacing=min(0.12, 0.5 / len(outcomes)))
    scales = {}
    for i, o in enumerate(outcomes, start=1):
        label, unit, _ = outcome_info(o)
        v = _num(table, o)
        factor, word = units.scale(v, unit)
        scales[o] = factor
        fig.add_trace(go.Box(
            x=v / factor, name=escape(label), boxpoints="all", jitter=0.4, pointpos=0, orientation="h",
            marker=dict(color=PALETTE[(i - 1) % (len(PALETTE) - 1)], size=5, opacity=0.7), line=dict(width=1.2),
            customdata=[units.quantity(x, unit) for x in v], hovertemplate="%{customdata}<extra></extra>",
        ), row=i, col=1)
        fig.update_xaxes(title_text=units.axis_title(label, unit, word), row=i, col=1)
    style(fig, title, height=150 + 170 * len(outcomes), showlegend=False, hovermode="closest")
    fig.update_yaxes(showticklabels=False)
    _set_meta(fig, outcomes=outcomes, scales=scales)
    return fig


def parameter_scatter_figure(table: pd.DataFrame | None, outcome: str, parameters: Sequence[str]) -> go.Figure:
    """One outcome against each swept parameter, one panel per parameter (three per row),
    one dot per successful run, coloured by scenario when the design has several, so a
    trend (or its absence) reads at a glance."""
    label, unit, _ = outcome_info(outcome)
    title = f"{label} against each swept parameter"
    if is_empty(table) or outcome not in table.columns:
        return empty_figure(title, "no successful runs")
    params = [p for p in parameters if p in table.columns]
    if not params:
        return empty_figure(title, "no numeric parameter varies across the runs")
    y = _num(table, outcome)
    factor, word = units.scale(y, unit)
    scen = table["scenario"].astype(str) if "scenario" in table.columns else pd.Series("", index=table.index)
    names = list(dict.fromkeys(scen))
    ncols = min(3, len(params))
    nrows = -(-len(params) // ncols)
    fig = make_subplots(rows=nrows, cols=ncols, shared_yaxes=True, horizontal_spacing=0.05,
                        vertical_spacing=min(0.15, 0.6 / nrows))
    for k, p in enumerate(params):
        r, c = divmod(k, ncols)
        x = _num(table, p)
        for j, s in enumerate(names):
            m = (scen == s).to_numpy()
            fig.add_trace(go.Scatter(
                x=x[m], y=y[m] / factor, mode="markers", name=escape(s) if s else escape(label),
                legendgroup=escape(s), showlegend=k == 0 and len(names) > 1,
                marker=dict(color=PALETTE[j % (len(PALETTE) - 1)], size=7, opacity=0.75),
                customdata=[units.quantity(v, unit) for v in y[m]],
                hovertemplate=escape(p) + ": %{x:.4g}<br>" + escape(label) + ": %{customdata}<extra>%{fullData.name}</extra>",
            ), row=r + 1, col=c + 1)
        fig.update_xaxes(title_text=escape(p), row=r + 1, col=c + 1)
    fig.update_yaxes(title_text=units.axis_title(label, unit, word), col=1)
    style(fig, title, height=120 + 300 * nrows, hovermode="closest")
    _set_meta(fig, scale=factor, outcome=outcome, parameters=params)
    return fig
