"""Every bundled scenario composes, is pure data, and runs briefly on the tiny world."""
import datetime as dt
import re

import pytest
from omegaconf import OmegaConf

import simspam
from simspam.config.compose import scenario_files
from simspam.levers import REGISTRY

from conftest import TINY

NAMES = sorted(scenario_files())


def test_required_scenarios_are_bundled():
    for name in ["baseline", "legislation", "cooperation", "self_regulation", "technical", "awareness", "integrated"]:
        assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_scenario_is_data_and_runs_on_the_tiny_world(name):
    text = scenario_files()[name].read_text(encoding="utf-8")
    assert "_target_" not in text and not re.search(r"\$\{", text)  # no instantiation, no interpolation
    data = OmegaConf.to_container(OmegaConf.load(scenario_files()[name]))
    assert data["name"] == name and data.get("description")
    for section in ("levers", "events"):
        for spec in (data.get(section) or {}).values():
            assert spec["type"] in REGISTRY
    if data.get("start"):  # a period of history (historical): its own dates, the default world's countries
        end = dt.date.fromisoformat(str(data["start"])) + dt.timedelta(days=110)
        over = ["params.spammers.n_initial=300", f"scenario.end={end}"]
    else:
        over = TINY + ["years=0.3"]
    r = simspam.simulate(simspam.compose(over + [f"scenario={name}"]))
    assert r.summary["scenario"]["name"] == name
    assert r.daily["spam_sent"].sum() > 0


def test_integrated_contains_every_single_lever_scenario():
    levers = {n: OmegaConf.to_container(OmegaConf.load(scenario_files()[n]).levers) for n in NAMES}
    for single in ["legislation", "cooperation", "self_regulation", "technical", "awareness"]:
        for key, spec in levers[single].items():
            assert levers["integrated"][key] == spec


def test_levers_and_events_come_only_from_the_registry(monkeypatch):
    # a lever type naming a Python object is not imported: it is an unknown name
    with pytest.raises(simspam.errors.ConfigError, match="unknown lever or event 'os.system'"):
        simspam.simulate(simspam.compose(["+scenario.levers.x={type:os.system}"]))
