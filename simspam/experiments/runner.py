"""Running many simulations: run specifications, run keys, and local parallel execution.

A run is specified by data only -- the command-line overrides, extra levers to add to
the scenario, a label and a seed -- so that it can be sent to another process (or
another machine) and composed there exactly as ``simspam`` would.  Each run is keyed by
a hash of its resolved configuration (without Hydra's own settings and output options)
and the package version: the same key means the same tables, which is what lets a
sweep skip work already done.
"""
from __future__ import annotations

import hashlib
import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from ..metrics.outcomes import outcome_row, yearly_series


@dataclass
class RunSpec:
    """What to run: overrides as on the command line, values to merge over the composed
    configuration (an experiment's settings), levers to add, a label and a seed."""

    overrides: list[str]
    seed: int
    label: str
    extra_levers: dict[str, Any] = field(default_factory=dict)
    base: dict[str, Any] = field(default_factory=dict)
    design: dict[str, Any] = field(default_factory=dict)   # factor values recorded with the run


_COMPOSED: dict[tuple[str, ...], DictConfig] = {}


def compose_spec(spec: RunSpec) -> DictConfig:
    """The run's configuration; Hydra composition is cached per set of overrides (runs of one
    scenario differ only by seed, design values and levers, applied on a copy)."""
    from ..config.compose import compose

    key = tuple(spec.overrides)
    if key not in _COMPOSED:
        _COMPOSED[key] = compose(list(spec.overrides))
    cfg = _COMPOSED[key].copy()
    if spec.base:
        cfg = OmegaConf.merge(cfg, spec.base)
    OmegaConf.update(cfg, "seed", int(spec.seed))
    if spec.extra_levers:
        levers = OmegaConf.to_container(cfg.scenario.levers)
        levers.update(spec.extra_levers)
        OmegaConf.update(cfg, "scenario.levers", levers, force_add=True)
    OmegaConf.update(cfg, "scenario.name", spec.label)
    return cfg


def run_key(cfg: DictConfig) -> str:
    """Hash of the resolved run configuration (scenario levers included) and version."""
    from .. import __version__

    data = OmegaConf.to_container(cfg, resolve=True)
    data.pop("hydra", None)
    data.pop("output", None)
    data.get("scenario", {}).pop("description", None)
    data.get("scenario", {}).pop("analogue", None)
    text = OmegaConf.to_yaml(OmegaConf.create(data)) + __version__
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


#: Columns of ``country_series``: where spam comes from (by origin) and where it lands (by destination).
COUNTRY_SERIES_COLUMNS = ("spam_sent", "spam_received", "delivered")
RELOCATION_KINDS = ("relocation_home", "relocation_infra")


def country_series(daily: pd.DataFrame) -> pd.DataFrame:
    """Yearly totals per country of the columns a world map needs (a few hundred rows per run,
    reduced in the worker so the daily table never crosses processes)."""
    year = daily["date"].dt.year.rename("year")
    g = daily.groupby([year, daily["country"].astype(str)], sort=True)[list(COUNTRY_SERIES_COLUMNS)].sum()
    return g.reset_index()


def relocation_flows(events: pd.DataFrame) -> pd.DataFrame:
    """Moves of spam operations between countries over the run, per (from, to, kind).

    In the event log a relocation's ``country`` is the new place and ``partner`` the old one
    (``simspam.agents.spammers``); a switch to botnet rental keeps the country (from == to)."""
    ev = events[events["kind"].isin(RELOCATION_KINDS)]
    g = (ev.groupby([ev["partner"].astype(str).rename("from_country"), ev["country"].astype(str).rename("to_country"),
                     ev["kind"].astype(str)], sort=True).size().rename("moves").reset_index())
    g["moves"] = g["moves"].astype("int64")
    return g


def cooperation_edges(policy, codes) -> pd.DataFrame:
    """Who can ask whom for assistance under ``policy``: one row per pair of countries (a, b),
    a before b in table order, with a channel either way.

    Whether a channel exists is decided by :meth:`simspam.agents.regulators.Policy.channels`
    alone (a finite delay); ``channel`` only names what links the pair: the networks both
    belong to and ``MoU`` for a bilateral memorandum, joined with ``+``."""
    delay, _ = policy.channels()
    linked = np.isfinite(delay) | np.isfinite(delay.T)
    a, b = np.nonzero(np.triu(linked, k=1))
    names = []
    for i, j in zip(a, b):
        parts = [n for n, net in sorted(policy.networks.items()) if net.member[i] and net.member[j]]
        if policy.mou[i, j] > 0 or policy.mou[j, i] > 0:
            parts.append("MoU")
        names.append("+".join(parts))
    codes = np.asarray(list(codes), dtype=object)
    return pd.DataFrame({"a": codes[a].astype(str), "b": codes[b].astype(str), "channel": names},
                        columns=["a", "b", "channel"])


