"""The fit's Powell search (simspam.calibration.descent): a real optimiser that never leaves a
point for a worse one."""
import numpy as np
import pytest

from simspam.calibration.descent import powell_descent


def counted(f):
    calls = []

    def g(x):
        calls.append(np.array(x))
        return f(x)
    return g, calls


def test_a_line_search_never_leaves_the_point_for_a_worse_one():
    # a sharp minimum at the start inside a broad basin elsewhere: scipy's bounded Powell
    # (scipy 1.17) never evaluates the start in its line search and ends at (0.8, 0.8), value 1.0
    def f(x):
        if np.all(np.abs(x - 0.5) < 0.01):
            return 0.5
        return 1.0 + float(np.sum((x - 0.8) ** 2))
    g, calls = counted(f)
    x, fx = powell_descent(g, [0.5, 0.5])
    assert fx == 0.5 and np.allclose(x, 0.5)
    assert len(calls) > 5   # it did search


def test_on_a_rough_objective_it_ends_at_the_best_point_it_evaluated():
    # a bowl with ripples (like the fit's twenty chaotic runs): every search starts from the
    # best point seen, so the end point is the best of all the evaluations
    def f(x):
        return float(np.sum((x - 0.6) ** 2) + 0.05 * np.sum(np.cos(40.0 * x)))
    g, calls = counted(f)
    x, fx = powell_descent(g, [0.1, 0.9, 0.5])
    assert fx == min(f(c) for c in calls) and fx == f(x)
    assert fx < f(np.array([0.1, 0.9, 0.5]))


def test_it_finds_the_minimum_of_a_smooth_bowl_inside_the_cube_and_on_its_face():
    centre = np.array([0.3, 0.7, 0.55])
    x, fx = powell_descent(lambda x: float(np.sum((x - centre) ** 2)), [0.9, 0.1, 0.5])
    assert np.allclose(x, centre, atol=1e-2) and fx < 1e-4
    outside = np.array([1.4, 0.2])   # the cube's nearest point is (1, 0.2)
    x, _ = powell_descent(lambda x: float(np.sum((x - outside) ** 2)), [0.5, 0.5])
    assert x[0] == pytest.approx(1.0, abs=1e-2) and x[1] == pytest.approx(0.2, abs=1e-2)
    assert np.all((0.0 <= x) & (x <= 1.0))


def test_a_diagonal_valley_is_followed_by_the_updated_directions():
    # narrow along x + y = 1.2; one pass of axis searches only creeps along it
    def f(x):
        return float(100.0 * (x[0] + x[1] - 1.2) ** 2 + (x[0] - x[1] - 0.2) ** 2)
    x, fx = powell_descent(f, [0.05, 0.05], ftol=1e-8)
    assert np.allclose(x, [0.7, 0.5], atol=2e-2) and fx < 1e-3


def test_a_budget_raised_from_the_objective_stops_it():
    class Spent(Exception):
        pass
    n = [0]

    def f(x):
        n[0] += 1
        if n[0] > 7:
            raise Spent
        return float(np.sum(x ** 2))
    with pytest.raises(Spent):
        powell_descent(f, [0.9, 0.9])
    assert n[0] == 8
