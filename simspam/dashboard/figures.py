"""The app's figures, built from a cached compact result with the report's pure figure functions.

The compact result keeps global daily series and per-country yearly totals; both are
shaped back into the tidy ``daily`` layout (``date``, ``country``, columns) that
``simspam.viz.run_figures`` expects, so the app and the run report draw the same charts
the same way.  Headline cards take their labels and units from the outcome catalogue and
their numbers from the house formatter.  Presentation mode only restyles (large type, white
on black, over the house template); it never changes what is drawn.
"""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from ..metrics.outcomes import CATALOGUE
from ..viz import units
from ..viz.run_figures import message_flow_figure, spam_share_figure, world_map_figure
from ..viz.style import PRESENT, PRESENT_AXES, TEMPLATE
from .cache import Compact

MAP_TITLES = {
    "spam_sent": "Where spam is sent from (per year, by sending infrastructure)",
    "spam_received": "Where spam is addressed to (per year, by recipient country)",
}
_BELOW = dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0.0)
#: The headline outcomes the app shows, in this order.
HEADLINES = ("spam_share_last_year", "spam_delivered", "social_cost", "spammer_revenue", "active_spammers_end")


def _world_daily(result: Compact) -> pd.DataFrame:
    return result.series.assign(country="WORLD")


def spam_share(result: Compact, baseline: Compact | None, present: bool = False) -> go.Figure:
    """Monthly spam share for this setting, and the status quo (same seed) dashed, if cached."""
    fig = spam_share_figure(_world_daily(result))
    fig.data[0].name = "this setting"
    if baseline is not None and baseline.key != result.key:
        ref = spam_share_figure(_world_daily(baseline)).data[0]
        ref.update(name="status quo (baseline)", line=dict(color="#888888", dash="dash", width=2))
        fig.add_trace(ref)
    fig.update_layout(showlegend=True, height=400, legend=_BELOW)
    return theme(fig, present)


def flows(result: Compact, present: bool = False) -> go.Figure:
    fig = message_flow_figure(_world_daily(result))
    fig.update_layout(height=400, legend=_BELOW, title_text="Fate of spam: blocked at source, filtered, delivered")
    fig.update_yaxes(title_text="Spam (billions per day)")
    return theme(fig, present)


def world_map(result: Compact, column: str = "spam_sent", present: bool = False) -> go.Figure:
    """Choropleth per year with the report's Play button and year slider (plotly frames)."""
    m = result.map
    daily = m.assign(date=pd.to_datetime(m["year"].astype(str) + "-01-01"))
    fig = world_map_figure(daily, column, MAP_TITLES[column])
    fig.update_layout(height=520)
    for slider in fig.layout.sliders:   # the year label clear of the Play / Pause buttons
        slider.update(x=0.18, len=0.82)
    return theme(fig, present)


def headline_rows(result: Compact, baseline: Compact | None) -> list[tuple[str, str, str]]:
    """(label, value, change against the status quo or '') for the headline cards."""
    rows = []
    for key in HEADLINES:
        outcome = CATALOGUE[key]
        value = result.headline.get(key)
        text = units.card(value, outcome.unit)
        delta = ""
        if baseline is not None and baseline.key != result.key:
            ref = baseline.headline.get(key)
            if outcome.unit == "%" and ref is not None and value is not None:
                delta = f"{units.quantity(value - ref, '%', signed=True, points='points')} vs status quo"
            elif ref and value is not None:
                delta = f"{units.percent((value - ref) / ref, signed=True)} vs status quo"
        rows.append((outcome.label, text, delta))
    return rows


def theme(fig: go.Figure, present: bool) -> go.Figure:
    """Presentation mode: large type, white on black, bright map outlines."""
    if not present:
        return fig
    fig.update_layout(**PRESENT)
    fig.update_xaxes(**PRESENT_AXES)
    fig.update_yaxes(**PRESENT_AXES)
    if fig.layout.geo is not None and fig.layout.geo.projection is not None and fig.layout.geo.projection.type:
        fig.update_geos(bgcolor="#000000", landcolor="#222222", oceancolor="#000000",
                        countrycolor="#cccccc", coastlinecolor="#cccccc")
        for slider in fig.layout.sliders:        # room for the larger Play / Pause buttons
            slider.update(x=0.24, len=0.76)
    elif fig.layout.legend.orientation == "h":
        fig.update_layout(legend=dict(y=-0.32), margin=dict(b=150), height=520)
    return fig


def message_figure(text: str, present: bool = False) -> go.Figure:
    """An empty figure that says why (no result for this setting yet)."""
    fig = go.Figure()
    fig.update_layout(xaxis_visible=False, yaxis_visible=False, height=300, template=TEMPLATE)
    fig.add_annotation(text=html.escape(text), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(size=18))
    return theme(fig, present)
