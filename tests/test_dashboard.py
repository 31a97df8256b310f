"""The presenter app without a browser: controls -> levers -> keys, the cache, the answer rules, the CLI.

Runs use the tiny world for one year (a few tenths of a second each)."""
from __future__ import annotations

import dataclasses
import json
import os

import pytest
import yaml

from conftest import invoke
from simspam.dashboard import cli
from simspam.dashboard.cache import RunCache, compact
from simspam.dashboard.precompute import grid, plan, precompute
from simspam.dashboard.service import Service
from simspam.dashboard.spec import Controls, Spec
from simspam.errors import ConfigError
from simspam.paths import data_dir

PRESENTER = data_dir("dashboards") / "presenter.yaml"

FAST = ("params.spammers.n_initial=300", "params.spammers.max_spammers=900")


@pytest.fixture(scope="module")
def spec():
    return Spec.load(world="tiny", years=1)


def levers_of(spec, scenario, **changes):
    out = {n: dataclasses.asdict(s) for n, s in spec.scenario_defaults(scenario).items()}
    for fam, values in changes.items():
        out[fam].update(values)
    return out


def test_bundled_dashboard_file_loads_and_every_prepared_scenario_maps_to_controls():
    spec = Spec.load()
    assert list(spec.families) == ["legislation", "cooperation", "self_regulation", "technical", "awareness"]
    assert len(spec.prepared) >= 5
    for p in spec.prepared:
        c = spec.prepared_controls(p, 0)
        assert c.scenario == p.scenario
    # the prepared 'laws in China and Russia' adds the legislation blocks to the baseline
    p = next(p for p in spec.prepared if "China" in p.label)
    levers = spec.levers(spec.prepared_controls(p, 0))
    assert set(levers) == {"strengthen_existing", "laws_everywhere"}
    assert all(b["countries"] == ["CHN", "RUS"] and b["start"] == "2006-01-01" for b in levers.values())


def test_scenario_defaults_reflect_the_scenario(spec):
    d = spec.scenario_defaults("integrated")
    assert all(s.strength == 1.0 for s in d.values())
    d = spec.scenario_defaults("legislation")
    assert d["legislation"].strength == 1.0 and d["cooperation"].strength == 0.0
    assert d["legislation"].start == 2005 and d["legislation"].targets == ()


def test_same_setting_reached_two_ways_has_one_key(spec, tmp_path):
    svc = Service(spec, RunCache(tmp_path))
    a = spec.controls("baseline", 0, levers_of(spec, "baseline", legislation={"strength": 1, "targets": ["RUS", "CHN", "RUS"]}))
    b = spec.controls("baseline", 0.0, levers_of(spec, "baseline", legislation={"strength": 1.0, "targets": ["CHN", "RUS"]}))
    assert a == b
    assert svc.setting(a).key == svc.setting(b).key
    # and a different strength, start, target, seed or model setting is a different run
    others = [
        spec.controls("baseline", 0, levers_of(spec, "baseline", legislation={"strength": 0.5, "targets": ["CHN", "RUS"]})),
        spec.controls("baseline", 0, levers_of(spec, "baseline", legislation={"strength": 1, "start": 2006, "targets": ["CHN", "RUS"]})),
        spec.controls("baseline", 0, levers_of(spec, "baseline", legislation={"strength": 1, "targets": ["CHN"]})),
        spec.controls("baseline", 1, levers_of(spec, "baseline", legislation={"strength": 1, "targets": ["CHN", "RUS"]})),
        spec.controls("baseline", 0, levers_of(spec, "baseline", legislation={"strength": 1, "targets": ["CHN", "RUS"]}), FAST),
    ]
    keys = {svc.setting(c).key for c in [a, *others]}
    assert len(keys) == 6


def test_strength_zero_is_the_run_without_the_lever(spec, tmp_path):
    """Switching a scenario's only family off gives the baseline's key (bit-identical runs share a key)."""
    svc = Service(spec, RunCache(tmp_path))
    off = spec.controls("legislation", 0, levers_of(spec, "legislation", legislation={"strength": 0}))
    base = spec.controls("baseline", 0, levers_of(spec, "baseline"))
    assert spec.levers(off) == {}
    assert svc.setting(off).key == svc.setting(base).key
    on = spec.controls("legislation", 0, levers_of(spec, "legislation"))
    assert svc.setting(on).key != svc.setting(base).key


