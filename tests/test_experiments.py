"""Comparisons, designs and sweeps: serial equals parallel, nothing lost, nothing repeated.

The commands run in-process (``conftest.invoke``), Hydra's ``--multirun`` included; a process is
started only where the test is about one (a sweep killed with SIGKILL, and ``simspam-design``,
which starts its sweep as a child process).  Their entry points as processes: tests/test_errors.py.
"""
import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

import simspam
from conftest import invoke
from simspam.cli import compare_main, main
from simspam.config.compose import experiment_files, register_configs
from simspam.experiments import collect as collect_cli
from simspam.experiments import design_cli
from simspam.experiments.collect import collect
from simspam.experiments.compare import analyse, build_specs
from simspam.experiments.design_cli import build_design, design_files, load_spec
from simspam.experiments.runner import run_all
from simspam.paths import conf_dir

TINY = ["world=tiny", "params.spammers.n_initial=200", "params.spammers.max_spammers=600"]


def compare_cfg(*overrides, years=2.0):
    return simspam.compose([*TINY, f"years={years}", *overrides], config_name="compare")


def test_serial_and_parallel_comparisons_give_identical_tables():
    cfg = compare_cfg("compare.scenarios=[baseline,integrated,awareness]", "compare.seeds=3")
    specs = build_specs(cfg)
    assert [s.label for s in specs] == ["baseline"] * 3 + ["integrated"] * 3 + ["awareness"] * 3
    serial, s_series = run_all(specs, jobs=1)
    parallel, p_series = run_all(specs, jobs=2)
    cols = [c for c in serial.columns if c != "runtime_s"]
    pd.testing.assert_frame_equal(serial[cols], parallel[cols], check_exact=True)
    pd.testing.assert_frame_equal(s_series, p_series, check_exact=True)
    tables = analyse(cfg, serial)
    comp = tables["comparison"].set_index(["scenario", "outcome"])
    row = comp.loc[("integrated", "spam_delivered")]
    assert row["n_paired"] == 3 and row["ci_low"] <= row["mean_diff"] <= row["ci_high"]
    # common random numbers at work: the paired interval is narrower than the unpaired one
    assert (row["ci_high"] - row["ci_low"]) < (row["unpaired_high"] - row["unpaired_low"])
    assert set(tables["cost_effectiveness"]["scenario"]) == {"integrated", "awareness"}


def test_a_failing_run_is_recorded_and_the_rest_complete():
    cfg = compare_cfg("compare.scenarios=[baseline,integrated]", "compare.seeds=2")
    specs = build_specs(cfg)
    specs[3].extra_levers = {"bad": {"type": "legislation", "strength": 5}}
    runs, _ = run_all(specs, jobs=1)
    assert list(runs["status"]) == ["ok", "ok", "ok", "failed"]
    assert "strength: 5" in runs.loc[3, "error"] and "out of range" in runs.loc[3, "error"]


def test_factorial_design_runs_every_combination_and_estimates_effects():
    cfg = compare_cfg("compare.design=factorial", "compare.levers=[legislation,technical]", "compare.seeds=2")
    specs = build_specs(cfg)
    assert sorted({s.label for s in specs}) == ["baseline", "legislation", "legislation+technical", "technical"]
    runs, _ = run_all(specs, jobs=2)
    tables = analyse(cfg, runs)
    eff = tables["factorial"]
    assert set(eff["term"]) == {"legislation", "technical", "legislation:technical"}
    tech = eff[(eff["outcome"] == "spam_delivered") & (eff["term"] == "technical")]["effect"].iloc[0]
    assert tech < 0  # better filters and clean-up deliver less spam


def test_where_to_act_ranks_countries():
    cfg = compare_cfg("compare.design=where_to_act", "compare.act_scenario=technical",
                      "compare.act_countries=[USA,CHN]", "compare.seeds=2")
    runs, _ = run_all(build_specs(cfg), jobs=2)
    pri = analyse(cfg, runs)["priority"]
    assert set(pri["country"]) == {"USA", "CHN"}
    assert sorted(pri[pri["outcome"] == "spam_delivered"]["rank"]) == [1, 2]


@pytest.mark.parametrize("name", sorted(experiment_files()))
def test_every_experiment_file_composes(name):
    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        base = "compare" if "compare" in experiment_files()[name].read_text() else "config"
        cfg = hydra_compose(config_name=base, overrides=[f"+experiment={name}", *TINY, "years=0.5"],
                            return_hydra_config=True)
    if base == "compare":
        specs = build_specs(cfg)
        assert specs
    else:
        assert cfg.hydra.sweeper.params  # a sweep definition for --multirun


