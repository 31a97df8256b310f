"""The dashboard definition (``dashboards/presenter.yaml``) and the mapping from controls to levers.

The app's controls are deliberately coarse -- per lever family a strength on a grid, a
start year and a set of targets -- so that many presenters' questions land on settings
that can be computed ahead of time.  Each control state maps to one *canonical* lever
list and from there to a run configuration and its key (``runner.run_key``: a hash of
the resolved configuration and the version), so two ways of reaching the same setting
share one cached run:

* a family at strength 0 is removed (a lever at strength 0 is never scheduled and its
  run is bit-identical to the run without it, so it must not get a key of its own);
* targets and overrides are sorted and de-duplicated;
* the scenario's name is replaced by ``dashboard`` (names do not change a run).
"""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..config.check import check_name, check_number, fields_of, suggest
from ..errors import ConfigError
from ..paths import data_dir

RUN_NAME = "dashboard"


@dataclass(frozen=True)
class Family:
    """One of the five levers: the lever types it controls and the scenario to take blocks from."""

    name: str
    label: str
    types: tuple[str, ...]
    template: str


@dataclass(frozen=True)
class FamilySetting:
    """Where a family's control is set: strength (0 = off), start year, targets (empty: as in the scenario)."""

    strength: float
    start: int
    targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Controls:
    """Everything the presenter can set.  Hashable, JSON-able, and canonical after :meth:`Spec.controls`."""

    scenario: str
    seed: Any
    levers: tuple[tuple[str, FamilySetting], ...]
    overrides: tuple[str, ...] = ()

    def lever(self, family: str) -> FamilySetting:
        return dict(self.levers)[family]

    def to_json(self) -> dict:
        return {"scenario": self.scenario, "seed": self.seed, "overrides": list(self.overrides),
                "levers": {f: {"strength": s.strength, "start": s.start, "targets": list(s.targets)} for f, s in self.levers}}

    @staticmethod
    def from_json(data: dict) -> "Controls":
        levers = tuple((f, FamilySetting(float(s["strength"]), int(s["start"]), tuple(s["targets"])))
                       for f, s in data["levers"].items())
        return Controls(data["scenario"], data["seed"], levers, tuple(data.get("overrides", ())))


@dataclass
class Prepared:
    label: str
    note: str
    scenario: str
    levers: dict[str, dict] = field(default_factory=dict)


