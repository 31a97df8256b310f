"""The presenter app in a real browser (Debian's headless chromium), with the network cut off.

The app runs as ``simspam-dashboard`` would be run by a presenter (a subprocess of the CLI),
on the tiny world for two years with an empty cache in a temporary folder, on a free port
read from the line it prints.  Every page comes from ``offline_page``: any request that
leaves the machine is aborted and recorded, so a figure or map outline fetched from a CDN
fails the test.  Screenshots go to tests/artifacts/.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

# A browser per worker and seconds per page: the slow tier (`pytest -m slow`; .ci/run runs it).
pytestmark = pytest.mark.slow

STATUS = "#status"


def _start(tmp_path_factory, *extra: str):
    cache = tmp_path_factory.mktemp("dashboard_cache")
    log = cache.parent / f"{cache.name}.stderr"
    with open(log, "w") as err:   # a file, not a pipe nobody reads (a full pipe would stall the server)
        proc = subprocess.Popen([sys.executable, "-m", "simspam.dashboard.cli", "--port", "0", "--world", "tiny",
                                 "--years", "2", "--cache", str(cache), *extra],
                                stdout=subprocess.PIPE, stderr=err, text=True)
    line = proc.stdout.readline()
    m = re.match(r"simspam dashboard listening on (http://127\.0\.0\.1:\d+/) \(0 cached runs", line)
    if not m:
        proc.kill()
        pytest.fail(f"app did not start: {line!r} {log.read_text()}")
    return proc, m.group(1)


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app with a budget every tiny-world run meets even on a loaded CI machine, so a miss is
    always a live run here (the budget rule itself: ``slow_app_url`` and tests/test_dashboard.py)."""
    proc, url = _start(tmp_path_factory, "--budget", "5")
    yield url
    _stop(proc)
    assert proc.returncode is not None


@pytest.fixture(scope="module")
def slow_app_url(tmp_path_factory):
    """An app whose budget no live run can meet: after its first (unmeasured) run it answers
    every miss with the nearest cached setting."""
    proc, url = _start(tmp_path_factory, "--budget", "0.01")
    yield url
    _stop(proc)


DATA_JS = """() => {
  const out = {};
  for (const id of ['map-graph', 'share-graph', 'flows-graph']) {
    const gd = document.querySelector('#' + id + ' .js-plotly-plot');
    out[id] = gd && gd.data ? JSON.stringify(gd.data.map(t => [t.y, t.z])) : null;   // arrays or plotly's base64 form
  }
  return out;
}"""


def figures(page) -> dict:
    return page.evaluate(DATA_JS)


