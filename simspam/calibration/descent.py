"""Powell's direction-set search in the unit cube that never leaves a point for a worse one.

Why not ``scipy.optimize.minimize(method="Powell", bounds=...)``: with bounds, scipy's line
search is a bounded Brent search over the whole segment of the line inside the box.  It
never evaluates the point it starts from, and it moves to the best point *it* evaluated
even when that is worse than where it started.  The calibration's objective is rough
(twenty chaotic runs per point: moving one parameter by under 1% of its range has moved it by 10%),
so this happens: in round 13 of the fit, the first line search found the best point of the
pass (objective 2.556) and the second left it for one at 2.661, from which the rest of the
pass searched.

This search is scipy's algorithm (the same line searches, tolerance, extrapolated point and
direction update) with one change: a line search, or the extrapolated point, is taken only
if it improves on the current value.  So every line search starts from the best point seen.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.optimize import minimize_scalar


def _segment(x: np.ndarray, d: np.ndarray) -> tuple[float, float]:
    """The range of ``a`` for which ``x + a d`` stays in the unit cube."""
    moving = d != 0
    if not moving.any():
        return 0.0, 0.0
    lo = np.where(d > 0, -x, 1.0 - x)[moving] / d[moving]
    hi = np.where(d > 0, 1.0 - x, -x)[moving] / d[moving]
    return float(lo.max()), float(hi.min())


def _line_search(f: Callable[[np.ndarray], float], x: np.ndarray, fx: float, d: np.ndarray,
                 xtol: float) -> tuple[np.ndarray, float, np.ndarray]:
    """Bounded Brent search along ``d`` from ``x``; keeps ``x`` unless a point beats ``fx``.
    Returns the new point, its value and the step taken (zero when none was)."""
    lo, hi = _segment(x, d)
    if hi - lo <= 0.0:
        return x, fx, np.zeros_like(x)
    res = minimize_scalar(lambda a: f(np.clip(x + a * d, 0.0, 1.0)), bounds=(lo, hi), method="bounded",
                          options={"xatol": xtol})
    if res.fun < fx:
        step = np.clip(x + res.x * d, 0.0, 1.0) - x
        return x + step, float(res.fun), step
    return x, fx, np.zeros_like(x)


def powell_descent(f: Callable[[np.ndarray], float], x0, fx0: float | None = None, *,
                   xtol: float = 1e-2, ftol: float = 1e-3, max_passes: int = 1000) -> tuple[np.ndarray, float]:
    """Minimise ``f`` over the unit cube from ``x0`` (value ``fx0`` if already known).

    Each pass line-searches every direction in turn (the coordinate axes at first), then
    tries the extrapolated point ``2 x - x_start``; when Powell's test says the pass's net
    displacement is a good new direction, it is searched and replaces the direction of the
    largest decrease.  Stops when a pass improves the value by less than ``ftol`` (relative)
    or after ``max_passes``; a caller's budget stops it by raising from ``f``.
    Returns the best point and its value.
    """
    x = np.clip(np.asarray(x0, dtype=float), 0.0, 1.0)
    fval = float(f(x)) if fx0 is None else float(fx0)
    directions = np.eye(x.size)
    for _ in range(max_passes):
        x_start, f_start = x.copy(), fval
        biggest, big_index = 0.0, 0
        for i, d in enumerate(directions):
            before = fval
            x, fval, _ = _line_search(f, x, fval, d, xtol)
            if before - fval > biggest:
                biggest, big_index = before - fval, i
        if 2.0 * (f_start - fval) <= ftol * (abs(f_start) + abs(fval)) + 1e-20:
            break
        displacement = x - x_start
        _, reach = _segment(x, displacement)
        x_far = np.clip(x + min(reach, 1.0) * displacement, 0.0, 1.0)
        f_far = float(f(x_far))
        if f_far < f_start:
            t = 2.0 * (f_start + f_far - 2.0 * fval) * (f_start - fval - biggest) ** 2
            t -= biggest * (f_start - f_far) ** 2
            if f_far < fval:
                x, fval = x_far, f_far
            if t < 0.0:
                x, fval, step = _line_search(f, x, fval, displacement, xtol)
                if step.any():
                    directions[big_index] = directions[-1]
                    directions[-1] = displacement
    return x, fval
