"""The report of a validation (``simspam-validate``): the calibrated default against the
historical record, target by target.

From the tables :mod:`simspam.calibration.validate` computes -- ``validation`` (one row per
target), ``trajectory`` (the monthly spam share over seeds) and the published bands of the
spam share -- to a :class:`simspam.report.model.Report`: the trajectory against the
published bands, every target on one chart with its table, and the misses with their known
reasons.
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..viz import units
from ..viz.validation_figures import spam_share_trajectory, target_bands
from .model import Provenance, Report, Section, Table

__all__ = ["VALIDATION_TITLE", "build_validation_report"]

VALIDATION_TITLE = "simspam validation: the calibrated default against the record, 2001-2010"
_TARGET_COLUMNS = ("target", "what", "low", "high", "unit", "median", "q05", "q95", "hit", "source")


def _targets_table(validation: pd.DataFrame) -> Table:
    rows = []
    for r in validation[list(_TARGET_COLUMNS)].itertuples(index=False):
        rows.append([str(r.target), str(r.what), f"{r.low:g}", f"{r.high:g}", str(r.unit),
                     units.significant(r.median), units.significant(r.q05), units.significant(r.q95),
                     "yes" if r.hit else "no", str(r.source)])
    return Table(list(_TARGET_COLUMNS), rows, prose=frozenset({1, 9}), name="data")


def _misses_table(misses: pd.DataFrame) -> Table:
    rows = [[str(r.target), str(r.what), str(r.why_missed)] for r in misses.itertuples()] or [["none", "", ""]]
    return Table(["Target", "What", "Why it misses"], rows, prose=frozenset({1, 2}), name="misses")


def build_validation_report(validation: pd.DataFrame, trajectory: pd.DataFrame, published: pd.DataFrame,
                            provenance: Mapping[str, object]) -> Report:
    """The validation's report (nothing is rendered or written); ``provenance`` carries the
    command, version, date, seeds and the targets file."""
    n, hits = len(validation), int(validation["hit"].sum())
    misses = validation[~validation["hit"]]
    sections = [
        Section("Spam share of all e-mail, 2001-2010",
                "The monthly share of spam in all mail arriving at providers, median of the seeds with its 90% band, "
                "against the published bands (boxes: the years each figure covers and its range).",
                [spam_share_trajectory(trajectory, published)]),
        Section("Every target",
                "Each published figure as a band (grey, scaled to 0-1) and the simulated median with its 90% band. "
                "Green: the median lies inside the band.", [target_bands(validation)],
                [_targets_table(validation)]),
        Section(f"What the model misses ({n - hits} of {n})",
                "Each target the median misses, by how much, and the known reason.",
                tables=[_misses_table(misses)]),
    ]
    return Report(VALIDATION_TITLE, sections, Provenance.of(provenance),
                  subtitle=f"{hits} of {n} targets hit ({units.percent(hits / n)}) with the median of "
                           f"{provenance['seeds']} seeds")
