"""Common random numbers are exact: properties over random levers, dates, countries and seeds.

* Any registered lever at the field values that make it a no-op (``Lever.noop``) gives the
  baseline's tables bit for bit, whatever the date it starts and ends, the countries it
  names, the seed and the scenario it is added to.  The only rows that differ are the
  lever's own bookkeeping (``lever_start`` / ``lever_end`` in the event log).
* A lever that starts late -- any lever, any strength, any fields in their declared
  ranges -- leaves every earlier day and every earlier event untouched.
* Every run satisfies the accounting invariants on every day (every message sent is
  blocked, filtered or delivered; counts and costs are never negative).

Runs are on the five-country world for 1.5 years (~0.2 s each); the baselines are
cached per (scenario, seed).  The examples are derandomised, so the suite is
deterministic; ``pytest -m slow`` runs many more.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import typing

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

import simspam
from simspam.levers import REGISTRY
from simspam.metrics.invariants import check_daily

from conftest import TINY

YEARS = 1.5
START = dt.date(2004, 1, 1)
DAYS = int(round(YEARS * 365.25))
CODES = ["USA", "GBR", "DEU", "RUS", "CHN", "ROW"]
BLOCS = ["EU", "OECD", "APEC", "LAP", "LAW", "NOLAW", "ALL"]
BOOKKEEPING = ("lever_start", "lever_end")

# Scenarios the lever is added to: nothing, everything, and one busy with the things that
# change state between decision rounds (a campaign fading after its end, servers and
# botnets coming back after takedowns, a processor cut and restored, a malware wave).
BUSY = {
    "campaign": {"type": "awareness_campaign", "start": "2004-02-10", "end": "2004-07-01", "countries": ["ALL"],
                 "reach": 0.6, "half_life": 60.0},
    "servers": {"type": "takedown", "start": "2004-03-03", "countries": ["USA", "CHN"], "target": "both",
                "rebuild_days": 40.0},
    "cut": {"type": "payment_cut", "start": "2004-05-05", "end": "2004-09-09", "processor": 0},
    "wave": {"type": "malware_wave", "start": "2004-04-01", "end": "2004-10-01", "countries": ["ALL"], "surge": 2.0},
    "law": {"type": "legislation", "start": "2004-06-15", "countries": ["NOLAW"]},
}
SCENARIOS = ("baseline", "integrated", "busy")
NOOP_KINDS = sorted(k for k, c in REGISTRY.items() if c.noop is not None)


def _compose(scenario: str, seed: int, extra: dict | None = None):
    cfg = simspam.compose(TINY + [f"years={YEARS}", f"seed={seed}",
                                  f"scenario={'baseline' if scenario == 'busy' else scenario}"])
    levers = OmegaConf.to_container(cfg.scenario.levers)
    if scenario == "busy":
        levers.update(BUSY)
    levers.update(extra or {})
    OmegaConf.update(cfg, "scenario.levers", levers, force_add=True)
    return cfg


@functools.lru_cache(maxsize=16)
def _baseline(scenario: str, seed: int):
    return simspam.simulate(_compose(scenario, seed), command="pytest")


def _date(day: int) -> str:
    return (START + dt.timedelta(days=int(day))).isoformat()


def _without_bookkeeping(events: pd.DataFrame, name: str, kind: str) -> pd.DataFrame:
    own = events["kind"].isin(BOOKKEEPING) & (events["detail"] == f"{kind}:{name}")
    return events[~own].reset_index(drop=True)


def _invariants_hold(result) -> None:
    assert check_daily(result.daily) == []


# ------------------------------------------------------------------ strategies
countries = st.lists(st.sampled_from(CODES + BLOCS), min_size=0, max_size=3)


@st.composite
def timing(draw, reversible: bool) -> dict:
    start = draw(st.integers(0, DAYS - 1))
    out = {"start": _date(start)}
    if reversible and draw(st.booleans()):
        out["end"] = _date(draw(st.integers(start, DAYS + 30)))
    return out


@st.composite
def noop_lever(draw) -> tuple[str, dict]:
    kind = draw(st.sampled_from(NOOP_KINDS))
    cls = REGISTRY[kind]
    spec = {"type": kind, **draw(timing(cls.reversible)), "countries": draw(countries),
            "strength": draw(st.floats(0.05, 1.0))}
    spec.update(cls.noop)
    return kind, spec


def _field_value(draw, f: dataclasses.Field, hint):
    meta = f.metadata or {}
    if meta.get("choices"):
        return draw(st.sampled_from(meta["choices"]))
    if hint is bool:
        return draw(st.booleans())
    if hint is int:
        lo = int(meta.get("lo") or 0)
        return draw(st.integers(lo, min(int(meta.get("hi", lo + 20)), lo + 20)))   # staff, processors: small
    if hint is float or meta.get("lo") is not None:
        lo, hi = float(meta.get("lo", 0.0)), float(meta.get("hi", 1.0))
        return draw(st.floats(lo, min(hi, lo + 10.0), allow_nan=False))
    return None


@st.composite
def any_lever(draw) -> tuple[str, dict]:
    kind = draw(st.sampled_from(sorted(REGISTRY)))
    cls = REGISTRY[kind]
    hints = typing.get_type_hints(cls)
    spec = {"type": kind, **draw(timing(cls.reversible)), "countries": draw(countries),
            "strength": draw(st.floats(0.0, 1.0))}
    for f in dataclasses.fields(cls):
        if f.name in ("name", "start", "end", "countries", "strength", "description"):
            continue
        value = _field_value(draw, f, hints.get(f.name))
        if value is not None:
            spec[f.name] = value
    if kind == "case":
        spec["against"] = draw(st.sampled_from(CODES))
    if kind == "bilateral_mou":
        spec["partners"] = draw(countries)
    return kind, spec


FAST = settings(max_examples=16, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
MANY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ properties
def _check_noop(lever, scenario, seed):
    kind, spec = lever
    base = _baseline(scenario, seed)
    got = simspam.simulate(_compose(scenario, seed, {"probe": spec}), command="pytest")
    _invariants_hold(got)
    pd.testing.assert_frame_equal(got.daily, base.daily, check_exact=True)
    pd.testing.assert_frame_equal(_without_bookkeeping(got.events, "probe", kind), base.events, check_exact=True)


def _check_late(lever, scenario, seed):
    kind, spec = lever
    base = _baseline(scenario, seed)
    _invariants_hold(base)
    got = simspam.simulate(_compose(scenario, seed, {"probe": spec}), command="pytest")
    _invariants_hold(got)
    t0 = (dt.date.fromisoformat(spec["start"]) - START).days
    before = base.daily["date"] < pd.Timestamp(spec["start"])
    pd.testing.assert_frame_equal(got.daily[before], base.daily[before], check_exact=True)
    assert before.sum() == t0 * len(CODES)
    early = lambda ev: ev[ev["time"] < t0].reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(early(got.events), early(base.events), check_exact=True)


@FAST
@given(lever=noop_lever(), scenario=st.sampled_from(SCENARIOS), seed=st.integers(0, 2))
def test_a_lever_that_changes_nothing_gives_the_baseline_bit_for_bit(lever, scenario, seed):
    _check_noop(lever, scenario, seed)


@FAST
@given(lever=any_lever(), scenario=st.sampled_from(SCENARIOS), seed=st.integers(0, 2))
def test_a_lever_that_starts_late_leaves_every_earlier_day_untouched(lever, scenario, seed):
    _check_late(lever, scenario, seed)


@pytest.mark.slow
@MANY
@given(lever=noop_lever(), scenario=st.sampled_from(SCENARIOS), seed=st.integers(0, 5))
def test_many_noop_levers_give_the_baseline_bit_for_bit(lever, scenario, seed):
    _check_noop(lever, scenario, seed)


@pytest.mark.slow
@MANY
@given(lever=any_lever(), scenario=st.sampled_from(SCENARIOS), seed=st.integers(0, 5))
def test_many_late_levers_leave_the_past_untouched(lever, scenario, seed):
    _check_late(lever, scenario, seed)


def test_every_lever_declares_whether_it_has_a_noop():
    """A new lever must say which of its settings change nothing (or that none does), so the
    properties above cover it."""
    undeclared = [k for k, c in REGISTRY.items() if "noop" not in c.__dict__]
    assert not undeclared
    for kind in NOOP_KINDS:
        fields = {f.name for f in dataclasses.fields(REGISTRY[kind])}
        assert set(REGISTRY[kind].noop) <= fields, kind


@pytest.mark.parametrize("kind", NOOP_KINDS)
def test_each_noop_lever_mid_period_on_the_busy_scenario(kind):
    """Every no-op lever once, on a day between two decision rounds while a campaign fades and
    operations come back online (where refresh timing used to leak into the tables)."""
    cls = REGISTRY[kind]
    spec = {"type": kind, "start": _date(200), "countries": ["ALL"], **cls.noop}
    if cls.reversible:
        spec["end"] = _date(331)
    _check_noop((kind, spec), "busy", 1)