#: Tables each run contributes besides its row in ``runs`` (all keyed by scenario and seed).
RUN_TABLES = ("series", "country_series", "relocations", "cooperation_edges")


def _simulate_with_channels(cfg: DictConfig):
    """Simulate ``cfg`` as :func:`simspam.api.simulate` does, and read the cooperation graph
    before the first day and after the last (the policy outlives the released arrays)."""
    from threadpoolctl import threadpool_limits

    from ..api import build, finish

    t0 = time.perf_counter()
    with threadpool_limits(1):
        sim = build(cfg)
        start = cooperation_edges(sim.policy, sim.world.codes)
        sim.run()
        end = cooperation_edges(sim.policy, sim.world.codes)
        res = finish(sim, cfg, "simspam-compare", t0)
    edges = pd.concat([start.assign(when="start"), end.assign(when="end")], ignore_index=True)
    return res, edges[["when", "a", "b", "channel"]]


def execute(spec: RunSpec) -> tuple[dict, dict[str, pd.DataFrame] | None]:
    """Run one spec; never raises: a failure is returned as a row with its error.

    Besides the row, returns the run's small tidy tables (:data:`RUN_TABLES`), each
    prefixed with scenario and seed; the daily and event tables stay in the worker."""
    row: dict[str, Any] = {"scenario": spec.label, "seed": spec.seed, **spec.design}
    t0 = time.perf_counter()
    try:
        cfg = compose_spec(spec)
        row["run_id"] = run_key(cfg)
        res, edges = _simulate_with_channels(cfg)
        row.update(outcome_row(res.summary["headline"]))
        row["status"], row["error"] = "ok", ""
        tables = {"series": yearly_series(res.daily), "country_series": country_series(res.daily),
                  "relocations": relocation_flows(res.events), "cooperation_edges": edges}
        for df in tables.values():
            df.insert(0, "seed", spec.seed)
            df.insert(0, "scenario", spec.label)
    except Exception as exc:  # recorded, not fatal
        row.setdefault("run_id", "")
        row["status"] = "failed"
        row["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
        row["traceback"] = traceback.format_exc(limit=5)
        tables = None
    row["runtime_s"] = time.perf_counter() - t0
    return row, tables


def _one_blas_thread() -> None:
    """Worker initialiser: the model's matrices are tiny, and several processes each running
    multi-threaded BLAS on two cores spin against each other (measured: 7x slower).

    It also freezes what the worker inherited (imported modules, Hydra, pandas: ~100,000
    objects that live as long as the worker) out of the cyclic garbage collector: every full
    collection used to walk all of them, ~70 ms each, every two or three runs.  Objects made
    later, each run's included, are collected as before; results cannot change."""
    import gc

    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    gc.freeze()


def run_tables(specs: list[RunSpec], jobs: int = 0) -> dict[str, pd.DataFrame]:
    """Run every spec, in parallel on ``jobs`` processes (0: all cores; 1: in this process), and
    return ``runs`` (one row per spec) and the tables of :data:`RUN_TABLES` concatenated.
    Results come back in the order of ``specs`` whatever the execution order, so serial
    and parallel runs give identical tables.

    ``cooperation_edges`` keeps one run per scenario (the first that succeeded): the channel
    graph is set by the world table and the scenario's levers, not by the seed, so its
    ``seed`` column only says which run it was read from."""
    jobs = (os.cpu_count() or 1) if jobs <= 0 else jobs
    if jobs == 1 or len(specs) <= 1:
        results = [execute(s) for s in specs]
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(specs)), initializer=_one_blas_thread) as pool:
            results = list(pool.map(execute, specs, chunksize=1))
    out = {"runs": pd.DataFrame([r for r, _ in results])}
    done = [t for _, t in results if t is not None]
    for name in RUN_TABLES:
        parts = [t[name] for t in done]
        out[name] = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    edges = out["cooperation_edges"]
    if len(edges):
        first = edges.drop_duplicates("scenario")[["scenario", "seed"]]
        out["cooperation_edges"] = edges.merge(first, on=["scenario", "seed"]).reset_index(drop=True)
    return out


def run_all(specs: list[RunSpec], jobs: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(runs, series)`` of :func:`run_tables` (the other tables are dropped)."""
    t = run_tables(specs, jobs)
    return t["runs"], t["series"]
