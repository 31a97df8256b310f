"""Collect a sweep folder into tables: one runs table and outcomes aligned on run id.

Reads each job's ``.hydra/overrides.yaml`` (the swept values), ``summary.json``
(headline outcomes) or ``error.json`` (a recorded failure) -- never the per-run time
series -- so memory stays flat however many runs the sweep holds.  Runs automatically
at the end of ``simspam --multirun`` (a Hydra callback) and on demand as
``simspam-collect DIR``.  With a Saltelli design, also writes Sobol' indices.  At the end of
a ``--multirun`` the callback also writes the sweep's ``report.html``
(:mod:`simspam.report.sweep_report`).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd
import yaml
from hydra.experimental.callback import Callback

from ..errors import EXIT_BAD_INPUT, ConfigError, quiet_on_closed_pipe
from .runner import COST_PARTS, OUTCOMES


def _parse_override(text: str) -> tuple[str, object]:
    key, _, value = text.partition("=")
    key = key.lstrip("+~")
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        parsed = value
    if isinstance(parsed, (dict, list)):
        parsed = json.dumps(parsed)
    return key, parsed


def job_dirs(sweep_dir: Path) -> list[Path]:
    return sorted((p.parent.parent for p in sweep_dir.glob("*/.hydra/overrides.yaml")), key=lambda p: p.name)


def collect(sweep_dir: str | Path, write: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(runs, outcomes) for the sweep in ``sweep_dir``; written as Parquet when ``write``."""
    sweep = Path(sweep_dir)
    if not sweep.is_dir():
        raise ConfigError("DIR", f"{str(sweep)!r} is not a folder", "a sweep folder written by simspam --multirun")
    runs, outcomes = [], []
    for job in job_dirs(sweep):
        overrides = yaml.safe_load((job / ".hydra" / "overrides.yaml").read_text()) or []
        row: dict = {"job": job.name}
        row.update(dict(_parse_override(o) for o in overrides if not o.startswith("hydra")))
        summary, error = job / "summary.json", job / "error.json"
        if summary.is_file():
            data = json.loads(summary.read_text())
            prov = data["provenance"]
            row.update({"run_id": prov.get("run_key", ""), "scenario": data["scenario"]["name"],
                        "seed": int(prov["seed"]), "status": "ok", "error": ""})
            h = data["headline"]
            outcomes.append({"run_id": row["run_id"], **{k: h[v] for k, (v, _) in OUTCOMES.items()},
                             "policy_cost": float(sum(h.get(k, 0.0) for k in COST_PARTS))})
        elif error.is_file():
            data = json.loads(error.read_text())
            row.update({"run_id": data.get("run_key", ""), "status": "failed", "error": data.get("error", "")})
        else:
            row.update({"run_id": "", "status": "incomplete", "error": "no summary.json or error.json"})
        runs.append(row)
    runs_df = pd.DataFrame(runs)
    out_df = pd.DataFrame(outcomes)
    if write:
        from ..io import write_table

        write_table(runs_df, sweep / "runs.parquet")
        write_table(out_df, sweep / "outcomes.parquet")
        _maybe_sensitivity(sweep, runs_df, out_df)
    return runs_df, out_df


def _maybe_sensitivity(sweep: Path, runs: pd.DataFrame, outcomes: pd.DataFrame) -> None:
    """Sobol' indices when the sweep ran a complete Saltelli design (simspam-design)."""
    problem_files = sorted(sweep.glob("design*.problem.json"))
    if not problem_files or outcomes.empty or "design.row" not in runs:
        return
    from ..io import write_table
    from .sensitivity import sobol_indices

    problem = json.loads(problem_files[0].read_text())
    ok = runs[runs["status"] == "ok"].merge(outcomes, on="run_id")
    if len(ok) != problem["rows"]:
        return  # incomplete design: indices would be meaningless
    ok = ok.sort_values("design.row")
    parts = []
    for outcome in OUTCOMES:
        idx = sobol_indices(problem["salib"], ok[outcome].to_numpy(dtype=float))
        idx.insert(0, "outcome", outcome)
        parts.append(idx)
    write_table(pd.concat(parts, ignore_index=True), sweep / "sensitivity.parquet")


class CollectCallback(Callback):
    """Hydra callback: collect the sweep folder when a ``--multirun`` ends."""

    def on_multirun_end(self, config, **kwargs) -> None:
        runs, _ = collect(config.hydra.sweep.dir)
        counts = runs["status"].value_counts().to_dict() if len(runs) else {}
        print(f"simspam: collected {len(runs)} runs {counts} into {config.hydra.sweep.dir}/runs.parquet")
        write_sweep_report(Path(config.hydra.sweep.dir))


def write_sweep_report(sweep: Path) -> None:
    """The sweep's report.html, from the tables just collected.  The tables are the result and
    are already safe on disk, so a report that cannot be rendered is reported on one line
    (``simspam-report DIR`` retries it) rather than failing a sweep whose runs all finished."""
    from ..report.cli import sweep_page
    from ..report.html import write_atomic

    try:
        path = write_atomic(sweep / "report.html", sweep_page(sweep))
    except Exception as exc:  # noqa: BLE001 - see the docstring
        print(f"simspam: sweep report not written ({type(exc).__name__}: {exc}); "
              f"retry with simspam-report {sweep}", file=sys.stderr)
        return
    print(f"simspam: sweep report {path}")


@quiet_on_closed_pipe
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="simspam-collect", description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="a sweep folder written by simspam --multirun")
    args = ap.parse_args(argv)
    try:
        runs, outcomes = collect(args.dir)
    except ConfigError as err:
        print(err.one_line(), file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    counts = runs["status"].value_counts().to_dict() if len(runs) else {}
    print(f"{len(runs)} runs {counts}; wrote {Path(args.dir) / 'runs.parquet'} and outcomes.parquet")
