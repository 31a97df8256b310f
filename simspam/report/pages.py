"""The report of each kind of results, built and rendered as one HTML page.

What the commands hand to the results layer as the ``report.html`` extra of a run or a
comparison, and what ``simspam-report DIR`` and ``simspam-export DIR`` build for any results
folder.  Which kind of folder a path is, and how its tables are read, is the results layer's
business (:mod:`simspam.results`); which report each kind gets is decided here, once, for both
commands.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..results.comparison import read_comparison
from ..results.folders import detect
from ..results.run import read_run
from ..results.sweep import read_sweep
from .compare_report import build_compare_report
from .html import render
from .model import Report
from .run_report import build_run_report
from .sweep_report import build_sweep_report

__all__ = ["comparison_extras", "comparison_page", "folder_report", "run_extras", "run_page", "validation_extras"]


def run_page(daily: pd.DataFrame, events: pd.DataFrame | None, summary: Mapping | None) -> str:
    """A run's report page."""
    return render(build_run_report(daily, events, summary))


def comparison_page(tables: Mapping[str, pd.DataFrame | None], summary: Mapping | None) -> str:
    """A comparison's report page."""
    return render(build_compare_report(tables, summary))


def run_extras(result) -> dict:
    """The files a run's folder gets besides its tables and summary: ``{"report.html": ...}``
    for :func:`simspam.results.write_run` (``result`` is a :class:`simspam.Result`)."""
    return {"report.html": lambda: run_page(result.daily, result.events, result.summary)}


def comparison_extras(tables: Mapping[str, pd.DataFrame | None], summary: Mapping) -> dict:
    """The files a comparison's folder gets besides its tables and summary, for
    :func:`simspam.experiments.compare.run_comparison`'s ``extras``."""
    return {"report.html": lambda: comparison_page(tables, summary)}


def validation_extras(validation: pd.DataFrame, trajectory: pd.DataFrame, published: pd.DataFrame,
                      provenance: Mapping[str, object]) -> dict:
    """The ``validation.html`` page of a validation, for
    :func:`simspam.calibration.validate.run_validation`'s ``extras``."""
    from .validation_report import build_validation_report

    return {"validation.html": lambda: render(build_validation_report(validation, trajectory, published, provenance))}


def folder_report(folder: str | os.PathLike) -> tuple[str, Report]:
    """``(kind, report)`` of a results folder: ``"run"``, ``"compare"`` or ``"sweep"``
    (:func:`simspam.results.detect`, which raises ConfigError for anything else)."""
    folder = Path(folder)
    kind = detect(folder)
    if kind == "compare":
        return kind, build_compare_report(*read_comparison(folder))
    if kind == "run":
        return kind, build_run_report(*read_run(folder))
    sweep = read_sweep(folder)
    return kind, build_sweep_report(sweep["runs"], sweep["outcomes"], sensitivity=sweep["sensitivity"],
                                    design=sweep["design"], provenance=sweep["provenance"], name=sweep["name"])
