"""Sobol' indices through SALib on the Ishigami function, whose indices are known analytically."""
from __future__ import annotations

import math

import numpy as np
import pytest

from simspam.experiments.designs import saltelli
from simspam.experiments.sensitivity import sobol_indices

ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


@pytest.fixture(scope="module")
def ishigami_design():
    ranges = {f"x{i}": (-math.pi, math.pi) for i in (1, 2, 3)}
    design, problem = saltelli(ranges, 2048, seed=12)
    return design, problem, ishigami(design[list(ranges)].to_numpy())


def test_ishigami_first_order_and_total(ishigami_design):
    design, problem, y = ishigami_design
    assert len(design) == 2048 * 5
    si = sobol_indices(problem, y, conf_level=0.95, seed=0)
    assert list(si.columns) == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert si["parameter"].tolist() == ["x1", "x2", "x3"]
    assert np.allclose(si["S1"], ISHIGAMI_S1, atol=0.05), si
    assert np.allclose(si["ST"], ISHIGAMI_ST, atol=0.05), si
    for col in ("S1_conf", "ST_conf"):
        assert np.all(np.isfinite(si[col])) and np.all(si[col] > 0), si
    # Reproducible bootstrap.
    assert si.equals(sobol_indices(problem, y, conf_level=0.95, seed=0))


def test_second_order_attrs():
    ranges = {f"x{i}": (-math.pi, math.pi) for i in (1, 2, 3)}
    design, problem = saltelli(ranges, 512, seed=1, calc_second_order=True)
    y = ishigami(design.to_numpy())
    si = sobol_indices(problem, y, calc_second_order=True)
    s2 = si.attrs["S2"]
    assert list(s2.index) == ["x1", "x2", "x3"]
    # Ishigami's only interaction is x1-x3 (ST1 - S1_1 = 0.2437).
    assert s2.loc["x1", "x3"] == pytest.approx(0.2437, abs=0.1)
    assert abs(s2.loc["x1", "x2"]) < 0.1
    assert "S2_conf" in si.attrs


def test_errors(ishigami_design):
    _, problem, y = ishigami_design
    with pytest.raises(ValueError, match="not a multiple of 5"):
        sobol_indices(problem, y[:-1])
    with pytest.raises(ValueError, match="not a multiple of 8"):
        sobol_indices(problem, y[:-2], calc_second_order=True)
    with pytest.raises(ValueError, match="NaN"):
        sobol_indices(problem, np.r_[np.nan, y[1:]])
    with pytest.raises(ValueError, match="problem: missing 'names'"):
        sobol_indices({"num_vars": 3}, y)


def test_seed_zero_is_a_real_seed(ishigami_design):
    """SALib treats seed=0 as 'no seed'; ours must still be reproducible and seed-specific."""
    _, problem, y = ishigami_design
    a = sobol_indices(problem, y, seed=0)
    assert a.equals(sobol_indices(problem, y, seed=0))
    assert not a["S1_conf"].equals(sobol_indices(problem, y, seed=1)["S1_conf"])
    with pytest.raises(ValueError, match="seed"):
        sobol_indices(problem, y, seed=-1)
