"""Turn a composed DictConfig into a checked, typed ``SimConfig``.

Every value is checked against its declaration by the one checker
(:mod:`simspam.config.check`): unknown keys (Hydra's ``+key=value`` can force one in), types,
ranges, choices and dates.  This module adds what a single declaration cannot say: shares that
must sum to one, keys that must agree with each other, the period a scenario fixes, and the
names a comparison refers to.  Every failure -- OmegaConf's included -- is a
:class:`~simspam.errors.ConfigError` naming the key and what is allowed.
"""
from __future__ import annotations

import datetime as dt

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from ..errors import ConfigError
from . import check, schema

#: the designs of ``simspam-compare`` (``compare.design``)
DESIGNS = ("scenarios", "factorial", "where_to_act")


def parse_date(value, key: str) -> dt.date:
    """A date (kept for callers of the old name: :func:`simspam.config.check.check_date`)."""
    return check.check_date(key, value)


def to_typed(cfg: DictConfig) -> schema.SimConfig:
    """Validate ``cfg`` and return it as a typed ``SimConfig`` (raises ConfigError)."""
    from .compose import explain

    compare = "compare" in cfg
    try:
        check.check_keys(cfg, schema.CompareConfig if compare else schema.SimConfig)
        obj = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as exc:  # a value OmegaConf cannot convert or resolve
        raise explain(exc, config_name="compare" if compare else "config") from None
    if not isinstance(obj, schema.SimConfig):  # composed without the schema
        raise ConfigError("config", "was not composed with the simspam schema")
    check.check_instance(obj)
    if compare:
        _check_compare(obj.compare)
    _apply_scenario_period(obj)
    check.check_date("start", obj.start, lo=dt.date(1990, 1, 1), hi=dt.date(2100, 12, 31))
    p = obj.params
    check.check_shares("params.spammers.business_mix", p.spammers.business_mix, 3)
    check.check_shares("params.consumers.awareness_shares", p.consumers.awareness_shares,
                       len(p.consumers.awareness_levels))
    check.check_shares("params.spammers.processor_shares", p.spammers.processor_shares, 5)
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


def _check_compare(c: schema.CompareSection) -> None:
    """The comparison's design and every scenario it names (with the closest name if misspelt)."""
    from .compose import scenario_files

    check.check_choice("compare.design", c.design, DESIGNS, "design")
    known = list(scenario_files())
    check.check_name("compare.baseline", c.baseline, known, "scenario")
    if c.design == "scenarios":
        for i, name in enumerate(c.scenarios):
            check.check_name(f"compare.scenarios[{i}]", name, known, "scenario")
    if c.design == "factorial":
        for i, name in enumerate(c.levers):
            check.check_name(f"compare.levers[{i}]", name, known, "scenario")
    if c.design == "where_to_act":
        check.check_name("compare.act_scenario", c.act_scenario, known, "scenario")


def _apply_scenario_period(obj) -> None:
    """A scenario that replays a period of history (``scenario.start`` / ``scenario.end``)
    sets the run's period: its timeline only makes sense over those dates.  ``end`` is the
    last simulated day (inclusive)."""
    sc = obj.scenario
    if sc.start not in ("", None):
        check.check_date("scenario.start", sc.start)
        obj.start = str(sc.start)
    if sc.end not in ("", None):
        end = check.check_date("scenario.end", sc.end)
        first = check.check_date("start", obj.start)
        if end < first:
            raise ConfigError("scenario.end", f"{sc.end} is before the start {obj.start}", "a date after the start")
        obj.years = ((end - first).days + 1) / 365.25
