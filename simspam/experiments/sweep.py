"""One run inside a sweep: the design point it runs.

``simspam --multirun`` runs every job through ``simspam``'s task, which applies the job's
row of a design table here.  A run's identity is the hash of its resolved configuration
(:func:`simspam.experiments.runner.run_key`), stored in its ``summary.json``; rerunning a
sweep into the same folder skips every job whose folder already holds a complete run with
that key (:func:`simspam.results.sweep.job_complete`), so a sweep killed half-way finishes on
the next attempt with every run present exactly once.  A run that raises writes
``error.json`` (:func:`simspam.results.sweep.write_failure`) and the sweep goes on.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from ..config.check import check_number
from ..errors import ConfigError


def apply_design(cfg: DictConfig) -> DictConfig:
    """Apply row ``design.row`` of table ``design.file`` (keys are config keys; the key
    ``scenario`` selects a bundled scenario)."""
    if not cfg.design.file:
        return cfg
    path = Path(str(cfg.design.file))
    if not path.is_file():
        raise ConfigError("design.file", f"{str(path)!r} not found", "a design table written by simspam-design")
    table = pd.read_parquet(path)
    row = check_number("design.row", cfg.design.row, {"lo": 0, "hi": len(table) - 1}, True, f"0 to {len(table) - 1}")
    values = table.iloc[row].to_dict()
    cfg = cfg.copy()
    for key, value in values.items():
        if key == "design_id":
            continue
        if isinstance(value, float) and value.is_integer() and key in ("seed",):
            value = int(value)
        if key == "scenario":
            from ..config.compose import scenario_files

            files = scenario_files()
            if value not in files:
                raise ConfigError("scenario", f"unknown scenario {value!r}", ", ".join(files))
            from ..config.schema import ScenarioConfig

            cfg.scenario = OmegaConf.merge(OmegaConf.structured(ScenarioConfig), OmegaConf.load(files[value]))
            continue
        OmegaConf.update(cfg, key, value.item() if hasattr(value, "item") else value)
    return cfg
