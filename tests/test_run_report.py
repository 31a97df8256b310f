"""Tests for the self-contained run report (simspam.report), without a browser.

They check the properties that make the page usable offline and safe:
plotly.js embedded once, world outlines embedded before it, no network
URL in any src/href, outside text escaped (by the template's autoescape), and
that the page is written before the run's summary.json, or not at all.
"""

from __future__ import annotations

import json
import os
import re
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

from simspam.report import run_report
from simspam.report.html import render
from simspam.report.model import Card, Provenance, Report, Section, Table
from simspam.report.pages import run_extras
from simspam.results.run import write_run
from conftest import parse_html


def build_run_report(daily, events, summary) -> str:
    """The run's report, rendered as its page."""
    report = run_report.build_run_report(daily, events, summary)
    assert isinstance(report, Report)
    return render(report)

try:  # tests/ is on sys.path when it is not a package
    from test_viz import make_daily, make_events
except ImportError:  # pragma: no cover - tests/ made a package later
    from tests.test_viz import make_daily, make_events

EVIL = "<script>alert(1)</script>"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def make_summary(name: str = "Baseline", description: str = "No new policy.") -> dict:
    return {
        "headline": {
            "spam_delivered_total": 1.23e9,
            "spammer_revenue_usd": 5.6e6,
            "active_spammers_peak": 3.4e6,
            "spam_share_pct": 45.25,
            "consumer_hours": 2.5e6,
        },
        "scenario": {"name": name, "description": description},
        "provenance": {
            "version": "0.1.0",
            "seed": 42,
            "command": "simspam run scenario=baseline seed=42",
            "created": "2025-01-02T03:04:05Z",
            "config_yaml": "seed: 42\nscenario:\n  name: baseline\n",
        },
    }


@pytest.fixture(scope="module")
def tables():
    return make_daily(), make_events()


@pytest.fixture(scope="module")
def page(tables) -> str:
    daily, events = tables
    return build_run_report(daily, events, make_summary())


parse = parse_html  # the shared HTML collector (conftest)


# --------------------------------------------------------------------------


def test_plotlyjs_embedded_exactly_once(page):
    js = get_plotlyjs()
    assert page.count(js) == 1
    scripts = parse(page).scripts
    assert sum(1 for s in scripts if len(s) > 1_000_000) == 1


def test_no_network_source_anywhere(page):
    parsed = parse(page)
    for tag, attrs in parsed.tags:
        for attr in ("src", "href", "data", "action", "poster", "srcset"):
            value = (attrs.get(attr) or "").strip().lower()
            assert not value.startswith(("http://", "https://", "//")), (tag, attr, value)
    assert not any(tag in ("link", "iframe", "img", "object", "embed") for tag, _ in parsed.tags)
    # Outside the verbatim plotly.js bundle there is no URL at all, and no CDN.
    rest = page.replace(get_plotlyjs(), "")
    assert "cdn.plot.ly" not in rest
    assert not re.search(r"https?://", rest)
    # Inside plotly.js the only mention of the CDN is the topojsonURL default,
    # which is never used because the outlines are preset (see html.py).
    assert get_plotlyjs().count("cdn.plot.ly") <= 1


