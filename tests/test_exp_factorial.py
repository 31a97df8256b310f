"""Two-level factorial designs: layout, exact effects, replicate errors and coverage."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from simspam.experiments.factorial import effects, full_factorial, interaction_matrix

FACTORS = ["a", "b", "c"]
# y = 3 + 2a - 1b + 0.5c + 1.5ab in ±1 coding -> effect = 2 * coefficient.
TRUE = {"a": 4.0, "b": -2.0, "c": 1.0, "a:b": 3.0, "a:c": 0.0, "b:c": 0.0}


def _model(design: pd.DataFrame) -> np.ndarray:
    a, b, c = (2 * design[f].to_numpy(float) - 1 for f in FACTORS)
    return 3 + 2 * a - 1 * b + 0.5 * c + 1.5 * a * b


def _replicated(r: int) -> pd.DataFrame:
    d = full_factorial(FACTORS)
    out = pd.concat([d.assign(seed=s) for s in range(r)], ignore_index=True)
    return out


def test_full_factorial_yates_order_and_combo():
    d = full_factorial(["legislation", "cooperation", "awareness"])
    assert list(d.columns) == ["legislation", "cooperation", "awareness", "combo"]
    assert d[["legislation", "cooperation", "awareness"]].to_numpy().tolist() == [
        [0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1], [0, 1, 1], [1, 1, 1],
    ]
    assert d["combo"].tolist() == [
        "none", "legislation", "cooperation", "legislation+cooperation", "awareness",
        "legislation+awareness", "cooperation+awareness", "legislation+cooperation+awareness",
    ]
    assert d["legislation"].dtype == np.int64
    assert len(full_factorial(["x"])) == 2


def test_full_factorial_rejects_bad_names():
    for bad in ([], ["a", "a"], ["a:b"], ["a+b"], ["combo"], ["none"], [""]):
        with pytest.raises(ValueError, match="factors"):
            full_factorial(bad)


def test_effects_exact_without_replicates():
    d = full_factorial(FACTORS)
    e = effects(d, _model(d), FACTORS, max_order=2)
    assert e["term"].tolist() == ["a", "b", "c", "a:b", "a:c", "b:c"]
    assert e["order"].tolist() == [1, 1, 1, 2, 2, 2]
    for term, eff in zip(e["term"], e["effect"]):
        assert abs(eff - TRUE[term]) < 1e-12, term
    assert e[["se", "ci_low", "ci_high"]].isna().all().all()  # no replicates, no error estimate


def test_effects_third_order_and_response_forms():
    d = full_factorial(FACTORS)
    y = _model(d) + 0.25 * np.prod([2 * d[f].to_numpy(float) - 1 for f in FACTORS], axis=0)
    e = effects(d.assign(y=y), "y", FACTORS, max_order=3).set_index("term")
    assert abs(e.loc["a:b:c", "effect"] - 0.5) < 1e-12
    assert e.loc["a:b:c", "order"] == 3
    # Series with the design's (shuffled) index aligns by label.
    shuffled = d.sample(frac=1.0, random_state=0)
    s = pd.Series(_model(d), index=d.index).loc[shuffled.index[::-1]]
    e2 = effects(shuffled, s, FACTORS).set_index("term")
    assert abs(e2.loc["a:b", "effect"] - 3.0) < 1e-12
    # max_order above k is clamped.
    assert len(effects(full_factorial(["x"]), [0.0, 1.0], ["x"])) == 1


def test_effects_with_replicates_equal_effects_of_means_and_se_formula():
    r = 6
    d = _replicated(r)
    rng = np.random.default_rng(11)
    noise = rng.normal(0, 0.8, len(d))
    y = _model(d) + noise
    e = effects(d, y, FACTORS).set_index("term")

    # Effect = mean(y | +1) - mean(y | -1) with the product contrast.
    pm = {f: 2 * d[f].to_numpy(float) - 1 for f in FACTORS}
    for term in TRUE:
        contrast = np.prod([pm[f] for f in term.split(":")], axis=0)
        expected = y[contrast > 0].mean() - y[contrast < 0].mean()
        assert abs(e.loc[term, "effect"] - expected) < 1e-12
    # Noise-free part exact, so effect - true == effect of the noise alone.
    e_noise = effects(d, noise, FACTORS).set_index("term")
    for term, true in TRUE.items():
        assert abs(e.loc[term, "effect"] - true - e_noise.loc[term, "effect"]) < 1e-12

    # se = 2 sqrt(s^2 / N), s^2 pooled within-cell variance, df = N - 2^k.
    n = len(d)
    cell = d["combo"].to_numpy()
    s2 = pd.Series(y).groupby(cell).var(ddof=1).mean()  # balanced: pooled = mean of cell variances
    se = 2 * np.sqrt(s2 / n)
    assert np.allclose(e["se"], se, rtol=1e-12)
    hw = st.t.ppf(0.95, n - 8) * se
    assert np.allclose(e["ci_high"] - e["effect"], hw, rtol=1e-12)
    # This seeded design's 90% intervals cover every true effect.
    for term, true in TRUE.items():
        assert e.loc[term, "ci_low"] <= true <= e.loc[term, "ci_high"], term


def test_effect_intervals_have_nominal_coverage():
    d = _replicated(3)
    rng = np.random.default_rng(2024)
    trials = 400
    hits = np.zeros(len(TRUE))
    truth = np.array(list(TRUE.values()))
    base = _model(d)
    for _ in range(trials):
        e = effects(d, base + rng.normal(0, 2.0, len(d)), FACTORS)
        hits += (e["ci_low"].to_numpy() <= truth) & (truth <= e["ci_high"].to_numpy())
    coverage = hits / trials
    # 90% nominal; binomial sd with 400 trials is 1.5 points.
    assert np.all((coverage > 0.85) & (coverage < 0.95)), coverage


def test_unbalanced_replicates_keep_cells_equally_weighted():
    d = _replicated(2)
    d = pd.concat([d, d[d.combo == "a+b"]], ignore_index=True)  # extra seeds in one cell
    e = effects(d, _model(d), FACTORS).set_index("term")
    for term, true in TRUE.items():
        assert abs(e.loc[term, "effect"] - true) < 1e-12


def test_effects_errors():
    d = full_factorial(FACTORS)
    with pytest.raises(ValueError, match="no runs"):
        effects(d.iloc[:-1], _model(d)[:-1], FACTORS)
    with pytest.raises(ValueError, match="missing factor"):
        effects(d, _model(d), ["a", "z"])
    with pytest.raises(ValueError, match="only 0/1"):
        effects(d.assign(b=2 * d["b"]), _model(d), FACTORS)
    with pytest.raises(ValueError, match="expected 8 values"):
        effects(d, [1.0, 2.0], FACTORS)
    with pytest.raises(ValueError, match="NaN"):
        effects(d, np.r_[np.nan, _model(d)[1:]], FACTORS)


def test_interaction_matrix():
    d = full_factorial(FACTORS)
    m = interaction_matrix(effects(d, _model(d), FACTORS), FACTORS)
    assert list(m.index) == FACTORS and list(m.columns) == FACTORS
    assert np.allclose(np.diag(m.to_numpy()), [4.0, -2.0, 1.0], atol=1e-12)
    assert m.loc["a", "b"] == pytest.approx(3.0, abs=1e-12) == m.loc["b", "a"]
    assert abs(m.loc["a", "c"]) < 1e-12
    only_main = interaction_matrix(effects(d, _model(d), FACTORS, max_order=1), FACTORS)
    assert np.isnan(only_main.loc["a", "b"]) and only_main.loc["a", "a"] == pytest.approx(4.0)
