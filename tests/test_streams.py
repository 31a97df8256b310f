import numpy as np
import pytest

from simspam.core.streams import Streams, poisson_from_uniform


@pytest.mark.parametrize("mu", [0.0, 0.02, 0.7, 4.0, 9.99, 10.01, 55.0, 3e4, 2e9])
def test_poisson_from_uniform_has_poisson_mean_and_variance(mu):
    rng = np.random.default_rng(7)
    u = rng.random(400_000)
    x = poisson_from_uniform(u, np.full(u.size, mu))
    assert x.dtype == np.int64 and (x >= 0).all()
    se = np.sqrt(max(mu, 1e-9) / u.size)
    assert abs(x.mean() - mu) < 6 * se + 1e-3
    if mu > 0:
        assert abs(x.var() / mu - 1) < 0.03


def test_poisson_from_uniform_is_monotone_in_u_and_mu():
    u = np.linspace(0, 1, 2001, endpoint=False)
    for mu in (0.3, 8.0, 12.0, 1e5):
        x = poisson_from_uniform(u, np.full(u.size, mu))
        assert (np.diff(x) >= 0).all()
    mus = np.linspace(0, 60, 3001)
    for q in (0.05, 0.5, 0.95):
        x = poisson_from_uniform(np.full(mus.size, q), mus)
        assert (np.diff(x) >= 0).all()


def test_poisson_exact_small_counts_match_the_pmf():
    # P(X = 0) = exp(-mu): uniforms just below / above that threshold give 0 / 1
    mu = 2.5
    p0 = np.exp(-mu)
    x = poisson_from_uniform(np.array([p0 * 0.999, p0 * 1.001]), np.array([mu, mu]))
    assert list(x) == [0, 1]


def test_streams_are_reproducible_and_independent_of_creation_order():
    a, b = Streams(3), Streams(3)
    first_a = a["responses"].random(5)
    b["volume"].random(100)  # another stream used first does not matter
    assert np.array_equal(first_a, b["responses"].random(5))
    assert not np.array_equal(Streams(3)["responses"].random(5), Streams(4)["responses"].random(5))
    assert not np.array_equal(Streams(3)["responses"].random(5), Streams(3)["sales"].random(5))
    assert np.array_equal(a.fresh("case:USA:1").random(3), Streams(3).fresh("case:USA:1").random(3))


def test_negative_seed_rejected():
    with pytest.raises(ValueError):
        Streams(-1)


def test_small_mean_loop_and_table_give_identical_counts(monkeypatch):
    """The exact small-mean path walks a few cells in a Python loop and many with array
    operations; both must give the same counts, bit for bit (results depend on it)."""
    from simspam.core import streams

    rng = np.random.default_rng(11)
    for trial in range(400):
        n = int(rng.integers(1, 60))
        mu = [rng.uniform(0, 10, n), rng.exponential(0.01, n), 10 - rng.exponential(1e-3, n)][trial % 3]
        u = rng.random(n) if trial % 5 else 1 - rng.exponential(1e-12, n)
        monkeypatch.setattr(streams, "_LOOP_CELLS", 0)
        table = streams._small(u, mu)
        monkeypatch.setattr(streams, "_LOOP_CELLS", 10**9)
        loop = streams._small(u, mu)
        assert np.array_equal(table, loop)


def test_precomputed_terms_give_the_same_counts():
    rng = np.random.default_rng(5)
    u = rng.random(5000)
    mu = np.concatenate((rng.uniform(0, 10, 2500), rng.lognormal(5, 3, 2500)))
    from simspam.core.streams import cornish_fisher_terms

    assert np.array_equal(poisson_from_uniform(u, mu), poisson_from_uniform(u, mu, terms=cornish_fisher_terms(u)))
