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

import pandas as pd
from omegaconf import DictConfig, OmegaConf

# outcome -> (summary headline key, lower is better)
OUTCOMES: dict[str, tuple[str, bool]] = {
    "spam_sent": ("spam_sent", True),
    "spam_delivered": ("spam_delivered", True),
    "spam_share_last_year": ("spam_share_last_year", True),
    "consumer_hours": ("consumer_hours", True),
    "social_cost": ("social_cost", True),
    "spammer_revenue": ("spammer_revenue", True),
    "active_spammers_end": ("active_spammers_end", True),
    "enforcement_actions": ("enforcement_actions", False),
}
COST_PARTS = ("isp_cost", "enforcement_cost", "campaign_cost", "legit_lost_cost")


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


def yearly_series(daily: pd.DataFrame) -> pd.DataFrame:
    g = daily.groupby(daily["date"].dt.year)[["spam_sent", "delivered", "spam_received", "legit_sent",
                                              "consumer_hours", "social_cost"]].sum()
    g["spam_share"] = 100.0 * g["spam_received"] / (g["spam_received"] + g["legit_sent"])
    g = g.drop(columns=["spam_received", "legit_sent"]).reset_index(names="year")
    return g


def outcome_row(summary: dict) -> dict[str, float]:
    h = summary["headline"]
    row = {name: h[key] for name, (key, _) in OUTCOMES.items()}
    row["policy_cost"] = float(sum(h[k] for k in COST_PARTS))
    for k in COST_PARTS:
        row[k] = h[k]
    return row


def execute(spec: RunSpec) -> tuple[dict, pd.DataFrame | None]:
    """Run one spec; never raises: a failure is returned as a row with its error."""
    from ..api import simulate

    row: dict[str, Any] = {"scenario": spec.label, "seed": spec.seed, **spec.design}
    t0 = time.perf_counter()
    try:
        cfg = compose_spec(spec)
        row["run_id"] = run_key(cfg)
        res = simulate(cfg, command="simspam-compare")
        row.update(outcome_row(res.summary))
        row["status"], row["error"] = "ok", ""
        series = yearly_series(res.daily)
        series.insert(0, "seed", spec.seed)
        series.insert(0, "scenario", spec.label)
    except Exception as exc:  # recorded, not fatal
        row.setdefault("run_id", "")
        row["status"] = "failed"
        row["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
        row["traceback"] = traceback.format_exc(limit=5)
        series = None
    row["runtime_s"] = time.perf_counter() - t0
    return row, series


def _one_blas_thread() -> None:
    """Worker initialiser: the model's matrices are tiny, and several processes each running
    multi-threaded BLAS on two cores spin against each other (measured: 7x slower)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def run_all(specs: list[RunSpec], jobs: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every spec, in parallel on ``jobs`` processes (0: all cores; 1: in this process).
    Results come back in the order of ``specs`` whatever the execution order, so serial
    and parallel runs give identical tables."""
    jobs = (os.cpu_count() or 1) if jobs <= 0 else jobs
    if jobs == 1 or len(specs) <= 1:
        results = [execute(s) for s in specs]
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(specs)), initializer=_one_blas_thread) as pool:
            results = list(pool.map(execute, specs, chunksize=1))
    rows = pd.DataFrame([r for r, _ in results])
    series = [s for _, s in results if s is not None]
    series_df = pd.concat(series, ignore_index=True) if series else pd.DataFrame()
    return rows, series_df
