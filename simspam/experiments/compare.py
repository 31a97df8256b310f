"""The comparison: scenarios against a baseline over replicated seeds, under common random
numbers, and the tables a policymaker's report is built from.

Designs (``compare.design``):

* ``scenarios``   -- each named scenario against the baseline;
* ``factorial``   -- every combination of the levers of ``compare.levers`` (2^k bundles),
  for main effects and interactions (the 2004 paper's thesis as an experiment);
* ``where_to_act``-- ``compare.act_scenario``'s levers adopted by one country at a time,
  ranking countries by how much global spam and harm fall.

Each run is independent and seeded, so runs execute in any order on any number of
processes and the tables are identical (sorted by design order).
"""
from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from .. import __version__
from ..config.check import check_name
from ..config.compose import scenario_files
from ..metrics.outcomes import CATALOGUE, COMPARED
from ..results.atomic import Extras
from ..results.comparison import BASELINE as BASELINE_LABEL
from ..results.comparison import write_comparison
from .factorial import effects, full_factorial
from .runner import RunSpec, run_tables
from .stats import compare_table

PRIORITY_OUTCOMES = ("spam_delivered", "social_cost")


def _scenario_levers(name: str) -> dict:
    files = scenario_files()
    check_name("compare", name, files, "scenario")
    return OmegaConf.to_container(OmegaConf.load(files[name]).get("levers") or {})


def run_settings(cfg: DictConfig) -> dict:
    """The comparison's settings for every run: all keys but the comparison's own, the
    scenario (each run picks its own) and the seed (each run has its own)."""
    skip = {"compare", "scenario", "seed", "hydra"}
    data = {k: OmegaConf.to_container(v, resolve=True) if OmegaConf.is_config(v) else v
            for k, v in cfg.items() if k not in skip}
    data["output"] = {"report": False, "quiet": True}
    return data


def policy_scenarios() -> list[str]:
    """The bundled scenarios a default comparison runs: every one that does not fix its own
    period (``historical`` replays 2001-2010; comparing it with a 2004 baseline means nothing)."""
    out = []
    for name, path in scenario_files().items():
        data = OmegaConf.load(path)
        if not str(data.get("start", "") or "") and not str(data.get("end", "") or ""):
            out.append(name)
    return out


def build_specs(cfg: DictConfig) -> list[RunSpec]:
    """Every run of the comparison, in a fixed design order."""
    c = cfg.compare
    seeds = [int(c.first_seed) + i for i in range(int(c.seeds))]
    settings = run_settings(cfg)
    base: list[str] = []
    specs: list[RunSpec] = []
    if c.design == "scenarios":
        names = list(c.scenarios) or policy_scenarios()
        if c.baseline not in names:
            names.insert(0, c.baseline)
        for name in names:
            check_name("compare.scenarios", name, scenario_files(), "scenario")
            specs += [RunSpec([*base, f"scenario={name}"], s, name, base=settings) for s in seeds]
    elif c.design == "factorial":
        factors = list(c.levers)
        blocks = {f: _scenario_levers(f) for f in factors}
        for _, combo in full_factorial(factors).iterrows():
            on = [f for f in factors if combo[f]]
            levers = {k: v for f in on for k, v in blocks[f].items()}
            label = "+".join(on) if on else BASELINE_LABEL
            design = {f: int(combo[f]) for f in factors} | {"combo": "+".join(on) or "none"}
            specs += [RunSpec([*base, f"scenario={c.baseline}"], s, label, levers, settings, design) for s in seeds]
    else:  # where_to_act
        template = _scenario_levers(c.act_scenario)
        from ..agents.world import load_world
        world = load_world(cfg.world.table, list(cfg.world.countries), dt.date.fromisoformat(str(cfg.start)),
                           cfg.world.email_share)
        countries = list(c.act_countries) or list(world.codes)
        specs += [RunSpec([*base, f"scenario={c.baseline}"], s, BASELINE_LABEL, {}, settings, {"country": ""})
                  for s in seeds]
        for code in countries:
            world.index(code, "compare.act_countries")
            levers = {f"{k}_{code}": {**v, "countries": [code]} for k, v in template.items()}
            specs += [RunSpec([*base, f"scenario={c.baseline}"], s, code, levers, settings, {"country": code})
                      for s in seeds]
    return specs


def cost_effectiveness(runs: pd.DataFrame, baseline: str, level: float) -> pd.DataFrame:
    """Policy cost against spam averted and hours saved, paired by seed, and the frontier."""
    ok = runs[runs["status"] == "ok"]
    base = ok[ok["scenario"] == baseline].set_index("seed")
    rows = []
    q = (1 - level) / 2
    for name, grp in ok[ok["scenario"] != baseline].groupby("scenario", sort=False):
        g = grp.merge(base, left_on="seed", right_index=True, how="inner", suffixes=("", "_base"))
        if g.empty:
            continue
        averted = (g["spam_delivered_base"] - g["spam_delivered"]) / 1e6
        hours = g["consumer_hours_base"] - g["consumer_hours"]
        cost = g["policy_cost"] - g["policy_cost_base"]
        per_m = (cost / averted).where(averted > 0)
        per_h = (cost / hours).where(hours > 0)
        rows.append({
            "scenario": name, "averted_m": averted.mean(), "averted_low": averted.quantile(q),
            "averted_high": averted.quantile(1 - q), "hours_saved": hours.mean(), "hours_low": hours.quantile(q),
            "hours_high": hours.quantile(1 - q), "delta_cost": cost.mean(),
            "cost_per_m_averted": per_m.median(), "cost_per_m_low": per_m.quantile(q), "cost_per_m_high": per_m.quantile(1 - q),
            "cost_per_hour_saved": per_h.median(),
        })
    ce = pd.DataFrame(rows)
    if ce.empty:
        return ce
    # frontier: no other bundle averts at least as much for no more cost (and strictly better in one)
    a, c_ = ce["averted_m"].to_numpy(), ce["delta_cost"].to_numpy()
    dominated = ((a[None, :] >= a[:, None]) & (c_[None, :] <= c_[:, None])
                 & ((a[None, :] > a[:, None]) | (c_[None, :] < c_[:, None]))).any(axis=1)
    ce["on_frontier"] = ~dominated & (a > 0)
    return ce


