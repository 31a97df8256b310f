"""Space-filling and grid designs over declared parameter ranges, for Hydra sweeps.

A design is a DataFrame with one column per parameter and one row per point; each
row becomes a list of Hydra overrides (:func:`to_overrides`) and a short stable
name (:func:`design_id`) so that re-running a sweep finds the points it already has.
Every design point is then run on the experiment's seeds, under common random
numbers, like any scenario.

Range specs: ``{name: (low, high)}`` or ``{name: (low, high, "log")}``.
``"log"`` samples log-uniformly (for rates and sizes that span orders of
magnitude, where a uniform draw would spend almost every point in the top decade).
Values are floats unless the name is listed in ``integer=[...]``; an integer
parameter is drawn uniformly over the integers ``low..high`` inclusive (continuous
on ``[low, high+1)``, then floored; log-uniformly in the same way for ``"log"``).

Why these designs: Latin hypercubes stratify every single parameter, which makes
the most of a small budget of expensive runs; scrambled Sobol' points fill the
joint space more evenly and extend in powers of two; Saltelli's scheme is the
sample that variance-based (Sobol') sensitivity indices need
(see :mod:`simspam.experiments.sensitivity`).  All random designs are determined by
their ``seed``.

Pure numpy / pandas / scipy / SALib: nothing here runs a simulation.
"""
from __future__ import annotations

import hashlib
import inspect
import itertools
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

__all__ = ["latin_hypercube", "sobol_sequence", "grid", "saltelli", "to_overrides", "design_id"]


@dataclass(frozen=True)
class _Param:
    name: str
    low: float
    high: float
    log: bool
    integer: bool


def _parse_ranges(ranges: Mapping, integer: Iterable[str] | None) -> list[_Param]:
    if not isinstance(ranges, Mapping) or not ranges:
        raise ValueError("ranges: expected a non-empty dict name -> (low, high[, 'log'])")
    integer = [integer] if isinstance(integer, str) else list(integer or ())
    unknown = sorted(set(integer) - set(ranges))
    if unknown:
        raise ValueError(f"integer: {unknown} not among the ranges {list(ranges)}")
    params = []
    for name, spec in ranges.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"ranges: parameter names must be non-empty strings, got {name!r}")
        if isinstance(spec, (str, bytes)) or not isinstance(spec, Iterable):
            raise ValueError(f"ranges.{name}: expected (low, high) or (low, high, 'log'), got {spec!r}")
        spec = tuple(spec)
        if len(spec) not in (2, 3) or (len(spec) == 3 and spec[2] != "log"):
            raise ValueError(f"ranges.{name}: expected (low, high) or (low, high, 'log'), got {spec!r}")
        low, high = spec[0], spec[1]
        for v in (low, high):
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise ValueError(f"ranges.{name}: bounds must be finite numbers, got {spec!r}")
        low, high = float(low), float(high)
        if not low < high:
            raise ValueError(f"ranges.{name}: low must be < high, got {spec!r}")
        is_log = len(spec) == 3
        if is_log and low <= 0:
            raise ValueError(f"ranges.{name}: a 'log' range needs low > 0, got {spec!r}")
        is_int = name in integer
        if is_int and not (low.is_integer() and high.is_integer()):
            raise ValueError(f"ranges.{name}: an integer parameter needs integer bounds, got {spec!r}")
        params.append(_Param(name, low, high, is_log, is_int))
    return params


def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n: must be a positive integer, got {n!r}")
    return int(n)


def _scale(unit: np.ndarray, params: list[_Param]) -> pd.DataFrame:
    """Map points of the unit cube (rows) onto the declared ranges, column by column."""
    cols = {}
    for j, p in enumerate(params):
        u = unit[:, j]
        top = p.high + 1.0 if p.integer else p.high
        if p.log:
            v = np.exp(np.log(p.low) + u * (np.log(top) - np.log(p.low)))
        else:
            v = p.low + u * (top - p.low)
        if p.integer:
            cols[p.name] = np.clip(np.floor(v), p.low, p.high).astype(np.int64)
        else:
            # Guard the ends against exp/log round-off.
            cols[p.name] = np.clip(v, p.low, p.high)
    return pd.DataFrame(cols)


def _qmc_seed(engine, seed) -> dict:
    """SciPy renamed ``seed`` to ``rng`` in its QMC engines (1.15); use whichever exists."""
    key = "rng" if "rng" in inspect.signature(engine).parameters else "seed"
    return {key: seed}


def latin_hypercube(ranges: Mapping, n: int, seed, integer: Iterable[str] | None = None) -> pd.DataFrame:
    """``n`` points of a Latin hypercube over ``ranges`` (scipy ``qmc.LatinHypercube``).

    Each parameter's range (in log space for ``"log"``) is cut into ``n`` equal
    strata and every stratum holds exactly one point, so each parameter is covered
    evenly even when ``n`` is small.  Same ``seed``, same design.
    """
    params = _parse_ranges(ranges, integer)
    n = _check_n(n)
    engine = qmc.LatinHypercube(d=len(params), **_qmc_seed(qmc.LatinHypercube, seed))
    return _scale(engine.random(n), params)


