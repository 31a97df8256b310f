"""Self-contained, offline HTML pages made of plotly figures.

A report must open years later, on an air-gapped laptop, from an e-mail
attachment. So the page written here carries everything it needs:

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
* CSS is inline and uses only system fonts.

Every piece of text that comes from outside (titles, scenario names and
descriptions, provenance, config YAML, section text) is HTML-escaped here;
only ``Section.table_html`` is inserted verbatim and must be built by trusted
code (e.g. ``DataFrame.to_html(escape=True)``).
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import plotly
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from simspam.viz.run_figures import human_number

__all__ = [
    "Section",
    "FIGURE_CONFIG",
    "CONTENT_SECURITY_POLICY",
    "render_page",
    "write_atomic",
    "world_topojson",
    "format_headline",
    "figure_div",
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

_TOPOJSON_NAME = "world_110m"


@dataclass
class Section:
    """One titled block of the page: a short explanation, figures, an optional table.

    ``heading`` and ``text`` are escaped (``text`` may hold several
    paragraphs separated by blank lines). ``table_html`` is inserted as is:
    pass only HTML produced by trusted code that escaped its own data.
    """

    heading: str
    text: str = ""
    figures: Sequence[go.Figure] = field(default_factory=list)
    table_html: str | None = None


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


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


@lru_cache(maxsize=1)
def _plotlyjs() -> str:
    js = get_plotlyjs()
    if "</script" in js.lower():  # would end the inline <script> early
        raise RuntimeError("bundled plotly.js contains '</script' and cannot be inlined")
    return js


# --------------------------------------------------------------------------
# headline cards
# --------------------------------------------------------------------------

_MONEY_WORDS = ("usd", "revenue", "cost", "dollar")
_UNIT_SUFFIXES = ("_usd", "_pct", "_percent")


def format_headline(name: str, value: object) -> tuple[str, str]:
    """Label and human-readable value for one headline card.

    ``value`` is a number, or a mapping ``{"value": x, "unit": u, "label": l}``
    (the cards also read ``low``/``high``, an interval shown under the value in
    the same unit, its name ``interval`` and a ``note``) when the producer wants to be explicit (``unit`` one of ``"usd"``,
    ``"%"``, ``"share"`` (a 0-1 fraction), ``"hours"``, or any text appended
    after the number). For plain numbers the unit is guessed from the name,
    which is what the engine's summary keys look like: ``*_usd``, ``*revenue*``
    and ``*cost*`` are dollars; ``*_pct``/``*percent*`` are percentages;
    ``*share*``/``*rate*`` are percentages if above 1 and fractions otherwise;
    ``*hours*`` are hours.
    """
    label = None
    unit = None
    if isinstance(value, Mapping):
        label = value.get("label")
        unit = value.get("unit")
        value = value.get("value")
    lname = name.lower()
    if label is None:
        label = name
        for suffix in _UNIT_SUFFIXES:
            if label.lower().endswith(suffix) and len(label) > len(suffix):
                label = label[: -len(suffix)]
                break
        label = label.replace("_", " ").strip()
        label = label[:1].upper() + label[1:]
    if unit is None:
        if any(w in lname for w in _MONEY_WORDS):
            unit = "usd"
        elif lname.endswith("_pct") or "percent" in lname:
            unit = "%"
        elif "share" in lname or "rate" in lname:
            unit = "share"
        elif "hours" in lname:
            unit = "hours"
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(label), ("n/a" if value is None else str(value))
    if not math.isfinite(x):
        return str(label), "n/a"
    if unit == "usd":
        text = human_number(x, money=True)
    elif unit == "share":
        text = f"{(x * 100 if abs(x) <= 1 else x):.1f} %"
    elif unit == "%":
        text = f"{x:.1f} %"
    elif unit == "hours":
        text = f"{human_number(x)} h"
    elif unit:
        text = f"{human_number(x)} {unit}"
    else:
        text = human_number(x)
    return str(label), text


def _cards_html(headline: Mapping[str, object] | None) -> str:
    if not headline:
        return ""
    cards = []
    for name, value in headline.items():
        label, text = format_headline(str(name), value)
        extra = ""
        if isinstance(value, Mapping) and value.get("low") is not None and value.get("high") is not None:
            lo = format_headline(str(name), {**value, "value": value["low"]})[1]
            hi = format_headline(str(name), {**value, "value": value["high"]})[1]
            extra += f'<div class="card-interval">{_e(value.get("interval", "90 % interval"))}: {_e(lo)} to {_e(hi)}</div>'
        if isinstance(value, Mapping) and value.get("note"):
            extra += f'<div class="card-note">{_e(value["note"])}</div>'
        cards.append(f'<div class="card"><div class="card-value">{_e(text)}</div>{extra}'
                     f'<div class="card-label">{_e(label)}</div></div>')
    return '<section class="cards" aria-label="Headline numbers">' + "".join(cards) + "</section>"


# --------------------------------------------------------------------------
# provenance
# --------------------------------------------------------------------------

_PROVENANCE_ORDER = (("version", "simspam version"), ("seed", "Seed"), ("command", "Command"), ("created", "Created"))


def _fmt_prov(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _provenance_html(provenance: Mapping[str, object] | None) -> str:
    prov = dict(provenance or {})
    rows = []
    for key, label in _PROVENANCE_ORDER:
        cls = ' class="mono"' if key == "command" else ""
        rows.append(f"<dt>{_e(label)}</dt><dd{cls}>{_e(_fmt_prov(prov.get(key, 'n/a')))}</dd>")
    for key, value in prov.items():
        if key in dict(_PROVENANCE_ORDER) or key == "config_yaml":
            continue
        rows.append(f"<dt>{_e(key)}</dt><dd>{_e(_fmt_prov(value))}</dd>")
    rows.append(f"<dt>Rendered with</dt><dd>plotly.py {_e(plotly.__version__)} (plotly.js embedded)</dd>")
    config = prov.get("config_yaml")
    details = ""
    if config:
        details = (
            "<details><summary>Resolved configuration (YAML)</summary>"
            f'<pre class="config">{_e(config)}</pre></details>'
        )
    return (
        '<footer class="provenance" id="provenance"><h2>Provenance</h2>'
        "<p>Everything needed to reproduce this run: rerun the command with the same version, seed and configuration.</p>"
        f"<dl>{''.join(rows)}</dl>{details}</footer>"
    )


# --------------------------------------------------------------------------
# page
# --------------------------------------------------------------------------

_CSS = """
:root { --fg:#1d2433; --muted:#5b6473; --bg:#ffffff; --panel:#f5f7fa; --line:#dde3ea; --accent:#0072B2; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; background:var(--bg); color:var(--fg);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.wrap { max-width: 1200px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { font-size: 1.9rem; line-height:1.2; margin: 0 0 4px; }
header .subtitle { font-size: 1.15rem; color: var(--accent); margin: 0 0 6px; font-weight: 600; }
header .description { color: var(--muted); margin: 0 0 18px; max-width: 70ch; }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin: 8px 0 20px; }
.card { flex: 1 1 170px; background: var(--panel); border:1px solid var(--line); border-left: 4px solid var(--accent);
  border-radius: 6px; padding: 12px 14px; min-width: 150px; }