def priority_table(comparison: pd.DataFrame, lever: str) -> pd.DataFrame:
    rows = comparison[(comparison["scenario"] != BASELINE_LABEL) & comparison["outcome"].isin(PRIORITY_OUTCOMES)]
    out = rows[["scenario", "outcome", "mean_diff", "ci_low", "ci_high", "p_better"]].rename(columns={"scenario": "country"})
    out.insert(0, "lever", lever)
    out["rank"] = out.groupby("outcome")["mean_diff"].rank(method="first").astype(int)
    return out.sort_values(["outcome", "rank"]).reset_index(drop=True)


def factorial_table(runs: pd.DataFrame, factors: list[str], level: float) -> pd.DataFrame:
    ok = runs[runs["status"] == "ok"]
    parts = []
    for outcome in COMPARED:
        e = effects(ok, ok[outcome].to_numpy(dtype=float), factors, max_order=2, level=level)
        e.insert(0, "outcome", outcome)
        parts.append(e)
    return pd.concat(parts, ignore_index=True)


def analyse(cfg: DictConfig, runs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    c = cfg.compare
    baseline = comparison_baseline(cfg)
    ok = runs[runs["status"] == "ok"]
    higher = [k for k in COMPARED if not CATALOGUE[k].lower_is_better]
    tables = {"comparison": compare_table(ok, list(COMPARED), baseline=baseline, level=float(c.level),
                                          higher_is_better=higher),
              "cost_effectiveness": cost_effectiveness(runs, baseline, float(c.level))}
    if c.design == "factorial":
        tables["factorial"] = factorial_table(runs, list(c.levers), float(c.level))
    if c.design == "where_to_act":
        tables["priority"] = priority_table(tables["comparison"], c.act_scenario)
    return tables


def comparison_baseline(cfg: DictConfig) -> str:
    """The reference scenario: ``compare.baseline`` for a comparison of scenarios, else the
    runs without the design's levers (labelled ``baseline``)."""
    return BASELINE_LABEL if cfg.compare.design != "scenarios" else str(cfg.compare.baseline)


def run_comparison(cfg: DictConfig, out_dir: str | Path, command: str = "",
                   extras: Callable[[dict, dict], Extras] | None = None) -> dict:
    """Run the whole comparison and write its tables into ``out_dir``; return ``{"tables",
    "summary"}``.  ``extras(tables, summary)`` gives the files to write into the folder
    before ``summary.json`` (the command passes the report page; this layer never builds it)."""
    specs = build_specs(cfg)
    per_run = run_tables(specs, int(cfg.compare.jobs))
    runs = per_run.pop("runs")
    if (runs["status"] == "ok").sum() == 0:
        raise RuntimeError("every run failed; first error: " + str(runs["error"].iloc[0]))
    tables = {"runs": runs.drop(columns=["traceback"], errors="ignore"), **per_run, **analyse(cfg, runs)}
    summary = comparison_summary(cfg, tables, comparison_baseline(cfg), command)
    write_comparison(tables, summary, out_dir, extras=extras(tables, summary) if extras else None)
    return {"tables": tables, "summary": summary}


def comparison_summary(cfg: DictConfig, tables: dict, baseline: str, command: str) -> dict:
    comp = tables["comparison"]
    runs = tables["runs"]
    d = comp[(comp["outcome"] == "spam_delivered") & (comp["scenario"] != baseline)]
    headline: dict = {"runs": int(len(runs)), "failed_runs": int((runs["status"] != "ok").sum())}
    if len(d):
        best = d.loc[d["mean_diff"].idxmin()]
        headline.update({"best_scenario": str(best["scenario"]), "spam_averted_by_best": float(-best["mean_diff"]),
                         "p_best_beats_baseline": float(best["p_better"])})
    scen, analogues = {}, {}
    for name in dict.fromkeys(runs["scenario"]):
        path = scenario_files().get(name)
        data = OmegaConf.load(path) if path else {}
        scen[name] = str(data.get("description", "")) if path else ""
        analogues[name] = str(data.get("analogue", "")) if path else ""
    return {
        "headline": headline,
        "scenarios": scen,
        "analogues": analogues,
        "design": str(cfg.compare.design),
        "baseline": baseline,
        "provenance": {
            "version": __version__, "command": command or " ".join(sys.argv),
            "seeds": [int(cfg.compare.first_seed) + i for i in range(int(cfg.compare.seeds))],
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "config": OmegaConf.to_container(cfg, resolve=True),
            "config_yaml": OmegaConf.to_yaml(cfg, resolve=True),
        },
    }
