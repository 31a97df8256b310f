"""Figures for one simulation run, built from tidy output tables.

Every public function here is *pure*: it takes the run's tidy tables (the
``daily`` per-country table, the ``events`` log) and returns a
:class:`plotly.graph_objects.Figure`. Nothing is read from or written to disk
and no simulation code is imported, so the figures can be rebuilt from saved
Parquet files long after the run, tested on synthetic tables, and reused by
other reports (dashboards, comparisons) without dragging the engine along.

Conventions shared by all figures, so that a reader who has learnt one chart
can read the next:

* the house template (:mod:`simspam.viz.style`: the Okabe-Ito palette,
  distinguishable under the common forms of colour-blindness; maps use the
  perceptually uniform, colour-blind-safe ``Cividis`` scale) and the house
  number formats (:mod:`simspam.viz.units`);
* every axis title carries its unit;
* monthly series are aggregated over all countries first, then per calendar
  month (see :func:`monthly_global`);
* an empty input never raises: it gives a figure with an explanatory
  annotation, so a report for a run that produced no events still renders;
* any string that comes from the data or the caller (titles, country codes,
  event details) is HTML-escaped before plotly.js sees it, because plotly.js
  interprets a subset of HTML in text and hover labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..core.columns import EVENTS
from . import units
from .common import escape, escape_series, is_empty, object_columns, require
from .style import MAP_COLORSCALE, PALETTE, empty_figure, style

__all__ = [
    "EVENT_COLUMNS",
    "ROW_CODE",
    "MAX_EVENT_POINTS",
    "monthly_global",
    "spam_share_figure",
    "message_flow_figure",
    "world_map_figure",
    "origin_and_received_maps",
    "enforcement_figure",
    "economy_figure",
    "harm_figure",
    "country_table_figure",
    "events_timeline_figure",
]

#: Columns of the ``events`` table (:data:`simspam.core.columns.EVENTS`).
EVENT_COLUMNS: tuple[str, ...] = tuple(EVENTS)
#: Rest-of-world pseudo-country: it has a row in ``daily`` but no outline.
ROW_CODE = "ROW"
#: Above this many events the timeline shows monthly counts instead of dots:
#: tens of thousands of SVG markers make a page sluggish and unreadable.
MAX_EVENT_POINTS = 2000
#: Event kinds left off the timeline: they are frequent market churn, not
#: policy-relevant events, and would drown everything else.
TIMELINE_EXCLUDED_KINDS: frozenset[str] = frozenset({"spammer_entry", "spammer_exit"})
#: Preferred top-to-bottom order of event kinds on the timeline (others follow
#: alphabetically), grouping related kinds so the reader can scan by theme.
EVENT_KIND_ORDER: tuple[str, ...] = (
    "law_adopted",
    "lever_start",
    "lever_end",
    "case_opened",
    "case_won",
    "case_dropped",
    "assistance_requested",
    "assistance_granted",
    "assistance_refused",
    "fine",
    "arrest",
    "takedown",
    "payment_cut",
    "relocation_home",
    "relocation_infra",
    "spammer_entry",
    "spammer_exit",
)
#: Event kinds counted in the lower panel of :func:`enforcement_figure`.
SANCTION_KINDS: tuple[str, ...] = (
    "fine",
    "arrest",
    "takedown",
    "payment_cut",
    "assistance_refused",
)


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def _hover(values, unit: str, per: str = "") -> list[str]:
    """Hover text for each value, written by the house formatter (plotly's own number formats
    would write "1234567" where every other figure and card writes "1.2 M")."""
    return [units.quantity(v, unit) + per for v in np.asarray(values, dtype=float)]


def _global_daily(daily: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Sum ``columns`` over countries: one row per date, sorted by date."""
    require(daily, ["date", *columns], "daily")
    out = daily.groupby("date", sort=True)[list(columns)].sum()
    out.index = pd.DatetimeIndex(out.index)
    return out


