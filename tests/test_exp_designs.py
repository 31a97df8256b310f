"""Designs over declared ranges: bounds, stratification, determinism, overrides, ids."""
from __future__ import annotations

import hashlib
import math
import warnings
import re

import numpy as np
import pandas as pd
import pytest

from simspam.experiments.designs import (
    design_id,
    grid,
    latin_hypercube,
    saltelli,
    sobol_sequence,
    to_overrides,
)

RANGES = {"fine": (0.0, 100.0), "rate": (1e-4, 1e-1, "log"), "share": (0.2, 0.6)}


@pytest.mark.parametrize("make", [latin_hypercube, sobol_sequence])
def test_bounds_columns_and_determinism(make):
    d = make(RANGES, 64, seed=5)
    assert list(d.columns) == list(RANGES)
    assert len(d) == 64
    for name, (lo, hi, *_) in RANGES.items():
        assert d[name].dtype == np.float64
        assert d[name].between(lo, hi).all(), name
    pd.testing.assert_frame_equal(d, make(RANGES, 64, seed=5))
    assert not d.equals(make(RANGES, 64, seed=6))


def test_lhs_stratification():
    n = 37
    d = latin_hypercube({"x": (-2.0, 3.0), "y": (10.0, 11.0), "z": (1.0, 1000.0, "log")}, n, seed=1)
    strata = {
        "x": np.floor((d["x"] - -2.0) / 5.0 * n),
        "y": np.floor((d["y"] - 10.0) / 1.0 * n),
        # Log ranges are stratified in log space.
        "z": np.floor(np.log(d["z"]) / np.log(1000.0) * n),
    }
    for name, s in strata.items():
        assert sorted(s.astype(int)) == list(range(n)), name


def test_log_scaling():
    d = latin_hypercube({"r": (1e-3, 1e3, "log"), "u": (1e-3, 1e3)}, 2000, seed=3)
    # Log-uniform: each decade gets a sixth of the points; uniform: almost all in the top decade.
    decade = np.floor(np.log10(d["r"])).clip(-3, 2)
    counts = decade.value_counts().sort_index().to_numpy()
    assert len(counts) == 6 and np.all(np.abs(counts - 2000 / 6) <= 2)
    assert (d["u"] > 100).mean() > 0.85
    assert np.log10(d["r"]).median() == pytest.approx(0.0, abs=0.05)


def test_sobol_rounds_up_to_power_of_two():
    assert len(sobol_sequence(RANGES, 100, seed=0)) == 128
    assert len(sobol_sequence(RANGES, 1, seed=0)) == 1
    assert len(sobol_sequence(RANGES, 64, seed=0)) == 64
    # Balanced in blocks: every half of each axis holds exactly half of 64 points.
    d = sobol_sequence({"x": (0.0, 1.0), "y": (0.0, 1.0)}, 64, seed=9)
    assert (d["x"] < 0.5).sum() == 32 and (d["y"] < 0.5).sum() == 32


def test_integer_parameters():
    d = latin_hypercube({"n_isp": (1, 5), "w": (0, 1)}, 500, seed=2, integer=["n_isp"])
    assert d["n_isp"].dtype == np.int64 and d["w"].dtype == np.float64
    counts = d["n_isp"].value_counts().sort_index()
    assert list(counts.index) == [1, 2, 3, 4, 5]
    assert np.all(counts == 100)  # LHS strata map evenly onto the 5 integers
    lg = sobol_sequence({"k": (1, 1000, "log")}, 256, seed=1, integer=["k"])
    assert lg["k"].between(1, 1000).all() and lg["k"].dtype == np.int64
    # Ints in the bounds alone do not make an integer parameter.
    assert latin_hypercube({"m": (1, 5)}, 4, seed=0)["m"].dtype == np.float64


def test_grid():
    g = grid({"law": [0, 1], "fine": [10.0, 20.0, 30.0], "world": ["tiny", "eu"]})
    assert len(g) == 12
    assert list(g.columns) == ["law", "fine", "world"]
    assert g.iloc[0].tolist() == [0, 10.0, "tiny"] and g.iloc[1].tolist() == [0, 10.0, "eu"]
    assert g["law"].dtype == np.int64 and g["fine"].dtype == np.float64
    assert not g.duplicated().any()
    with pytest.raises(ValueError, match="levels.fine"):
        grid({"fine": []})
    with pytest.raises(ValueError, match="levels.world"):
        grid({"world": "tiny"})


