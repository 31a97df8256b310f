"""The Python API: ``compose`` a configuration, ``simulate`` it, get tidy tables back.

    cfg = simspam.compose(["scenario=integrated", "seed=3", "years=5"])
    res = simspam.simulate(cfg)
    res.daily, res.events, res.summary
"""
from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass, field

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from . import __version__
from .agents.world import load_world
from .config.compose import compose  # noqa: F401  (part of the API)
from .config.validate import to_typed
from .core.sim import Simulation
from .levers import build_interventions
from .metrics.summary import headline
from .metrics.tables import daily_table, events_table


@dataclass
class Result:
    daily: pd.DataFrame
    events: pd.DataFrame
    summary: dict
    config: DictConfig = field(repr=False, default=None)


def validate(cfg: DictConfig):
    """Check everything about ``cfg`` (schema, ranges, world table, levers and their
    countries) without building agents; return (typed config, world, levers)."""
    typed = to_typed(cfg)
    start = dt.date.fromisoformat(str(typed.start))
    world = load_world(typed.world.table, list(typed.world.countries), start, typed.world.email_share)
    scenario = OmegaConf.to_container(cfg.scenario, resolve=True)
    levers = build_interventions(scenario, world)
    return typed, world, levers


def build(cfg: DictConfig) -> Simulation:
    """Validate ``cfg`` and build the simulation (raises ConfigError on bad input)."""
    typed, world, levers = validate(cfg)
    return Simulation(typed, levers, world)


def simulate(cfg: DictConfig, command: str | None = None) -> Result:
    """Run one simulation and return its tables and summary (with provenance)."""
    from threadpoolctl import threadpool_limits

    t0 = time.perf_counter()
    # One BLAS thread: the model's matrices are tiny, and BLAS threads spinning beside the
    # other processes of a sweep or a comparison cost more than they ever save (measured).
    with threadpool_limits(1):
        sim = build(cfg)
        sim.run()
        return finish(sim, cfg, command, t0)


def finish(sim: Simulation, cfg: DictConfig, command: str | None = None, t0: float | None = None) -> Result:
    """Tables and summary of a finished simulation (its large arrays are released)."""
    t0 = time.perf_counter() if t0 is None else t0
    daily = daily_table(sim)
    events = events_table(sim)
    sim.release()
    summary = {
        "headline": headline(daily, events, float(cfg.params.consumers.value_lost_legit)),
        "scenario": {k: str(cfg.scenario.get(k, "")) for k in ("name", "description", "analogue")},
        "provenance": {
            "version": __version__,
            "seed": int(cfg.seed),
            "command": command if command is not None else " ".join(sys.argv),
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "python": sys.version.split()[0],
            "runtime_seconds": round(time.perf_counter() - t0, 3),
            "config": OmegaConf.to_container(cfg, resolve=True),
            "config_yaml": OmegaConf.to_yaml(cfg, resolve=True),
        },
    }
    return Result(daily=daily, events=events, summary=summary, config=cfg)