def sobol_sequence(ranges: Mapping, n: int, seed, integer: Iterable[str] | None = None) -> pd.DataFrame:
    """Scrambled Sobol' points over ``ranges`` (scipy ``qmc.Sobol``, seeded).

    Sobol' points are balanced only in blocks of a power of two, so ``n`` is rounded
    up to the next power of two (``n=100`` gives 128 rows); no warning is raised,
    check ``len(result)``.  Same ``seed``, same design.
    """
    params = _parse_ranges(ranges, integer)
    n = _check_n(n)
    m = int(math.ceil(math.log2(n)))
    engine = qmc.Sobol(d=len(params), scramble=True, **_qmc_seed(qmc.Sobol, seed))
    return _scale(engine.random_base2(m), params)


def grid(levels: Mapping) -> pd.DataFrame:
    """Full grid over ``levels`` (``{name: [values...]}``): every combination once.

    The first parameter changes slowest (``itertools.product`` order).  Column
    dtypes follow the values (ints stay ints, strings stay strings).
    """
    if not isinstance(levels, Mapping) or not levels:
        raise ValueError("levels: expected a non-empty dict name -> list of values")
    lists = {}
    for name, vals in levels.items():
        if isinstance(vals, (str, bytes)) or not isinstance(vals, Iterable):
            raise ValueError(f"levels.{name}: expected a list of values, got {vals!r}")
        vals = list(vals)
        if not vals:
            raise ValueError(f"levels.{name}: needs at least one value")
        lists[name] = vals
    rows = list(itertools.product(*lists.values()))
    return pd.DataFrame(rows, columns=list(lists))


def saltelli(
    ranges: Mapping,
    n: int,
    seed,
    calc_second_order: bool = False,
    integer: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Saltelli sample for Sobol' sensitivity indices (``SALib.sample.sobol.sample``).

    Returns ``(design, problem)``: ``design`` has ``N·(D+2)`` rows
    (``N·(2D+2)`` with ``calc_second_order``), ``D`` the number of parameters, in
    the order SALib's analysis expects, so do not sort or filter it before handing
    the outputs to :func:`simspam.experiments.sensitivity.sobol_indices` with
    ``problem``.  ``N`` is ``n`` rounded up to a power of two (the estimator's
    convergence assumes it, and SALib warns otherwise).

    SALib draws the points in the unit cube; they are scaled here exactly as in the
    other designs (log and integer handling included).  ``problem`` describes the
    real ranges (``dists='logunif'`` for log ranges).
    """
    from SALib.sample import sobol as _salib_sobol

    params = _parse_ranges(ranges, integer)
    n = _check_n(n)
    big_n = 2 ** int(math.ceil(math.log2(n)))
    d = len(params)
    unit_problem = {"num_vars": d, "names": [p.name for p in params], "bounds": [[0.0, 1.0]] * d}
    unit = _salib_sobol.sample(unit_problem, big_n, calc_second_order=calc_second_order, seed=seed)
    design = _scale(np.asarray(unit, dtype=float), params)
    problem = {
        "num_vars": d,
        "names": [p.name for p in params],
        "bounds": [[p.low, p.high] for p in params],
    }
    if any(p.log for p in params):
        problem["dists"] = ["logunif" if p.log else "unif" for p in params]
    return design, problem


# --- Hydra overrides -------------------------------------------------------

_HYDRA_SPECIAL = set("\\()[]{}:=,'\" \t\n$*?<>|&;#~")


def _format_value(key: str, v) -> str:
    """Render one value as Hydra override text (parsed back to the same type and value)."""
    if v is None:
        return "null"
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        return repr(float(v))  # shortest text that round-trips: 0.1, 1e-05, inf, nan
    if isinstance(v, str):
        if v and not (set(v) & _HYDRA_SPECIAL):
            return v
        # Hydra quoted strings: escape quotes, and double only the backslashes that
        # precede a quote or the closing quote (others are taken literally).
        body = re.sub(r"(\\*)'", lambda m: m.group(1) * 2 + "\\'", v)
        body = re.sub(r"(\\+)$", lambda m: m.group(1) * 2, body)
        return "'" + body + "'"
    raise ValueError(f"{key}: cannot write a {type(v).__name__} value ({v!r}) as a Hydra override")


def to_overrides(row: Mapping, prefix_map: Mapping[str, str] | None = None) -> list[str]:
    """Hydra override strings ``key=value`` for one design row, in the row's order.

    Floats are written with ``repr`` (the shortest text that reads back as the same
    float), ints as ints, booleans as ``true``/``false``, ``None`` as ``null``,
    strings with special characters quoted.  ``prefix_map`` maps a column name to
    the config group it lives in: ``{"fine": "params.legislation"}`` turns column
    ``fine`` into ``params.legislation.fine=...``; unmapped columns are used as they
    are (so a design may also use full dotted names directly).

    Take rows with ``design.to_dict("records")``, not ``iterrows()``: the latter
    turns int columns into floats when the frame also has float columns.
    """
    prefix_map = dict(prefix_map or {})
    out = []
    for name, v in row.items():
        prefix = prefix_map.get(name)
        key = f"{prefix}.{name}" if prefix else str(name)
        out.append(f"{key}={_format_value(key, v)}")
    return out


def design_id(row: Mapping) -> str:
    """Short stable name of a design point: 10 hex characters of BLAKE2b over the
    sorted ``key=value`` lines (values rendered as in :func:`to_overrides`).

    Independent of column order, of numpy vs Python scalar types and of the Python
    process (unlike ``hash()``), so the same point always gets the same id.
    """
    text = "\n".join(f"{k}={_format_value(str(k), row[k])}" for k in sorted(row, key=str))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=5).hexdigest()
