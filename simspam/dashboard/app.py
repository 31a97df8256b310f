"""The presenter app: layout and callbacks (Dash).

One results callback takes every control and asks :class:`~.service.Service` for an
answer; the status bar says which way the answer came (from cache, ran live, nearest
cached setting, computed on request) and the alert region shows bad input or a failed
run in one line while the previous figures stay.  A second callback loads controls from
the scenario picker or from the prepared scenarios (buttons, or the arrow / n / p keys
through ``assets/keys.js``).

Nothing is fetched from the network: Dash serves its own scripts (``serve_locally``),
the stylesheet is in ``assets/`` and uses system fonts, and plotly.js gets the world
outlines from this server (``/_simspam/geo/world_110m.json``) through ``topojsonURL``
instead of its CDN.
"""
from __future__ import annotations

from pathlib import Path

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import abort, send_from_directory

from . import figures
from .cache import RunCache
from .service import Answer, Service
from .spec import Spec

ASSETS = Path(__file__).resolve().parent / "assets"
GEO_DIR = Path(__file__).resolve().parents[1] / "viz" / "assets"
GEO_ROUTE = "/_simspam/geo/"
GRAPHS = ("map-graph", "share-graph", "flows-graph")


def _fid(kind: str, family: str) -> str:
    return f"{kind}-{family}"


