"""The lever base class, the registry, and building levers from scenario data.

A lever is a small typed dataclass: *when* (``start``, optional ``end``), *where*
(``countries``: ISO3 codes and bloc names such as ``EU``, ``LAP``, ``NOLAW``, ``ALL``)
and *how strong* (``strength``), plus its own fields.  The base class is a template
method (as in Covasim's interventions, without the ``super()`` pitfalls): it schedules
a SimPy process that calls the subclass's ``activate`` at ``start`` and, for reversible
levers, ``deactivate`` at ``end``.  Subclasses only edit the public state arrays
the engine reads (policy, ISPs, consumers, spammers, botnets), so a new lever never
means editing the engine.

Zero strength means *not there*: a lever with ``strength: 0`` is never scheduled, so
it consumes no random numbers and changes nothing -- its run is bit-identical to the
run without it (tested).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..config import check
from ..config.schema import P
from ..errors import ConfigError

REGISTRY: dict[str, type["Lever"]] = {}


def register(name: str):
    def deco(cls):
        cls.kind = name
        REGISTRY[name] = cls
        return cls

    return deco


@dataclass
class Lever:
    kind: ClassVar[str] = "lever"
    reversible: ClassVar[bool] = False   # can it end? (laws, networks, codes are permanent)
    #: Field values with which the lever, though scheduled, changes nothing wherever and whenever
    #: it acts (None: it has none).  Every lever declares its own: the property test of common
    #: random numbers (tests/test_crn.py) runs each at these values against the baseline.
    noop: ClassVar[dict[str, Any] | None] = None
    name: str = ""
    start: str = P("2005-01-01", unit="date", source="-", doc="When it takes effect (YYYY-MM-DD).")
    end: str | None = P(None, unit="date", source="-", doc="When it stops (empty: never; only reversible levers can stop).")
    countries: list[str] = P(["ALL"], unit="ISO3 or bloc", source="-", doc="Where: countries and blocs (EU, OECD, APEC, LAP, CNSA, SMMOU, LAW, NOLAW, ALL).")
    strength: float = P(1.0, 0.0, 1.0, "fraction", source="-", doc="How strong; 0 disables the lever.")
    description: str = ""

    # ---- template method: scheduling (do not override)
    def schedule(self, sim) -> None:
        if self.strength == 0:
            return
        t0 = max(0.0, sim.day_of(self._start))
        if t0 >= sim.n_days:
            return
        t1 = sim.day_of(self._end) if self._end else None
        sim.engine.process_at(t0, self._lifecycle(sim, t0, t1))

    def _lifecycle(self, sim, t0: float, t1: float | None):
        mask = sim.world.resolve(self.countries, t0, f"{self.name}.countries", law=sim.policy.law)
        self.mask = mask
        sim.log("lever_start", "" if not mask.any() else int(np.flatnonzero(mask)[0]),
                value=self.strength, detail=f"{self.kind}:{self.name}")
        self.activate(sim, mask)
        sim.policy.changed()
        sim.consumers.changed()
        sim.plan_dirty = True
        env = sim.engine.env
        if t1 is not None:
            yield env.timeout(max(0.0, t1 - env.now))
            self.deactivate(sim, mask)
            sim.log("lever_end", "" if not mask.any() else int(np.flatnonzero(mask)[0]),
                    value=self.strength, detail=f"{self.kind}:{self.name}")
            sim.policy.changed()
            sim.consumers.changed()
            sim.plan_dirty = True

    # ---- what subclasses implement
    def activate(self, sim, mask: np.ndarray) -> None:
        raise NotImplementedError

    def deactivate(self, sim, mask: np.ndarray) -> None:
        pass

    def validate(self) -> None:
        """Cross-field checks beyond ranges (subclasses may extend)."""

    # ---- parsed dates
    @property
    def _start(self) -> dt.date:
        return dt.date.fromisoformat(str(self.start))

    @property
    def _end(self) -> dt.date | None:
        return dt.date.fromisoformat(str(self.end)) if self.end not in (None, "") else None


def build_lever(name: str, spec: Any, section: str) -> Lever:
    """Build one lever from its scenario data (a mapping with ``type``): the type is looked up in
    the registry and every field is checked against the lever's declarations by the one checker
    (:mod:`simspam.config.check`); a misspelt type or field gets the closest valid one."""
    key = f"scenario.{section}.{name}"
    if not isinstance(spec, Mapping):
        raise ConfigError(key, "must be a mapping with a 'type' key", "type: one of " + ", ".join(sorted(REGISTRY)))
    spec = dict(spec)
    kind = spec.pop("type", None)
    if kind is None:
        raise ConfigError(f"{key}.type", "is missing", ", ".join(sorted(REGISTRY)))
    cls = REGISTRY[check.check_name(f"{key}.type", str(kind), sorted(REGISTRY), "lever or event")]
    values = check.check_mapping(key, spec, cls, what=f"key for lever type {kind!r}", listing="",
                                 exclude=("name",), one_as_list=True)
    lever = cls(name=name, **values)
    if lever._end is not None and not cls.reversible:
        ends = ", ".join(sorted(k for k, c in REGISTRY.items() if c.reversible))
        raise ConfigError(f"{key}.end", f"lever type {kind!r} is permanent and cannot end",
                          f"no end date; types that can end: {ends}")
    if lever._end is not None and lever._end < lever._start:
        raise ConfigError(f"{key}.end", f"{lever.end} is before start {lever.start}", "an end date on or after start")
    lever.validate_key = key
    lever.validate()
    return lever


#: fields naming countries or blocs, resolved against the world when a scenario is built
_PLACES = "ISO3 or bloc"


def build_interventions(scenario: dict, world) -> list[Lever]:
    """All levers and events of a scenario, with their countries (and any other field naming
    countries or blocs, such as an MoU's ``partners``) checked against ``world``."""
    out = []
    for section in ("levers", "events"):
        for name, spec in (scenario.get(section) or {}).items():
            lever = build_lever(str(name), spec, section)
            for f in dataclasses.fields(lever):
                if (f.metadata or {}).get("unit") == _PLACES and (f.name == "countries" or getattr(lever, f.name)):
                    world.resolve(getattr(lever, f.name), 0.0, f"scenario.{section}.{name}.{f.name}")
            out.append(lever)
    return out


def choice(default: str, choices: list[str], doc: str = ""):
    """A string field restricted to ``choices``."""
    return field(default=default, metadata={"choices": choices, "doc": doc, "lo": None, "hi": None})
