"""A large sweep with the joblib launcher: wall time, per-run overhead, memory.

    .venv/bin/python benchmarks/bench_sweep.py                 # 1000 default runs (about 10 minutes here)
    .venv/bin/python benchmarks/bench_sweep.py --runs 100      # a quicker look

Runs ``simspam --multirun hydra/launcher=joblib seed=range(0,N) output.report=false``
into a temporary folder, then reads every run's model time from its summary.json.
Per-run overhead = (wall time x cores / runs) - mean model time: Hydra's job set-up,
process start, composing, and writing Parquet.  Memory: peak RSS of the launching
process (``ru_maxrss`` of children covers the largest worker), and of collecting the
sweep, measured for N/10 and N runs (flat means it does not grow with runs).
Writes benchmarks/results/sweep.json.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COLLECT = r"""
import resource, sys
from simspam.experiments.collect import collect
runs, out = collect(sys.argv[1], write=False)
print(len(runs), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    exe = Path(sys.executable).with_name("simspam")
    tmp = Path(tempfile.mkdtemp(prefix="simspam-sweep-"))
    sweep = tmp / "sw"
    cmd = [str(exe), "--multirun", "hydra/launcher=joblib", f"seed=range(0,{args.runs})", "output.report=false",
           "output.quiet=true", f"hydra.sweep.dir={sweep}"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    model = [json.loads(p.read_text())["provenance"]["runtime_seconds"] for p in sweep.glob("*/summary.json")]
    cores = os.cpu_count() or 1
    per_run = wall * cores / args.runs
    mean_model = sum(model) / len(model)
    # collection memory on a tenth of the sweep vs all of it
    small = tmp / "small"
    small.mkdir()
    for job in sorted(sweep.iterdir(), key=lambda p: p.name)[: max(1, args.runs // 10)]:
        if (job / ".hydra").is_dir():
            shutil.copytree(job, small / job.name)
    mem = {}
    for label, d in (("tenth", small), ("all", sweep)):
        out = subprocess.run([sys.executable, "-c", COLLECT, str(d)], capture_output=True, text=True, check=True)
        n, rss = out.stdout.split()
        mem[label] = {"runs": int(n), "peak_mb": float(rss)}
    result = {
        "runs": args.runs, "complete": len(model), "wall_s": wall, "cores": cores,
        "wall_per_run_core_s": per_run, "mean_model_s": mean_model, "overhead_per_run_s": per_run - mean_model,
        "peak_rss_children_mb": peak_children, "collect": mem,
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    print(f"{args.runs} runs ({len(model)} complete) in {wall:.0f} s wall on {cores} cores "
          f"({wall / 60:.1f} min)")
    print(f"per run: {per_run:.2f} core-s, of which model {mean_model:.2f} s and overhead {per_run - mean_model:.2f} s")
    print(f"peak RSS of a worker: {peak_children:.0f} MB; collect: {mem['tenth']['runs']} runs {mem['tenth']['peak_mb']:.0f} MB, "
          f"{mem['all']['runs']} runs {mem['all']['peak_mb']:.0f} MB")
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "results" / "sweep.json").write_text(json.dumps(result, indent=2))
    if not args.keep:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
