"""The HTML reports in a real browser: Debian's headless chromium, opened from file:// with the network cut off.

The unit tests check the page's source; only a browser shows that plotly.js actually drew every figure
from what the page carries.  For a tiny single run and a small comparison (the synthetic tables of
``tests/test_compare_report.py``), each page must:

* draw every figure the report builder made (counted independently, through ``simspam.viz.export``),
  each with an SVG or canvas holding marks -- not a fixed list, so new figures are covered as they come;
* draw country outlines and shaded countries on every map (the outlines are embedded; nothing may be
  fetched: any request that tries to leave the machine is recorded and fails the test);
* log no console errors;
* and, for the animated world map, redraw when Play is pressed or the slider is moved.

Screenshots of each page (and of the map after it moved) are saved to ``tests/artifacts/``.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run
from simspam.io import write_run
from simspam.viz import export

#: Draws found inside a plot div: cartesian traces, tables, Sankey, heatmap images, WebGL canvases, map shapes.
MARKS = "g.trace, g.table, .sankey, .heatmaplayer image, canvas, .choroplethlocation"

#: Per plot div: what the tests assert on.  ``visible`` counts traces that plotly.js shows.
PLOTS_JS = """(marks) => [...document.querySelectorAll('.js-plotly-plot')].map(d => ({
    id: d.id,
    inFigure: !!d.closest('.figure'),
    ready: !!d._fullLayout,
    surfaces: d.querySelectorAll('svg.main-svg, canvas').length,
    visible: (d._fullData || []).filter(t => t.visible === true).length,
    marks: d.querySelectorAll(marks).length,
    geos: d.querySelectorAll('.geo').length,
    outlines: [...d.querySelectorAll('.geo .countries path, .geo .land path')]
        .reduce((n, p) => n + (p.getAttribute('d') || '').length, 0),
    shaded: d.querySelectorAll('.geo .choroplethlocation, .geo .scattergeo .point, .geo .js-line').length,
    frames: ((d._transitionData || {})._frames || []).length,
}))"""

#: True once every plot div has been laid out, has a drawing surface and, if it shows traces, marks --
#: and every map has its outlines (plotly.js draws maps asynchronously, after the page's load event).
DRAWN_JS = """(marks) => {
    const divs = [...document.querySelectorAll('.js-plotly-plot')];
    return divs.length > 0 && divs.every(d => d._fullLayout
        && d.querySelector('svg.main-svg, canvas')
        && ((d._fullData || []).every(t => t.visible !== true) || d.querySelector(marks))
        && [...d.querySelectorAll('.geo')].every(g => g.querySelector('.countries path, .land path')));
}"""

MIN_RUN_FIGURES = 8  # share, flows, two maps, economy, harm, enforcement, timeline, countries
MIN_COMPARE_FIGURES = 10


def open_report(probe, path: Path, timeout_ms: float = 20_000) -> list[dict]:
    """Load the report from file:// and wait until plotly.js has drawn everything; return :data:`PLOTS_JS`."""
    probe.page.goto(path.as_uri(), wait_until="load")
    try:
        probe.page.wait_for_function(DRAWN_JS, arg=MARKS, timeout=timeout_ms)
    except Exception:  # fall through: the assertions below say which figure did not draw
        pass
    return probe.page.evaluate(PLOTS_JS, MARKS)


def assert_every_figure_drew(probe, plots: list[dict], expected: int, minimum: int) -> None:
    assert expected >= minimum, f"the report builder made only {expected} figures"
    containers = probe.page.evaluate("() => document.querySelectorAll('.figure').length")
    assert len(plots) == containers == expected, (len(plots), containers, expected)
    for p in plots:
        assert p["inFigure"] and p["ready"] and p["surfaces"] >= 1, p
        assert p["visible"] == 0 or p["marks"] > 0, f"{p['id']} shows traces but drew nothing: {p}"
    maps = [p for p in plots if p["geos"]]
    assert maps, "no map in the report"
    for p in maps:
        # 110m world outlines are ~100 kB of path data; a failed load leaves none
        assert p["outlines"] > 20_000 and p["shaded"] > 0, f"{p['id']}: map without outlines or data: {p}"


