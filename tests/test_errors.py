"""Bad input: one clear line naming the key and what is allowed (and, for a misspelling, the
closest valid key or name), exit code 2, nothing written.

The commands are called in-process (``main([...])`` ends in ``SystemExit``); one subprocess per
console command checks what only a process shows: the exit status, one line on stderr, no folder.
"""
import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from omegaconf import OmegaConf

import simspam
from conftest import ROOT, console_scripts
from simspam.cli import compare_main, main
from simspam.config import check
from simspam.config.schema import P, SimConfig
from simspam.errors import ConfigError
from simspam.levers.base import choice

ALL_COUNTRIES = "(allowed: ISO3 codes USA, CAN"

# (arguments, what the one line must contain) for `simspam`
RUN_CASES = [
    # unknown keys, at the top level and nested, with and without a close one
    (["foo=1"], "foo: unknown key (allowed: the keys of the top level: seed, start, years, world, params"),
    (["yeers=3"], "yeers: unknown key (did you mean 'years'? allowed: the keys of the top level: seed"),
    (["params.consumers.respons_rate=0.1"], "params.consumers.respons_rate: unknown key (did you mean "
     "'params.consumers.response_rate'? allowed: the keys of params.consumers: awareness_levels"),
    (["param.consumer.response_rate=0.1"], "param.consumer.response_rate: unknown key (did you mean "
     "'params.consumers.response_rate'? allowed: the keys of the top level"),
    (["params.spammers.response_rate=0.1"], "(did you mean 'params.consumers.response_rate'? allowed: the keys of params.spammers"),
    (["+params.spammers.foo=2"], "params.spammers.foo: unknown key (allowed: the keys of params.spammers: n_initial"),
    (["++params.isps.dprim=2"], "params.isps.dprim: unknown key (did you mean 'params.isps.dprime'?"),
    (["seed.x=1"], "seed.x: unknown key: seed is a value, not a section"),
    (["scenario=legislation", "scenario.levers.laws_everywher.strength=0.5"],
     "scenario.levers.laws_everywher: unknown key (did you mean 'scenario.levers.laws_everywhere'? "
     "allowed: the keys of scenario.levers: strengthen_existing, laws_everywhere; +scenario.levers.laws_everywher=... adds one)"),
    # out of range
    (["params.consumers.response_rate=1.5"], "params.consumers.response_rate: 1.5 is out of range (allowed: a number in [0.0, 1.0])"),
    (["params.spammers.n_initial=-5"], "params.spammers.n_initial: -5 is out of range (allowed: an integer in [1, 100000])"),
    (["params.regulators.investigation_days=-1"], "params.regulators.investigation_days: -1.0 is out of range"),
    (["params.isps.fpr_grid=[0.01,2]"], "params.isps.fpr_grid[1]: 2.0 is out of range (allowed: a number in [0.0, 1.0])"),
    (["years=nan"], "years: nan is not finite (allowed: a number in [0.01, 100.0])"),
    # wrong type
    (["seed=abc"], "seed: 'abc' is not an integer (allowed: an integer in [0, 9223372036854775807])"),
    (["seed=2.5"], "seed: 2.5 is not an integer"),
    (["output.report=maybe"], "output.report: 'maybe' is not true/false (allowed: true or false)"),
    (["params.isps.fpr_grid=0.1"], "params.isps.fpr_grid: 0.1 is not a list (allowed: a list, each a number in [0.0, 1.0])"),
    (["params.spammers=3"], "params.spammers: 3 is not a mapping (allowed: a mapping of the keys of params.spammers: n_initial"),
    (["params.consumers={respons_rate:0.1}"], "params.consumers.respons_rate: unknown key (did you mean 'params.consumers.response_rate'?"),
    (["seed=${oc.env:SIMSPAM_NO_SUCH_VARIABLE}"], "seed: refers to a value that cannot be resolved (allowed: an integer in"),
    # unknown scenario, experiment, config-group option
    (["scenario=nope"], "scenario: unknown scenario 'nope' (allowed: awareness, baseline"),
    (["scenario=integratd"], "scenario: unknown scenario 'integratd' (did you mean 'integrated'? allowed: awareness, baseline"),
    (["+experiment=grid_respons_cost"], "experiment: unknown experiment 'grid_respons_cost' (did you mean 'grid_response_cost'?"),
    (["world=tny"], "world: unknown option 'tny' (did you mean 'tiny'? allowed: default, tiny)"),
    (["params=declard"], "params: unknown option 'declard' (did you mean 'declared'? allowed: calibrated, declared)"),
    (["hydra/launcher=joblb"], "hydra/launcher: unknown option 'joblb' (did you mean 'joblib'? allowed: basic, joblib"),
    # dates, shares, values that must agree
    (["start=2004-13-01"], "start: '2004-13-01' is not a date (allowed: YYYY-MM-DD)"),
    (["start=1980-01-01"], "start: '1980-01-01' is out of range (allowed: a date between 1990-01-01 and 2100-12-31)"),
    (["params.spammers.business_mix=[0.5,0.6,0.1]"], "params.spammers.business_mix: sums to 1.2 (allowed: shares summing to 1)"),
    (["params.consumers.awareness_shares=[0.5,0.5]"], "params.consumers.awareness_shares: has 2 entries (allowed: exactly 3 shares"),
    (["params.spammers.n_initial=900", "params.spammers.max_spammers=600"], "params.spammers.n_initial: 900 exceeds max_spammers=600"),
    # countries
    (["world.countries=[USA,XXX]"], "world.countries: unknown country 'XXX' " + ALL_COUNTRIES),
    (["world.countries=[USA,USX]"], "world.countries: unknown country 'USX' (did you mean 'USA'? allowed: ISO3 codes USA"),
    # levers in a scenario
    (["+scenario.levers.x={type:bogus}"], "scenario.levers.x.type: unknown lever or event 'bogus' (allowed: arrest, awareness_campaign"),
    (["+scenario.levers.x={type:legislaton}"], "scenario.levers.x.type: unknown lever or event 'legislaton' (did you mean 'legislation'?"),
    (["+scenario.levers.x={type:legislation,regim:opt-in}"], "scenario.levers.x.regim: unknown key for lever type 'legislation' "
     "(did you mean 'scenario.levers.x.regime'? allowed: start, end, countries, strength"),
    (["+scenario.levers.x={type:legislation,_target_:os.system}"], "scenario.levers.x._target_: unknown key for lever type 'legislation' (allowed:"),
    (["+scenario.levers.x={type:legislation,regime:optin}"], "scenario.levers.x.regime: 'optin' is not allowed (did you mean 'opt-in'? allowed: opt-out, opt-in)"),
    (["+scenario.levers.x={type:isp_code,port25:-0.1}"], "scenario.levers.x.port25: -0.1 is out of range (allowed: a number in [0.0, 1.0])"),
    (["+scenario.levers.x={type:legislation,investigators:2.5}"], "scenario.levers.x.investigators: 2.5 is not an integer (allowed: an integer in [0, 100000])"),
    (["+scenario.levers.x={type:legislation,start:'2006-02-30'}"], "scenario.levers.x.start: '2006-02-30' is not a date (allowed: YYYY-MM-DD)"),
    (["+scenario.levers.x={type:legislation,countries:[ATL]}"], "scenario.levers.x.countries: unknown country or bloc 'ATL'"),
    (["+scenario.levers.x={type:legislation,countries:[EUR]}"], "scenario.levers.x.countries: unknown country or bloc 'EUR' (did you mean 'EU'? allowed: blocs ALL"),
    (["+scenario.levers.x={type:bilateral_mou,partners:[CHX]}"], "scenario.levers.x.partners: unknown country or bloc 'CHX' (did you mean 'CHN'?"),
    (["+scenario.levers.x={type:legislation,end:'2009-01-01'}"], "scenario.levers.x.end: lever type 'legislation' is permanent and "
     "cannot end (allowed: no end date; types that can end: awareness_campaign"),
    (["+scenario.levers.x={type:awareness_campaign,start:'2006-01-01',end:'2005-01-01'}"],
     "scenario.levers.x.end: 2005-01-01 is before start 2006-01-01"),
    # the shape of the command line itself
    (["seed"], "seed: 'seed' cannot be parsed (allowed: key=value"),
    (["seed=1,2"], "seed: 1,2 is a sweep, which only --multirun runs (allowed: --multirun to sweep"),
    (["~seed"], "seed: cannot be removed: the schema declares it (allowed: seed=VALUE to change it)"),
    (["+seed=3"], "seed: is already declared, so '+' cannot add it"),
    (["--cfg", "job", "yeers=3"], "yeers: unknown key (did you mean 'years'?"),
    # a sweep: the key, option and type of every value, before any job runs
    (["--multirun", "seed=1,abc"], "seed: 'abc' is not an integer (allowed: an integer in [0, 9223372036854775807])"),
    (["--multirun", "seed=range(0.5,3)"], "seed: 0.5 is not an integer"),
    (["--multirun", "params.consumers.response_rate=choice(0.002,high)"], "params.consumers.response_rate: 'high' is not a number"),
    (["--multirun", "output.report=true,maybe"], "output.report: 'maybe' is not true/false"),
    (["--multirun", "foo=1,2"], "foo: unknown key"),
    (["-m", "scenario=baseline,integratd"], "scenario: unknown scenario 'integratd' (did you mean 'integrated'?"),
    (["-m", "params.consumers.respons_rate=0.1,0.2"], "(did you mean 'params.consumers.response_rate'?"),
]