def create_app(spec: Spec, cache: RunCache, present: bool = False, service: Service | None = None) -> Dash:
    """Build the Dash app for ``spec`` answering from ``cache`` (and live runs)."""
    service = service or Service(spec, cache)
    app = Dash(__name__, assets_folder=str(ASSETS), title="simspam dashboard", update_title=None,
               serve_locally=True, suppress_callback_exceptions=False)
    app.service = service

    @app.server.route(GEO_ROUTE + "<name>")
    def _geo(name: str):   # only the bundled outlines, never an arbitrary file
        if name != "world_110m.json":
            abort(404)
        return send_from_directory(GEO_DIR, name, mimetype="application/json", max_age=3600)

    graph_config = {"topojsonURL": app.get_relative_path(GEO_ROUTE), "displaylogo": False, "showSendToCloud": False}
    years = sorted(spec.start_years)
    targets = [{"label": t, "value": t} for t in spec.targets]
    # Dash 4's slider moves by 0.01 from the keyboard when step=None; a regular grid snaps by its step.
    gaps = {round(b - a, 9) for a, b in zip(spec.strengths, spec.strengths[1:])}
    strength_step = gaps.pop() if len(gaps) == 1 else None

    def family_box(name: str):
        fam = spec.families[name]
        return html.Fieldset(className="family", id=f"family-{name}", children=[
            html.Legend(fam.label),
            html.Label("Strength", htmlFor=_fid("strength", name)),
            dcc.Slider(id=_fid("strength", name), min=min(spec.strengths), max=max(spec.strengths), step=strength_step,
                       marks={s: f"{s:g}" for s in spec.strengths}, value=0),
            html.Label("From", htmlFor=_fid("start", name)),
            dcc.Slider(id=_fid("start", name), min=years[0], max=years[-1], step=1 if len(years) == years[-1] - years[0] + 1 else None,
                       marks={y: f"'{y % 100:02d}" for y in years}, value=years[0]),
            dcc.Dropdown(id=_fid("targets", name), options=targets, multi=True, value=[],
                         placeholder="countries as in the scenario", className="targets"),
        ])

    n_cached, n_current = len(cache), service.cached_for_current_model()
    cached_text = f"{n_cached} cached run{'s' if n_cached != 1 else ''}"
    if n_current != n_cached:
        cached_text += f" ({n_current} with the current model and default settings)"
    app.layout = html.Div(id="root", className="app present" if present else "app", children=[
        html.Header(className="top", children=[
            html.H1(spec.title),
            html.Span(f"{cached_text} · world {spec.world} · "
                      f"{spec.years:g} years · budget {spec.budget_seconds:g} s", id="cache-info"),
            dcc.Checklist(id="present", options=[{"label": " Presentation mode (t)", "value": "on"}],
                          value=["on"] if present else [], className="present-toggle"),
        ]),
        html.Div(className="prepared", children=[
            html.Button("◀ previous", id="prev-prepared", n_clicks=0, title="previous prepared scenario (← or p)"),
            html.Span(id="prepared-label", className="prepared-label", children="prepared scenarios: ← → or n / p"),
            html.Button("next ▶", id="next-prepared", n_clicks=0, title="next prepared scenario (→ or n)"),
            html.Span(id="prepared-note", className="prepared-note"),
        ]),
        html.Div(className="main", children=[
            html.Aside(className="controls", children=[
                html.Label("Scenario", htmlFor="scenario"),
                dcc.Dropdown(id="scenario", options=[{"label": s, "value": s} for s in spec.scenarios],
                             value=spec.prepared[0].scenario if spec.prepared else spec.scenarios[0], clearable=False),
                html.Label("Seed", htmlFor="seed"),
                dcc.Input(id="seed", type="number", value=spec.seed, debounce=True, step=1),
                *[family_box(n) for n in spec.families],
                html.Label("Model settings (key=value, space-separated)", htmlFor="overrides"),
                dcc.Input(id="overrides", type="text", value="", debounce=True,
                          placeholder="e.g. params.consumers.response_rate=0.00002"),
            ]),
            html.Main(className="results", children=[
                html.Div(className="statusbar", children=[
                    html.Span(id="status", className="status", **{"aria-live": "polite"}),
                    html.Button("Compute this exact setting", id="compute", n_clicks=0, style={"display": "none"}),
                ]),
                html.Div(id="alert", role="alert", className="alert"),
                html.Div(id="headline", className="headline"),
                dcc.RadioItems(id="map-column", value="spam_sent", inline=True, className="map-column",
                               options=[{"label": " sent from", "value": "spam_sent"},
                                        {"label": " addressed to", "value": "spam_received"}]),
                dcc.Graph(id="map-graph", config=graph_config),
                html.Div(className="pair", children=[
                    dcc.Graph(id="share-graph", config=graph_config),
                    dcc.Graph(id="flows-graph", config=graph_config),
                ]),
                html.Footer(id="description", className="description"),
            ]),
        ]),
        dcc.Store(id="prepared-index", data=-1),
    ])

    family_outputs = []
    for n in spec.families:
        family_outputs += [Output(_fid("strength", n), "value"), Output(_fid("start", n), "value"),
                           Output(_fid("targets", n), "value")]

    @app.callback(
        Output("scenario", "value"), *family_outputs, Output("prepared-index", "data"),
        Output("prepared-label", "children"), Output("prepared-note", "children"),
        Input("scenario", "value"), Input("prev-prepared", "n_clicks"), Input("next-prepared", "n_clicks"),
        State("prepared-index", "data"),
    )
    def load_controls(scenario, _prev, _next, index):
        """Picking a scenario shows its levers in the controls; prev/next load a prepared scenario."""
        trigger = ctx.triggered_id
        label, note = no_update, no_update
        if trigger in ("prev-prepared", "next-prepared") and spec.prepared:
            index = (index + (1 if trigger == "next-prepared" else -1)) % len(spec.prepared)
            p = spec.prepared[index]
            controls = spec.prepared_controls(p, spec.seed)
            scenario = p.scenario
            settings = dict(controls.levers)
            label = f"{index + 1}/{len(spec.prepared)} · {p.label}"
            note = p.note
        else:
            if scenario not in spec.scenario_levers:
                scenario = spec.scenarios[0]
            settings = spec.scenario_defaults(scenario)
            if trigger == "scenario":
                label, note = "prepared scenarios: ← → or n / p", ""
        values = []
        for n in spec.families:
            s = settings[n]
            values += [s.strength, s.start, list(s.targets)]
        return (scenario, *values, index, label, note)

    control_inputs = [Input("scenario", "value"), Input("seed", "value"), Input("overrides", "value")]
    for n in spec.families:
        control_inputs += [Input(_fid("strength", n), "value"), Input(_fid("start", n), "value"),
                           Input(_fid("targets", n), "value")]

    @app.callback(
        *[Output(g, "figure") for g in GRAPHS], Output("headline", "children"), Output("status", "children"),
        Output("status", "className"), Output("alert", "children"), Output("compute", "style"),
        Output("description", "children"),
        *control_inputs, Input("compute", "n_clicks"), Input("present", "value"), Input("map-column", "value"),
    )
    def update_results(scenario, seed, overrides, *rest):
        """Answer the current controls; show figures, say where they came from, or show the error."""
        *family_values, _compute, present_value, column = rest
        present_on = bool(present_value)
        levers = {}
        for i, n in enumerate(spec.families):
            strength, start, tgt = family_values[3 * i: 3 * i + 3]
            levers[n] = {"strength": strength, "start": start, "targets": tgt}
        try:
            controls = spec.controls(scenario, seed, levers, overrides)
        except Exception as err:   # ConfigError from the controls' own checks
            return _error(" ".join(str(err).split()))
        ans = service.answer(controls, exact=ctx.triggered_id == "compute")
        if ans.source == "error":
            return _error(ans.message)
        hidden, shown = {"display": "none"}, {"display": "inline-block"}
        if ans.result is None:   # too slow to run live and nothing cached near it
            empty = figures.message_figure("not computed yet", present_on)
            return (empty, empty, empty, [], ans.message, "status nearest", "", shown, spec.describe(controls))
        res, base = ans.result, ans.baseline
        try:
            figs = (figures.world_map(res, column or "spam_sent", present_on),
                    figures.spam_share(res, base, present_on), figures.flows(res, present_on))
            cards = [html.Div(className="card", children=[html.Div(label, className="card-label"),
                                                          html.Div(value, className="card-value"),
                                                          html.Div(delta, className="card-delta")])
                     for label, value, delta in figures.headline_rows(res, base)]
        except Exception as exc:   # a damaged cached run must not take the page down
            return _error(f"the figures could not be drawn: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}")
        status = _status_text(ans)
        shown_desc = spec.describe(ans.shown) if ans.shown is not None else ""
        return (*figs, cards, status, f"status {ans.source}", "",
                shown if ans.source == "nearest" else hidden, "Shown: " + shown_desc)

    def _error(message: str):
        return (no_update, no_update, no_update, no_update, "error: nothing changed", "status error",
                message, {"display": "none"}, no_update)

    @app.callback(Output("root", "className"), Input("present", "value"))
    def toggle_present(value):
        return "app present" if value else "app"

    return app


def _status_text(ans: Answer) -> str:
    if ans.source == "cache":
        return f"From cache · answered in {ans.seconds:.2f} s"
    if ans.source in ("live", "computed"):
        return ans.message[0].upper() + ans.message[1:]
    return ans.message[0].upper() + ans.message[1:]