def test_saltelli_rows_problem_and_bounds():
    d, problem = saltelli(RANGES, 64, seed=4)
    D = len(RANGES)
    assert len(d) == 64 * (D + 2)
    assert problem["num_vars"] == D and problem["names"] == list(RANGES)
    assert problem["bounds"] == [[0.0, 100.0], [1e-4, 1e-1], [0.2, 0.6]]
    assert problem["dists"] == ["unif", "logunif", "unif"]
    for name, (lo, hi, *_) in RANGES.items():
        assert d[name].between(lo, hi).all()
    d2, _ = saltelli(RANGES, 64, seed=4, calc_second_order=True)
    assert len(d2) == 64 * (2 * D + 2)
    pd.testing.assert_frame_equal(d, saltelli(RANGES, 64, seed=4)[0])
    # Saltelli structure: in each block of D+2 rows, row j+1 is A with column j from B.
    a, b = d.iloc[0].to_numpy(), d.iloc[D + 1].to_numpy()
    for j in range(D):
        ab = d.iloc[1 + j].to_numpy()
        expected = a.copy()
        expected[j] = b[j]
        assert np.allclose(ab, expected)
    # n rounds up to a power of two, without SALib's warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(saltelli({"x": (0.0, 1.0)}, 50, seed=0)[0]) == 64 * 3
    assert "dists" not in saltelli({"x": (0.0, 1.0)}, 8, seed=0)[1]


@pytest.mark.parametrize(
    "ranges, match",
    [
        ({}, "non-empty"),
        ({"x": (1.0,)}, r"ranges\.x"),
        ({"x": (2.0, 1.0)}, r"ranges\.x: low must be < high"),
        ({"x": (0.0, 1.0, "ln")}, r"ranges\.x"),
        ({"x": (0.0, 1.0, "log")}, r"ranges\.x: a 'log' range needs low > 0"),
        ({"x": (0.0, math.inf)}, r"ranges\.x: bounds must be finite"),
        ({"x": ("a", "b")}, r"ranges\.x"),
    ],
)
def test_bad_ranges(ranges, match):
    with pytest.raises(ValueError, match=match):
        latin_hypercube(ranges, 4, seed=0)


def test_bad_n_and_integer():
    with pytest.raises(ValueError, match="n: must be a positive integer"):
        sobol_sequence({"x": (0.0, 1.0)}, 0, seed=0)
    with pytest.raises(ValueError, match="integer"):
        latin_hypercube({"x": (0.0, 1.0)}, 4, seed=0, integer=["y"])
    with pytest.raises(ValueError, match="integer bounds"):
        latin_hypercube({"x": (0.5, 3.0)}, 4, seed=0, integer=["x"])


def test_to_overrides_text():
    row = {"fine": 0.1, "rate": np.float64(1e-05), "n_isp": np.int64(3), "on": True,
           "world": "tiny", "label": "two words", "big": 2.5e20, "none": None, "whole": 3.0}
    assert to_overrides(row) == [
        "fine=0.1", "rate=1e-05", "n_isp=3", "on=true", "world=tiny", "label='two words'",
        "big=2.5e+20", "none=null", "whole=3.0",
    ]
    assert to_overrides({"fine": 1 / 3, "x": 2}, prefix_map={"fine": "params.legislation"}) == [
        "params.legislation.fine=0.3333333333333333", "x=2",
    ]
    with pytest.raises(ValueError, match="when"):
        to_overrides({"when": object()})


def test_overrides_parse_back_in_hydra():
    parser = pytest.importorskip("hydra.core.override_parser.overrides_parser").OverridesParser.create()
    row = {"a.fine": 1 / 3, "b.rate": 1e-05, "c.n": np.int64(7), "d.flag": False,
           "e.label": "two words", "f.neg": -2.5e-8}
    parsed = {o.key_or_group: o.value() for o in parser.parse_overrides(to_overrides(row))}
    assert parsed == {"a.fine": 1 / 3, "b.rate": 1e-05, "c.n": 7, "d.flag": False,
                      "e.label": "two words", "f.neg": -2.5e-8}
    assert isinstance(parsed["c.n"], int) and isinstance(parsed["a.fine"], float)
    tricky = ["it's", "a\\b", "end\\", "a\\'b", "x=y,z", "", "path/to-x.y"]
    for v in tricky:
        (o,) = parser.parse_overrides(to_overrides({"k": v}))
        assert o.value() == v, (v, to_overrides({"k": v}))


def test_design_id_stable():
    row = {"fine": 0.1, "n": 3, "world": "tiny"}
    i = design_id(row)
    assert re.fullmatch(r"[0-9a-f]{10}", i)
    # Pinned: the id must not change between versions or processes.
    assert i == design_id({"world": "tiny", "n": np.int64(3), "fine": np.float64(0.1)})
    expected = hashlib.blake2b(b"fine=0.1\nn=3\nworld=tiny", digest_size=5).hexdigest()
    assert i == expected == "1c3523219f"
    assert design_id({**row, "fine": 0.1000001}) != i
    assert design_id({**row, "n": 4}) != i
    d = latin_hypercube(RANGES, 50, seed=0)
    ids = [design_id(r) for r in d.to_dict("records")]
    assert len(set(ids)) == 50
    assert ids == [design_id(r) for r in latin_hypercube(RANGES, 50, seed=0).to_dict("records")]
