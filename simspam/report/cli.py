"""``simspam-report DIR``: (re)write the offline report of any results folder.

    simspam-report outputs/2026-01-02/10-11-12_baseline_s0     # one run
    simspam-report outputs/compare/2026-01-02/10-11-12_scenarios   # a comparison
    simspam-report multirun/2026-01-02/10-11-12                 # a sweep

What the folder is, is read from the files in it -- never from its name:

* a **comparison** (``simspam-compare``): ``comparison.parquet`` and the other tables;
* a **run** (``simspam``): ``summary.json`` and ``daily.parquet`` (and ``events.parquet``);
* a **sweep** (``simspam --multirun``, ``simspam-design``): ``runs.parquet`` and
  ``outcomes.parquet`` from ``simspam-collect``, or, if it was never collected, the jobs'
  folders (collected in memory; nothing but the report is written), with
  ``sensitivity.parquet`` and ``design.parquet`` when present.

The report is rendered in memory and written to ``DIR/report.html`` atomically, so a
failure leaves any previous report intact.  A folder that is missing or holds none of
these gets one line naming the path and what was expected, exit code 2, and nothing is
written.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd
import yaml

from ..errors import EXIT_BAD_INPUT, ConfigError, quiet_on_closed_pipe

__all__ = ["EXPECTED", "detect", "main", "sweep_provenance", "write_report"]

EXPECTED = ("a results folder: a run (summary.json and daily.parquet), a comparison (comparison.parquet) "
            "or a sweep (runs.parquet and outcomes.parquet, or job folders written by simspam --multirun)")

#: The tables a comparison report reads, each optional.
COMPARE_TABLES = ("runs", "series", "comparison", "cost_effectiveness", "factorial", "priority",
                  "country_series", "relocations", "cooperation_edges")


def detect(folder: Path) -> str:
    """``"compare"``, ``"run"`` or ``"sweep"``; raises ConfigError for anything else."""
    if not folder.is_dir():
        raise ConfigError("DIR", f"{str(folder)!r} is not a folder", EXPECTED)
    if (folder / "comparison.parquet").is_file():
        return "compare"
    if (folder / "summary.json").is_file() and (folder / "daily.parquet").is_file():
        return "run"
    if (folder / "runs.parquet").is_file() and (folder / "outcomes.parquet").is_file():
        return "sweep"
    from ..experiments.collect import job_dirs

    if job_dirs(folder):
        return "sweep"
    raise ConfigError("DIR", f"{str(folder)!r} is not a results folder", EXPECTED)


def _read(path: Path) -> pd.DataFrame | None:
    return pd.read_parquet(path) if path.is_file() else None


def _compare_page(folder: Path) -> str:
    from .compare_report import build_compare_report

    tables = {name: _read(folder / f"{name}.parquet") for name in COMPARE_TABLES}
    summary_path = folder / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.is_file() else {}
    return build_compare_report(tables, summary)


def _run_page(folder: Path) -> str:
    from ..io import read_run
    from .run_report import build_run_report

    daily, events, summary = read_run(folder) if (folder / "events.parquet").is_file() else (
        pd.read_parquet(folder / "daily.parquet"), None,
        json.loads((folder / "summary.json").read_text(encoding="utf-8")))
    return build_run_report(daily, events, summary)


def sweep_provenance(folder: Path, runs: pd.DataFrame) -> dict:
    """What the sweep's own files say about how it was made: the command (from Hydra's
    ``multirun.yaml``), the configuration without Hydra's settings, the seeds, and the
    version and creation time recorded by its first successful run."""
    prov: dict = {}
    first = None
    if "job" in runs.columns and "status" in runs.columns:
        ok = runs.loc[runs["status"].astype(str) == "ok", "job"].astype(str)
        first = next((folder / j / "summary.json" for j in ok if (folder / j / "summary.json").is_file()), None)
    if first is not None:
        p = json.loads(first.read_text(encoding="utf-8")).get("provenance", {})
        prov.update(version=p.get("version", "n/a"), created=p.get("created", "n/a"))
    else:
        from .. import __version__

        prov.update(version=__version__, created="n/a")
    multirun = folder / "multirun.yaml"
    if multirun.is_file():
        data = yaml.safe_load(multirun.read_text(encoding="utf-8")) or {}
        task = ((data.get("hydra") or {}).get("overrides") or {}).get("task") or []
        prov["command"] = "simspam --multirun " + " ".join(str(t) for t in task)
        data.pop("hydra", None)
        prov["config_yaml"] = yaml.safe_dump(data, sort_keys=False)
    else:
        prov["command"] = "n/a (no multirun.yaml in the folder)"
    if "seed" in runs.columns:
        seeds = sorted({int(s) for s in pd.to_numeric(runs["seed"], errors="coerce").dropna()})
        prov["seed"] = " ".join(str(s) for s in seeds) + f" ({len(seeds)} seeds)"
    prov["folder"] = str(folder)
    return prov


def sweep_page(folder: Path) -> str:
    """The sweep report of ``folder`` (collected in memory if it has no runs.parquet)."""
    from .sweep_report import build_sweep_report

    runs, outcomes = _read(folder / "runs.parquet"), _read(folder / "outcomes.parquet")
    if runs is None or outcomes is None:
        from ..experiments.collect import collect

        runs, outcomes = collect(folder, write=False)
    return build_sweep_report(runs, outcomes, sensitivity=_read(folder / "sensitivity.parquet"),
                              design=_read(folder / "design.parquet"), provenance=sweep_provenance(folder, runs),
                              name=folder.name)


def write_report(folder: str | Path) -> tuple[str, Path]:
    """Detect what ``folder`` holds, render its report and write ``folder/report.html``."""
    from .html import write_atomic

    folder = Path(folder)
    kind = detect(folder)
    page = {"compare": _compare_page, "run": _run_page, "sweep": sweep_page}[kind](folder)
    return kind, write_atomic(folder / "report.html", page)


@quiet_on_closed_pipe
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="simspam-report", description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="a results folder: a run, a comparison or a sweep")
    args = ap.parse_args(argv)
    try:
        kind, path = write_report(args.dir)
    except ConfigError as err:
        print(err.one_line(), file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    print(f"simspam-report: {dict(compare='comparison').get(kind, kind)} report written to {path}")


if __name__ == "__main__":
    main()
