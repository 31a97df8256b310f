"""Time from a slider change to redrawn figures in the presenter app, measured in the browser.

    .venv/bin/python benchmarks/bench_dashboard.py            # prints a table, writes benchmarks/results/dashboard.json
    .venv/bin/python benchmarks/bench_dashboard.py --quick    # fewer repeats

The app runs as a presenter would run it (``simspam-dashboard``, default world, 10 years)
in a subprocess; Debian's headless chromium (playwright) opens it with the network cut off.
One measurement: the page's clock is read, a key moves a slider (the slider's thumb has
focus, as after a click), and the time is taken when all three figures have been redrawn
(plotly's ``plotly_afterplot`` on each, after the change) -- i.e. what a presenter sees.

Three cases:

* **cache hit**: the legislation strength slider stepped over five cached settings;
* **live run**: the legislation start-year slider stepped over settings not in the cache,
  with the budget raised so that every miss is run live (on the default world a run takes
  ~0.9 s of model time, so under the real 1 s budget most misses are *not* run live);
* **over budget** (the real 1 s budget): a miss answered at once with the nearest cached
  setting, labelled as such.

Machines here are shared and noisy: the load average is recorded with the results.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
CHROMIUM = os.environ.get("SIMSPAM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

HOOK = """() => {
  window.__drawn = {};
  for (const id of ['map-graph', 'share-graph', 'flows-graph']) {
    const gd = document.querySelector('#' + id + ' .js-plotly-plot');
    gd.on('plotly_afterplot', () => { window.__drawn[id] = performance.now(); });
  }
}"""
MARK = """() => { window.__before = {};
  for (const id of ['map-graph', 'share-graph', 'flows-graph'])
    window.__before[id] = document.querySelector('#' + id + ' .js-plotly-plot').data; }"""
# redrawn = a new figure (plotly.react replaced gd.data) and an afterplot since the key press
DRAWN_AFTER = """(t0) => ['map-graph', 'share-graph', 'flows-graph'].every(id =>
  document.querySelector('#' + id + ' .js-plotly-plot').data !== window.__before[id] && (window.__drawn[id] || 0) > t0)"""
LAST_DRAWN = """() => Math.max(...Object.values(window.__drawn))"""


def start_app(cache: str, *extra: str):
    proc = subprocess.Popen([sys.executable, "-m", "simspam.dashboard.cli", "--port", "0", "--cache", cache,
                             "--world", "default", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    m = re.search(r"listening on (http://\S+/)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"app did not start: {line!r}")
    return proc, m.group(1)


def fill_cache(cache: str) -> list[str]:
    """Legislation at the five strengths of the grid on the status quo, seed 0: the cache-hit case."""
    from simspam.dashboard.cache import RunCache
    from simspam.dashboard.service import Service
    from simspam.dashboard.spec import Spec

    spec = Spec.load(world="default")
    svc = Service(spec, RunCache(cache))
    keys = []
    for s in spec.strengths:
        levers = {n: dataclasses.asdict(v) for n, v in spec.scenario_defaults("baseline").items()}
        levers["legislation"]["strength"] = s
        setting = svc.setting(spec.controls("baseline", 0, levers))
        svc.compute(setting)
        keys.append(setting.key)
    return keys


def open_page(browser, url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    blocked = []

    def guard(route):
        u = route.request.url
        if u.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(u)
            route.abort()

    ctx.route("**/*", guard)
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_function("() => { const e = document.querySelector('#status'); return !!e && e.innerText.length > 0; }",
                           timeout=60000)
    page.wait_for_selector("#map-graph path.choroplethlocation", timeout=60000)
    page.evaluate(HOOK)
    return ctx, page, blocked


def step(page, slider: str, key: str, timeout: float = 60000) -> tuple[float, str]:
    """Press ``key`` on ``slider``; seconds until all figures are redrawn, and the status line."""
    page.locator(f"#{slider} [role=slider]").focus()
    page.evaluate(MARK)
    t0 = page.evaluate("performance.now()")
    page.keyboard.press(key)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(DRAWN_AFTER, arg=t0, timeout=timeout)
    except PlaywrightTimeout:
        value = page.get_attribute(f"#{slider} [role=slider]", "aria-valuenow")
        raise SystemExit(f"{key} on {slider} (now {value}): figures not redrawn within {timeout / 1000:.0f} s; "
                         f"status {page.inner_text('#status')!r}, alert {page.inner_text('#alert')!r}") from None
    t1 = page.evaluate(LAST_DRAWN)
    return (t1 - t0) / 1000.0, page.inner_text("#status")


def summary(times: list[float]) -> dict:
    return {"n": len(times), "median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "max_s": round(max(times), 3), "all_s": [round(t, 3) for t in times]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    rounds = 1 if args.quick else 3
    from playwright.sync_api import sync_playwright

    results: dict = {}
    with tempfile.TemporaryDirectory() as cache, sync_playwright() as pw:
        t = time.perf_counter()
        fill_cache(cache)
        print(f"cache filled with 5 default-world runs in {time.perf_counter() - t:.1f} s", flush=True)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])

        # cache hits and over-budget answers: the app as a presenter starts it (1 s budget)
        proc, url = start_app(cache)
        try:
            ctx, page, blocked = open_page(browser, url)
            hits, statuses = [], set()
            for _ in range(rounds):
                for key in ["ArrowRight"] * 4 + ["ArrowLeft"] * 4:
                    dt, status = step(page, "strength-legislation", key)
                    hits.append(dt)
                    statuses.add(status.split(" ·")[0])
            results["cache_hit"] = summary(hits) | {"status": sorted(statuses)}
            nearest, nstatus = [], []
            page.locator("#strength-legislation [role=slider]").focus()
            for key in ["ArrowRight"] * 4:      # to strength 1 (cached), then misses on the start year
                step(page, "strength-legislation", key)
            for key in ["ArrowRight"] * (2 if args.quick else 4):
                dt, status = step(page, "start-legislation", key)
                nearest.append(dt)
                nstatus.append(status)
            results["over_budget_nearest"] = summary(nearest) | {"status": nstatus[-1]}
            assert not blocked, blocked
            ctx.close()
        finally:
            proc.terminate()
            proc.wait()

        # live runs: the same app with a budget every run fits
        proc, url = start_app(cache, "--budget", "60")
        try:
            ctx, page, blocked = open_page(browser, url)
            for key in ["ArrowRight"] * 4:
                step(page, "strength-legislation", key)
            live, lstatus = [], []
            for key in (["ArrowRight"] * 6 if args.quick else ["ArrowRight"] * 7 + ["Home"]):
                dt, status = step(page, "start-legislation", key)
                if status.startswith("Ran live"):
                    live.append(dt)
                    lstatus.append(float(re.search(r"in (\d+\.\d+) s", status).group(1)))
            results["live_run"] = summary(live) | {"model_s_median": round(statistics.median(lstatus), 3),
                                                   "model_s": lstatus}
            assert not blocked, blocked
            ctx.close()
        finally:
            proc.terminate()
            proc.wait()
        browser.close()

    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average_1min": round(os.getloadavg()[0], 2),
                          "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "world": "default", "years": 10}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "dashboard.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"\n{'case':<28}{'n':>4}{'median':>10}{'min':>9}{'max':>9}")
    for name in ("cache_hit", "live_run", "over_budget_nearest"):
        r = results[name]
        print(f"{name:<28}{r['n']:>4}{r['median_s']:>9.3f}s{r['min_s']:>8.3f}s{r['max_s']:>8.3f}s")
    print(f"live runs, model time alone: median {results['live_run']['model_s_median']:.3f} s")
    print(f"over budget, last status: {results['over_budget_nearest']['status']}")
    print(f"load average: {results['machine']['load_average_1min']} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
