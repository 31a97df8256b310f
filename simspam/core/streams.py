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


_SMALL_MU = 40.0
_KMAX = 160  # support of the exact table; P(X > 160 | mu <= 40) < 1e-40


def poisson_from_uniform(u: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Poisson(mu) counts from uniforms ``u`` by a monotone inverse CDF.

    Exact (table lookup) where ``mu < 40``; above that a Cornish-Fisher expansion of the
    Poisson quantile, accurate to well under one count in a thousand at that size and
    still monotone in both ``u`` and ``mu``.  Returns int64 of the broadcast shape.
    """
    u = np.asarray(u, dtype=float)
    mu = np.maximum(np.asarray(mu, dtype=float), 0.0)
    u, mu = np.broadcast_arrays(u, mu)
    out = np.zeros(u.shape, dtype=np.int64)
    small = mu < _SMALL_MU
    if small.any():
        m = mu[small][:, None]
        k = np.arange(_KMAX + 1)
        # log pmf, then cumulative sum: rows are cells, columns counts 0..KMAX
        logp = k * np.log(np.where(m > 0, m, 1.0)) - m - special.gammaln(k + 1)
        cdf = np.cumsum(np.exp(logp), axis=1)
        cdf[m[:, 0] == 0] = 1.0
        out[small] = (cdf < u[small][:, None]).sum(axis=1)
    big = ~small
    if big.any():
        m = mu[big]
        z = special.ndtri(np.clip(u[big], 1e-300, 1 - 1e-16))
        q = m + np.sqrt(m) * z + (z * z - 1.0) / 6.0 + (z ** 3 - 7.0 * z) / (72.0 * np.sqrt(m))
        out[big] = np.maximum(np.floor(q + 0.5), 0).astype(np.int64)
    return out
