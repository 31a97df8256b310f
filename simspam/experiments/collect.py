"""Collect a sweep folder into tables: one runs table and outcomes aligned on run id.

``simspam-collect DIR`` adds Sobol' indices when the sweep ran a complete Saltelli design.
Reading the jobs' folders and writing ``runs.parquet`` and ``outcomes.parquet`` is the
results layer's job (:mod:`simspam.results.sweep`); what this module adds is the
experiment's analysis: with a Saltelli design (``simspam-design``), ``sensitivity.parquet``.
It runs on demand as ``simspam-collect DIR`` and automatically at the end of
``simspam --multirun`` (:class:`simspam.callbacks.CollectCallback`, which also writes the
sweep's report).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from ..errors import ArgumentParser, ConfigError, EXIT_BAD_INPUT, quiet_on_closed_pipe
from ..metrics.outcomes import COMPARED
from ..results import sweep as sweep_folder
from ..results.tables import write_table


def collect(sweep_dir: str | Path, write: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(runs, outcomes) for the sweep in ``sweep_dir`` (:func:`simspam.results.sweep.collect`);
    written as Parquet, with Sobol' indices when the design allows them, when ``write``."""
    runs_df, out_df = sweep_folder.collect(sweep_dir)
    if write:
        sweep = Path(sweep_dir)
        sweep_folder.write_collected(sweep, runs_df, out_df)
        _maybe_sensitivity(sweep, runs_df, out_df)
    return runs_df, out_df


def _maybe_sensitivity(sweep: Path, runs: pd.DataFrame, outcomes: pd.DataFrame) -> None:
    """Sobol' indices when the sweep ran a complete Saltelli design (simspam-design)."""
    problem_files = sorted(sweep.glob("design*.problem.json"))
    if not problem_files or outcomes.empty or "design.row" not in runs:
        return
    from .sensitivity import sobol_indices

    problem = json.loads(problem_files[0].read_text())
    ok = runs[runs["status"] == "ok"].merge(outcomes, on="run_id")
    if len(ok) != problem["rows"]:
        return  # incomplete design: indices would be meaningless
    ok = ok.sort_values("design.row")
    parts = []
    for outcome in COMPARED:
        idx = sobol_indices(problem["salib"], ok[outcome].to_numpy(dtype=float))
        idx.insert(0, "outcome", outcome)
        parts.append(idx)
    write_table(pd.concat(parts, ignore_index=True), sweep / "sensitivity.parquet")


@quiet_on_closed_pipe
def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="simspam-collect", description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="a sweep folder written by simspam --multirun")
    args = ap.parse_args(argv)
    try:
        runs, outcomes = collect(args.dir)
    except ConfigError as err:
        print(err.one_line(), file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    counts = runs["status"].value_counts().to_dict() if len(runs) else {}
    print(f"{len(runs)} runs {counts}; wrote {Path(args.dir) / 'runs.parquet'} and outcomes.parquet")
