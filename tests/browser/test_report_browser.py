"""The HTML reports in a real browser: Debian's headless chromium, opened from file:// with the network cut off.

The unit tests check the page's source; only a browser shows that plotly.js actually drew every figure
from what the page carries.  For a tiny single run and a small comparison (the synthetic tables of
``tests/test_compare_report.py``), each page must:

* draw every figure the report builder made (counted independently, from the report object the page
  was rendered from: ``simspam.report.images.report_figures``),
  each with an SVG or canvas holding marks -- not a fixed list, so new figures are covered as they come;
* draw country outlines and shaded countries on every map (the outlines are embedded; nothing may be
  fetched: any request that tries to leave the machine is recorded and fails the test);
* log no console errors;
* and, for the animated world maps, redraw when Play is pressed, the slider is moved or (comparison)
  another scenario is picked.

Screenshots of each page (and of the map after it moved) are saved to ``tests/artifacts/``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run
from simspam.report.images import report_figures
from simspam.report.pages import run_extras
from simspam.report.run_report import build_run_report
from simspam.results import write_run

# A browser per worker and seconds per page: the slow tier (`pytest -m slow`; .ci/run runs it).
pytestmark = pytest.mark.slow

#: Draws found inside a plot div: cartesian traces, tables, Sankey, heatmap images, WebGL canvases, map shapes.
MARKS = "g.trace, g.table, .sankey .sankey-node, .heatmaplayer image, canvas, .choroplethlocation"

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
    out = write_run(result, tmp_path_factory.mktemp("run"), extras=run_extras(result))
    return out / "report.html", len(report_figures(build_run_report(result.daily, result.events, result.summary)))


@pytest.fixture(scope="module")
def compare_report(tmp_path_factory) -> tuple[Path, int]:
    """A comparison report from the synthetic tables of test_compare_report (3 scenarios x 5 seeds,
    every section), written the way ``simspam-compare`` writes it; and its figure count."""
    from simspam.report.compare_report import build_compare_report
    from simspam.report.pages import comparison_extras
    from simspam.results.comparison import write_comparison
    from test_compare_report import make_summary, make_tables

    tables, summary = make_tables(), make_summary()
    out = write_comparison(tables, summary, tmp_path_factory.mktemp("compare"), extras=comparison_extras(tables, summary))
    return out / "report.html", len(report_figures(build_compare_report(tables, summary)))


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


def _animated_map(probe, path: Path) -> tuple[str, list[str]]:
    """Open the report; the id of its first animated map and the names of its frames (the years)."""
    plots = open_report(probe, path)
    animated = [p for p in plots if p["frames"] > 1 and p["geos"]]
    assert animated, f"no animated map in {path.name}"
    div_id = animated[0]["id"]
    years = probe.page.evaluate(f"() => document.getElementById('{div_id}')._transitionData._frames.map(f => f.name)")
    probe.page.locator(f"#{div_id}").scroll_into_view_if_needed()
    return div_id, [str(y) for y in years]


@pytest.mark.parametrize("report", ["run_report", "compare_report"])
def test_animated_map_moves_with_play_and_slider(offline_page, request, report):
    """Play steps the map to the last year and the slider brings it back: the drawn countries change
    colour, the slider label follows, and back at the first year the drawing is as it was."""
    page = offline_page.page
    div_id, years = _animated_map(offline_page, request.getfixturevalue(report)[0])
    div = page.locator(f"#{div_id}")
    drawing = f"() => document.querySelector('#{div_id} .geolayer').innerHTML"
    label = f"() => document.querySelector('#{div_id} .slider-container text')?.textContent"
    first = page.evaluate(drawing)
    assert page.evaluate(label) == f"Year: {years[0]}"

    div.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(f"() => ({label})() === 'Year: {years[-1]}'", timeout=15_000)
    page.wait_for_function(f"(before) => ({drawing})() !== before", arg=first, timeout=5_000)
    offline_page.screenshot(f"{report.replace('_', '-')}-map-last-year", full_page=False)

    rail = div.locator(".slider-rail-touch-rect").bounding_box()
    page.mouse.click(rail["x"] + 3, rail["y"] + rail["height"] / 2)  # the slider's first step
    page.wait_for_function(f"() => ({label})() === 'Year: {years[0]}'", timeout=5_000)
    page.wait_for_function(f"(before) => ({drawing})() === before", arg=first, timeout=5_000)
    assert_offline_and_clean(offline_page)


def test_comparison_map_dropdown_switches_scenario(offline_page, compare_report):
    """The comparison's map shows one scenario and measure at a time: picking another from its
    dropdown redraws the countries and relabels the menu."""
    page = offline_page.page
    div_id, _ = _animated_map(offline_page, compare_report[0])
    div = page.locator(f"#{div_id}")
    drawing = f"() => document.querySelector('#{div_id} .geolayer').innerHTML"
    header = div.locator(".updatemenu-header")
    first, first_label = page.evaluate(drawing), header.text_content()
    header.click()
    options = div.locator(".updatemenu-dropdown-button")
    labels = [t.strip() for t in options.all_text_contents()]
    assert len(labels) >= 2 and first_label.strip() in labels
    other = next(t for t in labels if t != first_label.strip() and "legislation" in t)
    options.filter(has_text=other).first.click()
    page.wait_for_function(f"(before) => ({drawing})() !== before", arg=first, timeout=5_000)
    assert header.text_content().strip() == other
    offline_page.screenshot("compare-report-map-other-scenario", full_page=False)
    assert_offline_and_clean(offline_page)
