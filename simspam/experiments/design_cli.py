"""``simspam-design``: generate a design over declared ranges and run it through Hydra.

An experiment file (``experiments/designs/*.yaml``) keeps policy **levers** (crossed
in full with every sampled point) apart from exogenous **uncertainties** (sampled:
Latin hypercube, Sobol' sequence, Saltelli scheme or a grid), as the EMA Workbench
does.  The design table is written as ``design.parquet`` in the sweep folder, and the
runs are dispatched as ``simspam --multirun design.file=... design.row=range(0,N)``,
so the same design runs on the basic, joblib, submitit_local or SLURM launcher::

    simspam-design lhs_uncertainties                              # local, one process
    simspam-design lhs_uncertainties hydra/launcher=joblib        # all local cores
    simspam-design sobol_uncertainties hydra/launcher=slurm       # on a cluster (conf/hydra/launcher/slurm.yaml)
    simspam-design lhs_uncertainties --dir multirun/lhs --dry-run # write the design only

Rerunning with the same ``--dir`` skips runs already complete (see ``sweep.py``).
"""
from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from ..config.check import check_choice, check_name, check_number
from ..errors import ArgumentParser, ConfigError, EXIT_BAD_INPUT, quiet_on_closed_pipe
from ..paths import data_dir
from . import designs

METHODS = ("lhs", "sobol", "saltelli", "grid")


def design_files() -> dict[str, Path]:
    return {p.stem: p for p in sorted((data_dir("experiments") / "designs").glob("*.yaml"))}


def load_spec(name_or_path: str) -> dict:
    path = Path(name_or_path)
    if not path.is_file():
        files = design_files()
        check_name("experiment", name_or_path, files, "design experiment", ", ".join(files) + ", or a path to a YAML file")
        path = files[name_or_path]
    spec = OmegaConf.to_container(OmegaConf.load(path))
    known = {"design", "levers", "uncertainties", "seeds", "overrides", "description"}
    for key in spec:
        check_name(f"experiment {path.name}", key, sorted(known), "key")
    check_choice("design.method", spec.get("design", {}).get("method", "lhs"), METHODS, "design method")
    if not spec.get("uncertainties"):
        raise ConfigError("uncertainties", "is empty", "a mapping key -> [low, high] (or [low, high, log])")
    return spec


def build_design(spec: dict) -> tuple[pd.DataFrame, dict | None]:
    """The full design: sampled uncertainties x lever settings x seeds (one row per run)."""
    d = spec.get("design", {})
    method, n, seed = d.get("method", "lhs"), int(d.get("n", 32)), int(d.get("seed", 0))
    ranges = {k: tuple(v) for k, v in spec["uncertainties"].items()}
    problem = None
    if method == "lhs":
        points = designs.latin_hypercube(ranges, n, seed)
    elif method == "sobol":
        points = designs.sobol_sequence(ranges, n, seed)
    elif method == "grid":
        points = designs.grid({k: list(v) for k, v in spec["uncertainties"].items()})
    else:
        points, salib = designs.saltelli(ranges, n, seed)
        problem = {"salib": salib}
    levers = spec.get("levers") or {}
    seeds = [int(s) for s in spec.get("seeds", [0])]
    if method == "saltelli" and (any(len(v) > 1 for v in levers.values()) or len(seeds) > 1):
        raise ConfigError("levers", "a Saltelli design takes one lever setting and one seed",
                          "one value per lever and one seed (run one design per policy)")
    lever_rows = [dict(zip(levers, combo)) for combo in itertools.product(*levers.values())] or [{}]
    rows = []
    for point in points.to_dict("records"):
        for lever_row in lever_rows:
            for s in seeds:
                rows.append({**lever_row, **point, "seed": s})
    table = pd.DataFrame(rows)
    table["design_id"] = [designs.design_id(r) for r in table.drop(columns=["seed"]).to_dict("records")]
    if problem is not None:
        problem["rows"] = len(table)
    return table, problem


@quiet_on_closed_pipe
def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="simspam-design", description=__doc__.splitlines()[0])
    # optional to argparse only so that a missing one is reported alone (with intermixed
    # parsing argparse would also call the optional overrides required)
    ap.add_argument("experiment", nargs="?", help="a name in experiments/designs/ or a YAML path")
    ap.add_argument("--dir", help="sweep folder (default: multirun/design_<name>)")
    ap.add_argument("--dry-run", action="store_true", help="write the design table, do not run it")
    ap.add_argument("--n", type=int, help="override the experiment's sample size (design.n)")
    ap.add_argument("overrides", nargs="*", help="extra Hydra overrides (hydra/launcher=joblib, world=tiny, ...)")
    args = ap.parse_intermixed_args(argv)
    if args.experiment is None:
        ap.error("the following argument is required: experiment")
    try:
        spec = load_spec(args.experiment)
        if args.n is not None:
            check_number("--n", args.n, {"lo": 1}, integer=True)
            spec.setdefault("design", {})["n"] = args.n
        table, problem = build_design(spec)
    except ConfigError as err:
        print(err.one_line(), file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    out = Path(args.dir or f"multirun/design_{Path(args.experiment).stem}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    from ..results.tables import write_json, write_table

    write_table(table, out / "design.parquet")
    if problem is not None:
        write_json(problem, out / "design.problem.json")
    print(f"simspam-design: {len(table)} runs -> {out / 'design.parquet'}")
    if args.dry_run:
        return
    cmd = [sys.executable, "-m", "simspam.cli", "--multirun", f"design.file={out / 'design.parquet'}",
           f"design.row=range(0,{len(table)})", f"hydra.sweep.dir={out}", *spec.get("overrides", []), *args.overrides]
    sys.exit(subprocess.call(cmd))
