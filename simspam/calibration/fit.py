"""Fit the uncertain parameters to the published targets over replicated historical runs.

``simspam-calibrate`` (this module's ``main``) reads ``conf/calibration/fit.yaml`` (the
parameters, their ranges and sources, the seeds, the budget) and the targets in
``conf/calibration/targets.csv``, then

1. screens a Latin hypercube of the parameter box with the first seed (scipy.stats.qmc),
2. polishes the best point with Nelder-Mead (scipy.optimize) in the unit cube, every
   candidate run on all the seeds under common random numbers (so two candidates differ
   only by their parameters, and the objective is smooth enough to descend),
3. runs Powell's line searches from there, parameter by parameter (``descent.powell_descent``,
   which only ever moves to a better point), within a hard budget of evaluations,
4. writes the result as the default world's parameters, ``conf/params/calibrated.yaml``,
   with its provenance (targets file hash, seeds, objective, date, version) in the file's
   header and in ``conf/calibration/fit.json``, plus every evaluated point
   (``conf/calibration/fit_trials.csv``: the spread across good fits shows which
   parameters the targets leave poorly identified).

No hand tuning: the objective is the sum over targets of the distance of the seeds'
median outside its band (in band widths; see ``Target.distance``), plus one
consistency term: the historical run must arrive in January 2004 with about as many
operations as the 2004 world starts with (``spammers.n_initial``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import OmegaConf
import yaml
from scipy.optimize import minimize
from scipy.stats import qmc

from .. import __version__
from ..config.check import check_choice, check_name, check_number, field_at
from ..config.schema import Params
from ..results.atomic import write_text
from ..errors import ArgumentParser, ConfigError, quiet_on_closed_pipe
from ..paths import conf_dir
from .descent import powell_descent
from .targets import Target, load_targets, measure, targets_path


@dataclass(frozen=True)
class Dim:
    key: str
    lo: float
    hi: float
    log: bool
    source: str
    per: str | None = None   # the search moves this parameter times `per` (see load_fit_spec)

    def value(self, u: float) -> float:
        u = float(np.clip(u, 0.0, 1.0))
        if self.log:
            return float(np.exp(np.log(self.lo) + u * (np.log(self.hi) - np.log(self.lo))))
        return self.lo + u * (self.hi - self.lo)

    def unit(self, x: float) -> float:
        if self.log:
            return float((np.log(x) - np.log(self.lo)) / (np.log(self.hi) - np.log(self.lo)))
        return (x - self.lo) / (self.hi - self.lo)


def load_fit_spec(path: str | Path | None = None) -> dict:
    path = Path(path) if path else conf_dir() / "calibration" / "fit.yaml"
    spec = yaml.safe_load(path.read_text())
    dims = []
    for key, d in spec["parameters"].items():
        where = f"fit.parameters.{key}"
        if not isinstance(d, dict):
            raise ConfigError(where, f"bad range {d}", "a mapping with lo, hi and scale")
        # lo and hi are numbers (YAML reads 2.0e7 as a string), scale is log or lin
        d = {**d, "lo": check_number(f"{where}.lo", d.get("lo")), "hi": check_number(f"{where}.hi", d.get("hi"))}
        check_choice(f"{where}.scale", d.get("scale"), ("log", "lin"))
        if not d["lo"] < d["hi"] or (d["scale"] == "log" and d["lo"] <= 0):
            raise ConfigError(where, f"bad range {d}", "lo < hi (lo > 0 for log), scale log or lin")
        dims.append(Dim(key, float(d["lo"]), float(d["hi"]), d["scale"] == "log", str(d.get("source", "")),
                        d.get("per")))
    for d in dims:
        _, meta = field_at(Params, d.key, prefix="fit.parameters.")   # an unknown key names the closest one
        if d.per is None:   # the searched range stays inside the one the schema declares
            for end in ("lo", "hi"):
                check_number(f"fit.parameters.{d.key}.{end}", getattr(d, end), {"lo": meta.get("lo"), "hi": meta.get("hi")})
    keys = {d.key for d in dims}
    for d in dims:
        if d.per is not None and (d.per not in keys or next(e for e in dims if e.key == d.per).per is not None):
            raise ConfigError(f"fit.parameters.{d.key}.per", f"'{d.per}' is not a searched parameter of its own",
                              "the key of another parameter in fit.parameters that has no `per` itself")
    spec["dims"] = dims
    return spec


def to_values(dims: list[Dim], u: np.ndarray) -> dict[str, float]:
    """The model's parameter values at unit point ``u``.  A dimension with ``per`` searches the
    product of its parameter and that one (its range is the product's), so targets that pin the
    product -- cases per spam delivered, pinned by case counts, is case_conversion x complaint_rate --
    stay put when the search moves the other factor alone."""
    vals = {d.key: d.value(x) for d, x in zip(dims, u)}
    for d in dims:
        if d.per is not None:
            vals[d.key] = vals[d.key] / vals[d.per]
    return vals


def to_units(dims: list[Dim], values) -> np.ndarray:
    """The inverse of ``to_values``: unit coordinates of a set of model values (a dict or a row)."""
    return np.array([d.unit(float(values[d.key]) * (float(values[d.per]) if d.per else 1.0)) for d in dims])


def overrides(dims: list[Dim], u: np.ndarray) -> list[str]:
    return [f"params.{k}={v!r}" for k, v in to_values(dims, u).items()]


def _evaluate(args) -> dict[str, float]:
    """One historical run (in a worker): the targets' values and the consistency count."""
    scenario, extra, seed, targets = args
    import simspam

    cfg = simspam.compose([f"scenario={scenario}", f"seed={seed}", "output.report=false", *extra])
    try:
        res = simspam.simulate(cfg, command="simspam-calibrate")
    except Exception as exc:  # a failed candidate is a bad candidate, not a crash
        return {"_error": f"{type(exc).__name__}: {exc}"}
    values = measure(res.daily, res.events, res.config.params, targets)
    jan04 = res.daily[(res.daily["date"] >= "2004-01-01") & (res.daily["date"] <= "2004-01-31")]
    values["_ops_2004"] = float(jan04.groupby("date")["active_spammers"].sum().mean()) if len(jan04) else np.nan
    return values


def objective(per_seed: list[dict], targets: list[Target], n_initial: float, weight: float,
              inset: float = 0.0) -> tuple[float, dict]:
    """Sum of the band distances of the seeds' medians (L1: it prefers hitting most targets and
    missing a few by much -- the published figures are not all consistent -- to missing many by a
    little, which squared distances would prefer), each measured to the band narrowed by ``inset``
    of its width on each side (so that a fit on two seeds does not sit on band edges that fresh
    seeds fall off), plus the 2004 consistency term."""
    if any("_error" in v for v in per_seed):
        return 1e6, {}
    med = {}
    for t in targets:
        vals = np.array([v[t.id] for v in per_seed], dtype=float)
        med[t.id] = float(np.median(vals[np.isfinite(vals)])) if np.isfinite(vals).any() else float("nan")
    loss = sum(t.distance(med[t.id], inset) for t in targets)
    ops = float(np.median([v["_ops_2004"] for v in per_seed]))
    if np.isfinite(ops):   # only runs that reach January 2004
        loss += weight * float(np.log(max(ops, 1.0) / n_initial)) ** 2
    med["_ops_2004"] = ops
    return float(loss), med


class _BudgetSpent(Exception):
    """Raised inside the objective when a stage has used its evaluations."""


class Fitter:
    def __init__(self, spec: dict, jobs: int, target_file: Path, log=print):
        self.spec, self.dims, self.jobs = spec, spec["dims"], jobs
        self.targets = load_targets(target_file)
        self.target_file = target_file
        self.trials: list[dict] = []
        self.progress: Path | None = None
        self.warm: np.ndarray | None = None
        self.pool = ProcessPoolExecutor(max_workers=jobs)
        self.log = log
        import simspam

        self.params = simspam.compose([f"scenario={spec['scenario']}"]).params   # current values
        self.n_initial = float(self.params.spammers.n_initial)

    def evaluate(self, units: list[np.ndarray], seeds: list[int], stage: str) -> list[float]:
        fixed = list(self.spec.get("overrides") or [])
        jobs = [(self.spec["scenario"], fixed + overrides(self.dims, u), s, self.targets)
                for u in units for s in seeds]
        results = list(self.pool.map(_evaluate, jobs))
        errors = [r["_error"] for r in results if "_error" in r]
        if errors and len(errors) == len(results):
            raise RuntimeError(f"every run of this {stage} batch failed; first error: {errors[0]}")
        out = []
        for i, u in enumerate(units):
            per_seed = results[i * len(seeds):(i + 1) * len(seeds)]
            loss, med = self.score(per_seed)
            hits = sum(t.hit(med.get(t.id, np.nan)) for t in self.targets)
            row = {"stage": stage, "loss": loss, "hits": hits, "seeds": len(seeds),
                   **to_values(self.dims, u), **{f"t.{k}": v for k, v in med.items()}}
            self.trials.append(row)
            out.append(loss)
        if self.progress:   # keep what was learnt if the fit is stopped
            pd.DataFrame(self.trials).to_csv(self.progress, index=False)
        return out

    def score(self, per_seed: list[dict]) -> tuple[float, dict]:
        """The objective under this fit's specification (targets, consistency weight, inset)."""
        return objective(per_seed, self.targets, self.n_initial, self.spec["consistency_weight"],
                         float(self.spec.get("inset", 0.0)))

    def run(self, resume: pd.DataFrame | None = None, resume_polish: int = 0) -> tuple[np.ndarray, float]:
        """Screen, Nelder-Mead with restarts, then Powell; or, resuming an earlier fit's trials,
        from its best point: Nelder-Mead for ``resume_polish`` evaluations (``--polish N``), then Powell."""
        spec, seeds = self.spec, list(self.spec["seeds"])
        t0 = time.perf_counter()
        only = spec.get("only")
        moving = np.array([i for i, d in enumerate(self.dims) if not only or d.key in only])

        def lift(v, base):
            """The full point: ``base`` with the searched parameters (``moving``) set to ``v``."""
            u = np.array(base, dtype=float)
            u[moving] = v
            return u

        if resume is None:
            # with `only`, the hypercube spans the named parameters; the others sit at the warm
            # start's point (or the current values), so a screen can map a few parameters' joint
            # effect on all the seeds (`screen_seeds`) around a good point
            sampler = qmc.LatinHypercube(d=len(moving), seed=int(seeds[0]))
            base = self.warm if self.warm is not None else to_units(
                self.dims, {d.key: float(OmegaConf.select(self.params, d.key)) for d in self.dims}).clip(0.0, 1.0)
            screen = [lift(v, base) for v in sampler.random(int(spec["screen"]))]
            if self.warm is not None:   # an earlier fit's best point competes in the screen
                screen.append(self.warm)
            screen_seeds = seeds[:int(spec.get("screen_seeds") or 1)]
            losses = self.evaluate(screen, screen_seeds, "screen")
            order = np.argsort(losses)
            self.log(f"screen: {len(screen)} points in {time.perf_counter() - t0:.0f} s; best loss {losses[order[0]]:.3f}")
            x0 = screen[order[0]]
            # a screen on all the seeds scored its best point with the fit's objective already
            loss0 = float(losses[order[0]]) if len(screen_seeds) == len(seeds) else np.inf
        else:
            x0, loss0 = self.resume_from(resume), np.inf
        best = {"u": x0, "loss": loss0}
        stage = {"name": "polish"}

        def f(u):
            loss = self.evaluate([np.clip(u, 0, 1)], seeds, stage["name"])[0] + 10.0 * float(np.sum(np.clip(-u, 0, None) + np.clip(u - 1, 0, None)))
            if loss < best["loss"]:
                best.update(u=np.clip(u, 0, 1), loss=loss)
                self.log(f"  {stage['name']} {len(self.trials):5d}: loss {loss:.4f} hits {self.trials[-1]['hits']}/{len(self.targets)}")
            return loss

        # With `only` (--only), Nelder-Mead and Powell search only those parameters; the others stay
        # where the stage starts.  A few parameters that trade targets against each other are then
        # moved together: a simplex in a few dimensions, and Powell's direction updates (made after
        # each pass over the parameters, ~10 runs each) in a few passes instead of one over all of them.
        n = len(moving)
        budget = int(spec["polish"]) if resume is None else int(resume_polish)
        chunk = int(spec.get("restart") or budget or 1)
        used, step = 0, 0.15 if resume is None else 0.06   # a resumed fit starts near a good point
        while used < budget:
            # restarts from the best point with a fresh, smaller simplex: Nelder-Mead in many
            # dimensions stalls on a collapsed simplex long before its budget is spent
            base = np.array(best["u"], dtype=float)
            start = base[moving]
            simplex = np.vstack([start] + [np.clip(start + np.where(np.arange(n) == i, step if start[i] < 1 - step else -step, 0.0), 0, 1)
                                           for i in range(n)])
            before = len(self.trials)
            minimize(lambda v: f(lift(v, base)), start, method="Nelder-Mead",
                     options={"maxfev": min(chunk, budget - used), "initial_simplex": simplex, "adaptive": True,
                              "xatol": 1e-3, "fatol": 1e-4})
            used += max(len(self.trials) - before, 1)
            step = max(step * 0.6, 0.03)
        powell = int(spec.get("powell") or 0)
        if powell > 0:
            # Powell's line searches along each parameter: a parameter that one target alone
            # pins (responder_share and C1) is moved even when the simplex never moved it.
            # powell_descent, not scipy's bounded Powell, which can leave a point for a worse
            # one (see descent.py).  The budget is enforced here: a stopped search keeps the
            # best point it has seen.
            stage["name"] = "powell"
            stop_at = len(self.trials) + powell

            def g(v):
                if len(self.trials) >= stop_at:
                    raise _BudgetSpent
                return f(lift(v, best_at_start))

            try:
                best_at_start = np.array(best["u"], dtype=float)
                if not np.isfinite(best["loss"]):   # a resumed point: re-run under the current model first
                    g(best_at_start[moving])
                powell_descent(g, best_at_start[moving], best["loss"], xtol=1e-2, ftol=1e-3)
            except _BudgetSpent:
                self.log(f"  powell: budget of {powell} evaluations spent")
        self.log(f"fit done in {time.perf_counter() - t0:.0f} s; loss {best['loss']:.4f}")
        return best["u"], float(best["loss"])

    def warm_start(self, trials: pd.DataFrame) -> dict:
        """Add an earlier fit's best point (on all its seeds) to the screen; parameters it lacks
        (new in this fit) start at their current value, so the point is the earlier fit's model
        when a new parameter's current value switches its mechanism off.  Returns what to record
        in the provenance."""
        t = trials[trials["seeds"] == trials["seeds"].max()] if "seeds" in trials else trials
        best = t.loc[t["loss"].idxmin()]
        start = {d.key: float(best[d.key]) if d.key in best.index and np.isfinite(best[d.key])
                 else float(OmegaConf.select(self.params, d.key)) for d in self.dims}
        self.warm = to_units(self.dims, start).clip(0.0, 1.0)
        return to_values(self.dims, self.warm)

    def resume_from(self, trials: pd.DataFrame) -> np.ndarray:
        """Take an earlier fit's trials (same parameters), re-score them with the current
        objective from their stored target values, keep them, and return the best point."""
        missing = [d.key for d in self.dims if d.key not in trials]
        if missing:
            raise ConfigError("--resume", f"the trials lack parameters {missing}", "trials of a fit with the same parameters")
        rows = trials.to_dict("records")
        for r in rows:
            per = {t.id: r.get(f"t.{t.id}", np.nan) for t in self.targets}
            per["_ops_2004"] = r.get("t._ops_2004", np.nan)
            r["loss"], _ = self.score([per])
        self.trials = rows
        best = min((r for r in rows if r.get("seeds", 1) == len(self.spec["seeds"])), key=lambda r: r["loss"],
                   default=min(rows, key=lambda r: r["loss"]))
        self.log(f"resumed {len(rows)} trials; best loss {best['loss']:.4f}")
        return to_units(self.dims, best)


def file_hash(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=8).hexdigest()


def write_results(fitter: Fitter, u: np.ndarray, loss: float, out_params: Path, out_json: Path, out_trials: Path,
                  command: str) -> dict:
    """The fitted values as the default parameters (conf/params/calibrated.yaml) with provenance."""
    dims = fitter.dims
    values = to_values(dims, u)
    # the hits of the returned point: among the points run on all of this fit's seeds (a resumed
    # fit's earlier trials on fewer seeds are re-scored, and can score better on their own seeds)
    seeds = len(fitter.spec["seeds"])
    best_row = min((r for r in fitter.trials if r["stage"] in ("screen", "polish", "powell") and r.get("seeds") == seeds),
                   key=lambda r: r["loss"], default=None)
    prov = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "version": __version__,
        "command": command,
        "scenario": fitter.spec["scenario"],
        "seeds": list(fitter.spec["seeds"]),
        "objective": loss,
        "hits": best_row["hits"] if best_row else None,
        "targets": len(fitter.targets),
        "targets_file": "conf/calibration/targets.csv",
        "targets_hash": file_hash(fitter.target_file),
        "evaluations": len(fitter.trials),
        "resumed_from": getattr(fitter, "resumed", None),
        "warm_start": getattr(fitter, "warmed", None),
        "search_only": fitter.spec.get("only"),
        "stages": {k: int(v) for k, v in pd.Series([r["stage"] for r in fitter.trials]).value_counts().items()},
        "parameters": {d.key: {"value": values[d.key], "lo": d.lo, "hi": d.hi, "scale": "log" if d.log else "lin",
                               "source": d.source, **({"per": d.per} if d.per else {})} for d in dims},
    }
    nested: dict = {}
    for key, v in values.items():
        group, name = key.split(".", 1)
        # full precision: the run is chaotic in its parameters (rounding the shipped fit to 4
        # digits moved 2 of 30 targets on the fit's own seeds), so the default must be the
        # fitted point itself, for the provenance's objective to be reproducible
        nested.setdefault(group, {})[name] = float(v)
    header = (
        "# @package params\n"
        "# The default world's calibrated parameters: written by `simspam-calibrate`, do not edit by hand.\n"
        f"# Fitted {prov['date']} with simspam {__version__} to {prov['targets']} targets "
        f"(conf/calibration/targets.csv, hash {prov['targets_hash']}),\n"
        f"# scenario {prov['scenario']}, seeds {prov['seeds']}, objective {loss:.4f}, "
        f"{prov['evaluations']} evaluations.  Full provenance: conf/calibration/fit.json.\n"
        "# Use `params=declared` to run with the schema's uncalibrated declared defaults instead.\n")
    for path in (out_params, out_json, out_trials):
        path.parent.mkdir(parents=True, exist_ok=True)
    write_text(out_params, header + yaml.safe_dump(nested, sort_keys=True))
    write_text(out_json, json.dumps(prov, indent=2) + "\n")
    trials = pd.DataFrame(fitter.trials)
    write_text(out_trials, trials.to_csv(index=False))
    return prov


