"""Speed and memory of single runs: the default run, and how run time grows with
countries, spammers and years.  Run by hand (not collected by pytest):

    .venv/bin/python benchmarks/bench_run.py            # prints a table, writes benchmarks/results/run.json
    .venv/bin/python benchmarks/bench_run.py --quick    # fewer repeats
    .venv/bin/python benchmarks/bench_run.py --against ../ref/.venv/bin/python   # side by side with another version

``--against PYTHON`` runs the default run with this checkout's Python and with ``PYTHON``
(an environment where another version of simspam is installed, e.g. an earlier commit in
a ``git worktree`` with its own venv), alternating them ``--rounds`` times, and prints the
ratio of their medians: the one honest way to compare versions on a shared machine.

Each case runs in a fresh subprocess (so peak memory is that run's own, imports
included, and nothing is shared), pinned to one core with ``taskset`` when available.
Times are the median of several repeats: "simulate" is ``simulate()``'s work (building
the world and agents, the day loop, the tables and summary), "engine" the day loop
alone; the command-line time adds imports, composing twice, and writing Parquet and the
report.
Machines here are noisy: compare rows as ratios within one run of this script.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"

CHILD = r"""
import gc, json, resource, sys, time
import simspam
from simspam.api import build, finish
overrides = json.loads(sys.argv[1])
repeats = int(sys.argv[2])
cfg = simspam.compose(overrides)
times, engine = [], []
for _ in range(repeats):
    t0 = time.perf_counter()
    sim = build(cfg)
    t1 = time.perf_counter()
    sim.run()
    t2 = time.perf_counter()
    res = finish(sim, cfg)
    times.append(time.perf_counter() - t0)
    engine.append(t2 - t1)
    del sim
    gc.collect()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"simulate_s": sorted(times), "engine_s": sorted(engine), "peak_mb": peak,
                  "countries": int(res.daily["country"].nunique()), "days": int(res.daily["date"].nunique()),
                  "spammers_end": int(res.summary["headline"]["active_spammers_end"])}))
"""


def child(overrides: list[str], repeats: int, python: str = sys.executable) -> dict:
    """One case in a fresh process of ``python``, run from a temporary folder so that the
    environment's installed simspam is imported, not this checkout's."""
    cmd = [python, "-c", CHILD, json.dumps(overrides), str(repeats)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=tmp)
    return json.loads(out.stdout.strip().splitlines()[-1])


def side_by_side(other: str, rounds: int, repeats: int) -> None:
    """The default run with this version and ``other``'s, alternating, on one core."""
    ours, theirs = [], []
    for _ in range(rounds):
        ours += child([], repeats)["simulate_s"]
        theirs += child([], repeats, other)["simulate_s"]
    a, b = statistics.median(ours), statistics.median(theirs)
    version = subprocess.run([other, "-c", "import simspam; print(simspam.__file__)"], capture_output=True,
                             text=True, cwd=tempfile.gettempdir()).stdout.strip()
    print(f"default run, simulate(), median of {len(ours)} each, alternating on one core:")
    print(f"  this checkout ({ROOT}): {a:.3f} s")
    print(f"  {other} ({version}): {b:.3f} s")
    print(f"  ratio this / other: {a / b:.3f}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "run_side_by_side.json").write_text(json.dumps(
        {"date": time.strftime("%Y-%m-%d %H:%M"), "other": other, "other_package": version,
         "this_s": sorted(ours), "other_s": sorted(theirs), "ratio": a / b}, indent=2))


def cli_time(repeats: int) -> float:
    exe = Path(sys.executable).with_name("simspam")
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):
            t0 = time.perf_counter()
            subprocess.run([str(exe), f"hydra.run.dir={tmp}/r{i}", "output.quiet=true"], check=True, cwd=tmp,
                           capture_output=True)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


CASES = [
    ("default run (31 countries, 1000 spammers, 10 years)", []),
    ("integrated scenario, default world", ["scenario=integrated"]),
    ("countries: tiny world (6)", ["world=tiny"]),
    ("countries: 16", ["world.countries=[USA,CAN,BRA,GBR,DEU,FRA,NLD,ESP,ITA,POL,RUS,CHN,JPN,KOR,IND,ROW]"]),
    ("spammers: 250", ["params.spammers.n_initial=250"]),
    ("spammers: 4000 (16000 slots)", ["params.spammers.n_initial=4000", "params.spammers.max_spammers=16000"]),
    ("years: 2.5", ["years=2.5"]),
    ("years: 5", ["years=5"]),
    ("years: 20", ["years=20"]),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--against", metavar="PYTHON", help="compare the default run with another environment's simspam")
    ap.add_argument("--rounds", type=int, default=4, help="alternations for --against (default 4)")
    args = ap.parse_args()
    repeats = 2 if args.quick else 5
    if args.against:
        side_by_side(args.against, args.rounds, 2 if args.quick else 3)
        return
    rows = []
    for label, overrides in CASES:
        r = child(overrides, repeats)
        rows.append({"case": label, "overrides": overrides, **r,
                     "simulate_median_s": statistics.median(r["simulate_s"]),
                     "engine_median_s": statistics.median(r["engine_s"])})
    base = rows[0]["simulate_median_s"]
    cli = cli_time(3 if not args.quick else 1)
    print(f"{'case':<55} {'simulate s':>10} {'engine s':>9} {'x default':>9} {'peak MB':>8} {'days':>6} {'spammers@end':>12}")
    for r in rows:
        print(f"{r['case']:<55} {r['simulate_median_s']:>10.3f} {r['engine_median_s']:>9.3f} "
              f"{r['simulate_median_s'] / base:>9.2f} {r['peak_mb']:>8.0f} {r['days']:>6} {r['spammers_end']:>12}")
    print(f"\ncommand line, default run, end to end (imports, composing, Parquet, report): {cli:.2f} s")
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d %H:%M"), "repeats": repeats}
    (OUT / "run.json").write_text(json.dumps({"meta": meta, "rows": rows, "cli_default_s": cli}, indent=2))
    print(f"wrote {OUT / 'run.json'}")


if __name__ == "__main__":
    main()
