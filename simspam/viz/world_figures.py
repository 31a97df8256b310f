"""Geographic figures for a comparison: where spam comes from and lands, who can ask whom
for assistance, and where spammers moved.

Built from the tidy tables a comparison writes (``country_series``, ``cooperation_edges``,
``relocations``; columns in ``docs/outputs.md``).  Like every figure module here, each
public function is pure (tables in, :class:`plotly.graph_objects.Figure` out, no I/O),
shares the conventions of :mod:`simspam.viz.run_figures`, and HTML-escapes every string
that comes from the data, because plotly.js reads a subset of HTML in labels and hovers.
The one exception to "no I/O" is :func:`country_centroids`, which reads the bundled
outlines once and is passed in by the caller, so the figures stay testable on hand-made
positions.

A comparison has many scenarios and only one screen: the map and the flows show one
scenario at a time, picked from a drop-down (the baseline first), rather than a dozen
near-identical charts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..results.comparison import BASELINE
from . import units
from .common import escape, escape_series, is_empty, require
from .compare_figures import _order, _set_meta
from .run_figures import ROW_CODE, animation_controls, geo_layout, map_coloraxis
from .style import PALETTE, empty_figure, style

__all__ = [
    "MAP_MEASURES",
    "ROW_POSITION",
    "country_centroids",
    "country_map_figure",
    "cooperation_network_figure",
    "relocation_flows_figure",
    "scenario_dropdown",
]

#: ``country_series`` column -> what the map shows (origin vs destination of the flow).
MAP_MEASURES: dict[str, str] = {
    "spam_sent": "spam sent from",
    "spam_received": "spam received in",
    "delivered": "spam delivered in",
}
#: Where the rest of the world (no outline, no centroid) sits on the network map: the
#: empty South Atlantic, labelled, so its links stay visible without pretending a place.
ROW_POSITION: tuple[float, float] = (-25.0, -40.0)
#: Relocation kinds in the event log -> legend text and colour.
RELOCATION_KINDS: dict[str, tuple[str, str]] = {
    "relocation_home": ("operators moved home", PALETTE[0]),
    "relocation_infra": ("servers moved", PALETTE[1]),
}


#: Countries of the world table too small to have an outline at 1:110m (lon, lat).
EXTRA_CENTROIDS: dict[str, tuple[float, float]] = {"HKG": (114.17, 22.32)}


@lru_cache(maxsize=1)
def country_centroids() -> dict[str, tuple[float, float]]:
    """ISO3 -> (lon, lat) of each country's label point in the bundled outlines
    (``properties.ct`` of ``assets/world_110m.json``, the same file the maps draw), plus
    :data:`EXTRA_CENTROIDS` for places too small to have an outline."""
    raw = resources.files("simspam.viz").joinpath("assets", "world_110m.json").read_text(encoding="utf-8")
    geoms = json.loads(raw)["objects"]["countries"]["geometries"]
    out: dict[str, tuple[float, float]] = dict(EXTRA_CENTROIDS)
    for g in geoms:
        ct = (g.get("properties") or {}).get("ct")
        if g.get("id") and ct:
            out[str(g["id"])] = (float(ct[0]), float(ct[1]))
    return out


def scenario_dropdown(labels: Sequence[str], traces_per_label: int, titles: Sequence[str] | None = None) -> dict:
    """An ``updatemenus`` entry that shows one group of ``traces_per_label`` consecutive
    traces at a time (``labels`` are shown escaped); ``titles`` replace the figure title."""
    n = len(labels) * traces_per_label
    buttons = []
    for i, label in enumerate(labels):
        vis = [i * traces_per_label <= k < (i + 1) * traces_per_label for k in range(n)]
        args: list = [{"visible": vis}]
        if titles is not None:
            args.append({"title.text": escape(titles[i])})
        buttons.append(dict(label=escape(label), method="update" if titles is not None else "restyle", args=args))
    return dict(type="dropdown", direction="down", x=0.0, y=1.0, xanchor="left", yanchor="bottom",
                pad=dict(b=6), showactive=True, active=0, buttons=buttons)


def _scenarios(values: pd.Series, baseline: str, scenarios: Sequence[str] | None) -> list[str]:
    names = _order(values.astype(str), baseline)
    if scenarios is not None:
        wanted = [str(s) for s in scenarios]
        names = [s for s in _order(wanted, baseline) if s in set(names)]
    return names


# --------------------------------------------------------------------------
# world map
# --------------------------------------------------------------------------


def country_map_figure(
    country_series: pd.DataFrame | None,
    *,
    baseline: str = BASELINE,
    scenarios: Sequence[str] | None = None,
    measures: Sequence[str] = ("spam_sent", "spam_received"),
) -> go.Figure:
    """Animated world map of spam sent from and received in each country, per scenario.

    Values are yearly totals per country, the median over seeds of each (scenario, year,
    country). One choropleth per (scenario, measure) in that order, all on one colour
    scale fixed over every year, scenario and measure (0 to the largest value), so a
    darker country always means more spam and sending can be compared with receiving. A
    drop-down picks which one is shown (baseline, spam sent first); frames are the years
    (named after them), each repainting every trace, and a slider or Play steps through
    them. ``ROW`` has no outline and is left out. ``fig.layout.meta`` lists the
    ``scenarios`` and ``measures`` in trace order.
    """
    title = "Where spam comes from and where it lands (yearly total, median over seeds)"
    if is_empty(country_series):
        return empty_figure(title)
    measures = [m for m in measures]
    require(country_series, ["scenario", "year", "country", *measures], "country_series")
    cs = country_series.loc[country_series["country"].astype(str) != ROW_CODE]
    names = _scenarios(cs["scenario"], baseline, scenarios)
    if cs.empty or not names:
        return empty_figure(title, "no mapped countries (only rest of world)")
    cs = cs.loc[cs["scenario"].astype(str).isin(names)].assign(
        scenario=lambda d: d["scenario"].astype(str), country=lambda d: d["country"].astype(str))
    med = cs.groupby(["scenario", "year", "country"], sort=True)[measures].median()
    years = sorted(int(y) for y in med.index.get_level_values("year").unique())
    countries = sorted(med.index.get_level_values("country").unique())
    grid = pd.MultiIndex.from_product([names, years, countries], names=["scenario", "year", "country"])
    med = med.reindex(grid, fill_value=0).sort_index()  # lexsorted for fast lookups
    zmax = float(np.nanmax(med.to_numpy())) if med.size else 0.0
    countries_esc = escape_series(pd.Series(countries)).to_numpy()
    pairs = [(s, m) for s in names for m in measures]

    def trace(scen: str, measure: str, year: int, visible: bool | None) -> go.Choropleth:
        label = f"{scen}: {MAP_MEASURES.get(measure, measure.replace('_', ' '))}"
        kw = {} if visible is None else {"visible": visible}
        z = med.loc[(scen, year), measure].reindex(countries).to_numpy(dtype=float)
        return go.Choropleth(
            locations=countries,
            z=z,
            locationmode="ISO-3",
            coloraxis="coloraxis",
            text=countries_esc,
            customdata=[units.quantity(v, "messages") for v in z],
            name=escape(label),
            marker=dict(line=dict(color="#ffffff", width=0.5)),
            hovertemplate="%{text}: %{customdata}<extra>%{fullData.name}, " + str(year) + "</extra>",
            **kw,
        )

    first = years[0]
    data = [trace(s, m, first, k == 0) for k, (s, m) in enumerate(pairs)]
    frames = [go.Frame(data=[trace(s, m, y, None) for s, m in pairs], traces=list(range(len(pairs))), name=str(y))
              for y in years]
    fig = go.Figure(data=data, frames=frames)
    style(fig, title, height=600)
    labels = [f"{s}: {MAP_MEASURES.get(m, m.replace('_', ' '))}" for s, m in pairs]
    controls = animation_controls(years)
    fig.update_layout(
        hovermode="closest",
        margin=dict(l=10, r=10, t=110, b=10),
        coloraxis=map_coloraxis(zmax, "messages<br>per year"),
        geo=geo_layout(),
        updatemenus=[*controls["updatemenus"], scenario_dropdown(labels, 1)],
        sliders=controls["sliders"],
    )
    _set_meta(fig, scenarios=names, measures=list(measures), years=years)
    return fig


# --------------------------------------------------------------------------
# cooperation network
# --------------------------------------------------------------------------


def _position(code: str, centroids: Mapping[str, tuple[float, float]]) -> tuple[float, float] | None:
    if code in centroids:
        lon, lat = centroids[code]
        return float(lon), float(lat)
    if code == ROW_CODE:
        return ROW_POSITION
    return None


def cooperation_network_figure(
    edges: pd.DataFrame | None,
    scenario: str,
    *,
    centroids: Mapping[str, tuple[float, float]] | None = None,
    countries: Sequence[str] | None = None,
) -> go.Figure:
    """Who can ask whom for assistance, at the start and at the end of one scenario.

    Two maps side by side (``when`` = ``start``, ``end``), nodes at the countries'
    centroids (``centroids``: ISO3 -> (lon, lat); ``ROW`` at :data:`ROW_POSITION`,
    countries without a position are left out and listed in ``meta["unplaced"]``), an
    edge for every pair with a channel, one trace per channel and panel, coloured by
    channel (the same colour in both panels; legend entries shared). ``countries`` adds
    nodes that have no channel at all (grey), so isolation shows too. Node hovers say
    how many countries each can ask. ``meta["edges"]`` counts the pairs per panel.
    """
    title = f"Who can ask whom for assistance: {scenario}"
    centroids = centroids or {}
    cols = ["scenario", "when", "a", "b", "channel"]
    e = pd.DataFrame(columns=cols) if is_empty(edges) else edges
    require(e, cols, "cooperation_edges")
    e = e.loc[e["scenario"].astype(str) == str(scenario)].astype({"a": str, "b": str, "channel": str})
    nodes = list(dict.fromkeys([*(countries or []), *e["a"], *e["b"]]))
    if not nodes:
        return empty_figure(title, "no countries to show")
    placed = {c: p for c in nodes if (p := _position(c, centroids)) is not None}
    unplaced = [c for c in nodes if c not in placed]
    channels = sorted(set(e["channel"]))
    colour = {ch: PALETTE[i % (len(PALETTE) - 1)] for i, ch in enumerate(channels)}
    panels = (("start", "At the start"), ("end", "At the end of the run"))
    fig = make_subplots(rows=1, cols=2, specs=[[{"type": "scattergeo"}, {"type": "scattergeo"}]],
                        subplot_titles=[f"{label}: {int((e['when'] == w).sum())} pairs" for w, label in panels],
                        horizontal_spacing=0.02)
    shown: set[str] = set()
    for col, (when, _) in enumerate(panels, start=1):
        sub = e.loc[(e["when"] == when) & e["a"].isin(placed) & e["b"].isin(placed)]
        for ch in channels:
            links = sub.loc[sub["channel"] == ch]
            if links.empty:
                continue
            lon: list = []
            lat: list = []
            for a, b in zip(links["a"], links["b"]):
                lon += [placed[a][0], placed[b][0], None]
                lat += [placed[a][1], placed[b][1], None]
            fig.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="lines", name=escape(ch), legendgroup=escape(ch),
                                        showlegend=ch not in shown, line=dict(width=1.5, color=colour[ch]),
                                        opacity=0.7, hoverinfo="skip"), row=1, col=col)
            shown.add(ch)
        degree = pd.concat([sub["a"], sub["b"]]).value_counts()
        codes = list(placed)
        deg = np.array([int(degree.get(c, 0)) for c in codes])
        labels = escape_series(pd.Series([c if c != ROW_CODE else "ROW (rest of world)" for c in codes]))
        fig.add_trace(go.Scattergeo(
            lon=[placed[c][0] for c in codes], lat=[placed[c][1] for c in codes], mode="markers+text",
            text=escape_series(pd.Series(codes)).to_numpy(), textposition="top center", textfont=dict(size=9),
            name="countries", showlegend=False,
            marker=dict(size=np.where(deg > 0, 7 + np.sqrt(deg) * 2, 6), color=np.where(deg > 0, "#1d2433", "#b0b6bf"),
                        line=dict(width=0.5, color="#ffffff")),
            customdata=np.stack([labels.to_numpy(), deg.astype(object)], axis=1),
            hovertemplate="%{customdata[0]} can ask %{customdata[1]} countries<extra></extra>",
        ), row=1, col=col)
    style(fig, title, height=470, hovermode="closest",
           legend=dict(orientation="h", yanchor="top", y=-0.02, xanchor="left", x=0.0, title=dict(text="channel: ")))
    geo = geo_layout()
    geo["showocean"] = False
    fig.update_geos(**geo)
    fig.update_layout(margin=dict(l=10, r=10, t=90, b=40))
    if not len(e):
        fig.add_annotation(text="no channels in this scenario, neither at the start nor at the end",
                           xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           font=dict(size=14, color="#666666"))
    _set_meta(fig, edges={w: int((e["when"] == w).sum()) for w, _ in panels}, channels=channels, unplaced=unplaced)
    return fig


# --------------------------------------------------------------------------
# relocations
# --------------------------------------------------------------------------


def relocation_flows_figure(
    relocations: pd.DataFrame | None,
    *,
    baseline: str = BASELINE,
    scenarios: Sequence[str] | None = None,
    runs_per_scenario: Mapping[str, int] | None = None,
    top: int = 15,
) -> go.Figure:
    """Where spammers moved: a Sankey of moves between countries, one scenario at a time.

    A link's value is the mean number of moves per run from one country (left) to
    another (right): the moves summed over seeds divided by the scenario's number of
    runs (``runs_per_scenario``, e.g. the successful runs; default the seeds present in
    the table, which undercounts runs in which nothing moved). Moves that stay in the
    country (a switch to botnet rental) are left out. The ``top`` country pairs by total
    are shown, each split into a link per kind (operators moving home, servers moving),
    coloured by kind. One Sankey per scenario, picked from a drop-down (baseline first);
    ``meta["scenarios"]`` lists them in trace order.
    """
    title = "Where spammers moved (mean moves per run between countries)"
    if is_empty(relocations):
        return empty_figure(title, "no relocations")
    require(relocations, ["scenario", "from_country", "to_country", "kind", "moves"], "relocations")
    r = relocations.astype({"scenario": str, "from_country": str, "to_country": str, "kind": str})
    r = r.loc[r["from_country"] != r["to_country"]]
    names = _scenarios(r["scenario"], baseline, scenarios)
    if r.empty or not names:
        return empty_figure(title, "no moves between countries")
    traces = []
    for scen in names:
        sub = r.loc[r["scenario"] == scen]
        n = (runs_per_scenario or {}).get(scen) or (sub["seed"].nunique() if "seed" in sub.columns else 1)
        flows = sub.groupby(["from_country", "to_country", "kind"], sort=True)["moves"].sum() / max(int(n), 1)
        flows = flows.reset_index()
        pair_total = flows.groupby(["from_country", "to_country"])["moves"].sum()
        keep = pair_total.sort_values(ascending=False, kind="stable").head(max(int(top), 1)).index
        flows = flows.set_index(["from_country", "to_country"]).loc[lambda d: d.index.isin(keep)].reset_index()
        sources = sorted(set(flows["from_country"]))
        targets = sorted(set(flows["to_country"]))
        node_labels = [*sources, *targets]
        idx_s = {c: i for i, c in enumerate(sources)}
        idx_t = {c: len(sources) + i for i, c in enumerate(targets)}
        kinds = flows["kind"].map(lambda k: RELOCATION_KINDS.get(k, (k.replace("_", " "), "#8a8f98")))
        traces.append(go.Sankey(
            visible=scen == names[0],
            name=escape(scen),
            arrangement="snap",
            valueformat=".1f",
            node=dict(label=escape_series(pd.Series(node_labels, dtype=str)).tolist(), pad=12, thickness=14,
                      color=["#56B4E9"] * len(sources) + ["#D55E00"] * len(targets),
                      customdata=["from"] * len(sources) + ["to"] * len(targets),
                      hovertemplate="%{customdata} %{label}: %{value:.1f} moves per run<extra></extra>"),
            link=dict(source=[idx_s[c] for c in flows["from_country"]],
                      target=[idx_t[c] for c in flows["to_country"]],
                      value=flows["moves"].to_numpy(dtype=float),
                      color=[k[1] + "99" for k in kinds],  # translucent, so crossing links stay legible
                      customdata=[k[0] for k in kinds],
                      hovertemplate="%{source.label} to %{target.label}: %{value:.1f} per run"
                                    "<br>%{customdata}<extra></extra>"),
        ))
    fig = go.Figure(traces)
    style(fig, title, height=max(420, 60 + 26 * min(int(top), 20)), hovermode="closest")
    fig.update_layout(margin=dict(l=10, r=10, t=110, b=20),
                      updatemenus=[scenario_dropdown(names, 1)] if len(names) > 1 else [])
    key = " &nbsp; ".join(f'<span style="color:{c}">■</span> {label}' for label, c in RELOCATION_KINDS.values())
    fig.add_annotation(text=key, xref="paper", yref="paper", x=1.0, y=1.0, xanchor="right", yanchor="bottom",
                       showarrow=False, font=dict(size=12))
    _set_meta(fig, scenarios=names, top=int(top))
    return fig

