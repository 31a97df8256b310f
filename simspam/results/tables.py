"""Tables as Parquet and summaries as JSON, each written atomically."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from .atomic import replace_atomically

__all__ = ["DICTIONARY_COLUMNS", "read_json", "read_table", "read_table_if_present", "write_json", "write_table"]

#: Columns dictionary-encoded in Parquet: only those whose values repeat (countries, dates,
#: kinds).  Trying it on every float column, Parquet's default, made writing a run's daily
#: table 6x slower.
DICTIONARY_COLUMNS = ("country", "date", "kind", "partner", "scenario", "status", "outcome")


def write_table(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``df`` (without its index) to ``path`` as Parquet, atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    dictionary = [c for c in DICTIONARY_COLUMNS if c in table.column_names]
    return replace_atomically(path, lambda tmp: pq.write_table(table, tmp, use_dictionary=dictionary or False))


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    return pd.read_parquet(path)


def read_table_if_present(path: str | os.PathLike) -> pd.DataFrame | None:
    """The table at ``path``, or None when the folder does not hold it (optional tables)."""
    return pd.read_parquet(path) if Path(path).is_file() else None


def write_json(obj: dict, path: str | os.PathLike) -> Path:
    """Write ``obj`` as indented JSON (values JSON cannot hold, such as dates, as text), atomically."""

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=2, default=str)

    return replace_atomically(path, write)


def read_json(path: str | os.PathLike) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
