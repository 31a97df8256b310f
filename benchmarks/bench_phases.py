"""Where a run's time goes, phase by phase of the step plan.  Run by hand (not collected by pytest):

    .venv/bin/python benchmarks/bench_phases.py                 # the default run, 3 repeats
    .venv/bin/python benchmarks/bench_phases.py scenario=integrated --repeats 5

The day is ``Simulation.STEP_PLAN``, a sequence of (label, method); this script wraps each
phase with a timer (``Simulation.plan`` is the one place the loop gets its phases from) and
adds building the simulation and turning it into tables.  The timers cost ~1 us a call, a few
per cent of a run; shares are what to read, as everywhere on this shared machine.
Writes benchmarks/results/phases.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"


def timed_run(cfg) -> dict[str, float]:
    from simspam.api import build, finish

    spent: dict[str, float] = defaultdict(float)
    t0 = time.perf_counter()
    sim = build(cfg)
    spent["build (world, agents, levers)"] = time.perf_counter() - t0
    plan = sim.plan()

    def wrap(label, step):
        def timed(t):
            s = time.perf_counter()
            step(t)
            spent[label] += time.perf_counter() - s
        return timed

    sim.plan = lambda: [(label, wrap(label, step)) for label, step in plan]
    t0 = time.perf_counter()
    sim.run()
    total_run = time.perf_counter() - t0
    spent["loop overhead and the last events"] = total_run - sum(v for k, v in spent.items() if not k.startswith("build"))
    t0 = time.perf_counter()
    finish(sim, cfg)
    spent["tables and summary"] = time.perf_counter() - t0
    return dict(spent)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("overrides", nargs="*", help="configuration overrides, as for simspam")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    import simspam
    from threadpoolctl import threadpool_limits

    cfg = simspam.compose(list(args.overrides))
    runs = []
    with threadpool_limits(1):
        timed_run(cfg)   # warm: imports, caches
        for _ in range(args.repeats):
            runs.append(timed_run(cfg))
    labels = list(runs[0])
    med = {k: statistics.median(r[k] for r in runs) for k in labels}
    total = sum(med.values())
    print(f"{'phase':<40} {'seconds':>8} {'share':>7}")
    for k in labels:
        print(f"{k:<40} {med[k]:>8.3f} {100 * med[k] / total:>6.1f}%")
    print(f"{'total':<40} {total:>8.3f}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "phases.json").write_text(json.dumps(
        {"date": time.strftime("%Y-%m-%d %H:%M"), "overrides": args.overrides, "repeats": args.repeats,
         "median_s": med, "total_s": total}, indent=2))
    print(f"wrote {OUT / 'phases.json'}")


if __name__ == "__main__":
    main()
