"""``simspam-validate``: the calibrated default against the historical record, target by target.

The command joins two layers, so it sits at the top: the validation itself -- running the
historical scenario on many seeds and measuring every published target -- is an experiment
(:mod:`simspam.calibration.validate`), and its page is a report
(:mod:`simspam.report.validation_report`), handed to the experiment as an extra file to write
beside the tables.  Bad input gets one line and exit code 2, and nothing is written.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from .errors import ArgumentParser, ConfigError, quiet_on_closed_pipe

__all__ = ["main"]


@quiet_on_closed_pipe
def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="simspam-validate", description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="replications (default 20)")
    ap.add_argument("--first-seed", type=int, default=1000, help="seeds are first-seed, first-seed + 1, ...")
    ap.add_argument("--jobs", type=int, default=0, help="parallel processes (0: all cores)")
    ap.add_argument("--out", default=None, help="output folder (default outputs/validation/<date>_<time>)")
    ap.add_argument("overrides", nargs="*", help="config overrides, e.g. params=declared or world.user_growth=0.1")
    args = ap.parse_args(argv)

    from .calibration.targets import load_targets
    from .calibration.validate import run_validation
    from .report.pages import validation_extras
    from .report.text import validation_table

    try:
        from .cli import validate_command_line
        from .config.check import check_number

        check_number("--seeds", args.seeds, {"lo": 1, "hi": 10000}, integer=True)
        validate_command_line(["scenario=historical", *args.overrides])
        load_targets()
    except ConfigError as exc:
        print(f"simspam-validate: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    out = Path(args.out) if args.out else Path("outputs/validation") / dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    v = run_validation(out, args.seeds, args.first_seed, args.jobs or os.cpu_count() or 1, list(args.overrides),
                       "simspam-validate " + " ".join(argv if argv is not None else sys.argv[1:]),
                       extras=validation_extras)
    print(validation_table(v))


if __name__ == "__main__":
    main()
