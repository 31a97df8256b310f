"""Tests for the self-contained run report (simspam.report), without a browser.

They check the properties that make the page usable offline and safe:
plotly.js embedded once, world outlines embedded before it, no network
URL in any src/href, outside text escaped, atomic writes.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from plotly.offline import get_plotlyjs

from simspam.report import html as report_html
from simspam.report import run_report
from simspam.report.html import Section, render_page, write_atomic
from simspam.report.run_report import build_run_report, write_run_report
from conftest import parse_html

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
    assert cards["Consumer hours"] == "2.5 M h"
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


def test_render_page_escapes_sections_and_keeps_table_html():
    page = render_page(
        EVIL,
        [Section(EVIL, "first " + EVIL + "\n\nsecond", [], table_html="<table><tr><td>ok</td></tr></table>")],
        {"seed": EVIL},
    )
    assert EVIL not in page
    assert f"<h2>{EVIL_ESCAPED}</h2>" in page
    assert f"<p>first {EVIL_ESCAPED}</p><p>second</p>" in page
    assert "<table><tr><td>ok</td></tr></table>" in page
    assert page.count('class="plotly-graph-div"') == 0


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
# atomic writing
# --------------------------------------------------------------------------


def test_write_atomic_writes_and_leaves_no_temp(tmp_path):
    target = tmp_path / "r.html"
    write_atomic(target, "héllo")
    write_atomic(target, "second ✓")
    assert target.read_text(encoding="utf-8") == "second ✓"
    assert os.listdir(tmp_path) == ["r.html"]
    assert (target.stat().st_mode & 0o777) == 0o644


def test_write_atomic_failure_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    target.write_text("old", encoding="utf-8")

    def boom(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(report_html.os, "replace", boom)
    with pytest.raises(OSError, match="disk gone"):
        write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["r.html"]


def test_write_run_report(tmp_path, tables, page):
    daily, events = tables
    target = tmp_path / "out" / "report.html"
    write_run_report(target, daily, events, make_summary())
    assert target.read_text(encoding="utf-8") == page
    assert os.listdir(target.parent) == ["report.html"]


def test_write_run_report_render_failure_writes_nothing(tmp_path, tables, monkeypatch):
    daily, events = tables

    def failing_figure(*args, **kwargs):
        raise RuntimeError("render failed")

    monkeypatch.setattr(run_report, "harm_figure", failing_figure)
    fresh = tmp_path / "new.html"
    with pytest.raises(RuntimeError, match="render failed"):
        write_run_report(fresh, daily, events, make_summary())
    assert not fresh.exists()
    existing = tmp_path / "old.html"
    existing.write_text("previous report", encoding="utf-8")
    with pytest.raises(RuntimeError, match="render failed"):
        write_run_report(existing, daily, events, make_summary())
    assert existing.read_text(encoding="utf-8") == "previous report"
    assert sorted(os.listdir(tmp_path)) == ["old.html"]