def wait_status(page, pattern: str, timeout: float = 15000):
    """Wait until the status bar matches ``pattern``; on timeout say what it and the alert showed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        _wait_status(page, pattern, timeout)
    except PlaywrightTimeout:
        pytest.fail(f"status {page.inner_text(STATUS)!r} (alert {page.inner_text('#alert')!r}) never matched {pattern!r}")
    return page.inner_text(STATUS)


def _wait_status(page, pattern, timeout):
    page.wait_for_function("([sel, pat]) => { const e = document.querySelector(sel); return !!e && new RegExp(pat).test(e.innerText); }",
                           arg=[STATUS, pattern], timeout=timeout)
    return page.inner_text(STATUS)


def wait_changed(page, before: dict, timeout: float = 15000):
    page.wait_for_function("([js, before]) => { const now = eval(js)(); return now['share-graph'] !== before['share-graph']; }",
                           arg=[DATA_JS, before], timeout=timeout)
    return figures(page)


def open_app(probe, url):
    requests = []
    probe.page.on("request", lambda r: requests.append(r.url))
    probe.page.goto(url)
    wait_status(probe.page, "^(Ran live|From cache)")
    probe.page.wait_for_selector("#map-graph path.choroplethlocation", timeout=15000)
    return requests


def assert_clean(probe):
    assert probe.console_errors == []
    assert probe.blocked == []


def enter(page, selector: str, text: str):
    """Type into a field and commit it (Enter, then leave the field: either commits a debounced input)."""
    page.fill(selector, text)
    page.press(selector, "Enter")
    page.locator(selector).blur()


def set_slider(page, slider_id: str, key: str):
    thumb = page.locator(f"#{slider_id} [role=slider]")
    thumb.focus()
    page.keyboard.press(key)
    thumb.blur()


def test_app_opens_offline_and_draws_the_map_from_local_outlines(offline_page, app_url):
    requests = open_app(offline_page, app_url)
    page = offline_page.page
    assert wait_status(page, "^Ran live in \\d\\.\\d\\d s")   # empty cache: the first answer is a live run
    assert page.locator("#map-graph path.choroplethlocation").count() >= 5   # USA GBR DEU RUS CHN outlines
    assert any(u.startswith(app_url) and u.endswith("/_simspam/geo/world_110m.json") for u in requests)
    assert all(u.startswith(app_url) or u.startswith("data:") for u in requests)
    assert page.locator(".card").count() == 5
    assert "0 cached runs" in page.inner_text("#cache-info")
    data = figures(page)
    assert all(data[g] for g in data)
    offline_page.screenshot("dashboard_start")
    assert_clean(offline_page)


def test_changing_a_lever_redraws_the_figures(offline_page, app_url):
    open_app(offline_page, app_url)
    page = offline_page.page
    before = figures(page)
    set_slider(page, "start-legislation", "Home")          # from 2004: inside the two-year horizon
    set_slider(page, "strength-legislation", "End")        # legislation at full strength
    after = wait_changed(page, before)
    status = wait_status(page, "^(Ran live|From cache)")
    assert page.get_attribute("#strength-legislation [role=slider]", "aria-valuenow") == "1"
    assert after["share-graph"] != before["share-graph"]
    assert after["map-graph"] != before["map-graph"]
    assert "Legislation 1 from 2004" in page.inner_text("#description")
    assert re.match(r"Ran live in \d\.\d\d s", status)
    offline_page.screenshot("dashboard_lever_changed")
    # back to where it was: now answered from the cache, with the first figures
    set_slider(page, "strength-legislation", "Home")
    wait_status(page, "^From cache")
    page.wait_for_function("([js, b]) => eval(js)()['share-graph'] === b", arg=[DATA_JS, before["share-graph"]], timeout=15000)
    assert figures(page) == before
    assert_clean(offline_page)


def test_bad_input_shows_a_message_and_the_app_keeps_answering(offline_page, app_url):
    open_app(offline_page, app_url)
    page = offline_page.page
    before = figures(page)
    enter(page, "#seed", "-3")
    page.wait_for_function("() => document.querySelector('#alert').innerText.length > 0", timeout=15000)
    assert page.inner_text("#alert") == "seed: -3 is out of range (allowed: an integer in [0, 9223372036854775807])"
    assert page.inner_text(STATUS) == "error: nothing changed"
    assert figures(page) == before            # the last good figures stay
    offline_page.screenshot("dashboard_bad_input")
    enter(page, "#seed", "0")
    wait_status(page, "^From cache")
    assert page.inner_text("#alert") == ""
    enter(page, "#overrides", "params.consumers.response_rate=1.5")
    page.wait_for_function("() => document.querySelector('#alert').innerText.includes('response_rate')", timeout=15000)
    assert page.inner_text("#alert") == "params.consumers.response_rate: 1.5 is out of range (allowed: a number in [0.0, 1.0])"
    # a good value again: the server is still there and answers
    enter(page, "#overrides", "")
    enter(page, "#seed", "1")
    after = wait_changed(page, before)
    wait_status(page, "^(Ran live|From cache)")
    assert page.inner_text("#alert") == ""
    assert after["share-graph"] != before["share-graph"]
    assert_clean(offline_page)


def test_presentation_mode_and_keys_step_through_prepared_scenarios(offline_page, app_url):
    open_app(offline_page, app_url)
    page = offline_page.page
    page.keyboard.press("t")
    page.wait_for_function("() => document.querySelector('#root').classList.contains('present')")
    assert page.evaluate("getComputedStyle(document.querySelector('#root')).backgroundColor") == "rgb(0, 0, 0)"
    assert float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('#root')).fontSize)")) >= 20
    before = figures(page)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('#prepared-label').innerText.startsWith('1/')", timeout=15000)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('#prepared-label').innerText.startsWith('2/')", timeout=15000)
    assert "Laws everywhere" in page.inner_text("#prepared-label")
    after = wait_changed(page, before)
    wait_status(page, "^(Ran live|From cache)")
    assert "legislation:" in page.inner_text("#description")
    assert after["share-graph"] != before["share-graph"]
    # figures are restyled for the projector: dark background, large type
    assert page.evaluate("document.querySelector('#share-graph .js-plotly-plot')._fullLayout.font.size") >= 20
    page.keyboard.press("p")
    page.wait_for_function("() => document.querySelector('#prepared-label').innerText.startsWith('1/')", timeout=15000)
    page.wait_for_function("() => document.querySelector('#description').innerText.startsWith('Shown: baseline:')", timeout=15000)
    assert wait_status(page, "^From cache")    # the status quo was drawn when the page opened
    offline_page.screenshot("dashboard_presentation")
    assert_clean(offline_page)


def test_play_animates_the_map_over_the_years(offline_page, app_url):
    open_app(offline_page, app_url)
    page = offline_page.page
    year = ("() => Array.from(document.querySelectorAll('#map-graph .slider-container text'))"
            ".map(e => e.textContent).find(t => t.startsWith('Year: '))")
    assert page.evaluate(year) == "Year: 2004"
    z0 = page.evaluate("() => JSON.stringify(document.querySelector('#map-graph .js-plotly-plot').data[0].z)")
    page.locator("#map-graph .updatemenu-button", has_text="Play").click()
    page.wait_for_function(f"() => ({year})() === 'Year: 2005'", timeout=10000)
    z1 = page.evaluate("() => JSON.stringify(document.querySelector('#map-graph .js-plotly-plot').data[0].z)")
    assert z1 != z0
    assert page.locator("#map-graph path.choroplethlocation").count() >= 5
    offline_page.screenshot("dashboard_map_played")
    assert_clean(offline_page)


def test_over_budget_shows_the_nearest_cached_setting_and_computes_on_request(offline_page, slow_app_url):
    open_app(offline_page, slow_app_url)     # nothing measured yet: the first run is live
    page = offline_page.page
    assert page.is_hidden("#compute")
    before = figures(page)
    set_slider(page, "strength-awareness", "End")
    status = wait_status(page, "^Nearest cached setting")
    assert "Awareness strength 0 (asked 1)" in status and "budget" in status
    assert page.is_visible("#compute")
    assert figures(page) == before            # the nearest cached run is the one already shown
    offline_page.screenshot("dashboard_nearest")
    t0 = time.perf_counter()
    page.click("#compute")
    status = wait_status(page, "^Computed on request in")
    assert time.perf_counter() - t0 < 15
    assert page.is_hidden("#compute")
    assert figures(page)["share-graph"] != before["share-graph"]
    assert_clean(offline_page)
