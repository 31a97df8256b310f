"""Named random streams: one numpy Generator per decision, all spawned from one seed.

Why: two scenarios run with the same seed must differ only by policy (common random
numbers).  If every decision drew from one shared generator, a lever that consumed
one extra draw would shift every later draw of every other decision.  Here each
decision ("volume", "responses", "case:FRA:17", ...) gets its own generator, seeded
by hashing its name together with the run seed (as Starsim does), so streams are
independent of creation order and of each other.

The daily streams are also *consumption-stable*: the engine draws a fixed number of
uniforms per stream per day whatever the policy, and turns them into counts through
monotone inverse CDFs (:func:`poisson_from_uniform`).  A stronger lever then moves a
count up or down for the same uniform, which keeps scenario differences free of
sampling noise.
"""
from __future__ import annotations

import hashlib

import numpy as np
from scipy import special


def _name_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


class Streams:
    """Factory and cache of named generators for one run."""

    def __init__(self, seed: int):
        if seed < 0:
            raise ValueError("seed must be >= 0")
        self.seed = int(seed)
        self._cache: dict[str, np.random.Generator] = {}

    def fresh(self, name: str) -> np.random.Generator:
        """A new generator for ``name``; the same (seed, name) always gives the same draws."""
        ss = np.random.SeedSequence([self.seed, _name_key(name)])
        return np.random.Generator(np.random.PCG64(ss))

    def __getitem__(self, name: str) -> np.random.Generator:
        """The shared generator for ``name`` (created on first use)."""
        gen = self._cache.get(name)
        if gen is None:
            gen = self._cache[name] = self.fresh(name)
        return gen


_SMALL_MU = 10.0


def cornish_fisher_terms(u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The parts of :func:`poisson_from_uniform`'s large-mean quantile that depend on the
    uniforms alone: ``z``, ``(z^2 - 1) / 6`` and ``z^3 - 7 z``.  The engine knows every
    uniform of a run in advance, so it computes these for many days in one call and passes
    each day's row (``terms``): the same numbers, without ~10 small array operations a day."""
    z = special.ndtri(np.clip(u, 1e-300, 1.0 - 1e-16))
    return z, (z * z - 1.0) / 6.0, z * z * z - 7.0 * z


def poisson_from_uniform(u: np.ndarray, mu: np.ndarray, terms=None) -> np.ndarray:
    """Poisson(mu) counts from uniforms ``u`` (same shape) by a monotone inverse CDF.

    Exact (cumulative table) where ``mu < 10``; above that a Cornish-Fisher expansion of
    the Poisson quantile (mean, variance and skew exact; the count is off by at most one
    in the far tails at mu = 10, and ever less as mu grows), monotone in ``u`` and ``mu``.
    ``terms``: ``cornish_fisher_terms(u)`` if already known.  Returns int64.
    """
    mu = np.maximum(mu, 0.0)
    small = mu < _SMALL_MU
    if small.all():
        return _small(u, mu)
    z, a, b = cornish_fisher_terms(u) if terms is None else terms
    root = np.sqrt(np.maximum(mu, _SMALL_MU))
    q = mu + root * z + a + b / (72.0 * root)
    out = np.maximum(np.floor(q + 0.5), 0.0).astype(np.int64)
    if small.any():
        out[small] = _small(u[small], mu[small])
    return out


_KMAX = 48  # P(X > 48 | mu < 10) < 1e-15
_INV_K = 1.0 / np.arange(1, _KMAX + 1, dtype=float)
_INV_K_LIST = _INV_K.tolist()
_LOOP_CELLS = 32  # below this many cells to search, a Python loop beats the table's array calls


def rare_poisson_from_uniform(u: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Poisson counts for rates well below one (daily case intake): most cells are zero,
    decided by one comparison with P(X = 0); the exact table handles the rest."""
    if (u <= np.exp(-mu)).all():
        return np.zeros(mu.shape, dtype=np.int64)
    return poisson_from_uniform(u, mu)


def _small(u: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Exact inverse CDF for mu < 10: cells below P(X = 0) are zero at once; the rest read a
    cumulative table over 0..kmax built by the pmf recurrence p(k) = p(k-1) * mu / k.

    The count is the number of table entries below ``u / P(X = 0)``.  For a few cells (the
    usual case: a day has ~10 of them) a Python loop walks each cell's table and stops at the
    first entry that is not below, which is cheaper than a dozen array calls; it computes
    the same entries with the same floating-point operations in the same order (products of
    ``mu * (1/k)``, running sums), so the counts are identical."""
    prob0 = np.exp(-mu)
    k = np.zeros(mu.shape, dtype=np.int64)
    active = (u > prob0).nonzero()[0]   # (1-D: np.flatnonzero without its Python wrapper)
    if active.size:
        m = mu[active]
        top = float(m.max())
        kmax = min(_KMAX, int(top + 7.0 * np.sqrt(top) + 8.0))  # P(X > kmax) < 1e-12
        x = u[active] / prob0[active]
        if active.size <= _LOOP_CELLS:
            k[active] = [_count_below(mi, xi, kmax) for mi, xi in zip(m.tolist(), x.tolist())]
        else:
            pmf = np.empty((active.size, kmax + 1))
            pmf[:, 0] = 1.0
            np.cumprod(m[:, None] * _INV_K[None, :kmax], axis=1, out=pmf[:, 1:])
            cdf = np.cumsum(pmf, axis=1)
            k[active] = (cdf < x[:, None]).sum(axis=1)
    return k


def _count_below(m: float, x: float, kmax: int) -> int:
    """How many of cdf(0..kmax) are below ``x``, for the table of Poisson(m) scaled by
    exp(m) (cdf(0) = 1); the table only grows, so the walk stops at the first that is not."""
    inv_k = _INV_K_LIST
    p = cdf = 1.0
    j = 0
    while cdf < x:
        if j == kmax:
            return kmax + 1
        p *= m * inv_k[j]
        cdf += p
        j += 1
    return j