def monthly_global(daily: pd.DataFrame, columns: Sequence[str], how: str = "mean") -> pd.DataFrame:
    """Global monthly aggregates of ``columns``, indexed by month start.

    Values are first summed over countries for each day, then aggregated per
    calendar month:

    * ``how="mean"``: mean per day in the month (for rates such as messages per
      day, and for stocks such as the number of active spammers);
    * ``how="sum"``: a monthly total, computed as the mean per day times the
      number of days in the calendar month. For complete months this is the
      exact sum; for the partial first and last months of a run it
      extrapolates at the observed rate, so the series does not show a
      spurious dip just because the run started mid-month.
    """
    g = _global_daily(daily, columns)
    m = g.resample("MS").mean()
    if how == "sum":
        m = m.mul(m.index.days_in_month.to_numpy(), axis=0)
    elif how != "mean":
        raise ValueError(f"how must be 'mean' or 'sum', not {how!r}")
    return m


def _yearly_by_country(daily: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Totals of ``columns`` per (year, country) as a tidy frame."""
    require(daily, ["date", "country", *columns], "daily")
    year = pd.DatetimeIndex(daily["date"]).year.rename("year")
    return daily.groupby([year, daily["country"]], sort=True)[list(columns)].sum().reset_index()


# --------------------------------------------------------------------------
# time series
# --------------------------------------------------------------------------


def spam_share_figure(daily: pd.DataFrame) -> go.Figure:
    """Global monthly share of spam in all mail addressed to consumers (%).

    The share is a ratio of monthly totals, sum(spam_received) /
    (sum(spam_received) + sum(legit_sent)), not a mean of country shares, so
    large mail markets weigh as much as they do in reality. Months with no
    mail at all are left as gaps rather than shown as 0 %.
    """
    title = "Spam as a share of all email received"
    if is_empty(daily):
        return empty_figure(title)
    m = monthly_global(daily, ["spam_received", "legit_sent"], how="mean")
    total = m["spam_received"] + m["legit_sent"]
    share = 100.0 * m["spam_received"] / total.where(total > 0)
    fig = go.Figure(
        go.Scatter(
            x=share.index,
            y=share.to_numpy(),
            mode="lines+markers" if len(share) <= 3 else "lines",
            name="spam share",
            line=dict(color=PALETTE[0], width=2.5),
            customdata=_hover(share.to_numpy(), "%"),
            hovertemplate="%{x|%b %Y}: %{customdata}<extra></extra>",
        )
    )
    style(fig, title, showlegend=False)
    fig.update_xaxes(title_text="Month")
    fig.update_yaxes(title_text="Spam share of email (%)", range=[0, 100], ticksuffix=" %")
    return fig


def message_flow_figure(daily: pd.DataFrame) -> go.Figure:
    """What happens to spam: blocked at the source, filtered, or delivered.

    Stacked areas of the global monthly mean per day, in billions of
    messages, so the top edge is the total spam volume and each band shows
    how much of it each line of defence handles.
    """
    title = "Fate of spam messages: blocked at source, filtered, delivered"
    if is_empty(daily):
        return empty_figure(title)
    cols = ["blocked_outbound", "filtered", "delivered"]
    labels = {
        "blocked_outbound": "blocked at the sending network",
        "filtered": "caught by recipients' filters",
        "delivered": "delivered to inboxes",
    }
    m = monthly_global(daily, cols, how="mean") / 1e9
    fig = go.Figure()
    for i, col in enumerate(cols):
        fig.add_trace(
            go.Scatter(
                x=m.index,
                y=m[col].to_numpy(),
                name=labels[col],
                stackgroup="flows",
                mode="lines",
                line=dict(width=0.5, color=PALETTE[i]),
                customdata=_hover(m[col].to_numpy() * 1e9, "messages", " a day"),
                hovertemplate="%{customdata}<extra>" + labels[col] + "</extra>",
            )
        )
    style(fig, title)
    fig.update_xaxes(title_text="Month")
    fig.update_yaxes(title_text="Spam messages (billions per day, monthly mean)", rangemode="tozero")
    return fig


def economy_figure(daily: pd.DataFrame) -> go.Figure:
    """The spam business: revenue (USD/month) and active spammers.

    Two quantities with different units, so revenue uses the left axis and
    the number of active spammers the right one. Active spammers are summed
    over countries per day and averaged per month (a stock, not a flow).
    """
    title = "Spammer revenue and number of active spammers"
    if is_empty(daily):
        return empty_figure(title)
    rev = monthly_global(daily, ["spammer_revenue"], how="sum")["spammer_revenue"]
    act = monthly_global(daily, ["active_spammers"], how="mean")["active_spammers"]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Scatter(
            x=rev.index,
            y=rev.to_numpy(),
            name="spammer revenue (USD per month)",
            mode="lines",
            line=dict(color=PALETTE[1], width=2.5),
            customdata=_hover(rev.to_numpy(), "USD", " a month"),
            hovertemplate="%{customdata}<extra>revenue</extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=act.index,
            y=act.to_numpy(),
            name="active spammers (monthly mean)",
            mode="lines",
            line=dict(color=PALETTE[0], width=2.5, dash="dot"),
            customdata=_hover(act.to_numpy(), ""),
            hovertemplate="%{customdata}<extra>active spammers</extra>",
        ),
        secondary_y=True,
    )
    style(fig, title)
    fig.update_xaxes(title_text="Month")
    fig.update_yaxes(title_text="Spammer revenue (USD per month)", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(
        title_text="Active spammers (count, monthly mean)",
        rangemode="tozero",
        showgrid=False,
        tickmode="auto",  # own round ticks, not ticks synced to the left axis
        secondary_y=True,
    )
    return fig


def harm_figure(daily: pd.DataFrame) -> go.Figure:
    """Harm to people: consumer time lost (hours) and social cost (USD).

    Shown as two stacked panels sharing the time axis rather than one chart
    with two y axes, because the two series have unrelated units and a
    shared plot area invites false comparisons of their heights.
    """
    title = "Harm from spam: consumer time lost and social cost"
    if is_empty(daily):
        return empty_figure(title)
    m = monthly_global(daily, ["consumer_hours", "social_cost"], how="sum")
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    fig.add_trace(
        go.Scatter(
            x=m.index,
            y=m["consumer_hours"].to_numpy(),
            name="consumer time lost (hours per month)",
            mode="lines",
            line=dict(color=PALETTE[3], width=2.5),
            customdata=_hover(m["consumer_hours"].to_numpy(), "hours", " a month"),
            hovertemplate="%{customdata}<extra>time lost</extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=m.index,
            y=m["social_cost"].to_numpy(),
            name="social cost (USD per month)",
            mode="lines",
            line=dict(color=PALETTE[5], width=2.5),
            customdata=_hover(m["social_cost"].to_numpy(), "USD", " a month"),
            hovertemplate="%{customdata}<extra>social cost</extra>",
        ),
        row=2,
        col=1,
    )
    style(fig, title, height=520)
    fig.update_yaxes(title_text="Hours per month", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="USD per month", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="Month", row=2, col=1)
    return fig


# --------------------------------------------------------------------------
# maps
# --------------------------------------------------------------------------


def world_map_figure(daily: pd.DataFrame, column: str, title: str) -> go.Figure:
    """Choropleth of yearly totals of ``column`` per country, one frame per year.

    The colour range is fixed over all years (0 to the largest yearly
    country total) so that a country getting darker really means more, and
    every frame lists the same countries (missing years filled with 0) so
    the animation does not leave stale colours behind. ``ROW`` has no
    outline and is dropped. Country codes must be ISO 3166-1 alpha-3, which
    is what the bundled outlines (``assets/world_110m.json``) use.
    """
    if is_empty(daily):
        return empty_figure(title)
    require(daily, ["date", "country", column], "daily")
    yearly = _yearly_by_country(daily, [column])
    yearly = yearly[yearly["country"] != ROW_CODE]
    if yearly.empty:
        return empty_figure(title, "no mapped countries (only rest of world)")
    # Complete (year x country) grid so each frame repaints every country.
    wide = yearly.pivot_table(index="year", columns="country", values=column, aggfunc="sum", fill_value=0)
    wide = wide.sort_index()
    countries = wide.columns.astype(str).to_numpy()
    countries_esc = escape_series(pd.Series(countries)).to_numpy()
    years = wide.index.to_numpy()
    zmax = float(np.nanmax(wide.to_numpy())) if wide.size else 0.0
    label = column.replace("_", " ")

    def trace(year: int) -> go.Choropleth:
        return go.Choropleth(
            locations=countries,
            z=wide.loc[year].to_numpy(),
            locationmode="ISO-3",
            coloraxis="coloraxis",
            text=countries_esc,
            customdata=_hover(wide.loc[year].to_numpy(), ""),
            marker=dict(line=dict(color="#ffffff", width=0.5)),
            hovertemplate="%{text}: %{customdata}<extra>" + str(year) + "</extra>",
            name=str(year),
        )

    frames = [go.Frame(data=[trace(y)], name=str(y)) for y in years]
    fig = go.Figure(data=[trace(years[0])], frames=frames)
    style(fig, title, height=560)
    fig.update_layout(
        hovermode="closest",
        margin=dict(l=10, r=10, t=70, b=10),
        coloraxis=map_coloraxis(zmax, f"{escape(label)}<br>(per year)"),
        geo=geo_layout(),
        **animation_controls(years),
    )
    return fig


def map_coloraxis(zmax: float, title_html: str) -> dict:
    """One colour scale for every frame of an animated map, from 0 to the largest value
    (``title_html`` must already be escaped)."""
    return dict(colorscale=MAP_COLORSCALE, cmin=0, cmax=zmax if zmax > 0 else 1,
                colorbar=dict(title=dict(text=title_html), thickness=14))


def geo_layout() -> dict:
    """The shared look of every map (natural earth, no frame, light land and ocean): the
    outlines come from the embedded topojson (``resolution=110``), never from a CDN."""
    return dict(
        projection=dict(type="natural earth", rotation=dict(lon=0)),
        showframe=False,
        showcoastlines=True,
        coastlinecolor="#888888",
        showcountries=True,
        countrycolor="#bbbbbb",
        showland=True,
        landcolor="#eeeeee",
        showocean=True,
        oceancolor="#f5f9fc",
        resolution=110,
    )


def animation_controls(years) -> dict:
    """Play/Pause buttons and a year slider for a figure whose frames are named after
    ``years``: one place, so every animated map in every report steps the same way."""
    return dict(
    updatemenus=[
        dict(
            type="buttons",
            direction="left",
            x=0.0,
            y=0.0,
            xanchor="left",
            yanchor="top",
            pad=dict(t=10, r=10),
            showactive=False,
            buttons=[
                dict(
                    label="Play",
                    method="animate",
                    args=[
                        None,
                        dict(
                            frame=dict(duration=900, redraw=True),
                            transition=dict(duration=0),
                            fromcurrent=True,
                            mode="immediate",
                        ),
                    ],
                ),
                dict(
                    label="Pause",
                    method="animate",
                    args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate")],
                ),
            ],
        )
    ],
    sliders=[
        dict(
            active=0,
            x=0.12,
            y=0.0,
            len=0.88,
            xanchor="left",
            yanchor="top",
            pad=dict(t=10),
            currentvalue=dict(prefix="Year: ", visible=True),
            steps=[
                dict(
                    label=str(y),
                    method="animate",
                    args=[[str(y)], dict(frame=dict(duration=0, redraw=True), mode="immediate")],
                )
                for y in years
            ],
        )
    ],
    )


def origin_and_received_maps(daily: pd.DataFrame) -> tuple[go.Figure, go.Figure]:
    """The two maps a run report shows: where spam is sent from, and where it lands.

    ``spam_sent`` is attributed to the country hosting the sending
    infrastructure; ``spam_received`` to the country of the addressed
    consumers. Putting them side by side shows how much of a country's spam
    problem is imported, which is the case for international cooperation.
    """
    return (
        world_map_figure(daily, "spam_sent", "Where spam is sent from (yearly total, by sending infrastructure)"),
        world_map_figure(daily, "spam_received", "Where spam is addressed to (yearly total, by recipient country)"),
    )


# --------------------------------------------------------------------------
# enforcement, table, events
# --------------------------------------------------------------------------


def _empty_events() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in EVENT_COLUMNS})


def enforcement_figure(daily: pd.DataFrame, events: pd.DataFrame | None) -> go.Figure:
    """Enforcement activity per year: cases and cross-border assistance, and sanctions.

    Top panel (from ``daily``): cases opened, won and dropped, and mutual
    assistance requests made and granted, as grouped bars per year, so the
    reader sees both the volume of enforcement and its success rate.
    Bottom panel (from ``events``): how many fines, arrests, takedowns,
    payment cut-offs and refused assistance requests happened each year:
    outcomes that the daily counts do not carry.
    """
    title = "Enforcement and international cooperation per year"
    has_daily = not is_empty(daily)
    events = _empty_events() if events is None else events
    case_cols = ["cases_opened", "cases_won", "cases_dropped", "assistance_requests", "assistance_granted"]
    case_labels = {
        "cases_opened": "cases opened",
        "cases_won": "cases won",
        "cases_dropped": "cases dropped",
        "assistance_requests": "assistance requested",
        "assistance_granted": "assistance granted",
    }
    sanctions = pd.DataFrame()
    if not is_empty(events):
        require(events, ["date", "kind"], "events")
        ev = events[events["kind"].isin(SANCTION_KINDS)]
        if not ev.empty:
            year = pd.DatetimeIndex(ev["date"]).year.rename("year")
            sanctions = ev.groupby([year, ev["kind"]]).size().unstack("kind", fill_value=0)
    if not has_daily and sanctions.empty:
        return empty_figure(title, "no enforcement data")

    fig = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=0.16,
        subplot_titles=(
            "Cases and mutual-assistance requests (count per year)",
            "Sanctions and refusals recorded in the event log (count per year)",
        ),
    )
    if has_daily:
        require(daily, ["date", *case_cols], "daily")
        year = pd.DatetimeIndex(daily["date"]).year.rename("year")
        per_year = daily.groupby(year)[case_cols].sum()
        for i, col in enumerate(case_cols):
            fig.add_trace(
                go.Bar(
                    x=per_year.index.astype(str),
                    y=per_year[col].to_numpy(),
                    name=case_labels[col],
                    marker_color=PALETTE[i],
                    legendgroup="cases",
                    customdata=_hover(per_year[col].to_numpy(), ""),
                    hovertemplate="%{customdata}<extra>" + case_labels[col] + "</extra>",
                ),
                row=1,
                col=1,
            )
    else:
        fig.add_annotation(text="no daily data", xref="x domain", yref="y domain", x=0.5, y=0.5, showarrow=False, row=1, col=1)
    if not sanctions.empty:
        kinds = [k for k in SANCTION_KINDS if k in sanctions.columns]
        for i, kind in enumerate(kinds):
            label = kind.replace("_", " ")
            fig.add_trace(
                go.Bar(
                    x=sanctions.index.astype(str),
                    y=sanctions[kind].to_numpy(),
                    name=label,
                    marker_color=PALETTE[(i + len(case_cols)) % len(PALETTE)],
                    legendgroup="sanctions",
                    customdata=_hover(sanctions[kind].to_numpy(), ""),
                    hovertemplate="%{customdata}<extra>" + label + "</extra>",
                ),
                row=2,
                col=1,
            )
    else:
        fig.add_annotation(
            text="no events", xref="x2 domain", yref="y2 domain", x=0.5, y=0.5, showarrow=False,
            font=dict(size=16, color="#666666"),
        )
    style(fig, title, height=640, barmode="group")
    fig.update_layout(hovermode="closest", legend=dict(orientation="v", y=0.5, yanchor="middle", x=1.02, xanchor="left"))
    fig.update_xaxes(title_text="Year", type="category")
    fig.update_yaxes(title_text="Count per year", rangemode="tozero")
    return fig


def country_table_figure(daily: pd.DataFrame, top: int = 15) -> go.Figure:
    """Table of the ``top`` countries by spam sent over the whole run.

    Shows spam sent and received, the share of spam addressed to the
    country that reached inboxes (``delivered / spam_received``, i.e. how
    well its filters and upstream blocking protect its consumers),
    complaints and cases won. ``ROW`` is kept and labelled, because hiding
    the rest of the world would overstate the listed countries' weight.
    """
    title = f"Top {top} countries by spam sent (whole run)"
    if is_empty(daily):
        return empty_figure(title)
    cols = ["spam_sent", "spam_received", "delivered", "complaints", "cases_won"]
    require(daily, ["country", *cols], "daily")
    tot = daily.groupby("country")[cols].sum()
    tot = tot.sort_values(["spam_sent", "spam_received"], ascending=False, kind="stable").head(top)
    received = tot["spam_received"].astype(float)
    share = 100.0 * tot["delivered"].astype(float) / received.where(received > 0)
    names = pd.Series(tot.index.astype(str), index=tot.index)
    names = escape_series(names.where(names != ROW_CODE, "ROW (rest of world)"))
    fmt = np.vectorize(units.number, otypes=[object])
    cells = [
        names.to_numpy(),
        fmt(tot["spam_sent"].to_numpy()),
        fmt(tot["spam_received"].to_numpy()),
        np.where(share.notna(), share.map("{:.1f} %".format), "n/a"),
        fmt(tot["complaints"].to_numpy()),
        fmt(tot["cases_won"].to_numpy()),
    ]
    n = len(tot)
    fill = [np.where(np.arange(n) % 2 == 0, "#ffffff", "#f3f6f9")]
    fig = go.Figure(
        go.Table(
            columnwidth=[1.4, 1, 1, 1.2, 1, 0.8],
            header=dict(
                values=[
                    "<b>Country</b>",
                    "<b>Spam sent (messages)</b>",
                    "<b>Spam received (messages)</b>",
                    "<b>Received spam delivered (%)</b>",
                    "<b>Complaints</b>",
                    "<b>Cases won</b>",
                ],
                fill_color="#e8eef4",
                align=["left"] + ["right"] * 5,
                font=dict(size=13),
                height=34,
            ),
            cells=dict(values=cells, fill_color=fill, align=["left"] + ["right"] * 5, font=dict(size=13), height=28),
        )
    )
    style(fig, title, height=110 + 34 + 28 * n, hovermode=False)
    fig.update_layout(margin=dict(l=10, r=10, t=60, b=10))
    return fig


def object_columns(*columns) -> np.ndarray:
    """Stack columns into an object array for ``customdata``.

    ``np.column_stack`` would coerce mixed text and numbers to strings, and
    plotly's number formats (``%{customdata[3]:,.4g}``) then stop working.
    """
    cols = [np.asarray(c, dtype=object) for c in columns]
    out = np.empty((len(cols[0]) if cols else 0, len(cols)), dtype=object)
    for j, c in enumerate(cols):
        out[:, j] = c
    return out


def _ordered_kinds(kinds: Sequence[str]) -> list[str]:
    known = [k for k in EVENT_KIND_ORDER if k in set(kinds)]
    return known + sorted(set(kinds) - set(known))


def events_timeline_figure(events: pd.DataFrame | None) -> go.Figure:
    """Policy-relevant events over time, one row per event kind.

    Spammer entries and exits are left out (market churn that would swamp
    the chart). Up to :data:`MAX_EVENT_POINTS` events are drawn one dot
    each, with country, partner, spammer, value and detail in the hover; a
    bigger log is summarised as one bubble per (month, kind) sized by the
    count, with the most frequent country in the hover, so the page stays
    responsive for long runs.
    """
    title = "Timeline of policy and enforcement events"
    if is_empty(events):
        return empty_figure(title, "no events")
    require(events, ["date", "kind"], "events")
    ev = events[~events["kind"].isin(TIMELINE_EXCLUDED_KINDS)]
    if ev.empty:
        return empty_figure(title, "no events (other than spammer entries and exits)")
    ev = ev.assign(
        date=pd.to_datetime(ev["date"]),
        kind=ev["kind"].astype(str),
        country=ev["country"].astype(str) if "country" in ev else "",
        partner=ev["partner"].fillna("").astype(str) if "partner" in ev else "",
    )
    kinds = _ordered_kinds(ev["kind"].unique().tolist())
    fig = go.Figure()
    aggregated = len(ev) > MAX_EVENT_POINTS
    if aggregated:
        month = ev["date"].dt.to_period("M").dt.to_timestamp().rename("month")
        counts = ev.groupby([month, ev["kind"]]).size().rename("n").reset_index()
        by_country = ev.groupby([month, ev["kind"], ev["country"]]).size().rename("k").reset_index()
        top_country = (
            by_country.sort_values(["month", "kind", "k", "country"], ascending=[True, True, False, True])
            .drop_duplicates(["month", "kind"])
            .rename(columns={"country": "top_country", "k": "top_n"})
        )
        agg = counts.merge(top_country, on=["month", "kind"], how="left")
        agg["top_country"] = escape_series(agg["top_country"])
        sizeref = 2.0 * float(agg["n"].max()) / (28.0**2)
        for i, kind in enumerate(kinds):
            sub = agg[agg["kind"] == kind]
            fig.add_trace(
                go.Scatter(
                    x=sub["month"],
                    y=np.full(len(sub), escape(kind), dtype=object),
                    mode="markers",
                    name=escape(kind),
                    marker=dict(
                        size=sub["n"].to_numpy(),
                        sizemode="area",
                        sizeref=sizeref,
                        sizemin=3,
                        color=PALETTE[i % len(PALETTE)],
                        opacity=0.75,
                    ),
                    customdata=object_columns(sub["n"], sub["top_country"], sub["top_n"]),
                    hovertemplate=(
                        "<b>%{y}</b>, %{x|%b %Y}<br>%{customdata[0]:,} events"
                        "<br>most often: %{customdata[1]} (%{customdata[2]:,})<extra></extra>"
                    ),
                )
            )
    else:
        n = len(ev)
        spammer = pd.to_numeric(ev["spammer"], errors="coerce") if "spammer" in ev else pd.Series(np.full(n, -1))
        spammer_txt = np.where(spammer.to_numpy() >= 0, spammer.astype("Int64").astype(str).to_numpy(), "-")
        custom = object_columns(
            escape_series(ev["country"]),
            escape_series(ev["partner"]).replace("", "-"),
            spammer_txt,
            pd.to_numeric(ev["value"], errors="coerce") if "value" in ev else np.full(n, np.nan),
            escape_series(ev["detail"]) if "detail" in ev else np.full(n, ""),
        )
        kind_values = ev["kind"].to_numpy()
        for i, kind in enumerate(kinds):
            mask = kind_values == kind
            fig.add_trace(
                go.Scatter(
                    x=ev["date"].to_numpy()[mask],
                    y=np.full(int(mask.sum()), escape(kind), dtype=object),
                    mode="markers",
                    name=escape(kind),
                    marker=dict(size=8, color=PALETTE[i % len(PALETTE)], opacity=0.8, line=dict(width=0.5, color="#333333")),
                    customdata=custom[mask],
                    hovertemplate=(
                        "<b>%{y}</b> %{x|%Y-%m-%d}<br>country: %{customdata[0]}"
                        "<br>partner: %{customdata[1]}<br>spammer: %{customdata[2]}"
                        "<br>value: %{customdata[3]:,.4g}<br>%{customdata[4]}<extra></extra>"
                    ),
                )
            )
    note = " (monthly counts; bubble area = number of events)" if aggregated else ""
    style(fig, title + note, height=max(320, 110 + 36 * len(kinds)), showlegend=False)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text="Date")
    fig.update_yaxes(
        title_text="Event kind",
        type="category",
        categoryorder="array",
        categoryarray=[escape(k) for k in reversed(kinds)],
    )
    return fig
