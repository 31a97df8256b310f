"""What kind of results folder a path is, read from the files in it -- never from its name.

* a **comparison** (``simspam-compare``): ``comparison.parquet`` and the other tables;
* a **run** (``simspam``): ``summary.json`` and ``daily.parquet`` (and ``events.parquet``);
* a **sweep** (``simspam --multirun``, ``simspam-design``): ``runs.parquet`` and
  ``outcomes.parquet`` from ``simspam-collect``, or, if it was never collected, its jobs' folders.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import ConfigError
from .sweep import job_dirs

__all__ = ["EXPECTED", "KINDS", "detect"]

KINDS = ("compare", "run", "sweep")
EXPECTED = ("a results folder: a run (summary.json and daily.parquet), a comparison (comparison.parquet) "
            "or a sweep (runs.parquet and outcomes.parquet, or job folders written by simspam --multirun)")


def detect(folder: str | os.PathLike) -> str:
    """``"compare"``, ``"run"`` or ``"sweep"``; raises ConfigError (naming the path and what was
    expected) for anything else."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError("DIR", f"{str(folder)!r} is not a folder", EXPECTED)
    if (folder / "comparison.parquet").is_file():
        return "compare"
    if (folder / "summary.json").is_file() and (folder / "daily.parquet").is_file():
        return "run"
    if (folder / "runs.parquet").is_file() and (folder / "outcomes.parquet").is_file():
        return "sweep"
    if job_dirs(folder):
        return "sweep"
    raise ConfigError("DIR", f"{str(folder)!r} is not a results folder", EXPECTED)
