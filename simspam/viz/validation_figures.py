"""Figures of the validation report: pure functions from tidy tables to plotly figures.

``validation`` is one row per target (``target, low, high, median, q05, q95, hit, ...``);
``trajectory`` is one row per month (``month, median, q05, q95``) of the global spam
share; ``published`` is one row per published point or band (``year_from, year_to,
low, high, label``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import units
from .style import TEMPLATE

HIT, MISS = "#1b7837", "#b2182b"


def spam_share_trajectory(trajectory: pd.DataFrame, published: pd.DataFrame) -> go.Figure:
    """The simulated spam share of all mail, month by month (median and 90% band over seeds),
    against the published bands (a box per band: its years and its range)."""
    fig = go.Figure()
    x = pd.to_datetime(trajectory["month"])
    fig.add_trace(go.Scatter(x=list(x) + list(x[::-1]), y=list(trajectory["q95"]) + list(trajectory["q05"][::-1]),
                             fill="toself", fillcolor="rgba(33,102,172,0.2)", line={"width": 0}, hoverinfo="skip",
                             name="simulated, 90% band"))
    fig.add_trace(go.Scatter(x=x, y=trajectory["median"], mode="lines", line={"color": "#2166ac", "width": 2.5},
                             name="simulated, median", hovertemplate="%{x|%b %Y}: %{y:.1f}%<extra></extra>"))
    for _, p in published.iterrows():
        x0, x1 = pd.Timestamp(p["year_from"]), pd.Timestamp(p["year_to"])
        fig.add_trace(go.Scatter(x=[x0, x1, x1, x0, x0], y=[p["low"], p["low"], p["high"], p["high"], p["low"]],
                                 mode="lines", fill="toself", fillcolor="rgba(0,0,0,0.08)",
                                 line={"color": "#333", "width": 1.5}, name=str(p["label"]), showlegend=False,
                                 hovertemplate=f"{p['label']}: {p['low']:g}-{p['high']:g}%<extra></extra>"))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line={"color": "#333", "width": 1.5},
                             name="published band"))
    fig.update_layout(template=TEMPLATE, hovermode="closest",
                      title="Spam share of all e-mail, 2001-2010: simulated vs published",
                      yaxis={"title": "spam share (%)", "range": [0, 100]}, xaxis={"title": ""},
                      legend={"orientation": "h", "y": -0.15, "yanchor": "top", "x": 0.0, "xanchor": "left"},
                      margin={"t": 60, "b": 60})
    return fig


def target_bands(validation: pd.DataFrame) -> go.Figure:
    """Every target on one chart: the published band mapped to [0, 1], the simulated median
    and 90% band on the same scale (log scale for bands spanning a factor of 3 or more)."""
    rows = validation.iloc[::-1].reset_index(drop=True)

    def scale(v, lo, hi):
        v = np.asarray(v, dtype=float)
        if lo > 0 and hi / lo >= 3:
            v, lo, hi = np.log(np.maximum(v, 1e-12)), np.log(lo), np.log(hi)
        return (v - lo) / max(hi - lo, 1e-12)

    med, q05, q95 = [], [], []
    for _, r in rows.iterrows():
        m, a, b = scale([r["median"], r["q05"], r["q95"]], r["low"], r["high"])
        med.append(float(np.clip(m, -2, 3)))
        q05.append(float(np.clip(a, -2, 3)))
        q95.append(float(np.clip(b, -2, 3)))
    y = rows["target"].tolist()
    fig = go.Figure()
    fig.add_shape(type="rect", x0=0, x1=1, y0=-0.5, y1=len(rows) - 0.5, fillcolor="rgba(0,0,0,0.07)", line={"width": 0})
    colors = [HIT if h else MISS for h in rows["hit"]]
    sig = units.significant
    text = [f"{r['target']}: median {sig(r['median'])} (90%: {sig(r['q05'])}-{sig(r['q95'])}) vs band "
            f"{r['low']:g}-{r['high']:g} {r['unit']}" for _, r in rows.iterrows()]
    fig.add_trace(go.Scatter(x=med, y=y, mode="markers", marker={"color": colors, "size": 11},
                             error_x={"type": "data", "symmetric": False, "array": np.subtract(q95, med),
                                      "arrayminus": np.subtract(med, q05), "color": "#777"},
                             text=text, hovertemplate="%{text}<extra></extra>", name="simulated median, 90% band"))
    fig.update_layout(template=TEMPLATE, hovermode="closest",
                      title="Each target: simulated median and 90% band against the published band (grey, 0 to 1)",
                      xaxis={"title": "position relative to the published band (0 = low end, 1 = high end)",
                             "range": [-2.1, 3.1], "zeroline": False},
                      height=max(400, 24 * len(rows) + 120), margin={"l": 110, "t": 60}, showlegend=False)
    return fig
