"""Figures for a comparison of policy scenarios over replicated seeds.

A comparison runs several named scenarios and a ``baseline`` on the same
seeds (common random numbers) and summarises them in tidy tables: ``runs``
(one row per scenario and seed), ``series`` (yearly totals per run),
``comparison`` (bands and paired differences per scenario and outcome),
``cost_effectiveness``, and optionally ``factorial`` (effects of a 2^k lever
design) and ``priority`` (where one more country acting helps most).

Every public function here is *pure*: tables in, a
:class:`plotly.graph_objects.Figure` out, no I/O and no simulation imports,
exactly like :mod:`simspam.viz.run_figures`, whose conventions it shares
(the house template and number formats, units in every axis title, an
annotated empty figure instead of an exception for missing or empty input, and
HTML-escaping of every string that comes from the data, because plotly.js
interprets a subset of HTML in labels and hovers).  Labels, units and the
direction of improvement of each outcome come from the outcome catalogue
(:mod:`simspam.metrics.outcomes`).

Two conventions specific to comparisons:

* the baseline is always drawn in black and first; the other scenarios keep
  the same colour in every figure (palette order of first appearance,
  baseline excluded), so a reader can follow one policy across the page;
* large quantities are divided by a round power of a thousand and the axis
  title says so ("millions of messages"): policymakers read "12 million",
  not plotly's SI "12M" or "1.2G". The factor used is stored in
  ``fig.layout.meta["scale"]`` so that callers and tests can map plotted
  values back to the table's units.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..metrics.outcomes import describe
from ..results.comparison import BASELINE
from . import units
from .common import escape, escape_series, is_empty, object_columns, require
from .style import PALETTE, empty_figure, style

__all__ = [
    "outcome_info",
    "scenario_colors",
    "outcome_bands_figure",
    "paired_difference_figure",
    "series_bands_figure",
    "interaction_heatmap",
    "priority_figure",
    "cost_effectiveness_figure",
    "runs_table_figure",
]

BASELINE_COLOR = "#000000"
#: Lighter companion of PALETTE[0] for the unpaired ("ignoring the pairing") intervals.
_UNPAIRED_COLOR = "rgba(0, 114, 178, 0.35)"
_MUTED = "#8a8f98"

#: Legend below the x-axis title (container coordinates, so it never overlaps it).
_BOTTOM_LEGEND = dict(orientation="h", yref="container", y=0.0, yanchor="bottom", xanchor="left", x=0.0)

#: With more points than this, only frontier points carry a text label (hover for the others).
MAX_LABELLED_POINTS = 12
#: At most this many failed runs are listed one by one in the runs table.
MAX_FAILURES_LISTED = 30
_MAX_ERROR_CHARS = 300


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _pretty(name: object) -> str:
    """``"self_regulation"`` -> ``"self regulation"`` (not escaped)."""
    return str(name).replace("_", " ")


def outcome_info(outcome: str) -> tuple[str, str, bool]:
    """``(label, unit, lower_is_better)`` of an outcome or yearly series column, from the
    outcome catalogue (:func:`simspam.metrics.outcomes.describe`: an unknown name gets a
    label made from it, no unit, and "lower is better")."""
    o = describe(outcome)
    return o.label, o.unit, o.lower_is_better


def _lower_is_better(outcome: str, rows: pd.DataFrame | None = None) -> bool:
    """Direction of improvement: from the table's own ``averted`` column when
    it can tell (``averted == -mean_diff`` means lower is better), else the
    catalogue's."""
    if rows is not None and {"averted", "mean_diff"} <= set(rows.columns):
        md = pd.to_numeric(rows["mean_diff"], errors="coerce").to_numpy(dtype=float)
        av = pd.to_numeric(rows["averted"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(md) & np.isfinite(av) & (md != 0)
        if ok.any():
            i = int(np.nonzero(ok)[0][0])
            return bool(np.isclose(av[i], -md[i]))
    return outcome_info(outcome)[2]


def _finite(values: Iterable) -> np.ndarray:
    arr = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float)
    return arr[np.isfinite(arr)]


def _num(df: pd.DataFrame, col: str) -> np.ndarray:
    """Column as floats (NaN where absent or not numeric)."""
    if col not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _find_baseline(
    scenarios: Sequence[str], comparison: pd.DataFrame | None = None, baseline: str = BASELINE
) -> str | None:
    """The baseline's name: ``baseline`` if present, else the scenario whose
    paired fields are all missing in ``comparison`` (the table's own marker)."""
    if baseline in scenarios:
        return baseline
    if comparison is not None and "mean_diff" in comparison.columns:
        md = pd.to_numeric(comparison["mean_diff"], errors="coerce")
        blank = md.isna().groupby(comparison["scenario"], sort=False).all()
        cands = [s for s, b in blank.items() if b]
        if len(cands) == 1:
            return str(cands[0])
    return None


def _order(scenarios: Iterable, baseline: str | None, order: Sequence[str] | None = None) -> list[str]:
    """Baseline first, then ``order`` (if given), then order of first appearance."""
    seen = list(dict.fromkeys(str(s) for s in scenarios))
    head = [s for s in (order or []) if s in seen]
    rest = [s for s in seen if s not in head]
    out = list(dict.fromkeys([*head, *rest]))
    if baseline in out:
        out.remove(baseline)
        out.insert(0, baseline)
    return out


def scenario_colors(scenarios: Sequence[str], baseline: str | None = BASELINE) -> dict[str, str]:
    """Colour per scenario: black for the baseline, the palette in order for the others."""
    colours = PALETTE[:-1]  # black is reserved for the baseline
    out: dict[str, str] = {}
    i = 0
    for s in scenarios:
        if s == baseline:
            out[s] = BASELINE_COLOR
        else:
            out[s] = colours[i % len(colours)]
            i += 1
    return out


def _row_height(n: int, roomy: int) -> int:
    """Pixels per scenario row: roomy for a few scenarios, compact for many (a
    factorial has 31 bundles besides the baseline, a where-to-act design one per country)."""
    return roomy if n <= 12 else max(26, roomy * 2 // 3)


def _set_meta(fig: go.Figure, **info) -> None:
    meta = dict(fig.layout.meta or {}) if isinstance(fig.layout.meta, dict) else {}
    meta.update(info)
    fig.update_layout(meta=meta)


def _rows_for(df: pd.DataFrame, outcome: str) -> pd.DataFrame:
    return df.loc[df["outcome"].astype(str) == outcome]


# --------------------------------------------------------------------------
# bands and paired differences
# --------------------------------------------------------------------------


def outcome_bands_figure(
    comparison: pd.DataFrame | None,
    outcome: str,
    *,
    baseline: str = BASELINE,
    order: Sequence[str] | None = None,
) -> go.Figure:
    """Median and 90 % band over seeds of one outcome, one dot and bar per scenario.

    One trace per scenario (colours as in :func:`scenario_colors`), the
    baseline first, drawn larger in black and repeated as a dashed reference
    line, so every policy reads as "left or right of doing nothing new". The
    band is the spread a policymaker might see in a single realisation,
    not the precision of the mean (that is :func:`paired_difference_figure`).
    """
    label, unit, _ = outcome_info(outcome)
    title = f"{label}: median and 90 % band over seeds"
    if is_empty(comparison):
        return empty_figure(title)
    require(comparison, ["scenario", "outcome", "median", "low", "high"], "comparison")
    rows = _rows_for(comparison, outcome).drop_duplicates("scenario")
    if rows.empty:
        return empty_figure(title, f"no results for {outcome}")
    scen = rows["scenario"].astype(str).to_numpy()
    base = _find_baseline(list(scen), comparison, baseline)
    names = _order(scen, base, order)
    colours = scenario_colors(names, base)
    med, low, high = _num(rows, "median"), _num(rows, "low"), _num(rows, "high")
    n = _num(rows, "n")
    factor, word = units.scale(np.concatenate([med, low, high]), unit)
    idx = {s: i for i, s in enumerate(scen)}
    fig = go.Figure()
    for s in names:
        i = idx[s]
        is_base = s == base
        m, lo, hi = med[i], low[i], high[i]
        seeds = "n/a" if not np.isfinite(n[i]) else f"{n[i]:.0f}"
        fig.add_trace(
            go.Scatter(
                x=[m / factor],
                y=[escape(s)],
                mode="markers",
                name=escape(s),
                marker=dict(
                    size=15 if is_base else 12,
                    symbol="diamond" if is_base else "circle",
                    color=colours[s],
                    line=dict(width=1, color="#ffffff"),
                ),
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=[max(hi - m, 0.0) / factor],
                    arrayminus=[max(m - lo, 0.0) / factor],
                    color=colours[s],
                    thickness=3 if is_base else 2,
                    width=6,
                ),
                customdata=[[units.quantity(m, unit), units.quantity(lo, unit), units.quantity(hi, unit), seeds]],
                hovertemplate=(
                    "<b>%{y}</b><br>median: %{customdata[0]}<br>"
                    "90 % of seeds between %{customdata[1]} and %{customdata[2]}"
                    "<br>seeds: %{customdata[3]}<extra></extra>"
                ),
            )
        )
    if base is not None and np.isfinite(med[idx[base]]):
        fig.add_vline(
            x=med[idx[base]] / factor,
            line=dict(color=BASELINE_COLOR, width=1, dash="dash"),
            annotation_text="baseline median",
            annotation_position="top",
            annotation_font=dict(size=11, color="#444444"),
        )
    style(fig, title, height=max(300, 130 + _row_height(len(names), 44) * len(names)), showlegend=False,
           hovermode="closest")
    fig.update_xaxes(title_text=units.axis_title(label, unit, word), rangemode="tozero" if unit != "%" else "normal")
    fig.update_yaxes(
        title_text="Scenario",
        type="category",
        categoryorder="array",
        categoryarray=[escape(s) for s in names],
        autorange="reversed",
    )
    _set_meta(fig, scale=factor, outcome=outcome)
    return fig


def paired_difference_figure(
    comparison: pd.DataFrame | None,
    outcome: str,
    *,
    baseline: str = BASELINE,
    order: Sequence[str] | None = None,
) -> go.Figure:
    """Forest plot: each scenario's change against the baseline, seed by seed.

    For every non-baseline scenario, two horizontal intervals around the mean
    paired difference: the paired 90 % t-interval (``ci_low``..``ci_high``,
    dark, the one to read) and just below it the Welch interval that ignores
    the pairing (``unpaired_low``..``unpaired_high``, light), typically much
    wider. Side by side they show what common random numbers buy. A zero line
    marks "no change"; labels in the corners say which side is better. The
    hover carries the share of seeds on which the scenario beats the baseline
    (``p_better``) and the variance reduction from pairing. The x range is
    set explicitly to cover zero and both intervals of every scenario.

    Trace 0 holds the paired intervals, trace 1 (if the table has the
    unpaired columns) the unpaired ones, one point per scenario, in the same
    order; points are at numeric y positions with the scenario names as tick
    labels.
    """
    label, unit, _ = outcome_info(outcome)
    title = f"{label}: change against the baseline, paired by seed"
    if is_empty(comparison):
        return empty_figure(title)
    require(comparison, ["scenario", "outcome", "mean_diff", "ci_low", "ci_high"], "comparison")
    rows = _rows_for(comparison, outcome).drop_duplicates("scenario")
    base = _find_baseline(list(rows["scenario"].astype(str)), comparison, baseline)
    rows = rows.loc[(rows["scenario"].astype(str) != base) & np.isfinite(_num(rows, "mean_diff"))]
    if rows.empty:
        return empty_figure(title, f"no scenario to compare with the baseline for {outcome}")
    lower_better = _lower_is_better(outcome, rows)
    names = _order(rows["scenario"].astype(str), None, order)
    rows = rows.set_index(rows["scenario"].astype(str)).loc[names]
    md, lo, hi = _num(rows, "mean_diff"), _num(rows, "ci_low"), _num(rows, "ci_high")
    has_unpaired = {"unpaired_low", "unpaired_high"} <= set(rows.columns)
    ulo, uhi = _num(rows, "unpaired_low"), _num(rows, "unpaired_high")
    pb, vr = _num(rows, "p_better"), _num(rows, "variance_reduction")
    factor, word = units.scale(np.concatenate([md, lo, hi, ulo, uhi]), unit)

    pos = np.arange(len(names), dtype=float)
    off = 0.17 if has_unpaired else 0.0
    esc = [escape(s) for s in names]

    def err(a: np.ndarray, b: np.ndarray) -> dict:
        return dict(
            type="data",
            symmetric=False,
            array=np.clip(b - md, 0, None) / factor,
            arrayminus=np.clip(md - a, 0, None) / factor,
        )

    def vr_text(v: float) -> str:
        if not np.isfinite(v):
            return "pairing removes all the seed-to-seed noise" if v == np.inf else "n/a"
        return f"about {v:,.1f} times"

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=md / factor,
            y=pos - off,
            mode="markers",
            name="paired by seed (common random numbers)",
            marker=dict(size=10, color=PALETTE[0], symbol="circle"),
            error_x={**err(lo, hi), "color": PALETTE[0], "thickness": 3, "width": 6},
            customdata=object_columns(
                esc,
                [units.quantity(v, unit, signed=True) for v in md],
                [units.quantity(v, unit, signed=True) for v in lo],
                [units.quantity(v, unit, signed=True) for v in hi],
                [units.percent(v) for v in pb],
                [vr_text(v) for v in vr],
            ),
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>mean change: %{customdata[1]}"
                "<br>90 % interval (paired): %{customdata[2]} to %{customdata[3]}"
                "<br>better than the baseline on %{customdata[4]} of seeds"
                "<br>pairing is worth %{customdata[5]} as many seeds<extra></extra>"
            ),
        )
    )
    if has_unpaired:
        fig.add_trace(
            go.Scatter(
                x=md / factor,
                y=pos + off,
                mode="markers",
                name="same runs compared unpaired (ignoring common seeds)",
                marker=dict(size=8, color="#ffffff", symbol="circle", line=dict(width=2, color=_UNPAIRED_COLOR)),
                error_x={**err(ulo, uhi), "color": _UNPAIRED_COLOR, "thickness": 2, "width": 4},
                customdata=object_columns(
                    esc,
                    [units.quantity(v, unit, signed=True) for v in ulo],
                    [units.quantity(v, unit, signed=True) for v in uhi],
                ),
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>90 % interval if the seeds were not paired:"
                    "<br>%{customdata[1]} to %{customdata[2]}<extra></extra>"
                ),
            )
        )
    fig.add_vline(x=0, line=dict(color="#333333", width=1.2))
    span_vals = _finite(np.concatenate([lo, hi, md, ulo if has_unpaired else [], uhi if has_unpaired else [], [0.0]]))
    x0, x1 = float(span_vals.min()), float(span_vals.max())
    pad = 0.06 * (x1 - x0) if x1 > x0 else max(abs(x0), 1.0) * 0.5
    left, right = ("lower than baseline (better)", "higher than baseline (worse)")
    if not lower_better:
        left, right = ("lower than baseline (worse)", "higher than baseline (better)")
    for x, anchor, text in ((0.0, "left", "\u2190 " + left), (1.0, "right", right + " \u2192")):
        fig.add_annotation(
            text=text, xref="paper", yref="paper", x=x, y=1.0, xanchor=anchor, yanchor="bottom",
            showarrow=False, font=dict(size=11, color="#555555"),
        )
    style(
        fig,
        title,
        height=max(320, 210 + _row_height(len(names), 56) * len(names)),
        hovermode="closest",
        legend=_BOTTOM_LEGEND,
        margin=dict(l=70, r=30, t=90, b=110),
    )
    fig.update_xaxes(
        title_text=units.axis_title(
            f"Change in {label[:1].lower() + label[1:]} against the baseline", unit, word, change=True
        ),
        range=[(x0 - pad) / factor, (x1 + pad) / factor],
        zeroline=False,
    )
    fig.update_yaxes(
        title_text="Scenario",
        tickmode="array",
        tickvals=pos,
        ticktext=esc,
        range=[len(names) - 0.5, -0.5],  # first scenario on top
        showgrid=False,
    )
    _set_meta(fig, scale=factor, outcome=outcome, lower_is_better=lower_better)
    return fig


