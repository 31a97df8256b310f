"""A sweep's folder (``simspam --multirun``, ``simspam-design``): one numbered folder per job,
and the tables collected from them.

Each job's folder holds Hydra's ``.hydra/overrides.yaml`` (the swept values) and either a
complete run (``summary.json`` last, :mod:`simspam.results.run`) or ``error.json`` (a
recorded failure).  Collecting reads those small files only -- never the per-run time
series -- so memory stays flat however many runs the sweep holds, into

* ``runs.parquet``: one row per job (its folder, swept values, run id, scenario, seed,
  status and error);
* ``outcomes.parquet``: one row per successful run, the outcomes of
  :data:`simspam.metrics.outcomes.COMPARED` and ``policy_cost``, aligned on ``run_id``.

A run's identity is the hash of its resolved configuration (``run_key``), stored in its
``summary.json``: rerunning a sweep into the same folder skips every job whose folder already
holds a complete run with that key (:func:`job_complete`).
"""
from __future__ import annotations

import json
import os
import traceback
from pathlib import Path

import pandas as pd
import yaml

from .._version import __version__
from ..errors import ConfigError
from ..metrics.outcomes import outcome_row
from .tables import read_table_if_present, write_json, write_table

__all__ = ["collect", "job_complete", "job_dirs", "read_sweep", "sweep_provenance", "write_collected",
           "write_failure"]


def job_dirs(sweep_dir: str | os.PathLike) -> list[Path]:
    """The job folders of a sweep (those Hydra wrote its overrides into), in job order."""
    sweep = Path(sweep_dir)
    return sorted((p.parent.parent for p in sweep.glob("*/.hydra/overrides.yaml")), key=lambda p: p.name)


def job_complete(out_dir: Path, key: str) -> bool:
    """True when ``out_dir`` already holds the complete run whose run key is ``key``."""
    summary = Path(out_dir) / "summary.json"
    if not summary.is_file():
        return False
    try:
        return json.loads(summary.read_text())["provenance"].get("run_key") == key
    except (ValueError, KeyError):
        return False


def write_failure(out_dir: Path, key: str, exc: BaseException) -> Path:
    """Record a job that raised: ``error.json`` with its run key, error and traceback."""
    return write_json({"status": "failed", "run_key": key, "error": f"{type(exc).__name__}: {exc}".splitlines()[0],
                       "traceback": traceback.format_exc(limit=8)}, Path(out_dir) / "error.json")


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


def collect(sweep_dir: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(runs, outcomes)`` of the sweep in ``sweep_dir``, read from its jobs' folders (nothing is written)."""
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
            outcomes.append({"run_id": row["run_id"], **outcome_row(data["headline"], cost_parts=False)})
        elif error.is_file():
            data = json.loads(error.read_text())
            row.update({"run_id": data.get("run_key", ""), "status": "failed", "error": data.get("error", "")})
        else:
            row.update({"run_id": "", "status": "incomplete", "error": "no summary.json or error.json"})
        runs.append(row)
    return pd.DataFrame(runs), pd.DataFrame(outcomes)


def write_collected(sweep_dir: str | os.PathLike, runs: pd.DataFrame, outcomes: pd.DataFrame) -> None:
    """Write a sweep's collected ``runs.parquet`` and ``outcomes.parquet``."""
    sweep = Path(sweep_dir)
    write_table(runs, sweep / "runs.parquet")
    write_table(outcomes, sweep / "outcomes.parquet")


def sweep_provenance(folder: str | os.PathLike, runs: pd.DataFrame) -> dict:
    """What the sweep's own files say about how it was made: the command (from Hydra's
    ``multirun.yaml``), the configuration without Hydra's settings, the seeds, and the
    version and creation time recorded by its first successful run."""
    folder = Path(folder)
    prov: dict = {}
    first = None
    if "job" in runs.columns and "status" in runs.columns:
        ok = runs.loc[runs["status"].astype(str) == "ok", "job"].astype(str)
        first = next((folder / j / "summary.json" for j in ok if (folder / j / "summary.json").is_file()), None)
    if first is not None:
        p = json.loads(first.read_text(encoding="utf-8")).get("provenance", {})
        prov.update(version=p.get("version", "n/a"), created=p.get("created", "n/a"))
    else:
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


def read_sweep(folder: str | os.PathLike) -> dict:
    """Everything a sweep's report reads: ``runs`` and ``outcomes`` (collected in memory when the
    folder was never collected; nothing is written), ``sensitivity`` and ``design`` (None when
    absent), its ``provenance`` and ``name``."""
    folder = Path(folder)
    runs, outcomes = read_table_if_present(folder / "runs.parquet"), read_table_if_present(folder / "outcomes.parquet")
    if runs is None or outcomes is None:
        runs, outcomes = collect(folder)
    return {"runs": runs, "outcomes": outcomes, "sensitivity": read_table_if_present(folder / "sensitivity.parquet"),
            "design": read_table_if_present(folder / "design.parquet"),
            "provenance": sweep_provenance(folder, runs), "name": folder.name}
