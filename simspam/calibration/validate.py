"""``simspam-validate``: the calibrated default against the historical record, target by target.

Runs the historical scenario (2001-2010) with the default (calibrated) parameters on 20
seeds, measures every target of ``conf/calibration/targets.csv`` on every run, and writes

* ``validation.parquet``: one row per target (``target, low, high, median, q05, q95, hit``,
  its metric, country, period, unit, source, and why it misses when it does);
* ``validation_runs.parquet``: one row per target and seed (the raw values);
* ``trajectory.parquet``: the monthly global spam share (median and 90% band over seeds);
* ``validation.html``: a self-contained offline page with the above, the trajectory of
  the spam share drawn against the published bands, and a plain list of the misses.

A target *hits* when the median over seeds lies inside its published band.  Known reasons
for misses are kept with the targets (``conf/calibration/misses.yaml``) so the report
says why, not only that, a target is missed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .. import __version__
from ..errors import ConfigError, quiet_on_closed_pipe
from ..paths import conf_dir
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


def render(validation: pd.DataFrame, trajectory: pd.DataFrame, targets, provenance: dict) -> str:
    from ..report.html import Section, render_page
    from ..viz.validation_figures import spam_share_trajectory, target_bands

    n, hits = len(validation), int(validation["hit"].sum())
    misses = validation[~validation["hit"]]
    table = validation[["target", "what", "low", "high", "unit", "median", "q05", "q95", "hit", "source"]].copy()
    for c in ("median", "q05", "q95"):
        table[c] = table[c].map(lambda x: f"{x:.4g}")
    miss_html = "".join(f"<li><b>{html.escape(r.target)}</b> ({html.escape(r.what)}): {html.escape(r.why_missed)}</li>"
                        for r in misses.itertuples()) or "<li>none</li>"
    sections = [
        Section("Spam share of all e-mail, 2001-2010",
                "The monthly share of spam in all mail arriving at providers, median of the seeds with its 90% band, "
                "against the published bands (boxes: the years each figure covers and its range).",
                [spam_share_trajectory(trajectory, published_share_bands(targets))]),
        Section("Every target",
                "Each published figure as a band (grey, scaled to 0-1) and the simulated median with its 90% band. "
                "Green: the median lies inside the band.", [target_bands(validation)],
                table.to_html(index=False, escape=True, classes="data")),
        Section(f"What the model misses ({n - hits} of {n})",
                "Each target the median misses, by how much, and the known reason.",
                table_html=f"<ul>{miss_html}</ul>"),
    ]
    return render_page("simspam validation: the calibrated default against the record, 2001-2010", sections,
                       provenance, subtitle=f"{hits} of {n} targets hit ({100.0 * hits / n:.0f}%) with the median of "
                                            f"{provenance['seeds']} seeds")


def run_validation(out: Path, seeds: int, first_seed: int, jobs: int, overrides: list[str], command: str,
                   log=print) -> pd.DataFrame:
    from ..io import write_table
    from ..report.html import write_atomic

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
    write_atomic(out / "validation.html", render(validation, trajectory, targets, provenance))
    log(f"{int(validation['hit'].sum())}/{len(validation)} targets hit with the median of {seeds} seeds "
        f"({time.perf_counter() - t0:.0f} s); wrote {out}/validation.parquet and validation.html")
    return validation


def format_table(v: pd.DataFrame) -> str:
    lines = [f"{'target':<10} {'band':>21} {'median':>10} {'90% band':>23}  hit"]
    for r in v.itertuples():
        lines.append(f"{r.target:<10} {f'{r.low:g}-{r.high:g}':>21} {r.median:>10.4g} "
                     f"{f'{r.q05:.4g}-{r.q95:.4g}':>23}  {'yes' if r.hit else 'NO'}")
    return "\n".join(lines)


@quiet_on_closed_pipe
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="simspam-validate", description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="replications (default 20)")
    ap.add_argument("--first-seed", type=int, default=1000, help="seeds are first-seed, first-seed + 1, ...")
    ap.add_argument("--jobs", type=int, default=0, help="parallel processes (0: all cores)")
    ap.add_argument("--out", default=None, help="output folder (default outputs/validation/<date>_<time>)")
    ap.add_argument("overrides", nargs="*", help="config overrides, e.g. params=declared or world.user_growth=0.1")
    args = ap.parse_args(argv)
    import os

    try:
        from ..cli import validate_command_line
        from ..config.check import check_number

        check_number("--seeds", args.seeds, {"lo": 1, "hi": 10000}, integer=True)
        validate_command_line(["scenario=historical", *args.overrides])
        load_targets()
    except ConfigError as exc:
        print(f"simspam-validate: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    out = Path(args.out) if args.out else Path("outputs/validation") / dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    v = run_validation(out, args.seeds, args.first_seed, args.jobs or os.cpu_count() or 1, list(args.overrides),
                       "simspam-validate " + " ".join(argv if argv is not None else sys.argv[1:]))
    print(format_table(v))


if __name__ == "__main__":
    main()
