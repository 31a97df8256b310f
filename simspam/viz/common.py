"""What every figure module does to its input: check it, and escape its text for plotly.js.

Any string that comes from the data or the caller (titles, scenario and country names, event
details, error messages) is HTML-escaped before plotly.js sees it, because plotly.js
interprets a subset of HTML in text, labels and hovers.
"""
from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["escape", "escape_series", "is_empty", "object_columns", "require"]


def escape(text: object) -> str:
    """HTML-escape one string for plotly text (plotly.js decodes entities)."""
    return html.escape("" if text is None else str(text))


def escape_series(s: pd.Series) -> pd.Series:
    """Vectorised :func:`html.escape` (quote=True) for a column of strings."""
    s = s.fillna("").astype(str)
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        s = s.str.replace(char, entity, regex=False)
    return s


def is_empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


def require(df: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    """Fail early with a readable message when an input lacks a column."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{table} table is missing column(s): {', '.join(missing)}")


def object_columns(*columns) -> np.ndarray:
    """Stack columns into an object array for ``customdata``.

    ``np.column_stack`` would coerce mixed text and numbers to strings, and plotly's number
    formats (``%{customdata[3]:,.4g}``) then stop working.
    """
    cols = [np.asarray(c, dtype=object) for c in columns]
    out = np.empty((len(cols[0]) if cols else 0, len(cols)), dtype=object)
    for j, c in enumerate(cols):
        out[:, j] = c
    return out
