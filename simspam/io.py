"""Writing a run's outputs: tables as Parquet, summary as JSON, the HTML report.

Every file is written to a temporary name in the output folder and renamed into
place, and ``summary.json`` is written last: a folder with a ``summary.json`` holds a
complete run, and a crash never leaves a half-written file under a final name.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from .atomic import replace_atomically as _atomic
from .report.html import write_atomic
from .report.run_report import build_run_report

FILES = ("daily.parquet", "events.parquet", "report.html", "summary.json")


# Dictionary-encode only the columns that repeat (countries, dates, kinds): trying it on
# every float column, Parquet's default, made writing a run's daily table 6x slower.
_DICTIONARY_COLUMNS = ("country", "date", "kind", "partner", "scenario", "status", "outcome")


def write_table(df: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    dictionary = [c for c in _DICTIONARY_COLUMNS if c in table.column_names]
    _atomic(path, lambda tmp: pq.write_table(table, tmp, use_dictionary=dictionary or False))


def write_json(obj: dict, path: Path) -> None:
    def w(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=2, default=str)

    _atomic(path, w)


def write_run(result, out_dir: str | os.PathLike, report: bool = True) -> Path:
    """Write ``daily.parquet``, ``events.parquet``, ``report.html`` and (last) ``summary.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_table(result.daily, out / "daily.parquet")
    write_table(result.events, out / "events.parquet")
    if report:
        write_atomic(out / "report.html", build_run_report(result.daily, result.events, result.summary))
    write_json(result.summary, out / "summary.json")
    return out


def read_run(out_dir: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    out = Path(out_dir)
    with open(out / "summary.json", encoding="utf-8") as fh:
        summary = json.load(fh)
    return pd.read_parquet(out / "daily.parquet"), pd.read_parquet(out / "events.parquet"), summary