# --------------------------------------------------------------------------
# series
# --------------------------------------------------------------------------


def series_bands_figure(
    series: pd.DataFrame | None,
    column: str,
    *,
    baseline: str = BASELINE,
    order: Sequence[str] | None = None,
    scenarios: Sequence[str] | None = None,
) -> go.Figure:
    """Yearly totals per scenario: median line and 10-90 % band over seeds.

    ``scenarios`` restricts the chart to those scenarios (colours stay those
    of the full set, so they match the other figures). Per scenario, one line trace (named after the scenario, in the legend)
    and, drawn beneath it in the same legend group, one filled band trace
    (``showlegend=False``, no hover), so clicking a scenario in the legend
    hides both. Quantiles are taken over the seeds of each (scenario, year).
    """
    label, unit, _ = outcome_info(column)
    title = f"{label} per year: median and 10-90 % band over seeds"
    if is_empty(series):
        return empty_figure(title)
    require(series, ["scenario", "seed", "year", column], "series")
    s = series[["scenario", "year", column]].copy()
    s["scenario"] = s["scenario"].astype(str)
    s[column] = pd.to_numeric(s[column], errors="coerce")
    s = s.dropna(subset=[column, "year"])
    if s.empty:
        return empty_figure(title, f"no values of {column}")
    s["year"] = s["year"].astype(int)
    q = s.groupby(["scenario", "year"], sort=True)[column].quantile([0.1, 0.5, 0.9]).unstack()
    base = _find_baseline(list(s["scenario"].unique()), None, baseline)
    names = _order(s["scenario"], base, order)
    colours = scenario_colors(names, base)
    if scenarios is not None:
        keep = {str(x) for x in scenarios}
        names = [n for n in names if n in keep]
        if not names:
            return empty_figure(title, "none of the requested scenarios is in the series")
        base = base if base in names else None
        q = q.loc[q.index.get_level_values("scenario").isin(names)]
    factor, word = units.scale(q.to_numpy().ravel(), unit)
    fig = go.Figure()
    # baseline drawn last so it sits on top of the others
    for name in [*names[1:], names[0]] if base is not None else names:
        sub = q.loc[name].sort_index()
        years = sub.index.to_numpy()
        lo, med, hi = (sub[p].to_numpy(dtype=float) for p in (0.1, 0.5, 0.9))
        is_base = name == base
        esc = escape(name)
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([years, years[::-1]]),
                y=np.concatenate([hi, lo[::-1]]) / factor,
                fill="toself",
                fillcolor=_rgba(colours[name], 0.10 if is_base else 0.16),
                line=dict(width=0),
                mode="lines",
                name=esc,
                legendgroup=esc,
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=years,
                y=med / factor,
                mode="lines+markers" if len(years) <= 12 else "lines",
                name=esc,
                legendgroup=esc,
                legendrank=1 if is_base else 1000,  # baseline first in the legend, drawn last
                line=dict(color=colours[name], width=3.2 if is_base else 2.2, dash="solid"),
                marker=dict(size=6),
                customdata=object_columns(
                    [units.quantity(v, unit) for v in med], [units.quantity(v, unit) for v in lo], [units.quantity(v, unit) for v in hi]
                ),
                hovertemplate="%{customdata[0]} (80 % of seeds: %{customdata[1]} to %{customdata[2]})",
            )
        )
    # legend under the x axis: long bundle names wrap onto several rows and
    # would run into the title at the top; leave room for an estimated row count
    chars = sum(len(str(n)) + 8 for n in names)
    rows = max(1, math.ceil(chars * 7 / 1000))
    style(
        fig,
        title,
        height=470 + 22 * rows,
        legend={**_BOTTOM_LEGEND, "traceorder": "normal"},
        margin=dict(l=70, r=30, t=60, b=80 + 22 * rows),
    )
    n_years = s["year"].nunique()
    fig.update_xaxes(title_text="Year", tickformat="d", dtick=1 if n_years <= 15 else None)
    short = describe(column).short or label  # the long label would not fit the y axis
    if unit == "%":
        y_title = f"{short} (% of email)"
    else:
        y_title = f"{short} ({units.unit_phrase(unit, word) or 'total'} per year)"
    fig.update_yaxes(title_text=y_title, rangemode="tozero")
    _set_meta(fig, scale=factor, column=column)
    return fig