def identification(trials: pd.DataFrame, dims: list[Dim], within: float = 1.5) -> pd.DataFrame:
    """Spread of each parameter across good fits: every point evaluated on all the seeds whose
    objective is within ``within`` times the best, as the share of the parameter's search range
    it spans (5th to 95th percentile of those fits, so one stray point does not decide it).
    A parameter whose good fits span much of its range is poorly identified by the targets."""
    t = trials[trials["seeds"] == trials["seeds"].max()]
    best = t.loc[t["loss"].idxmin()]
    good = t[t["loss"] <= float(best["loss"]) * within + 1e-9]
    rows = []
    for d in (d for d in dims if d.key in trials and (d.per is None or d.per in trials)):
        searched = good[d.key] * (good[d.per] if d.per else 1.0)   # spread of what the search moved
        units = np.array([d.unit(x) for x in searched])
        lo, hi = np.quantile(good[d.key], [0.05, 0.95])
        rows.append({"parameter": d.key, "best": float(best[d.key]), "good_p05": float(lo), "good_p95": float(hi),
                     "spread": float(np.quantile(units, 0.95) - np.quantile(units, 0.05)), "fits": len(good),
                     "source": d.source})
    return pd.DataFrame(rows).sort_values("spread", ascending=False).reset_index(drop=True)


