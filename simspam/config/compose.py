"""Compose a run configuration exactly as the command line does.

``compose(["scenario=integrated", "seed=3"])`` goes through the same Hydra config
directory, schema and scenario registry as ``simspam scenario=integrated seed=3``,
so notebooks, tests and the CLI cannot disagree about what a configuration means.

Scenario files live in the top-level ``scenarios/`` folder, not in ``conf/``; they are
loaded as plain YAML data (never executed) and registered in Hydra's ConfigStore as
the ``scenario`` group, so ``scenario=NAME`` selects one and an unknown name lists the
known ones.
"""
from __future__ import annotations

from pathlib import Path

from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig, OmegaConf

from ..paths import conf_dir, data_dir, scenarios_dir
from . import schema

_REGISTERED = False


def scenario_files() -> dict[str, Path]:
    """Bundled scenario name -> file."""
    return {p.stem: p for p in sorted(scenarios_dir().glob("*.yaml"))}


def register_configs() -> None:
    """Register the schema and every bundled scenario in the ConfigStore (once per process)."""
    global _REGISTERED
    if _REGISTERED:
        return
    schema.register()
    schema.register_compare()
    cs = ConfigStore.instance()
    for name, path in scenario_files().items():
        data = OmegaConf.load(path)  # YAML safe loader: data only, nothing executed
        data.setdefault("name", name) if isinstance(data, DictConfig) else None
        cs.store(group="scenario", name=name, node=data)
    for name, path in experiment_files().items():
        cs.store(group="experiment", name=name, node=OmegaConf.load(path), package="_global_")
    _REGISTERED = True


def experiment_files() -> dict[str, Path]:
    """Bundled experiment name -> file (``+experiment=NAME`` on the command line)."""
    return {p.stem: p for p in sorted(data_dir("experiments").glob("*.yaml"))}


def compose(overrides: list[str] | None = None, config_name: str = "config") -> DictConfig:
    """Return the composed (not yet validated) configuration for ``overrides``."""
    register_configs()
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        cfg = hydra_compose(config_name=config_name, overrides=list(overrides or []))
    return cfg