# --------------------------------------------------------------------------
# factorial interactions
# --------------------------------------------------------------------------


def interaction_heatmap(
    factorial: pd.DataFrame | None,
    outcome: str,
    factors: Sequence[str] | None = None,
) -> go.Figure:
    """Factors x factors heat map of a 2^k design's effects on one outcome.

    Diagonal: the main effect of each lever (average change in the outcome
    when it is switched on). Off the diagonal, symmetric: the two-way
    interaction, half the difference between one lever's effect with the
    other on and with it off; positive means the pair together does less
    good (or more harm) than the two separately would suggest. The colour
    scale diverges at 0, blue for a change in the good direction. Each cell
    is annotated with its value; the hover adds the 90 % interval.
    ``factors`` defaults to the main-effect terms in table order.
    """
    label, unit, lower_better = outcome_info(outcome)
    title = f"How the levers combine: effects on {label[:1].lower() + label[1:]}"
    if is_empty(factorial):
        return empty_figure(title)
    require(factorial, ["outcome", "term", "effect"], "factorial")
    rows = _rows_for(factorial, outcome)
    if rows.empty:
        return empty_figure(title, f"no factorial effects for {outcome}")
    terms = rows["term"].astype(str).tolist()
    if factors is None:
        factors = [t for t in dict.fromkeys(terms) if ":" not in t]
    factors = [str(f) for f in factors]
    if not factors:
        return empty_figure(title, "no main effects in the factorial table")
    eff = dict(zip(terms, _num(rows, "effect")))
    clo = dict(zip(terms, _num(rows, "ci_low")))
    chi = dict(zip(terms, _num(rows, "ci_high")))
    k = len(factors)
    z = np.full((k, k), np.nan)
    key = np.full((k, k), "", dtype=object)
    for i, a in enumerate(factors):
        z[i, i], key[i, i] = eff.get(a, np.nan), a
        for j in range(i + 1, k):
            b = factors[j]
            t = f"{a}:{b}" if f"{a}:{b}" in eff else f"{b}:{a}"
            z[i, j] = z[j, i] = eff.get(t, np.nan)
            key[i, j] = key[j, i] = t
    factor, word = units.scale(z.ravel(), unit)
    text = np.full((k, k), "", dtype=object)
    custom = np.empty((k, k, 3), dtype=object)
    for i in range(k):
        for j in range(k):
            t = key[i, j]
            text[i, j] = units.compact(z[i, j], unit) if np.isfinite(z[i, j]) else ""
            what = (
                f"main effect of {_pretty(t)}"
                if i == j
                else f"interaction of {_pretty(factors[i])} and {_pretty(factors[j])}"
            )
            interval = f"{units.quantity(clo.get(t), unit, signed=True)} to {units.quantity(chi.get(t), unit, signed=True)}"
            value = units.quantity(z[i, j], unit, signed=True) if np.isfinite(z[i, j]) else "not estimated"
            custom[i, j] = [escape(what), value, interval]
    labels = [escape(_pretty(f)) for f in factors]
    finite = z[np.isfinite(z)]
    zmax = float(np.abs(finite).max()) / factor if finite.size else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=z / factor,
            x=labels,
            y=labels,
            zmid=0.0,
            zmin=-zmax if zmax > 0 else -1.0,
            zmax=zmax if zmax > 0 else 1.0,
            colorscale="RdBu_r" if lower_better else "RdBu",
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=13),
            customdata=custom,
            hovertemplate=(
                "%{customdata[0]}<br>effect: %{customdata[1]}<br>90 % interval: %{customdata[2]}<extra></extra>"
            ),
            xgap=2,
            ygap=2,
            colorbar=dict(title=dict(text=units.unit_phrase(unit, word, change=True) or "effect", side="right")),
        )
    )
    side = max(360, 160 + 100 * k)
    style(fig, title, height=side, hovermode="closest")
    fig.update_xaxes(title_text="Lever", side="bottom", showgrid=False)
    fig.update_yaxes(title_text="Lever", autorange="reversed", showgrid=False, scaleanchor="x")
    _set_meta(fig, scale=factor, outcome=outcome, factors=factors)
    return fig