def assert_offline_and_clean(probe) -> None:
    assert probe.blocked == [], f"the page tried to reach the network: {probe.blocked}"
    assert probe.console_errors == [], probe.console_errors


# --------------------------------------------------------------------------
# the reports
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_report(tmp_path_factory) -> tuple[Path, int]:
    """A real tiny run (world=tiny, 2 years), written as ``simspam`` writes it; and its figure count."""
    result = run()
    out = write_run(result, tmp_path_factory.mktemp("run"))
    return out / "report.html", len(export.run_figures(result.daily, result.events, result.summary))


@pytest.fixture(scope="module")
def compare_report(tmp_path_factory) -> tuple[Path, int]:
    """A comparison report from the synthetic tables of test_compare_report (3 scenarios x 5 seeds,
    every section), written the way ``simspam-compare`` writes it; and its figure count."""
    from simspam.report.compare_report import write_compare_report
    from test_compare_report import make_summary, make_tables

    tables, summary = make_tables(), make_summary()
    path = write_compare_report(tmp_path_factory.mktemp("compare") / "report.html", tables, summary)
    return path, len(export.compare_figures(tables, summary))


def test_run_report_draws_every_figure_offline(offline_page, run_report):
    path, expected = run_report
    plots = open_report(offline_page, path)
    offline_page.screenshot("run-report")
    assert_every_figure_drew(offline_page, plots, expected, MIN_RUN_FIGURES)
    assert sum(p["frames"] > 0 for p in plots) >= 2  # the two animated world maps
    assert_offline_and_clean(offline_page)


def test_compare_report_draws_every_figure_offline(offline_page, compare_report):
    path, expected = compare_report
    plots = open_report(offline_page, path)
    offline_page.screenshot("compare-report")
    assert_every_figure_drew(offline_page, plots, expected, MIN_COMPARE_FIGURES)
    assert_offline_and_clean(offline_page)


def test_animated_map_moves_with_play_and_slider(offline_page, run_report):
    """Play steps the map to the last year and the slider brings it back: the drawn countries change
    colour, the slider label follows, and back at the first year the drawing is as it was."""
    page = offline_page.page
    plots = open_report(offline_page, run_report[0])
    animated = [p for p in plots if p["frames"] > 1 and p["geos"]]
    assert animated, "no animated map in the run report"
    div = page.locator(f"#{animated[0]['id']}")
    div.scroll_into_view_if_needed()
    drawing = f"() => document.querySelector('#{animated[0]['id']} .geolayer').innerHTML"
    label = f"() => document.querySelector('#{animated[0]['id']} .slider-container text')?.textContent"
    first, first_label = page.evaluate(drawing), page.evaluate(label)
    years = json.loads(page.evaluate(f"() => JSON.stringify(document.getElementById('{animated[0]['id']}')"
                                     "._transitionData._frames.map(f => f.name))"))
    assert first_label == f"Year: {years[0]}"

    div.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(f"() => ({label})() === 'Year: {years[-1]}'", timeout=10_000)
    page.wait_for_function(f"(before) => ({drawing})() !== before", arg=first, timeout=5_000)
    offline_page.screenshot("run-report-map-last-year", full_page=False)

    rail = div.locator(".slider-rail-touch-rect").bounding_box()
    page.mouse.click(rail["x"] + 3, rail["y"] + rail["height"] / 2)  # the slider's first step
    page.wait_for_function(f"() => ({label})() === 'Year: {years[0]}'", timeout=5_000)
    page.wait_for_function(f"(before) => ({drawing})() === before", arg=first, timeout=5_000)
    assert_offline_and_clean(offline_page)
