"""The default comparison, end to end: every bundled scenario x 10 seeds, 10 years.

    .venv/bin/python benchmarks/bench_compare.py

Times the ``simspam-compare`` command (imports, validation, all runs on all cores, the
analysis, the report) and reads each run's own time from runs.parquet, so the table
separates the model from the overhead.  Writes benchmarks/results/compare.json.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    exe = Path(sys.executable).with_name("simspam-compare")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run([str(exe), "hydra.run.dir=out"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        runs = pd.read_parquet(Path(tmp) / "out" / "runs.parquet")
    cores = os.cpu_count() or 1
    result = {"runs": len(runs), "scenarios": int(runs["scenario"].nunique()), "wall_s": wall, "cores": cores,
              "mean_run_s": float(runs["runtime_s"].mean()), "sum_run_s": float(runs["runtime_s"].sum()),
              "ideal_wall_s": float(runs["runtime_s"].sum() / cores), "date": time.strftime("%Y-%m-%d %H:%M")}
    print(f"default comparison: {result['runs']} runs ({result['scenarios']} scenarios x 10 seeds) in {wall:.1f} s "
          f"on {cores} cores; mean run {result['mean_run_s']:.2f} s; runs alone would take {result['ideal_wall_s']:.1f} s")
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "results" / "compare.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
