"""The offline web page of a report: a :class:`~simspam.report.model.Report` rendered through a
Jinja2 template (``templates/report.html.j2``) with autoescape on.

A report must open years later, on an air-gapped laptop, from an e-mail attachment. So the
page written here carries everything it needs:

* plotly.js is embedded once, in full (``plotly.offline.get_plotlyjs()``);
* the world country outlines (``simspam/viz/assets/world_110m.json``) are set
  as ``window.PlotlyGeoAssets.topojson["world_110m"]`` *before* plotly.js
  loads. plotly.js (checked in v4.1.1, the one bundled with plotly.py 7.1)
  only fetches a topojson when ``PlotlyGeoAssets.topojson[name] === undefined``
  (``fetchTopojson`` in its geo module), and at registration it creates
  ``window.PlotlyGeoAssets`` only if it does not exist yet, so the embedded
  outlines are used and its CDN default (``topojsonURL``) is never contacted;
* every figure also gets a non-network ``topojsonURL`` in its config, and the
  page sets a Content-Security-Policy that forbids any network load
  (``default-src 'none'``), so even a future plotly.js that tried to fetch
  would fail closed instead of leaking a request;
* CSS is inline (``templates/report.css``) and uses only system fonts.

Every piece of text in the report (titles, scenario names and descriptions, provenance,
config YAML, section text, card and table cells) is plain text in the model and is
HTML-escaped by the template's autoescape.  Only three things go into the page as they are,
each made here by trusted code: plotly.js, the outlines (JSON made script-safe) and each
figure's own ``<div>`` and script from plotly.py (which escapes the figure's JSON for a
``<script>``; the figures themselves escape text from the data, :mod:`simspam.viz.common`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import plotly
import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from .model import Report

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "FIGURE_CONFIG",
    "TOPOJSON_NAME",
    "figure_div",
    "geo_assets_script",
    "render",
    "world_topojson",
]

#: Passed to every figure. ``topojsonURL`` is deliberately a relative path,
#: not the plotly CDN: the outlines are embedded, and if plotly.js ever tried
#: to fetch anyway it would look next to the file, never on the network.
FIGURE_CONFIG: dict = {
    "topojsonURL": "./",
    "displaylogo": False,
    "responsive": True,
    "showSendToCloud": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

#: No network at all: scripts and styles only inline, images only data/blob
#: URLs (plotly's "download as PNG"), no fetch/XHR, no frames, no fonts.
#: ``'unsafe-eval'`` is allowed because some plotly.js code paths compile
#: functions at run time; it does not open any network path.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; "
    "script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; "
    "img-src data: blob:; "
    "font-src data:; "
    "connect-src 'none'; "
    "worker-src blob:; "
    "base-uri 'none'; "
    "form-action 'none'"
)

TOPOJSON_NAME = "world_110m"


def _script_safe_json(text: str) -> str:
    """Make JSON text safe to put inside ``<script>``.

    In JSON a ``<`` can only occur inside a string, where ``\\u003c`` means
    the same character, so this cannot change the data but does rule out a
    premature ``</script>`` or ``<!--``.
    """
    return text.replace("<", "\\u003c")


@lru_cache(maxsize=1)
def world_topojson() -> str:
    """The bundled world outlines as compact, script-safe JSON text.

    Parsed and re-serialised once so that a corrupted asset fails loudly at
    report time rather than producing a page whose maps silently stay blank.
    """
    raw = resources.files("simspam.viz").joinpath("assets", "world_110m.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    if "countries" not in data.get("objects", {}):
        raise ValueError("world_110m.json has no 'countries' layer")
    return _script_safe_json(json.dumps(data, separators=(",", ":")))


def geo_assets_script() -> str:
    """The statement that presets the outlines for plotly.js (the HTML page and the image
    exporter's page both run it before plotly.js loads)."""
    return f'window.PlotlyGeoAssets = {{topojson: {{"{TOPOJSON_NAME}": {world_topojson()}}}}};'


@lru_cache(maxsize=1)
def _plotlyjs() -> str:
    js = get_plotlyjs()
    if "</script" in js.lower():  # would end the inline <script> early
        raise RuntimeError("bundled plotly.js contains '</script' and cannot be inlined")
    return js


def figure_div(fig: go.Figure, div_id: str) -> str:
    """One figure as a ``<div>`` plus its inline plotting script.

    plotly.js is not included (the page loads it once); the config carries
    the offline ``topojsonURL``. Animations do not start by themselves
    (plotly.py's default), so a map first shows its first year, matching
    its slider. A fixed ``div_id`` keeps the output
    deterministic, so two renders of the same run are byte-identical.
    """
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        auto_play=False,  # animated maps wait for Play instead of running on load
        config=FIGURE_CONFIG,
        div_id=div_id,
    )


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in str(text or "").split("\n\n") if p.strip()]


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("simspam.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["paragraphs"] = _paragraphs
    return env


def render(report: Report) -> str:
    """The complete HTML document of ``report`` as one string (nothing is written).

    Layout: title (and optional subtitle and description), a row of headline cards, a table
    of contents, the sections in order (prose, figures, tables) and a provenance panel.  The
    result needs no network and no other file; figures are numbered ``simspam-fig-1``, ... in
    page order, so two renders of the same report are byte-identical.
    """
    divs, n = [], 0
    for section in report.sections:
        here = []
        for fig in section.figures:
            n += 1
            here.append(Markup(figure_div(fig, f"simspam-fig-{n}")))
        divs.append(here)
    return _environment().get_template("report.html.j2").render(
        report=report,
        figures=divs,
        csp=Markup(CONTENT_SECURITY_POLICY),  # a constant of ours, without a double quote
        geo_assets=Markup(geo_assets_script()),
        plotlyjs=Markup(_plotlyjs()),
        plotly_version=plotly.__version__,
    )