def test_controls_edit_every_block_of_a_family(spec):
    c = spec.controls("awareness", 0, levers_of(spec, "awareness", awareness={"strength": 0.5, "start": 2007, "targets": ["EU"]}))
    lev = spec.levers(c)
    assert lev["first_wave"]["start"] == "2007-01-01" and lev["first_wave"]["end"] == "2009-12-31"
    assert lev["second_wave"]["start"] == "2011-01-01" and lev["second_wave"]["end"] == "2012-12-31"
    assert all(b["strength"] == 0.5 and b["countries"] == ["EU"] for b in lev.values())
    # a family switched on in a scenario without it comes from its template scenario
    c = spec.controls("baseline", 0, levers_of(spec, "baseline", technical={"strength": 1}))
    assert {b["type"] for b in spec.levers(c).values()} == {"filter_improvement", "botnet_cleanup", "sender_authentication"}


@pytest.mark.parametrize("family, values, message", [
    ("legislation", {"strength": 1.5}, "legislation.strength: 1.5 is out of range (allowed: a number in [0.0, 1.0])"),
    ("technical", {"strength": None}, "technical.strength: None is not a number"),
    ("awareness", {"start": 2030}, "awareness.start: 2030 is out of range (allowed: a year in [2004, 2012])"),
])
def test_out_of_range_controls_give_one_line(spec, family, values, message):
    with pytest.raises(ConfigError) as err:
        spec.controls("baseline", 0, levers_of(spec, "baseline", **{family: values}))
    assert str(err.value).startswith(message)


def test_overrides_cannot_replace_the_controls(spec):
    with pytest.raises(ConfigError, match="'world=default' is not allowed here"):
        spec.controls("baseline", 0, levers_of(spec, "baseline"), "world=default")
    with pytest.raises(ConfigError, match="'scenario' is not offered|is not offered"):
        spec.controls("nonesuch", 0, {})


def test_service_cache_live_nearest_compute_and_errors(spec, tmp_path):
    cache = RunCache(tmp_path)
    svc = Service(spec, cache)
    base = spec.controls("baseline", 0, levers_of(spec, "baseline"), FAST)
    first = svc.answer(base)
    assert first.source == "live" and first.message.startswith("ran live in ") and first.result is not None
    again = svc.answer(base)
    assert again.source == "cache" and again.result.key == first.result.key
    assert again.result.series["spam_sent"].sum() == first.result.headline["spam_sent"]

    laws = spec.controls("baseline", 0, levers_of(spec, "baseline", legislation={"strength": 1, "start": 2004}), FAST)
    live = svc.answer(laws)
    assert live.source == "live" and live.baseline is not None and live.baseline.key == first.result.key
    assert live.result.key != first.result.key

    # the budget no longer fits a live run: the nearest cached setting, labelled, then computed on request
    svc.spec = dataclasses.replace(spec, budget_seconds=0.01)
    half = spec.controls("baseline", 0, levers_of(spec, "baseline", legislation={"strength": 0.75, "start": 2004}), FAST)
    near = svc.answer(half)
    assert near.source == "nearest" and near.result.key == live.result.key
    assert "Legislation strength 1 (asked 0.75)" in near.message and "budget" in near.message
    exact = svc.answer(half, exact=True)
    assert exact.source == "computed" and exact.result.key not in (live.result.key, first.result.key)
    assert svc.answer(half).source == "cache"
    svc.spec = spec

    # bad input is a one-line message; nothing is stored
    n = len(cache)
    bad = svc.answer(spec.controls("baseline", -3, levers_of(spec, "baseline"), FAST))
    assert bad.source == "error" and bad.message == "seed: -3 is out of range (allowed: an integer in [0, 9223372036854775807])"
    bad = svc.answer(spec.controls("baseline", 0, levers_of(spec, "baseline", cooperation={"strength": 1, "targets": ["XXX"]}), FAST))
    assert bad.source == "error" and "unknown country or bloc 'XXX'" in bad.message
    bad = svc.answer(spec.controls("baseline", 0, levers_of(spec, "baseline"), ("params.consumers.response_rate=1.5",)))
    assert bad.message == "params.consumers.response_rate: 1.5 is out of range (allowed: a number in [0.0, 1.0])"
    assert len(cache) == n


def test_runs_of_another_model_never_stand_in_as_nearest(spec, tmp_path):
    """A cached run made before a parameter default changed (another model key) answers nothing:
    not as an exact hit (its run key differs too) and not as the 'nearest' setting."""
    cache = RunCache(tmp_path)
    svc = Service(spec, cache)
    base = spec.controls("baseline", 0, levers_of(spec, "baseline"), FAST)
    first = svc.answer(base)
    assert first.source == "live" and first.result.meta["model"] == svc.setting(base).model
    assert svc.cached_for_current_model() == 0        # FAST is not the default settings
    plain = svc.setting(spec.controls("baseline", 0, levers_of(spec, "baseline")))
    assert plain.model != first.result.meta["model"] and plain.model == svc.current_model()
    model = first.result.meta["model"]
    cache.index[first.result.key]["model"] = "an-earlier-model"
    svc.spec = dataclasses.replace(spec, budget_seconds=0.01)
    near = svc.answer(spec.controls("baseline", 0, levers_of(spec, "baseline", legislation={"strength": 0.25}), FAST))
    assert near.source == "nearest" and near.result is None
    assert near.message.startswith("not cached and nothing near it is")
    cache.index[first.result.key]["model"] = model
    near = svc.answer(spec.controls("baseline", 0, levers_of(spec, "baseline", legislation={"strength": 0.25}), FAST))
    assert near.source == "nearest" and near.result.key == first.result.key


