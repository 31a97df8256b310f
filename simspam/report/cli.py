"""``simspam-report DIR``: (re)write the offline report of any results folder.

    simspam-report outputs/2026-01-02/10-11-12_baseline_s0     # one run
    simspam-report outputs/compare/2026-01-02/10-11-12_scenarios   # a comparison
    simspam-report multirun/2026-01-02/10-11-12                 # a sweep

What the folder is, is read from the files in it -- never from its name
(:func:`simspam.results.detect`):

* a **comparison** (``simspam-compare``): ``comparison.parquet`` and the other tables;
* a **run** (``simspam``): ``summary.json`` and ``daily.parquet`` (and ``events.parquet``);
* a **sweep** (``simspam --multirun``, ``simspam-design``): ``runs.parquet`` and
  ``outcomes.parquet`` from ``simspam-collect``, or, if it was never collected, the jobs'
  folders (collected in memory; nothing but the report is written), with
  ``sensitivity.parquet`` and ``design.parquet`` when present.

The report is rendered in memory and written to ``DIR/report.html`` atomically, so a
failure leaves any previous report intact.  A folder that is missing or holds none of
these gets one line naming the path and what was expected, exit code 2, and nothing is
written.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import ArgumentParser, ConfigError, EXIT_BAD_INPUT, quiet_on_closed_pipe
from ..results.atomic import write_text

__all__ = ["main", "write_report"]


def write_report(folder: str | Path) -> tuple[str, Path]:
    """Detect what ``folder`` holds, render its report and write ``folder/report.html``."""
    from .html import render
    from .pages import folder_report

    folder = Path(folder)
    kind, report = folder_report(folder)
    return kind, write_text(folder / "report.html", render(report))


@quiet_on_closed_pipe
def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="simspam-report", description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="a results folder: a run, a comparison or a sweep")
    args = ap.parse_args(argv)
    try:
        kind, path = write_report(args.dir)
    except ConfigError as err:
        print(err.one_line(), file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    print(f"simspam-report: {dict(compare='comparison').get(kind, kind)} report written to {path}")


if __name__ == "__main__":
    main()
