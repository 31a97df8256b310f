"""Bad input: one clear line naming the key and what is allowed, exit code 2, nothing written."""
import os
import subprocess
import sys

import pytest

import simspam
from conftest import ROOT, console_scripts
from simspam.errors import ConfigError

CASES = [
    ("foo=1", "foo: unknown key"),
    ("+params.spammers.foo=2", "params.spammers.foo: unknown key (allowed: the keys of params.spammers: n_initial"),
    ("scenario=nope", "scenario: unknown scenario 'nope' (allowed: awareness, baseline"),
    ("+scenario.levers.x={type:bogus}", "unknown lever or event 'bogus' (allowed: arrest, awareness_campaign"),
    ("world.countries=[USA,XXX]", "world.countries: unknown country 'XXX' (allowed: ISO3 codes USA"),
    ("+scenario.levers.x={type:legislation,countries:[ATL]}", "scenario.levers.x.countries: unknown country or bloc 'ATL'"),
    ("params.consumers.response_rate=1.5", "params.consumers.response_rate: 1.5 is out of range (allowed: a number in [0.0, 1.0])"),
    ("+scenario.levers.x={type:isp_code,port25:-0.1}", "scenario.levers.x.port25: -0.1 is out of range (allowed: a number in [0.0, 1.0])"),
    ("params.spammers.n_initial=-5", "params.spammers.n_initial: -5 is out of range (allowed: an integer in [1, 100000])"),
    ("params.regulators.investigation_days=-1", "params.regulators.investigation_days: -1.0 is out of range"),
    ("+scenario.levers.x={type:awareness_campaign,start:'2006-01-01',end:'2005-01-01'}",
     "scenario.levers.x.end: 2005-01-01 is before start 2006-01-01"),
    ("+scenario.levers.x={type:legislation,end:'2009-01-01'}",
     "scenario.levers.x.end: lever type 'legislation' is permanent and cannot end (allowed: no end date; types that can end: awareness_campaign"),
    ("seed=abc", "seed: 'abc' is not a valid integer"),
    ("start=2004-13-01", "start: '2004-13-01' is not a date (allowed: YYYY-MM-DD)"),
    ("+scenario.levers.x={type:legislation,_target_:os.system}", "scenario.levers.x._target_: unknown key for lever type 'legislation'"),
    ("params.spammers.business_mix=[0.5,0.6,0.1]", "params.spammers.business_mix: sums to 1.2"),
]


@pytest.mark.parametrize("override,expected", CASES)
def test_cli_rejects_bad_input_with_one_line_and_exit_2(tmp_path, override, expected):
    proc = subprocess.run([sys.executable, "-m", "simspam.cli", override], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("simspam: error: ")
    assert expected in lines[0]
    assert proc.stdout == ""
    assert os.listdir(tmp_path) == []  # nothing half-written: Hydra never created an output folder


@pytest.mark.parametrize("override,expected", CASES[3:10])
def test_api_raises_config_error(override, expected):
    with pytest.raises(ConfigError) as info:
        simspam.simulate(simspam.compose(["world=tiny", "years=0.1", override]))
    assert expected in str(info.value)


def test_bad_world_table_cell_names_row_and_column(tmp_path):
    from simspam.paths import conf_dir

    src = (conf_dir() / "world" / "world_2004.csv").read_text(encoding="utf-8").splitlines()
    header = src[0].split(",")
    col = header.index("law_2004")
    row = src[1].split(",")
    row[col] = "maybe"
    (tmp_path / "w.csv").write_text("\n".join([src[0], ",".join(row)]) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        simspam.simulate(simspam.compose([f"world.table={tmp_path / 'w.csv'}", "years=0.1"]))
    assert "world.table[USA].law_2004: 'maybe' is not a regime (allowed: none, opt-out, opt-in)" in str(info.value)


def test_missing_world_table_is_reported():
    with pytest.raises(ConfigError, match="world.table: file 'nope.csv' not found"):
        simspam.simulate(simspam.compose(["world.table=nope.csv"]))


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