# (arguments, what the one line must contain) for `simspam-compare`
COMPARE_CASES = [
    (["compare.design=factorail"], "compare.design: 'factorail' is not a design (did you mean 'factorial'? allowed: scenarios, factorial, where_to_act)"),
    (["compare.scenarios=[legislaton]"], "compare.scenarios[0]: unknown scenario 'legislaton' (did you mean 'legislation'?"),
    (["compare.baseline=basline"], "compare.baseline: unknown scenario 'basline' (did you mean 'baseline'?"),
    (["compare.design=factorial", "compare.levers=[technical,awarenes]"], "compare.levers[1]: unknown scenario 'awarenes' (did you mean 'awareness'?"),
    (["compare.design=where_to_act", "compare.act_scenario=tehcnical"], "compare.act_scenario: unknown scenario 'tehcnical' (did you mean 'technical'?"),
    (["compare.design=where_to_act", "compare.act_countries=[USA,CNH]"], "compare.act_countries: unknown country 'CNH' (did you mean 'CHN'?"),
    (["compare.seeds=1"], "compare.seeds: 1 is out of range (allowed: an integer in [2, 100000])"),
    (["compare.sedes=3"], "compare.sedes: unknown key (did you mean 'compare.seeds'? allowed: the keys of compare: design"),
    (["+experiment=factorail"], "experiment: unknown experiment 'factorail' (did you mean 'factorial'?"),
]


