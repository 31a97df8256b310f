"""Two-level full factorial designs and their effects.

The five policy levers (legislation, cooperation, self-regulation, technical
solutions, awareness) are naturally switched on or off, and the policy question is
as much about how they combine as about each alone: does cooperation only pay off
where there is legislation to enforce?  A 2^k full factorial answers both at once.
Every run informs every effect, which is far cheaper than one-at-a-time changes,
and interactions, invisible to one-at-a-time designs, are estimated directly.

Coding: a factor is 0/1 in the design (off/on) and ±1 in the analysis.  The effect
of a term is ``mean(y | contrast=+1) - mean(y | contrast=-1)``, where the contrast
of an interaction is the product of the ±1 codings of its factors: the average
change in ``y`` when the factor goes from off to on (for a main effect), or half the
difference between the effect of one factor with the other on and with it off (for
a two-way interaction).  With ``y = b0 + b_a·a + ...`` in ±1 coding, the effect of
``a`` is ``2·b_a``.

Replicates (several seeds per combination) give an error estimate: the pooled
within-combination variance ``s²`` has ``N - 2^k`` degrees of freedom, and each
effect, a difference of two means over ``N/2`` runs each, has standard error
``2·√(s²/N)``.  Under common random numbers the same seed is used in every
combination, so seed effects are shared and, as far as they are additive, cancel
in every contrast; the pooled within-combination variance still contains them, so
the error it gives is conservative (too large) rather than optimistic.

Pure numpy / pandas: nothing here runs a simulation.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats as _st

__all__ = ["full_factorial", "effects", "interaction_matrix"]

_RESERVED = {"combo", "none"}


def _check_factors(factors: Sequence[str]) -> list[str]:
    if isinstance(factors, str):
        factors = [factors]
    factors = list(factors)
    if not factors:
        raise ValueError("factors: give at least one factor name")
    for f in factors:
        if not isinstance(f, str) or not f:
            raise ValueError(f"factors: names must be non-empty strings, got {f!r}")
        if ":" in f or "+" in f:
            raise ValueError(f"factors: name {f!r} may not contain ':' or '+' (used in term and combo names)")
        if f in _RESERVED:
            raise ValueError(f"factors: name {f!r} is reserved (reserved: {sorted(_RESERVED)})")
    if len(set(factors)) != len(factors):
        dup = sorted({f for f in factors if factors.count(f) > 1})
        raise ValueError(f"factors: duplicated name(s) {dup}")
    return factors


def full_factorial(factors: Sequence[str]) -> pd.DataFrame:
    """All 2^k on/off combinations of ``factors``, in standard (Yates) order.

    Row ``i`` switches factor ``j`` on when bit ``j`` of ``i`` is set, so the first
    factor changes fastest: none, a, b, a+b, c, ...  Columns are the factors (0/1
    ints) and ``combo``, the ``+``-joined names of the factors that are on, or
    ``"none"``.
    """
    factors = _check_factors(factors)
    k = len(factors)
    i = np.arange(2**k)[:, None]
    bits = (i >> np.arange(k)[None, :]) & 1
    design = pd.DataFrame(bits.astype(np.int64), columns=factors)
    names = np.array(factors, dtype=object)
    design["combo"] = ["+".join(names[row.astype(bool)]) or "none" for row in bits]
    return design


def _response(design: pd.DataFrame, response) -> np.ndarray:
    if isinstance(response, str):
        if response not in design.columns:
            raise ValueError(f"response: column {response!r} not in design")
        y = design[response]
    elif isinstance(response, pd.Series):
        if not response.index.equals(design.index):
            if len(response) == len(design) and set(response.index) == set(design.index):
                response = response.reindex(design.index)
            else:
                raise ValueError(
                    "response: Series index does not match the design's index; "
                    "pass an array (positional) or align the Series first"
                )
        y = response
    else:
        y = response
    y = np.asarray(y, dtype=float)
    if y.ndim != 1 or y.size != len(design):
        raise ValueError(f"response: expected {len(design)} values (one per design row), got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("response: contains NaN/inf; drop those runs from design and response first")
    return y


def effects(
    design: pd.DataFrame,
    response,
    factors: Sequence[str],
    max_order: int = 2,
    level: float = 0.9,
) -> pd.DataFrame:
    """Main effects and interactions up to ``max_order`` from a (replicated) 2^k design.

    ``design`` holds 0/1 (or boolean) columns for ``factors`` and may have several
    rows per combination (replicates, e.g. seeds) and other columns, which are
    ignored.  ``response`` is an array aligned with the rows, a Series with the
    design's index, or the name of a column of ``design``.  Every one of the 2^k
    combinations must be present.

    The effect of each term is its ±1 contrast applied to the combination means,
    divided by 2^(k-1).  For a balanced design this is exactly
    ``mean(y | contrast=+1) - mean(y | contrast=-1)``; for unequal replicate counts
    it keeps every combination equally weighted, so a combination with more seeds
    does not leak into the other effects.

    Returns one row per term (main effects first, then two-way, ...; factor order
    as given), columns ``term`` (e.g. ``"a"``, ``"a:b"``), ``order``, ``effect``,
    ``se``, ``ci_low``, ``ci_high``.  ``se`` comes from the pooled within-combination
    variance ``s²`` (df ``N - 2^k``): ``se = (s / 2^(k-1))·√(Σ 1/n_c)``, which is
    ``2·√(s²/N)`` for a balanced design; the t-interval at ``level`` uses those df.
    Without replicates (df 0) ``se`` and the interval are NaN.
    """
    factors = _check_factors(factors)
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level: must be strictly between 0 and 1, got {level!r}")
    k = len(factors)
    if int(max_order) < 1:
        raise ValueError(f"max_order: must be >= 1, got {max_order!r}")
    max_order = min(int(max_order), k)
    missing = [f for f in factors if f not in design.columns]
    if missing:
        raise ValueError(f"design: missing factor column(s) {missing}")
    x = design[factors].to_numpy()
    try:
        x = x.astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"design: factor columns {factors} must be 0/1") from None
    bad = ~np.isin(x, (0.0, 1.0))
    if bad.any():
        col = factors[int(np.nonzero(bad.any(axis=0))[0][0])]
        raise ValueError(f"design: factor column {col!r} must hold only 0/1 (off/on)")
    y = _response(design, response)

    n_cells = 2**k
    cell = (x.astype(np.int64) << np.arange(k)[None, :]).sum(axis=1)
    counts = np.bincount(cell, minlength=n_cells)
    if (counts == 0).any():
        absent = np.nonzero(counts == 0)[0]
        raise ValueError(
            f"design: {absent.size} of the {n_cells} factor combinations have no runs "
            f"(e.g. cell {int(absent[0])} in Yates order); effects need a full factorial"
        )
    means = np.bincount(cell, weights=y, minlength=n_cells) / counts
    resid_ss = float(((y - means[cell]) ** 2).sum())
    n_total = y.size
    df = n_total - n_cells

    # ±1 coding of every cell (Yates order), then one contrast row per term.
    signs = 2.0 * ((np.arange(n_cells)[:, None] >> np.arange(k)[None, :]) & 1) - 1.0
    terms = [c for r in range(1, max_order + 1) for c in combinations(range(k), r)]
    contrasts = np.array([signs[:, list(t)].prod(axis=1) for t in terms])  # (terms, cells)
    eff = contrasts @ means / 2 ** (k - 1)

    if df > 0:
        s2 = resid_ss / df
        se_val = np.sqrt(s2) / 2 ** (k - 1) * np.sqrt((1.0 / counts).sum())
        se = np.full(len(terms), se_val)
        hw = _st.t.ppf((1.0 + level) / 2.0, df) * se
        lo, hi = eff - hw, eff + hw
    else:
        se = lo = hi = np.full(len(terms), np.nan)

    return pd.DataFrame(
        {
            "term": [":".join(factors[j] for j in t) for t in terms],
            "order": np.array([len(t) for t in terms], dtype=np.int64),
            "effect": eff,
            "se": se,
            "ci_low": lo,
            "ci_high": hi,
        }
    )


def interaction_matrix(effects_df: pd.DataFrame, factors: Sequence[str]) -> pd.DataFrame:
    """Factors × factors matrix for a heat map: main effects on the diagonal,
    two-way interactions (symmetric) off it; NaN where a term was not estimated."""
    factors = _check_factors(factors)
    for c in ("term", "effect"):
        if c not in effects_df.columns:
            raise ValueError(f"effects_df: missing column {c!r} (expected the output of effects())")
    lookup = dict(zip(effects_df["term"], effects_df["effect"].astype(float)))
    k = len(factors)
    m = np.full((k, k), np.nan)
    for i, a in enumerate(factors):
        m[i, i] = lookup.get(a, np.nan)
        for j in range(i + 1, k):
            b = factors[j]
            v = lookup.get(f"{a}:{b}", lookup.get(f"{b}:{a}", np.nan))
            m[i, j] = m[j, i] = v
    return pd.DataFrame(m, index=pd.Index(factors), columns=pd.Index(factors))