@dataclass
class Spec:
    """A parsed dashboard file plus the bundled scenarios it refers to."""

    title: str
    world: str
    years: float
    seed: int
    budget_seconds: float
    overhead_seconds: float
    families: dict[str, Family]
    strengths: list[float]
    start_years: list[int]
    targets: list[str]
    scenarios: list[str]
    prepared: list[Prepared]
    precompute: dict[str, Any]
    scenario_levers: dict[str, dict] = field(default_factory=dict)   # bundled scenario -> its levers

    # ---------------------------------------------------------------- reading
    @classmethod
    def load(cls, path: str | Path | None = None, world: str | None = None, years: float | None = None) -> "Spec":
        """Read a dashboard file (default: the bundled ``presenter.yaml``); bad content -> ConfigError."""
        from ..config.compose import scenario_files

        path = Path(path) if path else data_dir("dashboards") / "presenter.yaml"
        try:
            raw = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError("dashboard", f"cannot read {path}: {str(exc).splitlines()[0]}") from None
        if not isinstance(raw, dict):
            raise ConfigError("dashboard", f"{path} is not a mapping")
        known = scenario_files()
        families = {n: Family(n, str(f.get("label", n)), tuple(f["types"]), str(f["template"]))
                    for n, f in raw["families"].items()}
        spec = cls(
            title=str(raw.get("title", "simspam")),
            world=str(world or raw.get("world", "default")),
            years=float(years if years is not None else raw.get("years", 10)),
            seed=int(raw.get("seed", 0)),
            budget_seconds=float(raw.get("budget_seconds", 1.0)),
            overhead_seconds=float(raw.get("overhead_seconds", 0.25)),
            families=families,
            strengths=[float(x) for x in raw["strengths"]],
            start_years=[int(x) for x in raw["start_years"]],
            targets=[str(x) for x in raw["targets"]],
            scenarios=[str(x) for x in raw["scenarios"]],
            prepared=[Prepared(str(p["label"]), str(p.get("note", "")), str(p["scenario"]), dict(p.get("levers") or {}))
                      for p in raw.get("prepared") or []],
            precompute=dict(raw.get("precompute") or {}),
        )
        needed = set(spec.scenarios) | {f.template for f in families.values()} | {p.scenario for p in spec.prepared} \
            | set(spec.precompute.get("around", []))
        for name in sorted(needed):
            check_name(f"dashboard {path.name}", name, known, "scenario")
            data = yaml.safe_load(known[name].read_text()) or {}
            spec.scenario_levers[name] = _normalise(data.get("levers") or {})
        for p in spec.prepared:   # a prepared scenario must map to valid controls
            spec.prepared_controls(p, spec.seed)
        return spec

    # ---------------------------------------------------------------- controls
    def family_of(self, lever_type: str) -> str | None:
        for f in self.families.values():
            if lever_type in f.types:
                return f.name
        return None

    def _blocks(self, levers: dict, family: str) -> dict:
        types = self.families[family].types
        return {n: b for n, b in levers.items() if b.get("type") in types}

    def scenario_defaults(self, scenario: str) -> dict[str, FamilySetting]:
        """What the controls show when a scenario is picked: each family on at strength 1 from its
        first start year if the scenario has it, else off (at the template's start year)."""
        levers = self.scenario_levers[scenario]
        out = {}
        for name, fam in self.families.items():
            blocks = self._blocks(levers, name)
            on = bool(blocks)
            blocks = blocks or self._blocks(self.scenario_levers[fam.template], name)
            strengths = {float(b.get("strength", 1.0)) for b in blocks.values()}
            strength = strengths.pop() if on and len(strengths) == 1 else (1.0 if on else 0.0)
            out[name] = FamilySetting(strength, _first_year(blocks), ())
        return out

    def controls(self, scenario: Any, seed: Any, levers: dict[str, dict], overrides: Any = ()) -> Controls:
        """Check raw control values (as the browser sends them) and return canonical Controls.

        Raises ConfigError naming the control and what is allowed; the seed is checked later by
        the project's own validation, together with everything else in the configuration."""
        if scenario not in self.scenario_levers:
            raise ConfigError("scenario", f"{scenario!r} is not offered", ", ".join(self.scenarios),
                              suggest(scenario, self.scenarios))
        defaults = self.scenario_defaults(scenario)
        settings = []
        strength_meta = _strength_meta()
        first, last = self.run_years()
        year = {"lo": first, "hi": last, "what": "a year"}
        for name in self.families:
            raw = dict(levers.get(name) or {})
            d = defaults[name]
            strength = check_number(f"{name}.strength", raw.get("strength", d.strength), strength_meta)
            start = raw.get("start", d.start)
            if isinstance(start, float) and start.is_integer():
                start = int(start)
            start = check_number(f"{name}.start", start, year, integer=True)
            targets = raw.get("targets") or ()
            if isinstance(targets, str):
                targets = [targets]
            targets = tuple(sorted({str(t) for t in targets}))
            settings.append((name, FamilySetting(float(strength), int(start), targets)))
        if isinstance(overrides, str):
            overrides = overrides.split()
        overrides = tuple(sorted({str(o).strip() for o in overrides or () if str(o).strip()}))
        for o in overrides:
            if "=" not in o or o.startswith(("scenario", "world", "years", "seed", "hydra", "+", "~")):
                raise ConfigError("overrides", f"{o!r} is not allowed here",
                                  "key=value for params.* and other model settings (scenario, world, years and seed have their own controls)")
        if isinstance(seed, float) and seed.is_integer():
            seed = int(seed)
        return Controls(scenario, seed, tuple(settings), overrides)

    def prepared_controls(self, p: Prepared, seed: Any) -> Controls:
        levers = {n: dataclasses.asdict(s) for n, s in self.scenario_defaults(p.scenario).items()}
        for n, over in p.levers.items():
            check_name(f"prepared {p.label!r}", n, self.families, "lever family")
            levers[n].update(over)
        return self.controls(p.scenario, seed, levers)

    def run_years(self) -> tuple[int, int]:
        """First and last year a family can start in: the grid's range.  (A lever starting after
        the horizon is valid -- it is never scheduled -- so the range does not depend on ``years``.)"""
        return min(self.start_years), max(self.start_years)

    # ---------------------------------------------------------------- levers
    def levers(self, c: Controls) -> dict[str, dict]:
        """The canonical lever mapping for controls ``c`` (scenario blocks edited, families added or removed)."""
        levers = copy.deepcopy(self.scenario_levers[c.scenario])
        for name, s in c.levers:
            fam = self.families[name]
            blocks = self._blocks(levers, name)
            for n in blocks:
                del levers[n]
            if s.strength == 0:
                continue     # off: exactly the run without it
            blocks = copy.deepcopy(blocks or self._blocks(self.scenario_levers[fam.template], name))
            shift = s.start - _first_year(blocks)
            for b in blocks.values():
                b["strength"] = float(s.strength)
                b["start"] = _shift(b.get("start", "2005-01-01"), shift)
                if b.get("end"):
                    b["end"] = _shift(b["end"], shift)
                if s.targets:
                    b["countries"] = list(s.targets)
            levers.update(blocks)
        return dict(sorted(levers.items()))

    def baseline_controls(self, c: Controls) -> Controls:
        """The status quo with the same seed and model settings: what the headline compares with."""
        off = tuple((n, FamilySetting(0.0, s.start, ())) for n, s in c.levers)
        return Controls("baseline", c.seed, off, c.overrides) if "baseline" in self.scenario_levers else c

    def describe(self, c: Controls) -> str:
        """One line a presenter can read out: scenario, families on, seed."""
        parts = []
        for n, s in c.levers:
            if s.strength > 0:
                where = "+".join(s.targets) if s.targets else "as in scenario"
                parts.append(f"{self.families[n].label} {s.strength:g} from {s.start} ({where})")
        text = f"{c.scenario}: " + ("; ".join(parts) if parts else "no levers") + f"; seed {c.seed}"
        return text + (f"; {' '.join(c.overrides)}" if c.overrides else "")

    def differences(self, asked: Controls, shown: Controls) -> str:
        """What differs between the setting asked for and the one shown (for the 'nearest' label)."""
        out = []
        if asked.scenario != shown.scenario:
            out.append(f"scenario {shown.scenario} (asked {asked.scenario})")
        for (n, a), (_, s) in zip(asked.levers, shown.levers):
            label = self.families[n].label
            if a.strength != s.strength:
                out.append(f"{label} strength {s.strength:g} (asked {a.strength:g})")
            if (a.strength or s.strength) and a.start != s.start:
                out.append(f"{label} from {s.start} (asked {a.start})")
            if (a.strength or s.strength) and a.targets != s.targets:
                out.append(f"{label} in {'+'.join(s.targets) or 'scenario countries'} "
                           f"(asked {'+'.join(a.targets) or 'scenario countries'})")
        if asked.seed != shown.seed:
            out.append(f"seed {shown.seed} (asked {asked.seed})")
        if asked.overrides != shown.overrides:
            out.append(f"settings {' '.join(shown.overrides) or 'default'} (asked {' '.join(asked.overrides)})")
        return "; ".join(out) or "same setting"

    def distance(self, a: Controls, b: Controls) -> float:
        """How far apart two settings are, for picking the nearest cached one.  Strength counts in
        full, start years a quarter per year, a different target set or scenario like a whole
        strength step; seeds and model settings weigh more, since they change everything."""
        d = 0.0 if a.scenario == b.scenario else 1.0
        for (_, x), (_, y) in zip(a.levers, b.levers):
            d += abs(x.strength - y.strength)
            if x.strength and y.strength:
                d += 0.25 * abs(x.start - y.start) + (0.0 if x.targets == y.targets else 0.5)
        d += 0.0 if a.seed == b.seed else 2.0
        d += 0.0 if a.overrides == b.overrides else 5.0
        return d