# --------------------------------------------------------------------------
# where to act
# --------------------------------------------------------------------------


def priority_figure(
    priority: pd.DataFrame | None,
    outcome: str,
    top: int = 15,
    *,
    lever: str | None = None,
) -> go.Figure:
    """Where one more country acting would help most.

    Horizontal bars of the improvement in ``outcome`` against the baseline if
    that one country alone adopts the lever (a fall for lower-is-better
    outcomes: ``-mean_diff``, whiskers from ``-ci_high`` to ``-ci_low``),
    largest at the top, ``top`` bars at most. Bars whose interval includes
    zero are drawn pale: the seeds do not agree that acting there helps.
    ``lever`` keeps one lever; without it, several levers share the chart
    (one trace per lever, labels "country (lever)").
    """
    label, unit, _ = outcome_info(outcome)
    lbl = label[:1].lower() + label[1:]
    title_lever = f" ({_pretty(lever)})" if lever else ""
    title = f"Where one country acting alone cuts {lbl} most{title_lever}"
    if is_empty(priority):
        return empty_figure(title)
    require(priority, ["country", "outcome", "mean_diff"], "priority")
    rows = _rows_for(priority, outcome)
    if lever is not None and "lever" in rows.columns:
        rows = rows.loc[rows["lever"].astype(str) == str(lever)]
    rows = rows.loc[np.isfinite(_num(rows, "mean_diff"))]
    if rows.empty:
        return empty_figure(title, f"no country results for {outcome}")
    lower_better = _lower_is_better(outcome, None)
    sign = -1.0 if lower_better else 1.0
    md, lo, hi = _num(rows, "mean_diff"), _num(rows, "ci_low"), _num(rows, "ci_high")
    gain = sign * md
    g_lo, g_hi = np.fmin(sign * lo, sign * hi), np.fmax(sign * lo, sign * hi)
    levers = rows["lever"].astype(str).to_numpy() if "lever" in rows.columns else np.full(len(rows), "")
    countries = rows["country"].astype(str).to_numpy()
    multi = len(set(levers)) > 1
    d = pd.DataFrame(
        {
            "country": countries,
            "lever": levers,
            "gain": gain,
            "lo": g_lo,
            "hi": g_hi,
            "rank": _num(rows, "rank"),
        }
    )
    d = d.sort_values(["gain", "country", "lever"], ascending=[False, True, True], kind="stable").head(max(int(top), 1))
    d["label"] = (
        escape_series(d["country"] + " (" + d["lever"].str.replace("_", " ", regex=False) + ")")
        if multi
        else escape_series(d["country"])
    )
    factor, word = units.scale(np.concatenate([d["gain"], d["lo"], d["hi"]]), unit)
    fig = go.Figure()
    lever_order = list(dict.fromkeys(d["lever"]))
    for li, lv in enumerate(lever_order):
        sub = d.loc[d["lever"] == lv]
        colour = PALETTE[li % (len(PALETTE) - 1)]
        clear = (sub["lo"].to_numpy() > 0) | ~np.isfinite(sub["lo"].to_numpy())
        fig.add_trace(
            go.Bar(
                x=sub["gain"].to_numpy() / factor,
                y=sub["label"].to_numpy(),
                orientation="h",
                name=escape(_pretty(lv)) if lv else escape(label),
                marker=dict(color=[colour if c else _rgba(colour, 0.35) for c in clear], line=dict(width=0)),
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=np.clip(sub["hi"].to_numpy() - sub["gain"].to_numpy(), 0, None) / factor,
                    arrayminus=np.clip(sub["gain"].to_numpy() - sub["lo"].to_numpy(), 0, None) / factor,
                    color="#333333",
                    thickness=1.5,
                    width=4,
                ),
                customdata=object_columns(
                    sub["label"],
                    [units.quantity(v, unit) for v in sub["gain"]],
                    [units.quantity(v, unit) for v in sub["lo"]],
                    [units.quantity(v, unit) for v in sub["hi"]],
                    ["n/a" if not np.isfinite(r) else f"{r:.0f}" for r in sub["rank"]],
                ),
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>"
                    + ("fall" if lower_better else "rise")
                    + " if it acts alone: %{customdata[1]}"
                    "<br>90 % interval: %{customdata[2]} to %{customdata[3]}<br>rank: %{customdata[4]}<extra></extra>"
                ),
            )
        )
    style(
        fig,
        title,
        height=max(300, 140 + 30 * len(d)),
        hovermode="closest",
        showlegend=multi,
        barmode="overlay",
    )
    verb = "Fall" if lower_better else "Rise"
    fig.update_xaxes(
        title_text=units.axis_title(f"{verb} in {lbl} against the baseline", unit, word, change=True),
        zeroline=True,
        zerolinecolor="#555555",
    )
    fig.update_yaxes(
        title_text="Country that acts" if not multi else "Country (lever)",
        type="category",
        categoryorder="array",
        categoryarray=d["label"].tolist(),
        autorange="reversed",  # largest at the top
    )
    _set_meta(fig, scale=factor, outcome=outcome)
    return fig