COMPARE_EXPERIMENTS = sorted(n for n, p in experiment_files().items() if "compare:" in p.read_text())
#: the one that runs in the default tier (a factorial of two levers: 4 bundles x 2 seeds); the others
#: run in the slow tier (every file composes, and builds its runs, in the default tier: above)
BRIEF_COMPARISON = "factorial"


@pytest.mark.parametrize("name", [n if n == BRIEF_COMPARISON else pytest.param(n, marks=pytest.mark.slow)
                                  for n in COMPARE_EXPERIMENTS])
def test_compare_experiments_run_briefly(tmp_path, name):
    extra = ["compare.act_countries=[USA,CHN]"] if "where_to_act" in name else []
    if name == "factorial":
        extra = ["compare.levers=[legislation,cooperation]"]
    proc = invoke(compare_main, f"+experiment={name}", *TINY, "years=0.3", "compare.seeds=2", "compare.jobs=2", *extra,
                  "hydra.run.dir=out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = tmp_path / "out"
    for f in ["runs.parquet", "comparison.parquet", "series.parquet", "cost_effectiveness.parquet", "summary.json", "report.html"]:
        assert (out / f).is_file(), f
    assert "averted" in proc.stdout


@pytest.mark.parametrize("name", sorted(design_files()))
def test_design_experiments_build(name):
    table, problem = build_design(load_spec(name))
    assert len(table) > 0 and "seed" in table and table["design_id"].str.len().eq(10).all()
    if problem is not None:
        assert problem["rows"] == len(table)


def test_a_design_runs_as_a_sweep_of_its_rows(tmp_path):
    """What ``simspam-design`` does, in-process: write the design table (``--dry-run``), then run its
    rows as a ``--multirun``, each job one row (the command itself: the slow test below)."""
    proc = invoke(design_cli.main, "lhs_uncertainties", "--n", "2", "--dir", "sw", "--dry-run", cwd=tmp_path)
    assert proc.returncode == 0 and "4 runs" in proc.stdout, proc.stderr
    design = pd.read_parquet(tmp_path / "sw" / "design.parquet")
    proc = invoke(main, "--multirun", f"design.file={tmp_path / 'sw' / 'design.parquet'}", "design.row=range(0,4)",
                  "hydra.sweep.dir=sw", *load_spec("lhs_uncertainties")["overrides"], *TINY, "years=0.1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    runs = pd.read_parquet(tmp_path / "sw" / "runs.parquet").sort_values("design.row")
    assert len(runs) == len(design) == 4 and (runs["status"] == "ok").all() and runs["run_id"].is_unique
    # each job ran its own row: the policy and the sampled values of that row
    assert list(runs["scenario"]) == list(design["scenario"])
    for job, row in zip(runs["job"], design.to_dict("records")):
        config = json.loads((tmp_path / "sw" / job / "summary.json").read_text())["provenance"]["config"]
        assert config["params"]["consumers"]["response_rate"] == row["params.consumers.response_rate"]
        assert config["params"]["spammers"]["adaptivity"] == row["params.spammers.adaptivity"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(design_files()))
def test_design_experiments_build_and_run_briefly(tmp_path, name):
    """The whole command: a small version of each design, run through Hydra's joblib launcher on the tiny world."""
    _, problem = build_design(load_spec(name))
    proc = invoke(design_cli.main, name, "--n", "4", "--dir", "sw", *TINY, "years=0.1", "hydra/launcher=joblib",
                  cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    runs = pd.read_parquet(tmp_path / "sw" / "runs.parquet")
    design = pd.read_parquet(tmp_path / "sw" / "design.parquet")
    assert len(runs) == len(design) and (runs["status"] == "ok").all()
    if problem is not None:  # the Saltelli design ends with Sobol' indices of every outcome
        sens = pd.read_parquet(tmp_path / "sw" / "sensitivity.parquet")
        assert set(sens["parameter"]) == set(load_spec(name)["uncertainties"])
        assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(sens.columns)


def test_grid_experiment_runs_as_a_multirun(tmp_path):
    proc = invoke(main, "--multirun", "+experiment=grid_response_cost", *TINY,
                  "years=0.1", "seed=0", "params.spammers.own_cost_per_m=15.0",  # the command line narrows the grid
                  "hydra.sweep.dir=sw", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    runs = pd.read_parquet(tmp_path / "sw" / "runs.parquet")
    assert len(runs) == 2 * 3 and (runs["status"] == "ok").all()


def _sweep(tmp_path, *extra, launcher="basic"):
    proc = invoke(main, "--multirun", f"hydra/launcher={launcher}", *TINY, "years=0.2", "seed=1,2,3",
                  "output.report=false", "output.quiet=true", "hydra.sweep.dir=sw", *extra, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def test_sweep_records_failures_and_goes_on(tmp_path):
    proc = _sweep(tmp_path, "params.consumers.response_rate=0.002,7")
    runs = pd.read_parquet(tmp_path / "sw" / "runs.parquet")
    assert len(runs) == 6
    assert (runs["status"] == "ok").sum() == 3 and (runs["status"] == "failed").sum() == 3
    failed = runs[runs["status"] == "failed"]
    assert failed["error"].str.contains("response_rate: 7.0 is out of range").all()
    assert "FAILED" in proc.stderr
    # simspam-collect rebuilds the same tables from the jobs' folders
    tables = {f: pd.read_parquet(tmp_path / "sw" / f) for f in ("runs.parquet", "outcomes.parquet")}
    for f in tables:
        (tmp_path / "sw" / f).unlink()
    proc = invoke(collect_cli.main, "sw", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("6 runs {'ok': 3, 'failed': 3}; wrote sw/runs.parquet")
    for f, table in tables.items():
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "sw" / f), table)


def test_rerun_skips_complete_runs_and_fills_the_gaps(tmp_path):
    _sweep(tmp_path)
    sw = tmp_path / "sw"
    before = {p.parent.name: p.stat().st_mtime_ns for p in sw.glob("*/summary.json")}
    (sw / "1" / "summary.json").unlink()           # as if killed before that run finished
    proc = _sweep(tmp_path)
    assert proc.stdout.count("already complete, skipped") == 2
    after = {p.parent.name: p.stat().st_mtime_ns for p in sw.glob("*/summary.json")}
    assert after["0"] == before["0"] and after["2"] == before["2"] and "1" in after
    runs, outcomes = collect(sw, write=False)
    assert len(runs) == 3 and (runs["status"] == "ok").all() and runs["run_id"].is_unique
    assert len(outcomes) == 3


@pytest.mark.slow
def test_killed_sweep_finishes_on_restart_with_every_run_once(tmp_path):
    """SIGKILL needs a process of its own; the restart runs in-process."""
    args = ["--multirun", *TINY, "years=1", "seed=range(0,8)", "output.report=false", "output.quiet=true",
            "hydra.sweep.dir=sw"]
    proc = subprocess.Popen([sys.executable, "-m", "simspam.cli", *args], cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    sw = tmp_path / "sw"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(sw.glob("*/summary.json"))) < 2:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(list(sw.glob("*/summary.json")))
    assert 2 <= partial < 8
    again = invoke(main, *args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.stdout.count("already complete, skipped") == partial
    runs = pd.read_parquet(sw / "runs.parquet")
    assert len(runs) == 8 and (runs["status"] == "ok").all()
    assert sorted(runs["seed"]) == list(range(8)) and runs["run_id"].is_unique


@pytest.mark.slow
def test_joblib_and_submitit_local_launchers_match_the_basic_one(tmp_path):
    results = {}
    for launcher in ["basic", "joblib", "submitit_local"]:
        d = tmp_path / launcher
        d.mkdir()
        _sweep(d, launcher=launcher)
        runs = pd.read_parquet(d / "sw" / "runs.parquet").sort_values("seed")
        outcomes = pd.read_parquet(d / "sw" / "outcomes.parquet")
        results[launcher] = runs[["seed", "run_id", "status"]].merge(outcomes, on="run_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(results["basic"], results["joblib"], check_exact=True)
    pd.testing.assert_frame_equal(results["basic"], results["submitit_local"], check_exact=True)


def test_slurm_launcher_config_composes():
    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        cfg = hydra_compose(config_name="config", overrides=["hydra/launcher=slurm"], return_hydra_config=True)
    assert "SlurmLauncher" in cfg.hydra.launcher._target_
    assert cfg.hydra.launcher.cpus_per_task == 1


def test_collect_command_rejects_a_missing_folder(tmp_path):
    proc = invoke(collect_cli.main, str(tmp_path / "nope"), cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("simspam: error: DIR:")
    assert proc.stderr.count("\n") == 1 and proc.stdout == "" and os.listdir(tmp_path) == []


def test_default_comparison_leaves_out_scenarios_that_fix_their_own_period():
    """historical replays 2001-2010: against a 2004 baseline its differences would be meaningless."""
    from simspam.config.compose import scenario_files
    from simspam.experiments.compare import build_specs, policy_scenarios

    assert "historical" in scenario_files() and "historical" not in policy_scenarios()
    specs = build_specs(simspam.compose(["compare.seeds=2"], config_name="compare"))
    labels = {s.label for s in specs}
    assert "historical" not in labels and {"baseline", "legislation", "integrated"} <= labels