def _strength_meta() -> dict:
    """A lever's declared ``strength`` (its range): the controls are checked against it."""
    from ..levers.base import Lever

    return dict(fields_of(Lever)["strength"].metadata)


def _normalise(levers: dict) -> dict:
    """Scenario YAML -> plain data with ISO date strings and country lists (so keys do not depend
    on whether a date was quoted in the file)."""
    out = {}
    for name, b in levers.items():
        b = dict(b)
        for k in ("start", "end"):
            if isinstance(b.get(k), (dt.date, dt.datetime)):
                b[k] = b[k].isoformat()[:10]
            elif b.get(k) is not None:
                b[k] = str(b[k])
        if "countries" in b:
            b["countries"] = [str(x) for x in (b["countries"] if isinstance(b["countries"], list) else [b["countries"]])]
        out[str(name)] = b
    return out


def _first_year(blocks: dict) -> int:
    years = [int(str(b.get("start", "2005-01-01"))[:4]) for b in blocks.values()]
    return min(years) if years else 2005


def _shift(date: str, years: int) -> str:
    d = dt.date.fromisoformat(str(date))
    try:
        return d.replace(year=d.year + years).isoformat()
    except ValueError:          # 29 February into a common year
        return d.replace(year=d.year + years, day=28).isoformat()
