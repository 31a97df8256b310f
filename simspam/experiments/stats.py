"""Statistics over replicated seeds, paired under common random numbers.

Every scenario in an experiment is run on the same list of seeds, and a seed fixes
the random streams of the run.  Two scenarios run on the same seed therefore face
the same spammer arrivals, the same user behaviour and the same luck; only the
policy differs.  Most of the seed-to-seed spread of an outcome is that shared luck,
so it cancels in the per-seed difference ``treatment[seed] - baseline[seed]``.

That is why :func:`paired_difference` builds its interval from the per-seed
differences (a one-sample t-interval on ``d = treatment - baseline``) rather than
from the two samples separately.  The unpaired (Welch) interval is reported beside
it for contrast: it treats the two columns as independent samples, keeps the shared
luck in both variances and is typically several times wider.  The ratio of the two
squared half-widths, ``variance_reduction``, says how many times more seeds an
unpaired design would need for the same precision.

Bands (:func:`band`) are medians with central quantile bands over seeds: they
describe the spread of outcomes a policy maker might see in one realisation, not
the precision of a mean, so they are quantiles rather than confidence intervals.

Pure numpy / pandas: nothing here runs a simulation.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

__all__ = ["band", "paired_difference", "compare_table", "PAIRED_FIELDS"]

#: Fields added by :func:`paired_difference` (``n`` appears as ``n_paired`` in
#: :func:`compare_table`, whose ``n`` is the band's seed count).
PAIRED_FIELDS = (
    "n",
    "mean_diff",
    "median_diff",
    "ci_low",
    "ci_high",
    "p_better",
    "unpaired_low",
    "unpaired_high",
    "variance_reduction",
    "averted",
)


def _check_level(level: float) -> float:
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level: must be strictly between 0 and 1, got {level!r}")
    return level


def _as_1d(values, name: str, min_n: int = 1) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of per-seed values, got shape {arr.shape}")
    if arr.size < min_n:
        raise ValueError(f"{name}: need at least {min_n} seed(s), got {arr.size}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        raise ValueError(f"{name}: contains {bad} NaN/inf value(s); drop or fix those seeds first")
    return arr


def band(values, level: float = 0.9) -> dict:
    """Median and central ``level`` quantile band of an outcome over seeds.

    Quantiles use numpy's default linear interpolation, so with ``level=0.9`` the
    band runs from the 5th to the 95th percentile.  NaN is rejected rather than
    skipped: a silently shorter sample would misreport ``n``.
    """
    level = _check_level(level)
    arr = _as_1d(values, "values")
    lo_q, hi_q = (1.0 - level) / 2.0, (1.0 + level) / 2.0
    med, low, high = np.quantile(arr, [0.5, lo_q, hi_q])
    return {"median": float(med), "low": float(low), "high": float(high), "n": int(arr.size)}


def _t_half_width(se: float, df: float, level: float) -> float:
    """Half-width ``t_{(1+level)/2, df} * se``; 0 when ``se`` is 0 (df may then be undefined)."""
    if se == 0.0:
        return 0.0
    return float(_st.t.ppf((1.0 + level) / 2.0, df) * se)


def paired_difference(
    treatment,
    baseline,
    level: float = 0.9,
    lower_is_better: bool = True,
) -> dict:
    """Compare a treatment with a baseline run on the same seeds (common random numbers).

    ``treatment`` and ``baseline`` are 1-D arrays aligned by seed: element ``i`` of
    both came from the same seed.  Returns a dict with

    - ``n``: number of seeds;
    - ``mean_diff``, ``median_diff``: mean and median of ``d = treatment - baseline``;
    - ``ci_low``, ``ci_high``: t-interval for the mean of ``d``
      (``mean(d) ± t_{(1+level)/2, n-1} · sd(d)/√n``).  This is the interval to
      report: pairing removes the luck the two runs of a seed share;
    - ``p_better``: share of seeds on which the treatment is strictly better
      (ties count one half), "better" meaning lower unless ``lower_is_better`` is
      False;
    - ``unpaired_low``, ``unpaired_high``: Welch interval for the difference of
      means, each side contributing its own variance
      (``se = √(s_t²/n + s_b²/n)``, Welch–Satterthwaite df).  Shown only to make
      the gain from pairing visible;
    - ``variance_reduction``: ``(unpaired half-width / paired half-width)²``, about
      the factor by which pairing cuts the number of seeds needed (``inf`` when the
      paired width is 0 but the unpaired one is not, 1.0 when both are 0);
    - ``averted``: ``-mean_diff`` when lower is better (e.g. spam averted),
      ``mean_diff`` otherwise, so a positive value always means improvement.
    """
    level = _check_level(level)
    t_arr = np.asarray(treatment, dtype=float)
    b_arr = np.asarray(baseline, dtype=float)
    if t_arr.ndim != 1 or b_arr.ndim != 1:
        raise ValueError(
            f"treatment/baseline: expected 1-D arrays aligned by seed, got shapes {t_arr.shape} and {b_arr.shape}"
        )
    if t_arr.size != b_arr.size:
        raise ValueError(
            f"treatment/baseline: lengths differ ({t_arr.size} vs {b_arr.size}); "
            "they must be aligned by seed (same seeds, same order)"
        )
    t_arr = _as_1d(t_arr, "treatment", min_n=2)
    b_arr = _as_1d(b_arr, "baseline", min_n=2)
    n = t_arr.size

    d = t_arr - b_arr
    mean_d = float(d.mean())
    se_p = float(d.std(ddof=1) / np.sqrt(n))
    hw_p = _t_half_width(se_p, n - 1, level)

    # Welch: each side its own variance; never one side's SE used for both.
    v_t = float(t_arr.var(ddof=1)) / n
    v_b = float(b_arr.var(ddof=1)) / n
    se_u = float(np.sqrt(v_t + v_b))
    if se_u > 0.0:
        df_u = (v_t + v_b) ** 2 / (v_t**2 / (n - 1) + v_b**2 / (n - 1))
    else:
        df_u = float("nan")
    hw_u = _t_half_width(se_u, df_u, level)

    if hw_p > 0.0:
        vr = (hw_u / hw_p) ** 2
    elif hw_u > 0.0:
        vr = float("inf")
    else:
        vr = 1.0

    better = d < 0 if lower_is_better else d > 0
    p_better = float((np.count_nonzero(better) + 0.5 * np.count_nonzero(d == 0)) / n)

    return {
        "n": int(n),
        "mean_diff": mean_d,
        "median_diff": float(np.median(d)),
        "ci_low": mean_d - hw_p,
        "ci_high": mean_d + hw_p,
        "p_better": p_better,
        "unpaired_low": mean_d - hw_u,
        "unpaired_high": mean_d + hw_u,
        "variance_reduction": float(vr),
        "averted": -mean_d if lower_is_better else mean_d,
    }


def compare_table(
    runs: pd.DataFrame,
    outcomes: Sequence[str],
    baseline: str = "baseline",
    scenario_col: str = "scenario",
    seed_col: str = "seed",
    level: float = 0.9,
    higher_is_better: Iterable[str] = (),
) -> pd.DataFrame:
    """Tidy comparison of every scenario with ``baseline``, one row per (scenario, outcome).

    ``runs`` holds one row per (scenario, seed) and one column per outcome.  Columns
    of the result: ``scenario``, ``outcome``, ``median``, ``low``, ``high``, ``n``
    (the :func:`band` of that scenario over all its seeds), then the
    :func:`paired_difference` fields against the baseline, with its ``n`` renamed
    ``n_paired``.  Pairs are matched by seed value (inner join), never by row order,
    so runs may arrive in any order and a scenario that lost a seed is compared on
    the seeds it shares.  Baseline rows carry NaN in the paired fields.  Outcomes in
    ``higher_is_better`` count an increase as the improvement.

    Raises ValueError for missing columns, an absent baseline, duplicated
    (scenario, seed) rows, unknown ``higher_is_better`` names, or a scenario sharing
    fewer than 2 seeds with the baseline.
    """
    level = _check_level(level)
    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    if not outcomes:
        raise ValueError("outcomes: give at least one outcome column")
    hib = {higher_is_better} if isinstance(higher_is_better, str) else set(higher_is_better)
    unknown_hib = sorted(hib - set(outcomes))
    if unknown_hib:
        raise ValueError(f"higher_is_better: {unknown_hib} not among outcomes {outcomes}")
    missing = [c for c in [scenario_col, seed_col, *outcomes] if c not in runs.columns]
    if missing:
        raise ValueError(f"runs: missing column(s) {missing}; have {list(runs.columns)}")
    for c in (scenario_col, seed_col):
        if runs[c].isna().any():
            raise ValueError(f"runs: column {c!r} has missing values; every run needs a scenario and a seed")
    dup = runs.duplicated([scenario_col, seed_col])
    if dup.any():
        first = runs.loc[dup, [scenario_col, seed_col]].iloc[0]
        raise ValueError(
            f"runs: duplicated ({scenario_col}, {seed_col}) row, e.g. "
            f"({first[scenario_col]!r}, {first[seed_col]!r}); expected one row per scenario and seed"
        )
    scenarios = list(pd.unique(runs[scenario_col]))
    if baseline not in scenarios:
        raise ValueError(f"baseline: scenario {baseline!r} not in runs (have {scenarios})")
    order = [baseline] + [s for s in scenarios if s != baseline]

    # One frame per scenario, indexed by seed: pairing is by seed value, not row order.
    by_scen = {s: g.set_index(seed_col) for s, g in runs.groupby(scenario_col, sort=False)}
    base = by_scen[baseline]

    paired_cols = ["n_paired" if f == "n" else f for f in PAIRED_FIELDS]
    rows = []
    for scen in order:
        own = by_scen[scen]
        is_base = scen == baseline
        if not is_base:
            shared = own.index.intersection(base.index).sort_values()
            if len(shared) < 2:
                raise ValueError(
                    f"scenario {scen!r}: shares {len(shared)} seed(s) with baseline {baseline!r}; "
                    "need at least 2 common seeds for a paired comparison"
                )
        for o in outcomes:
            try:
                row = {"scenario": scen, "outcome": o, **band(own[o].to_numpy(dtype=float), level)}
                if is_base:
                    row.update(dict.fromkeys(paired_cols, np.nan))
                else:
                    pdiff = paired_difference(
                        own.loc[shared, o].to_numpy(dtype=float),
                        base.loc[shared, o].to_numpy(dtype=float),
                        level=level,
                        lower_is_better=o not in hib,
                    )
                    row.update({("n_paired" if k == "n" else k): v for k, v in pdiff.items()})
            except ValueError as exc:
                raise ValueError(f"scenario {scen!r}, outcome {o!r}: {exc}") from None
            rows.append(row)
    return pd.DataFrame(rows, columns=["scenario", "outcome", "median", "low", "high", "n", *paired_cols])
