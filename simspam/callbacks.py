"""The Hydra callback at the end of ``simspam --multirun``: collect the sweep, write its report.

``conf/config.yaml`` names it (``hydra.callbacks.collect._target_``).  It sits at the top of
the layers because it joins two of them: collecting is the experiments' job
(:func:`simspam.experiments.collect.collect`) and the page is the report's
(:mod:`simspam.report`) -- experiments never import the report.
"""
from __future__ import annotations

import sys
from pathlib import Path

from hydra.experimental.callback import Callback

__all__ = ["CollectCallback", "write_sweep_report"]


class CollectCallback(Callback):
    """Hydra callback: collect the sweep folder when a ``--multirun`` ends, then write its report."""

    def on_multirun_end(self, config, **kwargs) -> None:
        from .experiments.collect import collect

        runs, _ = collect(config.hydra.sweep.dir)
        counts = runs["status"].value_counts().to_dict() if len(runs) else {}
        print(f"simspam: collected {len(runs)} runs {counts} into {config.hydra.sweep.dir}/runs.parquet")
        write_sweep_report(Path(config.hydra.sweep.dir))


def write_sweep_report(sweep: Path) -> None:
    """The sweep's report.html, from the tables just collected.  The tables are the result and
    are already safe on disk, so a report that cannot be rendered is reported on one line
    (``simspam-report DIR`` retries it) rather than failing a sweep whose runs all finished."""
    from .report.cli import write_report

    try:
        _, path = write_report(sweep)
    except Exception as exc:  # noqa: BLE001 - see the docstring
        print(f"simspam: sweep report not written ({type(exc).__name__}: {exc}); "
              f"retry with simspam-report {sweep}", file=sys.stderr)
        return
    print(f"simspam: sweep report {path}")
