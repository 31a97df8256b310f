"""Compose a run configuration exactly as the command line does.

``compose(["scenario=integrated", "seed=3"])`` goes through the same Hydra config
directory, schema and scenario registry as ``simspam scenario=integrated seed=3``,
so notebooks, tests and the CLI cannot disagree about what a configuration means.

Scenario files live in the top-level ``scenarios/`` folder, not in ``conf/``; they are
loaded as plain YAML data (never executed) and registered in Hydra's ConfigStore as
the ``scenario`` group, so ``scenario=NAME`` selects one and an unknown name lists the
known ones.

Before composing, :func:`check_overrides` reads the overrides with Hydra's own override
parser and checks them with :mod:`simspam.config.check`: keys against the schema
(``SimConfig``, ``CompareConfig``), config-group options against the groups Hydra knows
(``scenario=``, ``world=``, ``params=``, ``+experiment=``, ``hydra/launcher=``...), and each
value against its declaration.  A misspelling gets the closest valid key or option.  In a sweep
every option and every value's type is checked -- what would stop Hydra half-way through the
sweep --, while a value out of range is left to its job, which records the failure and lets the
sweep go on (as a sweep always has).  What Hydra or OmegaConf still raise is translated by :func:`explain`
from the exceptions' types and attributes (``full_key``, ``options``), never from their text.
"""
from __future__ import annotations

import contextlib
import functools
import itertools
from pathlib import Path

from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.types import ValueType
from omegaconf import DictConfig, OmegaConf

from ..errors import ConfigError
from ..paths import conf_dir, data_dir, scenarios_dir
from . import check, schema

_REGISTERED = False

#: what the options of a config group are called in messages
_OPTION_NAMES = {"scenario": "scenario", "experiment": "experiment"}


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


@contextlib.contextmanager
def _hydra():
    """Hydra initialised on simspam's config directory; yields its config loader."""
    register_configs()
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        yield GlobalHydra.instance().config_loader()


def compose(overrides: list[str] | None = None, config_name: str = "config") -> DictConfig:
    """Return the composed (not yet validated) configuration for ``overrides``.

    The overrides are checked first (:func:`check_overrides`); bad ones, and anything Hydra
    rejects while composing, raise :class:`~simspam.errors.ConfigError`."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    overrides = list(overrides or [])
    with _hydra() as loader:
        _check_overrides(loader, overrides, config_name, sweep=False)
        try:
            return hydra_compose(config_name=config_name, overrides=overrides)
        except (HydraException, OmegaConfBaseException) as exc:   # translated outside Hydra's context
            failure = exc
    raise explain(failure, overrides, config_name) from None


def check_overrides(overrides: list[str], config_name: str = "config", sweep: bool = False) -> None:
    """Check command-line overrides without composing.  ``sweep``: a ``--multirun``, whose sweeps
    ``a,b,c``, ``range(...)`` and ``choice(...)`` are checked value by value, for their keys,
    options and types (their ranges are checked by each job, which records a failure)."""
    with _hydra() as loader:
        _check_overrides(loader, list(overrides), config_name, sweep)


# ---------------------------------------------------------------------- the overrides
@functools.cache
def _parser():
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create()


def parse_overrides(overrides: list[str]) -> list:
    """Hydra's own reading of the overrides; one that cannot be parsed is a ConfigError naming it."""
    from hydra.errors import OverrideParseException

    out = []
    for text in overrides:
        try:
            out += _parser().parse_overrides([text])
        except OverrideParseException as exc:
            key = exc.override.split("=", 1)[0].lstrip("~+") or exc.override
            raise ConfigError(key, f"{exc.override!r} cannot be parsed",
                              "key=value, +key=value, ~key, group=option; quote values with commas or brackets") from None
    return out


def _schema_of(config_name: str):
    return schema.CompareConfig if config_name == "compare" else schema.SimConfig


class _Groups:
    """The config groups and their options, as Hydra's config loader finds them.  Its repository
    answers directly; the loader's public methods copy the whole ConfigStore per question (0.1 s)."""

    def __init__(self, loader):
        self.loader = loader
        self.repo = getattr(loader, "repository", None)

    def exists(self, name: str) -> bool:
        if self.repo is not None:
            return bool(name) and self.repo.group_exists(name)
        parent, _, leaf = name.rpartition("/")
        return leaf in self.loader.list_groups(parent)

    def options(self, name: str) -> list[str]:
        from hydra.core.object_type import ObjectType

        if self.repo is not None:
            return list(self.repo.get_group_options(name, ObjectType.CONFIG))
        return list(self.loader.get_group_options(name))


def _sweep_values(o) -> list:
    """The values of a sweep override: every one of a choice; the first and last of a range
    (a range is monotone, so its ends bound every value between them)."""
    from hydra.core.override_parser.types import RangeSweep

    value = o.value()
    if isinstance(value, RangeSweep):
        r = value.range()
        if isinstance(r, range):
            return [r[0], r[-1]] if len(r) else []
        values = list(itertools.islice(r, 100_000))
        return values[:1] + values[-1:] if values else []
    return list(o.sweep_iterator())