def _one_line(command, args, capsys, tmp_path, monkeypatch) -> str:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        command(args)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert out == "" and len(lines) == 1, err
    assert os.listdir(tmp_path) == []  # nothing half-written: Hydra never created an output folder
    return lines[0]


@pytest.mark.parametrize("args,expected", RUN_CASES, ids=[" ".join(a) for a, _ in RUN_CASES])
def test_simspam_rejects_bad_input_with_one_line(args, expected, capsys, tmp_path, monkeypatch):
    line = _one_line(main, args, capsys, tmp_path, monkeypatch)
    assert line.startswith("simspam: error: ") and expected in line, line


@pytest.mark.parametrize("args,expected", COMPARE_CASES, ids=[" ".join(a) for a, _ in COMPARE_CASES])
def test_simspam_compare_rejects_bad_input_with_one_line(args, expected, capsys, tmp_path, monkeypatch):
    line = _one_line(compare_main, args, capsys, tmp_path, monkeypatch)
    assert line.startswith("simspam: error: ") and expected in line, line


def test_a_sweep_value_out_of_range_is_left_to_its_job():
    """A sweep's ranges are checked in each job, which records the failure and lets the sweep go on
    (test_experiments.py::test_sweep_records_failures_and_goes_on); a single run checks them first."""
    from simspam.cli import validate_command_line

    validate_command_line(["world=tiny", "params.consumers.response_rate=0.002,7", "seed=range(-1,1)"], multirun=True)
    with pytest.raises(ConfigError, match="response_rate: 7.0 is out of range"):
        validate_command_line(["world=tiny", "params.consumers.response_rate=7"])


def test_simspam_design_rejects_a_misspelt_experiment(capsys, tmp_path, monkeypatch):
    from simspam.experiments.design_cli import main as design_main

    line = _one_line(design_main, ["lhs_uncertaintes", "--dry-run"], capsys, tmp_path, monkeypatch)
    assert line == ("simspam: error: experiment: unknown design experiment 'lhs_uncertaintes' (did you mean "
                    "'lhs_uncertainties'? allowed: lhs_uncertainties, sobol_uncertainties, or a path to a YAML file)")
    line = _one_line(design_main, ["lhs_uncertainties", "--n", "0", "--dry-run"], capsys, tmp_path, monkeypatch)
    assert line == "simspam: error: --n: 0 is out of range (allowed: an integer >= 1)"