# --------------------------------------------------------------------------
# cost-effectiveness
# --------------------------------------------------------------------------


def _non_dominated(cost: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """True where no other point is at least as cheap and as effective and strictly better in one."""
    n = len(cost)
    out = np.ones(n, dtype=bool)
    for i in range(n):
        if not (np.isfinite(cost[i]) and np.isfinite(gain[i])):
            out[i] = False
            continue
        better = (cost <= cost[i]) & (gain >= gain[i]) & ((cost < cost[i]) | (gain > gain[i]))
        out[i] = not better.any()
    return out


def _label_positions(x: np.ndarray, crowded: bool) -> str | list[str]:
    """Text positions for point labels: all above, or, on a crowded chart,
    alternately above and below in order of x so neighbours part, and to the
    left of points in the right part of the chart so no label runs off it."""
    if not crowded:
        return "top center"
    rank = np.argsort(np.argsort(x, kind="stable"), kind="stable")
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    rel = (x - lo) / (hi - lo) if hi > lo else np.zeros(len(x))
    return [("top" if r % 2 == 0 else "bottom") + (" left" if f > 0.5 else " right") for r, f in zip(rank, rel)]


def cost_effectiveness_figure(cost_effectiveness: pd.DataFrame | None) -> go.Figure:
    """Extra cost against spam averted, with the efficient frontier.

    One point per scenario (or factorial combination): x the spam delivered
    that it averts compared with the baseline (millions of messages, mean
    over seeds, whiskers the interval), y its extra policy cost (USD, mean
    over seeds); the baseline sits at the origin. Points on the frontier
    (``on_frontier``: no other policy is both cheaper and more effective)
    are coloured and joined by a dashed line in order of effect; the others
    are grey (and, with more than :data:`MAX_LABELLED_POINTS` points, unlabelled
    to keep the chart legible). The hover gives cost per million messages averted and per hour
    of consumer time saved. Trace 0 is the frontier line when there are
    two or more frontier points.
    """
    title = "Cost-effectiveness: extra cost against spam averted"
    if is_empty(cost_effectiveness):
        return empty_figure(title)
    ce = cost_effectiveness
    require(ce, ["scenario", "averted_m", "delta_cost"], "cost_effectiveness")
    x, y = _num(ce, "averted_m"), _num(ce, "delta_cost")
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return empty_figure(title, "no finite cost and effect values")
    ce, x, y = ce.loc[ok], x[ok], y[ok]
    if "on_frontier" in ce.columns:
        front = ce["on_frontier"].fillna(False).astype(bool).to_numpy()
    else:
        front = _non_dominated(y, x)
    factor, word = units.scale(y, "USD")
    names = escape_series(ce["scenario"])
    cpm, cpm_lo, cpm_hi = _num(ce, "cost_per_m_averted"), _num(ce, "cost_per_m_low"), _num(ce, "cost_per_m_high")
    custom = object_columns(
        names,
        [units.quantity(v * 1e6, "messages") for v in x],
        [
            f"{units.quantity(lo * 1e6, '')} to {units.quantity(hi * 1e6, 'messages')}"
            for lo, hi in zip(_num(ce, "averted_low"), _num(ce, "averted_high"))
        ],
        [units.quantity(v, "USD", signed=True) for v in y],
        [units.quantity(v, "USD") if np.isfinite(v) else "n/a (nothing averted)" for v in cpm],
        [f"{units.quantity(a, 'USD')} to {units.quantity(b, 'USD')}" for a, b in zip(cpm_lo, cpm_hi)],
        [units.quantity(v, "hours") for v in _num(ce, "hours_saved")],
        [units.quantity(v, "USD") for v in _num(ce, "cost_per_hour_saved")],
    )
    hover = (
        "<b>%{customdata[0]}</b><br>spam averted: %{customdata[1]} (90 %: %{customdata[2]})"
        "<br>extra cost: %{customdata[3]}"
        "<br>cost per million messages averted: %{customdata[4]} (%{customdata[5]})"
        "<br>consumer time saved: %{customdata[6]}, %{customdata[7]} per hour<extra></extra>"
    )
    has_err = {"averted_low", "averted_high"} <= set(ce.columns)
    a_lo, a_hi = _num(ce, "averted_low"), _num(ce, "averted_high")
    fig = go.Figure()
    if int(front.sum()) >= 2:
        fx, fy = x[front], y[front]
        o = np.lexsort((fy, fx))
        fig.add_trace(
            go.Scatter(
                x=fx[o],
                y=fy[o] / factor,
                mode="lines",
                name="efficient frontier",
                line=dict(color=PALETTE[0], width=1.5, dash="dash"),
                hoverinfo="skip",
            )
        )
    groups = (
        (True, "on the frontier: no policy is both cheaper and more effective",
         dict(size=12, color=PALETTE[0], line=dict(width=1, color="#ffffff"))),
        (False, "dominated: another policy does more for less",
         dict(size=10, color="#ffffff", line=dict(width=2, color=_MUTED))),
    )
    for on_front, name, marker in groups:
        mask = front if on_front else ~front
        if not mask.any():
            continue
        crowded = len(ce) > MAX_LABELLED_POINTS
        err = None
        if has_err and (on_front or not crowded):
            err = dict(
                type="data",
                symmetric=False,
                array=np.nan_to_num(np.clip(a_hi[mask] - x[mask], 0, None)),
                arrayminus=np.nan_to_num(np.clip(x[mask] - a_lo[mask], 0, None)),
                color=PALETTE[0] if on_front else _MUTED,
                thickness=1.2,
                width=3,
            )
        fig.add_trace(
            go.Scatter(
                x=x[mask],
                y=y[mask] / factor,
                mode="markers+text" if (on_front or not crowded) else "markers",
                name=name,
                text=names.to_numpy()[mask],
                textposition=_label_positions(x[mask], crowded),
                textfont=dict(size=11, color="#333333" if on_front else "#777777"),
                marker=marker,
                error_x=err,
                customdata=custom[mask],
                hovertemplate=hover,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[0.0],
            y=[0.0],
            mode="markers",
            name="baseline (no new policy)",
            marker=dict(size=11, symbol="diamond", color=BASELINE_COLOR),
            hovertemplate="baseline: no extra cost, nothing averted<extra></extra>",
        )
    )
    style(
        fig,
        title,
        height=540,
        hovermode="closest",
        legend=_BOTTOM_LEGEND,
        margin=dict(l=80, r=30, t=70, b=130),
    )
    fig.update_xaxes(
        title_text="Spam delivered averted against the baseline (millions of messages)",
        zeroline=True, zerolinecolor="#999999",
    )
    fig.update_yaxes(
        title_text=units.axis_title("Extra cost against the baseline", "USD", word),
        zeroline=True, zerolinecolor="#999999",
    )
    _set_meta(fig, scale=factor)
    return fig


# --------------------------------------------------------------------------
# runs
# --------------------------------------------------------------------------


def runs_table_figure(runs: pd.DataFrame | None, *, baseline: str = BASELINE) -> go.Figure:
    """Bookkeeping: how many runs per scenario succeeded or failed, and why.

    Upper table: per scenario, runs, ok, failed and the median run time.
    Lower table (only if something failed): each failed run with its seed,
    run id and the first line of its error (escaped, shortened), at most
    :data:`MAX_FAILURES_LISTED` rows.
    """
    title = "Runs per scenario"
    if is_empty(runs):
        return empty_figure(title, "no runs")
    require(runs, ["scenario", "status"], "runs")
    r = runs.copy()
    r["scenario"] = r["scenario"].astype(str)
    r["status"] = r["status"].astype(str)
    names = _order(r["scenario"], _find_baseline(list(r["scenario"].unique()), None, baseline))
    rows = []
    for s in names:
        sub = r.loc[r["scenario"] == s]
        n_ok = int((sub["status"] == "ok").sum())
        rt = _num(sub, "runtime_s")
        rt = rt[np.isfinite(rt)]
        rows.append((s, len(sub), n_ok, len(sub) - n_ok, f"{np.median(rt):.1f} s" if rt.size else "n/a"))
    counts = pd.DataFrame(rows, columns=["scenario", "runs", "ok", "failed", "runtime"])
    failed = r.loc[r["status"] != "ok"]
    total, n_fail = len(r), len(failed)
    fill1 = ["#ffffff" if i % 2 == 0 else "#f3f6f9" for i in range(len(counts))]
    fail_col = ["#b00020" if f else "#1d2433" for f in counts["failed"]]
    head = dict(fill_color="#e8eef4", font=dict(size=13), height=32)
    h1 = 32 + 28 * len(counts)
    traces = [
        go.Table(
            columnwidth=[2.2, 0.8, 0.8, 0.8, 1.1],
            header=dict(
                values=["<b>Scenario</b>", "<b>Runs</b>", "<b>OK</b>", "<b>Failed</b>", "<b>Median run time</b>"],
                align=["left", "right", "right", "right", "right"],
                **head,
            ),
            cells=dict(
                values=[
                    escape_series(counts["scenario"]).to_numpy(),
                    counts["runs"].to_numpy(),
                    counts["ok"].to_numpy(),
                    counts["failed"].to_numpy(),
                    counts["runtime"].to_numpy(),
                ],
                align=["left", "right", "right", "right", "right"],
                fill_color=[fill1],
                font=dict(size=13, color=[["#1d2433"] * len(counts)] * 3 + [fail_col, ["#1d2433"] * len(counts)]),
                height=28,
            ),
        )
    ]
    h2 = 0
    if n_fail:
        shown = failed.head(MAX_FAILURES_LISTED)
        err = shown["error"].fillna("").astype(str) if "error" in shown.columns else pd.Series("", index=shown.index)
        err = err.str.slice(0, _MAX_ERROR_CHARS)
        seeds = shown["seed"].astype(str) if "seed" in shown.columns else pd.Series("", index=shown.index)
        rid = shown["run_id"].fillna("").astype(str) if "run_id" in shown.columns else pd.Series("", index=shown.index)
        cols = [escape_series(shown["scenario"]), escape_series(seeds), escape_series(rid), escape_series(err)]
        cols = [c.tolist() for c in cols]
        if n_fail > len(shown):
            extra = f"... and {n_fail - len(shown)} more failed runs"
            cols = [c + [v] for c, v in zip(cols, ["", "", "", extra])]
        n2 = len(cols[0])
        h2 = 32 + 44 * n2
        traces.append(
            go.Table(
                columnwidth=[1.4, 0.6, 1.0, 4.0],
                header=dict(
                    values=["<b>Failed run: scenario</b>", "<b>Seed</b>", "<b>Run id</b>", "<b>Error</b>"],
                    align="left",
                    **head,
                ),
                cells=dict(values=cols, align="left", font=dict(size=12), height=26,
                           fill_color=[["#fff5f5" if i % 2 == 0 else "#ffffff" for i in range(n2)]]),
            )
        )
    gap = 40 if h2 else 0
    body = h1 + gap + h2
    if h2:
        traces[0].domain = dict(x=[0, 1], y=[1 - h1 / body, 1.0])
        traces[1].domain = dict(x=[0, 1], y=[0.0, h2 / body])
    fig = go.Figure(traces)
    summary = f"{total - n_fail} of {total} runs succeeded" + (f", {n_fail} failed" if n_fail else "")
    style(fig, f"{title}: {summary}", height=90 + body + 20, hovermode=False)
    fig.update_layout(margin=dict(l=10, r=10, t=60, b=10))
    return fig
