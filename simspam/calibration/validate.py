"""The validation behind ``simspam-validate``: the calibrated default against the historical
record, target by target.

Runs the historical scenario (2001-2010) with the default (calibrated) parameters on 20
seeds, measures every target of ``conf/calibration/targets.csv`` on every run, and writes

* ``validation.parquet``: one row per target (``target, low, high, median, q05, q95, hit``,
  its metric, country, period, unit, source, and why it misses when it does);
* ``validation_runs.parquet``: one row per target and seed (the raw values);
* ``trajectory.parquet``: the monthly global spam share (median and 90% band over seeds);
* ``validation.html``: a self-contained offline page with the above, the trajectory of
  the spam share drawn against the published bands, and a plain list of the misses -- made
  by the report layer (:mod:`simspam.report.validation_report`) and handed in by the
  command (:mod:`simspam.validate_cli`) as an extra file, so this module never imports it.

A target *hits* when the median over seeds lies inside its published band.  Known reasons
for misses are kept with the targets (``conf/calibration/misses.yaml``) so the report
says why, not only that, a target is missed.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .. import __version__
from ..paths import conf_dir
from ..results.atomic import Extras, write_extras
from ..results.tables import write_table
from .targets import load_targets, measure, targets_path

LEVEL = 0.9


def _run(args) -> tuple[int, dict, pd.DataFrame | None, str]:
    seed, overrides, targets = args
    import simspam

    try:
        cfg = simspam.compose(["scenario=historical", f"seed={seed}", "output.report=false", *overrides])
        res = simspam.simulate(cfg, command="simspam-validate")
    except Exception as exc:  # recorded, not fatal
        return seed, {}, None, f"{type(exc).__name__}: {exc}".splitlines()[0]
    values = measure(res.daily, res.events, res.config.params, targets)
    d = res.daily
    m = d.groupby(d["date"].dt.to_period("M"))[["spam_received", "legit_sent"]].sum()
    share = pd.DataFrame({"month": m.index.to_timestamp(), "seed": seed,
                          "share": 100.0 * m["spam_received"] / (m["spam_received"] + m["legit_sent"])})
    return seed, values, share.reset_index(drop=True), ""


def known_misses() -> dict[str, str]:
    path = conf_dir() / "calibration" / "misses.yaml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text()) or {}


def summarise(targets, per_seed: pd.DataFrame, reasons: dict[str, str]) -> pd.DataFrame:
    """One row per target from the per-seed values: median, 90% band, hit."""
    rows = []
    lo_q, hi_q = (1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2
    for t in targets:
        v = per_seed.loc[per_seed["target"] == t.id, "value"].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        med = float(np.median(v)) if len(v) else float("nan")
        q05 = float(np.quantile(v, lo_q)) if len(v) else float("nan")
        q95 = float(np.quantile(v, hi_q)) if len(v) else float("nan")
        hit = t.hit(med)
        if hit:
            why = ""
        else:
            side = "above" if np.isfinite(med) and med > t.high else "below" if np.isfinite(med) else "not measurable in"
            why = f"median {med:.4g} {side} the band. " + reasons.get(t.id, "No explanation recorded yet.")
        rows.append({"target": t.id, "what": t.what, "metric": t.metric, "country": t.country,
                     "from": t.start.isoformat(), "to": t.end.isoformat(), "low": t.low, "high": t.high,
                     "unit": t.unit, "median": med, "q05": q05, "q95": q95, "hit": hit, "seeds": int(len(v)),
                     "source": t.source, "why_missed": why})
    return pd.DataFrame(rows)


def published_share_bands(targets) -> pd.DataFrame:
    rows = [{"year_from": t.start, "year_to": t.end, "low": t.low, "high": t.high, "label": f"{t.id} ({t.source})"}
            for t in targets if t.metric == "spam_share" and not t.country]
    return pd.DataFrame(rows)


def run_validation(out: Path, seeds: int, first_seed: int, jobs: int, overrides: list[str], command: str,
                   log=print, extras: Callable[..., Extras] | None = None) -> pd.DataFrame:
    """Run the validation and write its tables into ``out``; return the ``validation`` table.
    ``extras(validation, trajectory, published, provenance)`` gives further files to write
    there (the command passes the ``validation.html`` page)."""
    target_file = targets_path()
    targets = load_targets(target_file)
    t0 = time.perf_counter()
    args = [(s, overrides, targets) for s in range(first_seed, first_seed + seeds)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(_run, args))
    failed = [(s, e) for s, _, _, e in results if e]
    if len(failed) == len(results):
        raise RuntimeError(f"every run failed; first: seed {failed[0][0]}: {failed[0][1]}")
    per_seed = pd.DataFrame([{"seed": s, "target": k, "value": v} for s, vals, _, e in results if not e
                             for k, v in vals.items()])
    validation = summarise(targets, per_seed, known_misses())
    shares = pd.concat([sh for _, _, sh, e in results if not e], ignore_index=True)
    g = shares.groupby("month")["share"]
    trajectory = pd.DataFrame({"median": g.median(), "q05": g.quantile(0.05), "q95": g.quantile(0.95)}).reset_index()
    provenance = {"command": command, "version": __version__,
                  "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                  "scenario": "historical", "seeds": seeds, "first_seed": first_seed, "overrides": " ".join(overrides),
                  "failed runs": ", ".join(f"seed {s}: {e}" for s, e in failed) or "none",
                  "targets": str(target_file.relative_to(target_file.parents[2])) if len(target_file.parents) > 2 else str(target_file)}
    out.mkdir(parents=True, exist_ok=True)
    write_table(validation, out / "validation.parquet")
    write_table(per_seed, out / "validation_runs.parquet")
    write_table(trajectory, out / "trajectory.parquet")
    written = write_extras(out, extras(validation, trajectory, published_share_bands(targets), provenance)
                           if extras else None)
    log(f"{int(validation['hit'].sum())}/{len(validation)} targets hit with the median of {seeds} seeds "
        f"({time.perf_counter() - t0:.0f} s); wrote {out}/validation.parquet"
        + "".join(f" and {p.name}" for p in written))
    return validation