def _check_overrides(loader, overrides: list[str], config_name: str, sweep: bool) -> None:
    cls = _schema_of(config_name)
    groups = _Groups(loader)
    for o in parse_overrides(overrides):
        key = o.key_or_group
        if o.is_sweep_override() and not sweep:
            raise ConfigError(key, f"{o.input_line.split('=', 1)[-1]} is a sweep, which only --multirun runs",
                              "--multirun to sweep; [a,b] for a list, 'a,b' for a text")
        if o.is_interval_sweep() or (o.value_type == ValueType.GLOB_CHOICE_SWEEP and not groups.exists(key)):
            continue   # a sweeper plugin's business (Hydra reports what its sweeper cannot do)
        if groups.exists(key) and not isinstance(o.value(), dict):
            if not o.is_delete():
                _check_option(groups, o)
        elif o.is_hydra_override():
            continue   # hydra.run.dir=...: Hydra's own keys
        else:
            _check_key(cls, o)


def _check_option(groups: _Groups, o) -> None:
    group = o.key_or_group
    options = groups.options(group)
    what = _OPTION_NAMES.get(group, "option")
    if o.value_type == ValueType.GLOB_CHOICE_SWEEP:
        if not o.value().filter(options):
            raise ConfigError(group, f"glob {o.input_line.split('=', 1)[-1]} matches no {what}", ", ".join(options))
        return
    values = _sweep_values(o) if o.is_sweep_override() else [o.value()]
    for value in values:
        if value is not None:
            check.check_name(group, str(value), options, what)


def _check_key(cls, o) -> None:
    key = o.key_or_group
    target = check.field_at(cls, key)           # unknown keys, with the closest declared one
    if target is check.FREE:
        return                                   # a lever's data: the lever builder checks it
    if o.is_delete():
        raise ConfigError(key, "cannot be removed: the schema declares it", f"{key}=VALUE to change it")
    if o.is_add():
        raise ConfigError(key, "is already declared, so '+' cannot add it", f"{key}=VALUE (no '+') to change it")
    if o.is_sweep_override():   # each value's type here; its range in its job (a failure is recorded)
        for value in _sweep_values(o):
            check.check_key_value(cls, key, value, ranges=False)
    else:
        check.check_key_value(cls, key, o.value())


# ---------------------------------------------------------------------- what Hydra still raises
def explain(exc: BaseException, overrides: list[str] | None = None, config_name: str = "config") -> ConfigError:
    """Turn a Hydra or OmegaConf error into a one-line ConfigError, from its type and attributes."""
    from hydra.errors import MissingConfigException, OverrideParseException
    from omegaconf.errors import (ConfigAttributeError, ConfigKeyError, InterpolationResolutionError,
                                  MissingMandatoryValue, OmegaConfBaseException, ValidationError)

    if isinstance(exc, ConfigError):
        return exc
    if isinstance(exc, MissingConfigException) and exc.missing_cfg_file:
        group, _, name = exc.missing_cfg_file.rpartition("/")
        if group and exc.options is not None:
            return check.unknown_name(group, name, exc.options, _OPTION_NAMES.get(group, "option"))
        return ConfigError(exc.missing_cfg_file, "config file not found")
    if isinstance(exc, OverrideParseException):
        return ConfigError(exc.override.split("=", 1)[0], f"{exc.override!r} cannot be parsed", "key=value")
    cause = exc if isinstance(exc, OmegaConfBaseException) else exc.__cause__
    key = str(getattr(cause, "full_key", "") or "")
    if isinstance(cause, OmegaConfBaseException) and key:
        cls = _schema_of(config_name)
        if isinstance(cause, (ConfigKeyError, ConfigAttributeError)):   # a key nothing declares
            return _unknown(cls, key, overrides or [], config_name)
        declared = _declared(cls, key)
        if isinstance(cause, MissingMandatoryValue):
            return ConfigError(key, "has no value", declared)
        if isinstance(cause, InterpolationResolutionError):
            return ConfigError(key, "refers to a value that cannot be resolved", declared)
        if isinstance(cause, ValidationError):
            return ConfigError(key, "has a value of the wrong type", declared)
        return ConfigError(key, "is not valid", declared)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ConfigError("command line", first)


def _declared(cls, key: str) -> str | None:
    try:
        target = check.field_at(cls, key)
    except ConfigError:
        return None
    return None if target is check.FREE else check.describe(*target)


def _unknown(cls, key: str, overrides: list[str], config_name: str) -> ConfigError:
    """An unknown key: outside free-form data the schema says what is allowed; inside a
    scenario's levers or events, the scenario as composed without the offending overrides does."""
    try:
        check.field_at(cls, key)
    except ConfigError as err:
        return err
    parent, _, name = key.rpartition(".")
    kept = [o for o in overrides if not o.lstrip("~+").startswith(parent + ".") and not o.startswith(parent + "=")]
    try:
        with _hydra():
            node = OmegaConf.select(hydra_compose(config_name=config_name, overrides=kept), parent)
        known = [str(k) for k in node.keys()] if isinstance(node, DictConfig) else []
    except Exception:   # noqa: BLE001 -- the listing is a courtesy; the error stands without it
        known = []
    close = check.suggest(name, known)
    return ConfigError(key, "unknown key", f"the keys of {parent}: {', '.join(known) or 'none'}; "
                       f"+{key}=... adds one", f"{parent}.{close}" if close else None)
