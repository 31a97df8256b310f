"""Statistics over seeds: bands, paired differences under common random numbers, tables."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from simspam.experiments.stats import band, compare_table, paired_difference

BASE = np.array([10.0, 12.0, 14.0, 16.0])
TREAT = np.array([9.0, 10.0, 13.0, 14.0])


# --- band ------------------------------------------------------------------

def test_band_hand_computed():
    # 1..11: median 6; linear quantiles at 5% and 95% of positions 0..10 -> 1.5, 10.5.
    b = band(np.arange(1, 12), level=0.9)
    assert b == {"median": 6.0, "low": 1.5, "high": 10.5, "n": 11}


def test_band_level_and_errors():
    b = band([0.0, 10.0], level=0.5)  # quartiles of two points: 2.5 and 7.5
    assert (b["low"], b["median"], b["high"]) == (2.5, 5.0, 7.5)
    with pytest.raises(ValueError, match="NaN"):
        band([1.0, np.nan])
    with pytest.raises(ValueError, match="at least 1"):
        band([])
    with pytest.raises(ValueError, match="level"):
        band([1.0, 2.0], level=1.0)


# --- paired_difference: hand-computed case ---------------------------------

def test_paired_interval_hand_computed():
    r = paired_difference(TREAT, BASE, level=0.9)
    # diffs [-1, -2, -1, -2]: mean -1.5, sd sqrt(1/3) = 0.57735, se 0.288675
    assert r["n"] == 4
    assert r["mean_diff"] == pytest.approx(-1.5, abs=1e-12)
    assert r["median_diff"] == pytest.approx(-1.5, abs=1e-12)
    t_crit = 2.353363434801823  # t_{0.95, 3}
    hw = t_crit * math.sqrt(1.0 / 3.0) / 2.0
    assert hw == pytest.approx(0.679357, abs=1e-6)
    assert r["ci_low"] == pytest.approx(-1.5 - hw, abs=1e-9)
    assert r["ci_high"] == pytest.approx(-1.5 + hw, abs=1e-9)
    assert r["p_better"] == 1.0
    assert r["averted"] == pytest.approx(1.5, abs=1e-12)


def test_welch_interval_hand_computed():
    r = paired_difference(TREAT, BASE, level=0.9)
    # Treatment: mean 11.5, var 17/3; baseline: mean 13, var 20/3; n = 4.
    v_t, v_b = (17 / 3) / 4, (20 / 3) / 4
    se = math.sqrt(v_t + v_b)
    df = (v_t + v_b) ** 2 / (v_t**2 / 3 + v_b**2 / 3)
    assert df == pytest.approx(1369 * 3 / 689, rel=1e-12)  # 5.9608...
    hw = st.t.ppf(0.95, df) * se
    assert r["unpaired_low"] == pytest.approx(-1.5 - hw, abs=1e-9)
    assert r["unpaired_high"] == pytest.approx(-1.5 + hw, abs=1e-9)
    # Cross-check with SciPy's own Welch test.
    ci = st.ttest_ind(TREAT, BASE, equal_var=False).confidence_interval(0.9)
    assert (r["unpaired_low"], r["unpaired_high"]) == pytest.approx((ci.low, ci.high), abs=1e-9)
    # Pairing wins: the shared seed effect (10, 12, 14, 16) cancels in the differences.
    paired_hw = (r["ci_high"] - r["ci_low"]) / 2
    assert r["variance_reduction"] == pytest.approx((hw / paired_hw) ** 2, rel=1e-12)
    assert r["variance_reduction"] > 10


def test_welch_uses_each_sides_own_variance():
    """The case that must fail with the classic bug (one side's SE used for both)."""
    rng = np.random.default_rng(7)
    n = 12
    base = 100.0 + rng.normal(0.0, 1.0, n)  # tight
    treat = 90.0 + rng.normal(0.0, 15.0, n)  # wide
    r = paired_difference(treat, base, level=0.9)
    m = treat.mean() - base.mean()

    v_t, v_b = treat.var(ddof=1) / n, base.var(ddof=1) / n
    df = (v_t + v_b) ** 2 / (v_t**2 / (n - 1) + v_b**2 / (n - 1))
    right = st.t.ppf(0.95, df) * math.sqrt(v_t + v_b)
    # Buggy versions: baseline's (or treatment's) SE for both sides, pooled-style df.
    wrong_b = st.t.ppf(0.95, 2 * n - 2) * math.sqrt(2 * v_b)
    wrong_t = st.t.ppf(0.95, 2 * n - 2) * math.sqrt(2 * v_t)

    got = (r["unpaired_high"] - r["unpaired_low"]) / 2
    assert r["unpaired_low"] == pytest.approx(m - right, abs=1e-9)
    assert r["unpaired_high"] == pytest.approx(m + right, abs=1e-9)
    assert abs(got - wrong_b) > 0.5 * right  # visibly different, not a rounding issue
    assert abs(got - wrong_t) > 0.05 * right
    assert got != pytest.approx(wrong_b, rel=0.05)
    assert got != pytest.approx(wrong_t, rel=0.05)


def test_p_better_ties_count_half():
    base = np.array([5.0, 5.0, 5.0, 5.0])
    treat = np.array([4.0, 5.0, 6.0, 5.0])  # better, tie, worse, tie
    r = paired_difference(treat, base)
    assert r["p_better"] == pytest.approx(0.5)
    r2 = paired_difference(np.array([4.0, 5.0, 4.0, 3.0]), base)  # 3 better, 1 tie
    assert r2["p_better"] == pytest.approx(0.875)
    # Higher is better flips the reading and the sign of "averted".
    r3 = paired_difference(np.array([4.0, 5.0, 4.0, 3.0]), base, lower_is_better=False)
    assert r3["p_better"] == pytest.approx(0.125)
    assert r3["averted"] == pytest.approx(r3["mean_diff"]) and r3["averted"] < 0


def test_variance_reduction_degenerate_widths():
    base = np.array([1.0, 2.0, 3.0])
    r = paired_difference(base + 1.0, base)  # constant difference: paired width 0
    assert r["ci_low"] == r["ci_high"] == 1.0
    assert r["variance_reduction"] == math.inf
    same = np.array([2.0, 2.0, 2.0])
    r0 = paired_difference(same, same)
    assert r0["variance_reduction"] == 1.0
    assert (r0["ci_low"], r0["ci_high"], r0["unpaired_low"], r0["unpaired_high"]) == (0.0, 0.0, 0.0, 0.0)
    assert r0["p_better"] == 0.5


def test_paired_difference_errors():
    with pytest.raises(ValueError, match=r"lengths differ \(3 vs 4\)"):
        paired_difference([1.0, 2.0, 3.0], BASE)
    with pytest.raises(ValueError, match="at least 2"):
        paired_difference([1.0], [2.0])
    with pytest.raises(ValueError, match="treatment: contains 1 NaN"):
        paired_difference([1.0, np.nan, 3.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="baseline: contains 1 NaN"):
        paired_difference([1.0, 2.0, 3.0], [1.0, 2.0, np.nan])
    with pytest.raises(ValueError, match="1-D"):
        paired_difference(np.ones((2, 2)), np.ones((2, 2)))


def test_paired_beats_unpaired_under_common_random_numbers():
    """Shared seed luck inflates the unpaired interval, not the paired one."""
    rng = np.random.default_rng(3)
    seed_luck = rng.normal(0, 10, 30)
    base = 50 + seed_luck + rng.normal(0, 1, 30)
    treat = 47 + seed_luck + rng.normal(0, 1, 30)
    r = paired_difference(treat, base)
    assert r["ci_high"] < 0  # paired interval resolves the -3
    assert r["unpaired_low"] < 0 < r["unpaired_high"]  # unpaired one cannot
    assert r["variance_reduction"] > 20


# --- compare_table -----------------------------------------------------------

def _runs():
    rows = []
    for seed, b, t, spam_b, spam_t in zip(
        [1, 2, 3, 4], BASE, TREAT, [100, 90, 80, 70], [110, 95, 85, 75]
    ):
        rows.append({"scenario": "baseline", "seed": seed, "spam": b, "caught": spam_b})
        rows.append({"scenario": "law", "seed": seed, "spam": t, "caught": spam_t})
    return pd.DataFrame(rows)


def test_compare_table_layout_and_values():
    runs = _runs()
    tab = compare_table(runs, ["spam", "caught"], higher_is_better=["caught"])
    assert list(tab[["scenario", "outcome"]].itertuples(index=False, name=None)) == [
        ("baseline", "spam"), ("baseline", "caught"), ("law", "spam"), ("law", "caught"),
    ]
    for col in ["median", "low", "high", "n", "n_paired", "mean_diff", "median_diff", "ci_low",
                "ci_high", "p_better", "unpaired_low", "unpaired_high", "variance_reduction", "averted"]:
        assert col in tab.columns
    base_rows = tab[tab.scenario == "baseline"]
    assert base_rows[["mean_diff", "ci_low", "p_better", "n_paired"]].isna().all().all()
    assert base_rows.set_index("outcome").loc["spam", "median"] == 13.0

    law = tab[tab.scenario == "law"].set_index("outcome")
    ref = paired_difference(TREAT, BASE)
    for k, v in ref.items():
        assert law.loc["spam", "n_paired" if k == "n" else k] == pytest.approx(v)
    assert law.loc["spam", "n"] == 4
    # caught: +10, +5, +5, +5 with higher better -> all better, averted positive.
    assert law.loc["caught", "p_better"] == 1.0
    assert law.loc["caught", "averted"] == pytest.approx(6.25)


def test_compare_table_matches_by_seed_not_row_order():
    runs = _runs()
    shuffled = runs.sample(frac=1.0, random_state=1).reset_index(drop=True)
    # Extra seeds outside the common set: baseline-only seed 9, law-only seed 8.
    extra = pd.DataFrame(
        [{"scenario": "baseline", "seed": 9, "spam": 1000.0, "caught": 0},
         {"scenario": "law", "seed": 8, "spam": -1000.0, "caught": 0}]
    )
    tab = compare_table(pd.concat([shuffled, extra], ignore_index=True), ["spam"])
    law = tab[tab.scenario == "law"].iloc[0]
    assert law["n"] == 5 and law["n_paired"] == 4
    assert law["mean_diff"] == pytest.approx(-1.5)
    assert law["p_better"] == 1.0


def test_compare_table_errors():
    runs = _runs()
    with pytest.raises(ValueError, match="baseline: scenario 'none'"):
        compare_table(runs, ["spam"], baseline="none")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['nope'\]"):
        compare_table(runs, ["nope"])
    with pytest.raises(ValueError, match="higher_is_better"):
        compare_table(runs, ["spam"], higher_is_better=["caught"])
    with pytest.raises(ValueError, match="duplicated"):
        compare_table(pd.concat([runs, runs.iloc[:1]]), ["spam"])
    lonely = pd.concat(
        [runs, pd.DataFrame([{"scenario": "solo", "seed": 1, "spam": 1.0, "caught": 1},
                             {"scenario": "solo", "seed": 77, "spam": 1.0, "caught": 1}])],
        ignore_index=True,
    )
    with pytest.raises(ValueError, match="scenario 'solo': shares 1 seed"):
        compare_table(lonely, ["spam"])
    with pytest.raises(ValueError, match="column 'seed' has missing values"):
        compare_table(runs.assign(seed=runs["seed"].where(runs.index != 2)), ["spam"])
    nan_runs = runs.copy()
    nan_runs.loc[1, "spam"] = np.nan
    with pytest.raises(ValueError, match="scenario 'law', outcome 'spam'.*NaN"):
        compare_table(nan_runs, ["spam"])
