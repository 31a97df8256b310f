"""A comparison's folder, as ``simspam-compare`` writes it: one Parquet file per table, any extra
files (``report.html``) and, last, ``summary.json`` (headline, scenarios, design, baseline,
provenance).  Columns of each table: ``docs/outputs.md`` and ``docs/experiments.md``."""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .atomic import Extras, write_extras
from .tables import read_json, read_table_if_present, write_json, write_table

__all__ = ["BASELINE", "TABLES", "read_comparison", "write_comparison"]

#: Every table a comparison may hold (``factorial`` and ``priority`` only for those designs).
TABLES = ("runs", "series", "comparison", "cost_effectiveness", "factorial", "priority",
          "country_series", "relocations", "cooperation_edges")
#: The name of the reference scenario in a comparison's tables, unless its summary names
#: another (``compare.baseline``).
BASELINE = "baseline"


def write_comparison(tables: Mapping[str, pd.DataFrame], summary: dict, out_dir: str | os.PathLike,
                     extras: Extras | None = None) -> Path:
    """Write each table as ``<name>.parquet``, then ``extras``, then ``summary.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        write_table(df, out / f"{name}.parquet")
    write_extras(out, extras)
    write_json(summary, out / "summary.json")
    return out


def read_comparison(folder: str | os.PathLike) -> tuple[dict[str, pd.DataFrame | None], dict]:
    """``(tables, summary)`` of a comparison's folder: every name of :data:`TABLES` (None where
    the folder lacks it) and the summary (empty if missing)."""
    folder = Path(folder)
    tables = {name: read_table_if_present(folder / f"{name}.parquet") for name in TABLES}
    summary_path = folder / "summary.json"
    return tables, (read_json(summary_path) if summary_path.is_file() else {})
