"""A run's folder, as ``simspam`` writes it: ``daily.parquet``, ``events.parquet``, any extra
files (``report.html``) and, last, ``summary.json``.

Every file is written to a temporary name in the folder and renamed into place, and
``summary.json`` comes last: a folder with a ``summary.json`` holds a complete run (a sweep
skips such a job when it is run again), and a crash never leaves a half-written file under
a final name.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .atomic import Extras, write_extras
from .tables import read_json, read_table, read_table_if_present, write_json, write_table

__all__ = ["SUMMARY", "TABLES", "read_run", "write_run"]

#: The run's tables, in the order they are written.
TABLES = ("daily", "events")
SUMMARY = "summary.json"


def write_run(result, out_dir: str | os.PathLike, extras: Extras | None = None) -> Path:
    """Write ``result``'s ``daily`` and ``events`` tables, then each of ``extras`` (file name ->
    a callable returning its content, e.g. ``{"report.html": render}``), then ``summary.json``.

    ``result`` is anything with ``daily``, ``events`` and ``summary`` (a
    :class:`simspam.Result`).  An extra that raises leaves no summary behind, so the folder
    does not count as a complete run."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_table(result.daily, out / "daily.parquet")
    write_table(result.events, out / "events.parquet")
    write_extras(out, extras)
    write_json(result.summary, out / SUMMARY)
    return out


def read_run(out_dir: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame | None, dict]:
    """``(daily, events, summary)`` of a run's folder; ``events`` is None when the folder has
    no ``events.parquet``."""
    out = Path(out_dir)
    summary = read_json(out / SUMMARY)
    return read_table(out / "daily.parquet"), read_table_if_present(out / "events.parquet"), summary