.card-value { font-size: 1.55rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.card-label { color: var(--muted); font-size: .9rem; }
.card-interval { font-size: .85rem; font-variant-numeric: tabular-nums; }
.card-note { color: var(--muted); font-size: .8rem; font-style: italic; }
nav.toc { display:flex; flex-wrap:wrap; gap: 4px 18px; border-top:1px solid var(--line); border-bottom:1px solid var(--line);
  padding: 8px 0; margin-bottom: 8px; font-size:.95rem; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
section.report-section { padding: 18px 0 8px; border-bottom: 1px solid var(--line); }
section.report-section h2 { font-size: 1.35rem; margin: 0 0 6px; }
section.report-section p { margin: 0 0 10px; max-width: 80ch; }
.figure { margin: 8px 0 16px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child { text-align: left; }
footer.provenance { margin-top: 28px; background: var(--panel); border:1px solid var(--line); border-radius: 6px; padding: 14px 18px; font-size:.95rem; }
footer.provenance h2 { font-size: 1.15rem; margin: 0 0 4px; }
footer.provenance dl { display:grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 10px 0; }
footer.provenance dt { color: var(--muted); }
footer.provenance dd { margin: 0; overflow-wrap:anywhere; }
.mono, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: .88rem; }
pre.config { background:#fff; border:1px solid var(--line); padding: 10px; overflow:auto; max-height: 480px; }
summary { cursor: pointer; color: var(--accent); }
@media print { nav.toc { display:none; } .figure { break-inside: avoid; } }
"""


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


def _paragraphs(text: str) -> str:
    parts = [p.strip() for p in str(text or "").split("\n\n")]
    return "".join(f"<p>{_e(p)}</p>" for p in parts if p)


def render_page(
    title: str,
    sections: Iterable[Section],
    provenance: Mapping[str, object] | None,
    *,
    headline: Mapping[str, object] | None = None,
    subtitle: str | None = None,
    description: str | None = None,
) -> str:
    """The complete HTML document as one string.

    Layout: title (and optional subtitle/description, e.g. the scenario),
    a row of headline cards, a table of contents, the sections in order,
    and a provenance panel. The result needs no network and no other file.
    """
    sections = list(sections)
    body: list[str] = []
    body.append(f"<header><h1>{_e(title)}</h1>")
    if subtitle:
        body.append(f'<p class="subtitle">{_e(subtitle)}</p>')
    if description:
        body.append(f'<p class="description">{_e(description)}</p>')
    body.append("</header>")
    body.append(_cards_html(headline))
    if sections:
        links = "".join(f'<a href="#section-{i + 1}">{_e(s.heading)}</a>' for i, s in enumerate(sections))
        body.append(f'<nav class="toc" aria-label="Contents">{links}<a href="#provenance">Provenance</a></nav>')
    fig_no = 0
    for i, sec in enumerate(sections):
        parts = [f'<section class="report-section" id="section-{i + 1}"><h2>{_e(sec.heading)}</h2>', _paragraphs(sec.text)]
        for fig in sec.figures:
            fig_no += 1
            parts.append(f'<div class="figure">{figure_div(fig, f"simspam-fig-{fig_no}")}</div>')
        if sec.table_html:
            parts.append(f'<div class="table">{sec.table_html}</div>')
        parts.append("</section>")
        body.append("".join(parts))
    body.append(_provenance_html(provenance))

    head = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        '<meta name="generator" content="simspam">\n'
        f"<title>{_e(title)}</title>\n"
        f"<style>{_CSS}</style>\n"
        # Must run before plotly.js: it keeps an existing PlotlyGeoAssets.
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};\n"
        f'window.PlotlyGeoAssets = {{topojson: {{"{_TOPOJSON_NAME}": {world_topojson()}}}}};</script>\n'
        f'<script charset="utf-8">{_plotlyjs()}</script>\n'
        "</head>\n"
    )
    return head + '<body>\n<div class="wrap">\n' + "\n".join(body) + "\n</div>\n</body>\n</html>\n"


def write_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8, flushed to disk) to ``path`` so that readers never see half a
    file (:func:`simspam.atomic.write_text`).  The parent directory must exist."""
    from simspam.atomic import write_text

    return write_text(path, text)