def test_design_experiment_file_keys_and_method_name_the_closest(tmp_path):
    from simspam.experiments.design_cli import load_spec

    spec = tmp_path / "mine.yaml"
    spec.write_text("desgn: {method: lhs}\nuncertainties: {params.consumers.response_rate: [0.001, 0.01]}\n")
    assert _error(load_spec, str(spec)) == ("experiment mine.yaml: unknown key 'desgn' (did you mean 'design'? "
                                            "allowed: description, design, levers, overrides, seeds, uncertainties)")
    spec.write_text("design: {method: lsh}\nuncertainties: {params.consumers.response_rate: [0.001, 0.01]}\n")
    assert _error(load_spec, str(spec)) == ("design.method: 'lsh' is not a design method (did you mean 'lhs'? "
                                            "allowed: lhs, sobol, saltelli, grid)")


def test_simspam_validate_rejects_a_bad_seed_count(capsys, tmp_path, monkeypatch):
    from simspam.validate_cli import main as validate_main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        validate_main(["--seeds", "0", "--out", str(tmp_path / "x")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == "simspam-validate: --seeds: 0 is out of range (allowed: an integer in [1, 10000])\n"
    assert os.listdir(tmp_path) == []


def _command(name: str) -> list[str]:
    """The installed console script if there is one, else its entry point through this Python."""
    script = Path(sys.executable).parent / name
    if script.is_file():
        return [str(script)]
    module, func = console_scripts()[name].split(":")
    return [sys.executable, "-c", f"from {module} import {func}; {func}()"]


#: one bad command line per console command, run as a process: (command, arguments, how its one line
#: starts, what it must say)
CONSOLE_CASES = [
    ("simspam", ["params.consumers.respons_rate=0.1"], "simspam: error: ", "did you mean 'params.consumers.response_rate'?"),
    ("simspam-compare", ["compare.design=factorail"], "simspam: error: ", "did you mean 'factorial'?"),
    ("simspam-design", ["lhs_uncertaintes"], "simspam: error: ", "did you mean 'lhs_uncertainties'?"),
    ("simspam-collect", ["nope"], "simspam: error: DIR: ", "'nope' is not a folder"),
    ("simspam-calibrate", ["--only", "isps.nonsense", "--out", "out"], "simspam-calibrate: --only: ",
     "unknown parameter of the fit 'isps.nonsense'"),
    ("simspam-validate", ["--seeds", "0"], "simspam-validate: --seeds: ", "0 is out of range"),
    ("simspam-report", ["nope"], "simspam: error: DIR: ", "'nope' is not a folder"),
    ("simspam-dashboard", ["--port", "70000"], "simspam-dashboard: error: ", "--port: 70000 is out of range"),
    ("simspam-export", ["nope"], "simspam-export: error: DIR: ", "'nope' is not a folder"),
]


@pytest.mark.parametrize("name,args,start,expected", CONSOLE_CASES, ids=[c[0] for c in CONSOLE_CASES])
def test_console_command_exits_2_with_one_line_and_writes_nothing(tmp_path, name, args, start, expected):
    """What only a process shows: the exit status, exactly one line on stderr, nothing on stdout or disk
    (every other test of a command calls its ``main(argv)`` in-process)."""
    proc = subprocess.run([*_command(name), *args], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(start) and expected in lines[0], proc.stderr
    assert proc.stdout == ""
    assert os.listdir(tmp_path) == []


def test_every_console_command_is_run_once_as_a_process():
    assert sorted(c[0] for c in CONSOLE_CASES) == sorted(console_scripts())


# ---------------------------------------------------------------------- the Python API and other callers
@pytest.mark.parametrize("override,expected", [
    ("+scenario.levers.x={type:legislaton}", "did you mean 'legislation'?"),
    ("world.countries=[USA,XXX]", "world.countries: unknown country 'XXX'"),
    ("params.consumers.respons_rate=0.1", "did you mean 'params.consumers.response_rate'?"),
    ("+scenario.levers.x={type:isp_code,port25:-0.1}", "scenario.levers.x.port25: -0.1 is out of range"),
])
def test_api_raises_config_error(override, expected):
    with pytest.raises(ConfigError) as info:
        simspam.simulate(simspam.compose(["world=tiny", "years=0.1", override]))
    assert expected in str(info.value)


def test_bad_world_table_cell_names_row_and_column(tmp_path):
    from simspam.paths import conf_dir

    src = (conf_dir() / "world" / "world_2004.csv").read_text(encoding="utf-8").splitlines()
    header = src[0].split(",")
    row = src[1].split(",")

    def load(col: str, value: str) -> str:
        cells = list(row)
        cells[header.index(col)] = value
        (tmp_path / "w.csv").write_text("\n".join([src[0], ",".join(cells)]) + "\n", encoding="utf-8")
        with pytest.raises(ConfigError) as info:
            simspam.api.validate(simspam.compose([f"world.table={tmp_path / 'w.csv'}", "years=0.1"]))
        return str(info.value)

    assert load("law_2004", "maybe") == "world.table[USA].law_2004: 'maybe' is not a regime (allowed: none, opt-out, opt-in)"
    assert load("law_2004", "opt_in").startswith("world.table[USA].law_2004: 'opt_in' is not a regime (did you mean 'opt-in'?")
    assert load("gdp_pc_usd", "rich") == "world.table[USA].gdp_pc_usd: 'rich' is not a number (allowed: a number in [1.0, 1e+06])"
    assert load("investigation_powers", "1.5") == ("world.table[USA].investigation_powers: 1.5 is out of range "
                                                   "(allowed: a number in [0.0, 1.0])")
    assert load("eu_join", "soon") == "world.table[USA].eu_join: 'soon' is not a date (allowed: YYYY-MM-DD or empty)"


def test_missing_world_table_is_reported():
    with pytest.raises(ConfigError, match="world.table: file 'nope.csv' not found"):
        simspam.simulate(simspam.compose(["world.table=nope.csv"]))


def test_dashboard_controls_suggest_the_closest_scenario():
    from simspam.dashboard.spec import Spec

    spec = Spec.load(world="tiny", years=1)
    with pytest.raises(ConfigError) as info:
        spec.controls("integratd", 0, {})
    assert str(info.value).startswith("scenario: 'integratd' is not offered (did you mean 'integrated'? allowed:")


def test_calibration_parameters_are_checked_against_the_schema(tmp_path):
    import yaml

    from simspam.calibration.fit import load_fit_spec

    def error(key: str, entry: dict) -> str:
        (tmp_path / "fit.yaml").write_text(yaml.safe_dump({"parameters": {key: entry}}))
        with pytest.raises(ConfigError) as info:
            load_fit_spec(tmp_path / "fit.yaml")
        return str(info.value)

    assert error("consumer.respons_rate", {"lo": 0.001, "hi": 0.01, "scale": "log"}).startswith(
        "fit.parameters.consumer.respons_rate: unknown key (did you mean 'fit.parameters.consumers.response_rate'? "
        "allowed: the keys of fit.parameters: spammers")
    assert error("consumers.response_rate", {"lo": 0.001, "hi": 2, "scale": "log"}) == \
        "fit.parameters.consumers.response_rate.hi: 2.0 is out of range (allowed: a number in [0.0, 1.0])"
    assert error("consumers.response_rate", {"lo": "low", "hi": 0.01, "scale": "log"}).startswith(
        "fit.parameters.consumers.response_rate.lo: 'low' is not a number")
    assert error("consumers.response_rate", {"lo": 0.001, "hi": 0.01, "scale": "logg"}) == \
        "fit.parameters.consumers.response_rate.scale: 'logg' is not allowed (did you mean 'log'? allowed: log, lin)"


def test_config_error_survives_pickling():
    import pickle

    err = pickle.loads(pickle.dumps(ConfigError("a.b", "is bad", "good values", "a.c")))
    assert str(err) == "a.b: is bad (did you mean 'a.c'? allowed: good values)" and err.suggestion == "a.c"


# ---------------------------------------------------------------------- the checker itself
@dataclasses.dataclass
class _Inner:
    rate: float = P(0.5, 0.0, 1.0)
    count: int = P(3, 1, 10, integer=True)


@dataclasses.dataclass
class _Outer:
    when: str = P("2004-01-01", unit="date")
    until: str | None = P(None, unit="date")
    mode: str = choice("fast", ["fast", "slow"])
    flag: bool = True
    shares: list[float] = P([0.5, 0.5], 0.0, 1.0)
    names: list[str] = P([])
    free: dict[str, Any] = dataclasses.field(default_factory=dict)
    inner: _Inner = dataclasses.field(default_factory=_Inner)


def _error(fn, *args, **kwargs) -> str:
    with pytest.raises(ConfigError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_checker_suggests_close_names_only():
    assert check.suggest("integratd", ["baseline", "integrated"]) == "integrated"
    assert check.suggest("usa", ["USA", "CHN"]) == "USA"          # case alone
    assert check.suggest("EUR", ["ALL", "EU", "OECD"]) == "EU"
    assert check.suggest("XXX", ["USA", "CHN"]) is None
    assert check.suggest("baseline", ["baseline"]) is None        # nothing to correct


def test_checker_converts_values_as_omegaconf_does_and_checks_ranges():
    inner = check.fields_of(_Inner)
    assert check.check_value("k", "0.25", float, inner["rate"].metadata) == 0.25
    assert check.check_value("k", 1, float, inner["rate"].metadata) == 1.0
    assert check.check_value("k", "7", int, inner["count"].metadata) == 7
    assert check.check_value("k", "yes", bool) is True
    assert check.check_value("k", 5, str) == "5"
    assert _error(check.check_value, "k", 1.5, float, inner["rate"].metadata) == "k: 1.5 is out of range (allowed: a number in [0.0, 1.0])"
    assert _error(check.check_value, "k", True, float, inner["rate"].metadata) == "k: True is not a number (allowed: a number in [0.0, 1.0])"
    assert _error(check.check_value, "k", 3.5, int, inner["count"].metadata) == "k: 3.5 is not an integer (allowed: an integer in [1, 10])"
    assert _error(check.check_value, "k", "maybe", bool) == "k: 'maybe' is not true/false (allowed: true or false)"
    assert _error(check.check_value, "k", float("inf"), float, inner["rate"].metadata).startswith("k: inf is not finite")
    # ranges=False (a sweep's values before its jobs run): the type only, described with its range
    assert check.check_value("k", 1.5, float, inner["rate"].metadata, ranges=False) == 1.5
    assert _error(check.check_value, "k", "x", float, inner["rate"].metadata, ranges=False) == \
        "k: 'x' is not a number (allowed: a number in [0.0, 1.0])"
    assert check.describe_number({"lo": 1}, integer=True) == "an integer >= 1"
    assert check.describe_number({"hi": 2.0, "what": "a year"}) == "a year <= 2.0"


def test_checker_agrees_with_omegaconf_on_what_a_declared_field_accepts():
    """The checker runs before composition: it must reject exactly what OmegaConf would reject."""
    base = OmegaConf.structured(SimConfig)
    for key in ["seed", "years", "output.report", "start", "params.isps.fpr_grid", "world.countries"]:
        for value in [3, 2.5, "7", "abc", True, None, "yes", [0.1, 0.2], ["0.1"], [True], "1e3", {"a": 1}]:
            cfg = base.copy()
            try:
                OmegaConf.update(cfg, key, value, merge=True)
                omegaconf_ok = True
            except Exception:
                omegaconf_ok = False
            hint, meta = check.field_at(SimConfig, key)
            try:
                check.check_value(key, value, hint, {k: v for k, v in meta.items() if k not in ("lo", "hi", "unit")})
                checker_ok = True
            except ConfigError:
                checker_ok = False
            assert checker_ok == omegaconf_ok, (key, value)


def test_checker_checks_lists_dates_choices_and_nested_mappings():
    f = check.fields_of(_Outer)
    assert check.check_value("when", "2006-01-02", str, f["when"].metadata) == "2006-01-02"
    assert check.check_value("until", "", str | None, f["until"].metadata) is None
    assert _error(check.check_value, "when", "2006-02-30", str, f["when"].metadata) == "when: '2006-02-30' is not a date (allowed: YYYY-MM-DD)"
    assert _error(check.check_value, "mode", "fats", str, f["mode"].metadata) == "mode: 'fats' is not allowed (did you mean 'fast'? allowed: fast, slow)"
    assert _error(check.check_value, "shares", [0.5, 2], list[float], f["shares"].metadata).startswith("shares[1]: 2.0 is out of range")
    assert check.check_value("names", "USA", list[str], f["names"].metadata, one_as_list=True) == ["USA"]
    assert _error(check.check_value, "names", "USA", list[str], f["names"].metadata) == "names: 'USA' is not a list (allowed: a list, each a string)"
    assert check.check_mapping("o", {"inner": {"rate": "0.5"}, "free": {"anything": [1]}}, _Outer) == \
        {"inner": {"rate": 0.5}, "free": {"anything": [1]}}
    assert _error(check.check_mapping, "o", {"inner": {"rat": 1}}, _Outer) == \
        "o.inner.rat: unknown key (did you mean 'o.inner.rate'? allowed: the keys of o.inner: rate, count)"
    assert _error(check.check_instance, _Outer(inner=_Inner(count=11)), "x.") == \
        "x.inner.count: 11 is out of range (allowed: an integer in [1, 10])"
    check.check_instance(_Outer())   # the defaults are valid


def test_checker_finds_declared_keys_and_the_closest_to_a_misspelt_one():
    assert check.field_at(_Outer, "inner.rate")[0] is float
    assert check.field_at(_Outer, "free.anything.below") is check.FREE
    assert _error(check.field_at, _Outer, "iner.rate") == \
        "iner.rate: unknown key (did you mean 'inner.rate'? allowed: the keys of the top level: when, until, mode, flag, shares, names, free, inner)"
    assert _error(check.field_at, _Outer, "rate") == "rate: unknown key (allowed: the keys of the top level: when, until, mode, flag, shares, names, free, inner)"
    assert "did you mean 'inner.rate'?" not in _error(check.field_at, _Outer, "inner.zzz")
    # the schema's own: a right name in the wrong section is found in its section
    assert "did you mean 'params.botnets.n_botnets'?" in _error(check.field_at, SimConfig, "params.spammers.n_botnets")


# ---------------------------------------------------------------------- closed pipes
@pytest.mark.parametrize("name,target", sorted(console_scripts().items()))
def test_every_command_ends_quietly_when_its_reader_closes_the_pipe(name, target):
    """`simspam-validate | head` must not end in a BrokenPipeError traceback: each console
    script's entry point is wrapped by quiet_on_closed_pipe."""
    import importlib
    module, func = target.split(":")
    main = getattr(importlib.import_module(module), func)
    assert getattr(main, "__wrapped__", None) is not None, f"{name} ({target}) is not wrapped"


def test_closed_pipe_gives_exit_1_and_no_traceback():
    """The reader closes the pipe before the command writes (its imports take a second), so the
    command's write or final flush meets a closed pipe; without the wrapper this printed a traceback."""
    trials = ROOT / "conf" / "calibration" / "fit_trials_round9.csv"
    code = "from simspam.calibration.fit import main; main(['--spread', %r])" % str(trials)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 1
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_the_command_line_knows_hydras_flags():
    """simspam reads its command line with its own declaration of Hydra's flags (Hydra's parser
    is not public API); the two must not drift apart when Hydra is upgraded."""
    from hydra._internal.utils import get_args_parser

    from simspam.cli import _hydra_arguments

    def flags(parser):
        return {(tuple(sorted(a.option_strings)), a.nargs) for a in parser._actions if a.option_strings}

    ours = flags(_hydra_arguments())
    theirs = {(o, None if n == 0 else n) for o, n in flags(get_args_parser())}
    ours = {(o, None if n == 0 else n) for o, n in ours}
    assert {o for o, _ in ours} == {o for o, _ in theirs}
    assert dict(ours)[("--info", "-i")] == dict(theirs)[("--info", "-i")] == "?"


@pytest.mark.parametrize("name", sorted(set(console_scripts()) - {"simspam", "simspam-compare"}))
def test_a_bad_flag_is_one_line_and_exit_2(name, tmp_path):
    """argparse's own errors (an unknown flag, a value of the wrong type) follow the project's rule
    too: one line, exit code 2, nothing written.  (simspam and simspam-compare are Hydra apps:
    Hydra reports its flags.)"""
    import importlib

    from conftest import invoke

    module, func = console_scripts()[name].split(":")
    main = getattr(importlib.import_module(module), func)
    got = invoke(main, "--frobnicate", "x", cwd=tmp_path)
    assert got.returncode == 2
    assert len(got.stderr.strip().splitlines()) == 1, got.stderr
    assert got.stderr.startswith(f"{name}: error: ") and "--frobnicate" in got.stderr
    assert os.listdir(tmp_path) == []
