"""Numbers with their units, written the way a briefing note writes them: the one formatter
behind every figure's hover and axis, every headline card, every table cell and the printed
command-line summaries.

Why one module: the same quantity used to be written three ways on one page (a card said
"2.5 M h", a hover "2.5 M hours", a sentence "2,500,000"), because each report and figure
module had its own helper.  Policymakers read magnitudes, not digits, so values of a million
and more get one decimal and a word-like suffix ("1.2 bn", "$3.4 M"); smaller values keep
thousands separators; a missing or non-finite value is "n/a", never "nan".

Units are those of :mod:`simspam.metrics.outcomes`: ``USD`` (a dollar sign, after the minus
sign), ``%`` (a percentage: "45.2 %"; a difference of percentages is in percentage points),
``share`` (a fraction 0 to 1 shown as a percentage), ``hours``, or a count noun
("messages") that a hover or a sentence prints after the number and a card, whose label
already names what is counted, leaves out.

Pure string formatting: no plotly, importable from anywhere above :mod:`simspam.metrics`.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "MEASURES", "axis_title", "card", "compact", "normalise_unit", "number", "percent", "plain", "quantity",
    "ratio", "scale", "significant", "unit_phrase",
]

#: Units a card prints with its value; any other unit is a count noun the card's label names.
MEASURES = ("USD", "%", "share", "hours")


def _finite(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def number(value: object, *, money: bool = False) -> str:
    """``1.2 bn``, ``3.4 M``, ``12,345``, ``0.123``; ``money=True`` adds a dollar sign."""
    x = _finite(value)
    if x is None:
        return "n/a"
    sign = "-" if x < 0 else ""
    a = abs(x)
    prefix = sign + ("$" if money else "")
    for threshold, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "M")):
        if a >= threshold:
            return f"{prefix}{a / threshold:.1f} {suffix}"
    if a >= 1000 or a == int(a):
        return f"{prefix}{a:,.0f}"
    return f"{prefix}{a:.3g}"


def normalise_unit(unit: str | None) -> str:
    """``"usd"`` -> ``"USD"``; None -> ``""``."""
    unit = "" if unit is None else str(unit)
    return "USD" if unit.lower() == "usd" else unit


def quantity(value: object, unit: str | None, *, signed: bool = False, points: str = "pp") -> str:
    """A number with its unit, for a hover or a sentence: ``$1.2 M``, ``3.4 bn messages``,
    ``45.2 %``, ``+0.8 pp`` (``points`` names a difference of percentages: "pp" in figures,
    "percentage points" in prose)."""
    unit = normalise_unit(unit)
    x = _finite(value)
    if x is None:
        return "n/a"
    plus = "+" if signed and x > 0 else ""
    if unit == "%":
        return f"{plus}{x:.1f} {points if signed else '%'}"
    if unit == "share":
        return f"{plus}{100.0 * x:.1f} {points if signed else '%'}"
    if unit == "USD":
        return plus + number(x, money=True)
    text = plus + number(x)
    return f"{text} {unit}" if unit else text


def card(value: object, unit: str | None) -> str:
    """A headline card's value: the number and, for a measure (:data:`MEASURES`), its unit --
    ``$5.6 M``, ``45.2 %``, ``2.5 M h`` -- or, for a count, the number alone (the card's
    label says what is counted).  Text is shown as it is."""
    unit = normalise_unit(unit)
    x = _finite(value)
    if x is None:
        return "n/a" if value is None or isinstance(value, (int, float, np.number)) else str(value)
    if unit == "USD":
        return number(x, money=True)
    if unit == "share":
        return f"{(x * 100 if abs(x) <= 1 else x):.1f} %"
    if unit == "%":
        return f"{x:.1f} %"
    if unit == "hours":
        return f"{number(x)} h"
    return number(x)


def plain(value: object, unit: str | None) -> str:
    """A command-line summary's value: whole numbers exact with thousands separators (a
    terminal reader may compare runs digit by digit), other numbers as on a card."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return f"{int(value):,}"
    return card(value, unit)


def compact(value: float, unit: str | None) -> str:
    """A signed number without its unit, for a heat-map cell (the unit is on the colour bar)."""
    unit = normalise_unit(unit)
    if unit == "%":
        return f"{value:+.1f}"
    text = number(value, money=unit == "USD")
    return ("+" + text) if value > 0 else text


def percent(fraction: object, *, signed: bool = False) -> str:
    """A fraction as a whole percentage: ``0.85`` -> ``85 %`` (``signed``: ``+85 %``)."""
    x = _finite(fraction)
    if x is None:
        return "n/a"
    pct = 100.0 * x if round(100.0 * x) != 0 else 0.0  # no "-0 %"
    return f"{pct:+.0f} %" if signed else f"{pct:.0f} %"


def ratio(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole`` with one decimal; ``n/a`` when ``whole`` is not positive."""
    return f"{100.0 * part / whole:.1f} %" if whole > 0 else "n/a"


def significant(value: object, digits: int = 4) -> str:
    """A measured value in a table of mixed magnitudes: ``digits`` significant digits."""
    x = _finite(value)
    return "n/a" if x is None else f"{x:.{digits}g}"


# --------------------------------------------------------------------------
# axes
# --------------------------------------------------------------------------


def _finite_array(values: Iterable) -> np.ndarray:
    arr = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float)
    return arr[np.isfinite(arr)]


def scale(values: Iterable, unit: str | None) -> tuple[float, str]:
    """A round divisor for plotting ``values`` and its word: ``(1e6, "millions")``.

    Policymakers read "12 million", not plotly's SI "12M" or "1.2G": figures divide by this
    factor and say so in the axis title.  Percentages are never scaled; below ten thousand
    nothing is."""
    if normalise_unit(unit) == "%":
        return 1.0, ""
    arr = _finite_array(values)
    top = float(np.abs(arr).max()) if arr.size else 0.0
    for factor, word in ((1e12, "trillions"), (1e9, "billions"), (1e6, "millions"), (1e4, "thousands")):
        if top >= factor:
            return (1e3 if factor == 1e4 else factor), word
    return 1.0, ""


def unit_phrase(unit: str | None, word: str, *, change: bool = False) -> str:
    """What goes in brackets after an axis title: "millions of messages", "USD millions", "%"."""
    unit = normalise_unit(unit)
    if unit == "%":
        return "percentage points" if change else "%"
    if unit == "USD":
        return f"USD {word}" if word else "USD"
    if word:
        return f"{word} of {unit}" if unit else word
    return unit


def axis_title(label: str, unit: str | None, word: str, *, change: bool = False) -> str:
    """``Spam delivered (millions of messages)``."""
    phrase = unit_phrase(unit, word, change=change)
    return f"{label} ({phrase})" if phrase else label
