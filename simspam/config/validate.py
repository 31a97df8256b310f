"""Turn a composed DictConfig into a checked, typed ``SimConfig``.

Hydra already rejects unknown keys and wrong types (the schema is a structured
config).  This module adds what a schema cannot say: numeric ranges, dates, shares
that must sum to one, and it turns every failure -- Hydra's included -- into a
:class:`~simspam.errors.ConfigError` naming the key and what is allowed.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from ..errors import ConfigError
from . import schema


def parse_date(value, key: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(key, f"{value!r} is not a date", "YYYY-MM-DD") from None


def _fmt(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and (abs(x) >= 1e5 or (x != 0 and abs(x) < 1e-3)):
        return f"{x:g}"
    return str(x)


def _check_number(key: str, value, meta: dict) -> None:
    lo, hi, integer = meta.get("lo"), meta.get("hi"), meta.get("integer")
    if lo is None and hi is None:
        return
    kind = "an integer" if integer else "a number"
    allowed = f"{kind} in [{_fmt(lo)}, {_fmt(hi)}]"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(key, f"{value!r} is not {kind}", allowed)
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(key, f"{value!r} is not finite", allowed)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(key, f"{value!r} is out of range", allowed)


def check_declared(obj, prefix: str) -> None:
    """Range-check every declared parameter of a dataclass instance, recursively."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            check_declared(value, key + ".")
        elif f.metadata:
            if isinstance(value, list):
                for i, v in enumerate(value):
                    _check_number(f"{key}[{i}]", v, f.metadata)
            else:
                _check_number(key, value, f.metadata)


def _check_shares(key: str, values: list[float], n: int | None = None) -> None:
    if n is not None and len(values) != n:
        raise ConfigError(key, f"has {len(values)} entries", f"exactly {n} shares summing to 1")
    if abs(sum(values) - 1.0) > 1e-6:
        raise ConfigError(key, f"sums to {sum(values):.6g}", "shares summing to 1")


def _check_known_keys(node, dc_type, prefix: str) -> None:
    """Hydra's ``+key=value`` can force a key into a structured config; reject any key the
    schema does not declare (the scenario's free-form lever mappings are checked elsewhere)."""
    names = {f.name: f for f in dataclasses.fields(dc_type)}
    for key in node.keys():
        if key not in names:
            section = prefix[:-1] if prefix else "the top level"
            raise ConfigError(f"{prefix}{key}", "unknown key", f"the keys of {section}: " + ", ".join(names))
        sub = names[key].default_factory if names[key].default_factory is not dataclasses.MISSING else None
        child = node[key]
        if isinstance(child, DictConfig) and sub is not None and dataclasses.is_dataclass(sub):
            _check_known_keys(child, sub, f"{prefix}{key}.")


def to_typed(cfg: DictConfig) -> schema.SimConfig:
    """Validate ``cfg`` and return it as a typed ``SimConfig`` (raises ConfigError)."""
    compare = "compare" in cfg
    _check_known_keys(cfg, schema.CompareConfig if compare else schema.SimConfig, "")
    try:
        obj = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as exc:  # type errors Hydra let through to conversion
        key = getattr(exc, "full_key", None) or "config"
        raise ConfigError(str(key), str(exc).splitlines()[0]) from None
    if compare:
        c = obj.compare
        if c.design not in ("scenarios", "factorial", "where_to_act"):
            raise ConfigError("compare.design", f"{c.design!r} is not a design", "scenarios, factorial, where_to_act")
    if not isinstance(obj, schema.SimConfig):  # composed without the schema
        raise ConfigError("config", "was not composed with the simspam schema")
    check_declared(obj, "")
    _apply_scenario_period(obj)
    start = parse_date(obj.start, "start")
    parse_date(obj.world.users_date, "world.users_date")
    if start.year < 1990 or start.year > 2100:
        raise ConfigError("start", f"{obj.start!r} is out of range", "a date between 1990 and 2100")
    p = obj.params
    _check_shares("params.spammers.business_mix", p.spammers.business_mix, 3)
    _check_shares("params.consumers.awareness_shares", p.consumers.awareness_shares, len(p.consumers.awareness_levels))
    _check_shares("params.spammers.processor_shares", p.spammers.processor_shares, 5)
    if p.spammers.decision_cohorts > p.spammers.decision_days:
        raise ConfigError("params.spammers.decision_cohorts",
                          f"{p.spammers.decision_cohorts} exceeds decision_days={p.spammers.decision_days}",
                          "decision_cohorts <= decision_days")
    if p.spammers.n_initial > p.spammers.max_spammers:
        raise ConfigError("params.spammers.n_initial", f"{p.spammers.n_initial} exceeds max_spammers={p.spammers.max_spammers}",
                          "n_initial <= max_spammers")
    if not p.isps.fpr_grid or any(not (0 < x < 1) for x in p.isps.fpr_grid):
        raise ConfigError("params.isps.fpr_grid", "needs at least one rate strictly between 0 and 1", "values in (0, 1)")
    return obj


def _apply_scenario_period(obj) -> None:
    """A scenario that replays a period of history (``scenario.start`` / ``scenario.end``)
    sets the run's period: its timeline only makes sense over those dates.  ``end`` is the
    last simulated day (inclusive)."""
    sc = obj.scenario
    if sc.start not in ("", None):
        parse_date(sc.start, "scenario.start")
        obj.start = str(sc.start)
    if sc.end not in ("", None):
        end = parse_date(sc.end, "scenario.end")
        first = parse_date(obj.start, "start")
        if end < first:
            raise ConfigError("scenario.end", f"{sc.end} is before the start {obj.start}", "a date after the start")
        obj.years = ((end - first).days + 1) / 365.25
