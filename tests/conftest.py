"""Shared helpers: small, fast runs on the tiny world, cached per set of overrides."""
from __future__ import annotations

import functools

import pytest

import simspam

TINY = ["world=tiny", "params.spammers.n_initial=300", "params.spammers.max_spammers=900"]


@functools.lru_cache(maxsize=64)
def _run(overrides: tuple[str, ...]):
    return simspam.simulate(simspam.compose(list(overrides)), command="pytest")


def run(*overrides: str, tiny: bool = True, years: float = 2.0):
    """Simulate (cached) on the tiny world; returns a Result.  Do not mutate its tables."""
    base = (TINY if tiny else []) + [f"years={years}"]
    return _run(tuple(base + list(overrides)))


@pytest.fixture
def tiny_run():
    return run