def test_a_failing_run_is_reported_and_the_service_goes_on(spec, tmp_path):
    calls = []

    def flaky(cfg, command=None):
        calls.append(cfg.seed)
        if cfg.seed == 7:
            raise RuntimeError("boom\nsecond line")
        from simspam.api import simulate
        return simulate(cfg, command=command)

    svc = Service(spec, RunCache(tmp_path), simulate=flaky)
    bad = svc.answer(spec.controls("baseline", 7, levers_of(spec, "baseline"), FAST))
    assert bad.source == "error" and bad.message == "the run failed: RuntimeError: boom" and bad.result is None
    good = svc.answer(spec.controls("baseline", 8, levers_of(spec, "baseline"), FAST))
    assert good.source == "live" and calls == [7, 8]


def test_cache_round_trip_and_index(spec, tmp_path, tiny_run):
    res = tiny_run("years=1")
    meta = {"controls": spec.controls("baseline", 0, levers_of(spec, "baseline")).to_json(), "world": "tiny",
            "years": 1.0, "headline": {"spam_sent": int(res.summary["headline"]["spam_sent"])}, "runtime_s": 0.1}
    c = compact(res.daily, "abc", meta)
    assert len(c.series) == res.daily["date"].nunique()
    assert c.series["spam_sent"].sum() == res.daily["spam_sent"].sum()
    assert set(c.map["country"]) == set(res.daily["country"].astype(str))
    RunCache(tmp_path).put(c)
    (tmp_path / "v1" / "broken").mkdir()
    (tmp_path / "v1" / "broken" / "meta.json").write_text("{not json")
    again = RunCache(tmp_path)            # a fresh process sees the run; the damaged entry is skipped
    assert len(again) == 1 and "abc" in again
    back = again.get("abc")
    assert back.series.equals(c.series) and back.map.equals(c.map)
    assert Controls.from_json(back.meta["controls"]) == Controls.from_json(meta["controls"])
    assert json.loads((tmp_path / "v1" / "abc" / "meta.json").read_text())["key"] == "abc"


def test_precompute_grid_dedups_and_resumes(tmp_path):
    path = tmp_path / "small.yaml"
    raw = yaml.safe_load(PRESENTER.read_text())
    raw.update(world="tiny", years=0.5, prepared=raw["prepared"][:2],
               scenarios=["baseline", "legislation"],
               precompute={"seeds": [0], "around": ["baseline"], "strengths": [0, 1], "start_years": [], "targets": []})
    path.write_text(yaml.safe_dump(raw))
    small = Spec.load(path)
    settings = grid(small)
    assert len(settings) > len(plan(small, RunCache(tmp_path / "c")))   # strength 0 = baseline, run once
    todo = plan(small, RunCache(tmp_path / "c"))
    assert len(todo) == 6   # baseline, legislation, and each of 4 other families at strength 1 around baseline
    done, errors = precompute(small, str(tmp_path / "c"), jobs=2, out=open(tmp_path / "log", "w"))
    assert (done, errors) == (6, [])
    assert len(RunCache(tmp_path / "c")) == 6 and plan(small, RunCache(tmp_path / "c")) == []
    log = (tmp_path / "log").read_text()
    assert "0 runs cached, 6 to compute" in log and "added 6 runs" in log


@pytest.mark.parametrize("args, message", [
    (["--port", "70000"], "argument --port: 70000 is out of range (allowed: 0-65535)"),
    (["--world", "huge"], "argument --world: invalid choice: 'huge'"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
])
def test_cli_bad_option_is_one_line_and_exit_2(args, message, tmp_path):
    """In-process (the entry point as a process: tests/test_errors.py)."""
    p = invoke(cli.main, *args, cwd=tmp_path)
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("simspam-dashboard: error:") and message in lines[0]
    assert os.listdir(tmp_path) == []


def test_cli_bad_dashboard_file_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    raw = yaml.safe_load(PRESENTER.read_text())
    raw["scenarios"] = ["baseline", "nonesuch"]
    bad.write_text(yaml.safe_dump(raw))
    p = invoke(cli.main, "--dashboard", str(bad), "--cache", str(tmp_path / "cache"))
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and p.stdout == ""
    assert "unknown scenario 'nonesuch'" in p.stderr
    assert not (tmp_path / "cache").exists()