def test_csp_forbids_network(page):
    meta = [a for t, a in parse(page).tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(meta) == 1
    csp = meta[0]["content"]
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    assert "http" not in csp


def test_topojson_embedded_before_plotlyjs(page):
    scripts = parse(page).scripts
    geo_idx = next(i for i, s in enumerate(scripts) if "window.PlotlyGeoAssets" in s)
    js_idx = next(i for i, s in enumerate(scripts) if len(s) > 1_000_000)
    assert geo_idx < js_idx
    m = re.search(r'window\.PlotlyGeoAssets = \{topojson: \{"world_110m": (.*)\}\};\s*$', scripts[geo_idx], re.S)
    assert m, "PlotlyGeoAssets assignment not found"
    topo = json.loads(m.group(1))
    ids = {g.get("id") for g in topo["objects"]["countries"]["geometries"]}
    assert {"USA", "CHN", "DEU", "BRA"} <= ids
    for layer in ("land", "ocean", "coastlines", "countries"):
        assert layer in topo["objects"]


def test_every_figure_has_offline_topojson_url(page):
    n_figs = page.count('class="plotly-graph-div"')
    assert n_figs == 9  # share, flows, 2 maps, economy, harm, enforcement, timeline, table
    configs = re.findall(r'"topojsonURL": "([^"]*)"', page)
    assert len(configs) == n_figs
    assert all(not c.lower().startswith(("http", "//")) for c in configs)
    # the animated maps carry their frames
    assert page.count("Plotly.addFrames(") == 2
    assert "Plotly.animate(" not in page  # no autoplay on load


def test_sections_headline_and_provenance(page):
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings[:8] == [
        "How much of email is spam",
        "What happens to spam",
        "Where spam comes from, and where it lands",
        "The spam business",
        "Harm to people and the economy",
        "Enforcement and international cooperation",
        "Timeline of events",
        "Countries",
    ]
    assert headings[-1] == "Provenance"
    cards = dict(
        (label, value)
        for value, label in re.findall(r'<div class="card-value">(.*?)</div><div class="card-label">(.*?)</div>', page)
    )
    assert cards["Spam delivered total"] == "1.2 bn"
    assert cards["Spammer revenue"] == "$5.6 M"
    assert cards["Active spammers peak"] == "3.4 M"
    assert cards["Spam share"] == "45.2 %"
    assert cards["Consumer time lost to spam"] == "2.5 M h"  # an outcome of the catalogue: its label and unit
    assert "simspam run scenario=baseline seed=42" in page
    assert "2025-01-02T03:04:05Z" in page
    assert re.search(r"<details><summary>[^<]*</summary><pre[^>]*>seed: 42\nscenario:\n  name: baseline\n</pre></details>", page)


def test_outside_text_is_escaped(tables):
    daily, events = tables
    events = events.copy()
    events["detail"] = EVIL
    summary = make_summary(name=EVIL, description=EVIL)
    summary["provenance"]["config_yaml"] = EVIL
    summary["provenance"]["command"] = EVIL
    summary["headline"][EVIL] = 1.0
    page = build_run_report(daily, events, summary)
    assert EVIL not in page
    assert "<script>alert" not in page
    assert f"<title>simspam run report: {EVIL_ESCAPED}</title>" in page
    assert f'<p class="description">{EVIL_ESCAPED}</p>' in page
    assert f'<pre class="config">{EVIL_ESCAPED}</pre>' in page


def test_render_escapes_every_text_of_the_model():
    """Builders hand plain text to the model; the template escapes all of it, tables included."""
    report = Report(
        EVIL,
        [Section(EVIL, "first " + EVIL + "\n\nsecond", tables=[Table([EVIL, "n"], [[EVIL, "1"]], prose=frozenset({0}))])],
        Provenance.of({"seed": EVIL, "config_yaml": EVIL}),
        subtitle=EVIL,
        cards=[Card(EVIL, EVIL, note=EVIL), Card("n", 1.0, low=0.5, high=2.0, interval=EVIL)],
    )
    page = render(report)
    assert EVIL not in page
    assert f"<h2>{EVIL_ESCAPED}</h2>" in page
    assert f"<p>first {EVIL_ESCAPED}</p><p>second</p>" in page
    assert f'<th style="text-align:left">{EVIL_ESCAPED}</th>' in page and f'<td style="text-align:left">{EVIL_ESCAPED}</td>' in page
    assert f'<p class="subtitle">{EVIL_ESCAPED}</p>' in page and f"<dd>{EVIL_ESCAPED}</dd>" in page
    assert f'<div class="card-interval">{EVIL_ESCAPED}: 0.5 to 2</div>' in page
    assert page.count('class="plotly-graph-div"') == 0


def test_figures_are_numbered_in_page_order_and_listed_by_the_model():
    figs = [go.Figure(go.Bar(y=[i])) for i in range(3)]
    report = Report("t", [Section("a", figures=figs[:2]), Section("b"), Section("c", figures=figs[2:])], Provenance.of({}))
    page = render(report)
    assert list(dict.fromkeys(re.findall(r'id="(simspam-fig-\d+)"', page))) == ["simspam-fig-1", "simspam-fig-2", "simspam-fig-3"]
    assert [(i, s.heading) for i, s, _ in report.figures] == [(1, "a"), (1, "a"), (3, "c")]


def test_report_is_deterministic(tables, page):
    daily, events = tables
    assert build_run_report(daily, events, make_summary()) == page


def test_report_with_empty_inputs():
    daily = make_daily().iloc[0:0]
    events = make_events().iloc[0:0]
    page = build_run_report(daily, events, {})
    assert "no events" in page and "no data" in page
    assert "unnamed scenario" in page
    page2 = build_run_report(make_daily("2024-01-01", "2024-02-15"), None, None)
    assert "no events" in page2


# --------------------------------------------------------------------------
# written into the run's folder, before its summary
# --------------------------------------------------------------------------


def test_write_run_writes_the_page_before_the_summary(tmp_path, tables, page):
    daily, events = tables
    result = SimpleNamespace(daily=daily, events=events, summary=make_summary())
    out = write_run(result, tmp_path / "out", extras=run_extras(result))
    assert (out / "report.html").read_text(encoding="utf-8") == page
    assert sorted(os.listdir(out)) == ["daily.parquet", "events.parquet", "report.html", "summary.json"]
    files = sorted(out.iterdir(), key=lambda p: p.stat().st_mtime_ns)
    assert files[-1].name == "summary.json"  # the completion marker comes last


def test_render_failure_writes_no_page_and_no_summary(tmp_path, tables, monkeypatch):
    daily, events = tables

    def failing_figure(*args, **kwargs):
        raise RuntimeError("render failed")

    monkeypatch.setattr(run_report, "harm_figure", failing_figure)
    result = SimpleNamespace(daily=daily, events=events, summary=make_summary())
    (tmp_path / "report.html").write_text("previous report", encoding="utf-8")
    with pytest.raises(RuntimeError, match="render failed"):
        write_run(result, tmp_path, extras=run_extras(result))
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "previous report"
    assert sorted(os.listdir(tmp_path)) == ["daily.parquet", "events.parquet", "report.html"]  # no summary.json
