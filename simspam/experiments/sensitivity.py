"""Variance-based (Sobol') sensitivity indices over a Saltelli design.

Which uncertain parameters drive an outcome such as spam volume?  The first-order
index ``S1`` of a parameter is the share of the output variance it explains on its
own; the total index ``ST`` adds every interaction it takes part in.  ``ST - S1``
large means the parameter matters through combinations with others, and
``ST ≈ 0`` means it can be fixed anywhere in its range without changing the
answer.  Unlike one-at-a-time derivatives these indices hold over the whole
declared range, which is what matters for poorly known behavioural parameters.

The estimators are SALib's (``SALib.analyze.sobol.analyze``: Saltelli et al. 2010
for S1 and ST, bootstrap confidence intervals); none is re-implemented here.
Outputs must be in the row order of the design from
:func:`simspam.experiments.designs.saltelli`.  With a stochastic simulator pass
the mean over seeds of each design point (common random numbers keep the seed
noise from masquerading as parameter effects).

Pure numpy / pandas / SALib: nothing here runs a simulation.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["sobol_indices"]


def sobol_indices(
    problem: Mapping,
    Y,
    calc_second_order: bool = False,
    conf_level: float = 0.95,
    seed: int | None = 0,
    num_resamples: int = 100,
) -> pd.DataFrame:
    """First-order and total Sobol' indices with bootstrap confidence half-widths.

    ``problem`` is the SALib problem dict returned by
    :func:`~simspam.experiments.designs.saltelli`; ``Y`` the outputs, one per design
    row, in design order; ``calc_second_order`` must match the sample.  ``seed``
    fixes the bootstrap, so the reported ``*_conf`` are reproducible.

    Returns one row per parameter (or group, if ``problem`` has groups): columns
    ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (``*_conf`` is the
    half-width of the ``conf_level`` interval).  With ``calc_second_order`` the
    matrix of second-order indices is in ``result.attrs["S2"]`` (and its
    half-widths in ``result.attrs["S2_conf"]``).
    """
    from SALib.analyze import sobol as _salib_sobol

    for key in ("num_vars", "names"):
        if key not in problem:
            raise ValueError(f"problem: missing {key!r} (pass the dict returned by designs.saltelli)")
    if not 0.0 < float(conf_level) < 1.0:
        raise ValueError(f"conf_level: must be strictly between 0 and 1, got {conf_level!r}")
    y = np.asarray(Y, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"Y: expected a 1-D array (one output per design row), got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("Y: contains NaN/inf; every design row needs a finite output")
    groups = problem.get("groups")
    names = list(dict.fromkeys(groups)) if groups else list(problem["names"])
    d = len(names)
    step = 2 * d + 2 if calc_second_order else d + 2
    if y.size == 0 or y.size % step:
        raise ValueError(
            f"Y: {y.size} outputs is not a multiple of {step} (= {'2D+2' if calc_second_order else 'D+2'}, "
            f"D={d}); check calc_second_order matches the sample and no rows were dropped"
        )

    # SALib tests ``if seed:``, so seed 0 would silently mean "unseeded"; shift every
    # seed by one so that each non-negative seed, 0 included, gives its own fixed
    # bootstrap (None stays unseeded).
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed: must be a non-negative integer or None, got {seed!r}")
        salib_seed = int(seed) + 1
    else:
        salib_seed = None
    si = _salib_sobol.analyze(
        dict(problem),
        y,
        calc_second_order=calc_second_order,
        num_resamples=num_resamples,
        conf_level=conf_level,
        print_to_console=False,
        seed=salib_seed,
    )
    out = pd.DataFrame(
        {
            "parameter": names,
            "S1": np.asarray(si["S1"], dtype=float),
            "S1_conf": np.asarray(si["S1_conf"], dtype=float),
            "ST": np.asarray(si["ST"], dtype=float),
            "ST_conf": np.asarray(si["ST_conf"], dtype=float),
        }
    )
    if calc_second_order:
        idx = pd.Index(names)
        out.attrs["S2"] = pd.DataFrame(np.asarray(si["S2"], dtype=float), index=idx, columns=idx)
        out.attrs["S2_conf"] = pd.DataFrame(np.asarray(si["S2_conf"], dtype=float), index=idx, columns=idx)
    return out