def target_conflicts(trials: pd.DataFrame, targets: list[Target], min_seeds: int = 10,
                     top: int = 12) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Which targets the model does not hit together, over every point a fit has evaluated.

    Counts, among the distinct points (by outcome) run on at least ``min_seeds`` seeds, how many hit each
    target (the seeds' median in its band) and, for each pair, how many hit both, against
    what independence would give (``expected``); ``best_hits`` is the most targets any point
    hitting both reached.  A pair hit together far less often than chance, whose best joint
    point has fewer hits than the best point overall, is a conflict the search could not
    resolve: the ceiling of the fit, not a lack of search.  Returns the ``top`` pairs by
    ratio of joint to expected hits (among pairs expected at least 5 times), each target's
    count of points hitting it with the best hits of such a point, and the number of points."""
    # a point is known by its outcome: resumed files repeat earlier trials, and files from before a
    # parameter was added lack its column, so parameters cannot tell repeats apart; target values can
    outcome = [c for c in trials.columns if c.startswith("t.")]
    t = trials[trials["seeds"] >= min_seeds].drop_duplicates(subset=outcome + ["seeds"])
    hit = pd.DataFrame({g.id: [g.hit(v) for v in t[f"t.{g.id}"]] for g in targets if f"t.{g.id}" in t},
                       index=t.index)
    n = len(hit)
    counts = hit.sum()
    singles = pd.DataFrame({"target": hit.columns, "points_hitting": counts.to_numpy(),
                            "best_hits": [int(t.loc[hit[c], "hits"].max()) if hit[c].any() else 0 for c in hit]})
    rows = []
    ids = list(hit.columns)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            both = hit[a] & hit[b]
            expected = float(counts[a]) * float(counts[b]) / max(n, 1)
            rows.append({"a": a, "b": b, "hit_a": int(counts[a]), "hit_b": int(counts[b]),
                         "both": int(both.sum()), "expected": round(expected, 1),
                         "best_hits": int(t.loc[both, "hits"].max()) if both.any() else 0})
    pairs = pd.DataFrame(rows)
    singles = singles.sort_values("points_hitting").reset_index(drop=True)
    if pairs.empty:
        return pairs, singles, n
    pairs = pairs[pairs["expected"] >= 5.0].assign(ratio=lambda p: (p["both"] / p["expected"]).round(3))
    return pairs.sort_values(["ratio", "expected"], ascending=[True, False]).head(top).reset_index(drop=True), singles, n


def _stop_on_sigterm(signum, frame) -> None:
    print("simspam-calibrate: stopped (SIGTERM): no parameters written (the trials so far are in "
          "the SIMSPAM_FIT_PROGRESS file, if one was named)", file=sys.stderr)
    raise SystemExit(128 + signum)


@quiet_on_closed_pipe
def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="simspam-calibrate", description=__doc__.splitlines()[0])
    ap.add_argument("--spec", default=None, help="fit specification (default conf/calibration/fit.yaml)")
    ap.add_argument("--targets", default=None, help="targets table (default conf/calibration/targets.csv)")
    ap.add_argument("--jobs", type=int, default=0, help="parallel processes (0: all cores)")
    ap.add_argument("--screen", type=int, default=None, help="override the number of screened points")
    ap.add_argument("--polish", type=int, default=None, help="override the Nelder-Mead budget")
    ap.add_argument("--powell", type=int, default=None, help="override the Powell budget")
    ap.add_argument("--screen-seeds", type=int, default=None,
                    help="run the screen's points on this many of the fit's seeds (default 1)")
    ap.add_argument("--only", metavar="KEY,KEY", default=None,
                    help="confine the screen, Nelder-Mead and Powell to these fitted parameters (the others stay at the "
                         "warm start's point, or where each stage starts)")
    ap.add_argument("--out", default=None, help="folder for the outputs (default: the project's conf/)")
    ap.add_argument("--resume", metavar="TRIALS_CSV", default=None,
                    help="continue an earlier fit: keep its trials and, from its best point, run the Powell stage "
                         "(and first Nelder-Mead if --polish N is given)")
    ap.add_argument("--warm-start", metavar="TRIALS_CSV", default=None,
                    help="a full fit whose screen also tries the best point of an earlier fit's trials")
    ap.add_argument("--spread", metavar="TRIALS_CSV", default=None,
                    help="print how well the targets identify each parameter (spread across good fits) and exit")
    ap.add_argument("--conflicts", metavar="TRIALS_CSV", nargs="+", default=None,
                    help="print the targets that the evaluated points (of one or more trials files) do not hit "
                         "together, and exit")
    ap.add_argument("--min-seeds", type=int, default=10, help="with --conflicts: only points run on this many seeds")
    args = ap.parse_args(argv)
    if args.spread:
        table = identification(pd.read_csv(args.spread), load_fit_spec(args.spec)["dims"])
        print(table.to_string(index=False))
        return
    if args.conflicts:
        try:
            trials = pd.concat([pd.read_csv(f) for f in args.conflicts], ignore_index=True)
            targets = load_targets(Path(args.targets) if args.targets else targets_path())
        except (ConfigError, OSError) as exc:
            print(f"simspam-calibrate: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        pairs, singles, n = target_conflicts(trials, targets, args.min_seeds)
        print(f"{n} distinct points run on >= {args.min_seeds} seeds; most targets hit by one: "
              f"{int(singles['best_hits'].max()) if len(singles) else 0}")
        print("\ntargets hit least often (best_hits: the most targets hit by a point hitting this one)")
        print(singles.head(8).to_string(index=False))
        print("\npairs hit together least often against chance (expected: if they were independent)")
        print(pairs.to_string(index=False))
        return
    try:
        spec = load_fit_spec(args.spec)
        if args.screen is not None:
            spec["screen"] = args.screen
        if args.polish is not None:
            spec["polish"] = args.polish
        if args.powell is not None:
            spec["powell"] = args.powell
        if args.screen_seeds is not None:
            check_number("--screen-seeds", args.screen_seeds, {"lo": 1, "hi": len(spec["seeds"])}, True,
                         f"1 to the fit's {len(spec['seeds'])} seeds")
            spec["screen_seeds"] = args.screen_seeds
        if args.only:
            spec["only"] = [k.strip() for k in args.only.split(",") if k.strip()]
            fitted = [d.key for d in spec["dims"]]
            for key in spec["only"]:
                check_name("--only", key, fitted, "parameter of the fit",
                           "comma-separated keys of the fit's parameters: " + ", ".join(fitted))
        target_file = Path(args.targets) if args.targets else targets_path()
        load_targets(target_file)
    except (ConfigError, OSError, KeyError) as exc:
        print(f"simspam-calibrate: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    out = Path(args.out) if args.out else conf_dir()
    jobs = args.jobs or os.cpu_count() or 1
    # `kill` (SIGTERM) ends the fit like Ctrl-C does: through the `finally` below, which cancels the
    # queued runs and waits for the running ones, so no pool worker outlives the fit as an orphan
    previous_sigterm = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    fitter = Fitter(spec, jobs, target_file)
    progress = os.environ.get("SIMSPAM_FIT_PROGRESS", "")
    fitter.progress = Path(progress) if progress else None
    try:
        resume = None
        if args.warm_start:
            warm = pd.read_csv(args.warm_start)
            fitter.warmed = {"file": args.warm_start, "hash": file_hash(Path(args.warm_start)),
                             "point": fitter.warm_start(warm)}
        if args.resume:
            resume = pd.read_csv(args.resume)
            fitter.resumed = {"file": args.resume, "hash": file_hash(Path(args.resume)), "trials": len(resume)}
        u, loss = fitter.run(resume, resume_polish=args.polish or 0)   # with --resume: Nelder-Mead only if asked
        if not np.isfinite(loss):
            raise ConfigError("--polish/--powell", "no point was run on all the fit's seeds, so none can be the result",
                              "a Nelder-Mead or Powell budget above 0, or --screen-seeds equal to the fit's seeds")
    except ConfigError as exc:
        print(f"simspam-calibrate: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except RuntimeError as exc:
        print(f"simspam-calibrate: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        fitter.pool.shutdown(cancel_futures=True)
        signal.signal(signal.SIGTERM, previous_sigterm)   # a caller's own handler, if main() runs in-process
    prov = write_results(fitter, u, loss, out / "params" / "calibrated.yaml", out / "calibration" / "fit.json",
                         out / "calibration" / "fit_trials.csv", "simspam-calibrate " + " ".join(argv or sys.argv[1:]))
    print(f"objective {loss:.4f}; {prov['hits']}/{prov['targets']} targets hit with seeds {prov['seeds']}; "
          f"wrote {out / 'params' / 'calibrated.yaml'}")


if __name__ == "__main__":
    main()
