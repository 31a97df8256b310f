"""``simspam-report DIR`` through its ``main(argv)``, in-process, on tiny runs, comparisons and sweeps
(its entry point as a process: tests/test_errors.py)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import simspam
from conftest import TINY, Invoked, console_scripts, invoke, parse_html, run
from simspam import cli
from simspam.report import cli as report_cli
from simspam.results import detect
from simspam.report.compare_report import SECTION_HEADINGS
from simspam.report.sweep_report import SWEEP_SECTIONS


def report(*args: str, cwd: Path | None = None) -> Invoked:
    return invoke(report_cli.main, *args, cwd=cwd)


def headings(page: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", page)


def test_entry_point_is_declared():
    module, func = console_scripts()["simspam-report"].split(":")
    assert (module, func) == ("simspam.report.cli", "main")


# --------------------------------------------------------------------------
# a single run
# --------------------------------------------------------------------------


def test_run_folder_gets_its_report(tmp_path):
    from simspam.results import write_run

    res = run()
    write_run(res, tmp_path)
    assert not (tmp_path / "report.html").exists()
    proc = report(str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "run report written" in proc.stdout
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<title>simspam run report: baseline</title>" in page
    assert "Where spam comes from, and where it lands" in headings(page)
    assert '"world_110m"' in page and '<dd>0</dd>' in page  # outlines embedded; the seed in the provenance


# --------------------------------------------------------------------------
# a comparison
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def comparison_dir(tmp_path_factory):
    from simspam.experiments.compare import run_comparison
    from simspam.report.pages import comparison_extras

    out = tmp_path_factory.mktemp("cmp")
    cfg = simspam.compose([*TINY, "years=2", "compare.scenarios=[baseline,integrated]", "compare.seeds=2",
                           "compare.jobs=2"], config_name="compare")
    run_comparison(cfg, out, command="simspam-compare (test)", extras=comparison_extras)
    return out


def test_comparison_writes_the_report_tables_and_every_section(comparison_dir):
    for name in ("country_series", "relocations", "cooperation_edges"):
        assert len(pd.read_parquet(comparison_dir / f"{name}.parquet")) > 0, name
    page = (comparison_dir / "report.html").read_text(encoding="utf-8")
    hs = headings(page)
    for key in ("bands", "paired", "series", "map", "network", "relocations", "cost", "runs"):
        assert SECTION_HEADINGS[key] in hs, key
    assert hs[-1] == "Provenance"
    assert "simspam-compare (test)" in page and "<dt>Seed</dt><dd>0 1 (2 seeds)</dd>" in page
    assert "Resolved configuration (YAML)" in page and "<dt>simspam version</dt>" in page
    # headline cards carry intervals
    assert page.count('class="card-interval"') == 3
    assert "The world as the 2004 ITU WSIS meeting found it." in page  # the baseline's analogue


def test_comparison_report_regenerated_from_its_folder_is_the_same(comparison_dir, tmp_path):
    original = (comparison_dir / "report.html").read_text(encoding="utf-8")
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in comparison_dir.iterdir():
        if f.name != "report.html":
            (copy / f.name).write_bytes(f.read_bytes())
    proc = report(str(copy))
    assert proc.returncode == 0, proc.stderr
    assert "comparison report written" in proc.stdout
    assert (copy / "report.html").read_text(encoding="utf-8") == original


# --------------------------------------------------------------------------
# a sweep
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("sweep")
    proc = invoke(cli.main, "--multirun", *TINY, "years=0.2", "seed=1,2", "params.consumers.response_rate=0.002,0.004,9",
                  "output.report=false", "output.quiet=true", "hydra.sweep.dir=sw", cwd=base)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "sweep report" in proc.stdout
    return base / "sw"


def test_sweep_end_writes_the_sweep_report(sweep_dir):
    page = (sweep_dir / "report.html").read_text(encoding="utf-8")
    hs = headings(page)
    assert hs == [SWEEP_SECTIONS[k] for k in ("design", "outcomes", "parameters", "runs")] + ["Provenance"]
    assert "<td>params.consumers.response_rate</td><td>0.002</td><td>0.004</td><td>2</td>" in page
    assert "2 failed or did not finish" in page and "response_rate: 9.0 is out of range" in page
    assert "simspam --multirun" in page and "response_rate=0.002,0.004,9" in page
    assert "<dt>Seed</dt><dd>1 2 (2 seeds)</dd>" in page


def test_uncollected_sweep_with_sensitivity_is_reported_without_writing_tables(sweep_dir, tmp_path):
    copy = tmp_path / "sw"
    for f in sweep_dir.rglob("*"):
        rel = f.relative_to(sweep_dir)
        if f.is_file() and rel.name not in ("runs.parquet", "outcomes.parquet", "report.html"):
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            (copy / rel).write_bytes(f.read_bytes())
    sens = pd.DataFrame({"outcome": ["spam_delivered"] * 2, "parameter": ["params.consumers.response_rate", "seed"],
                         "S1": [0.8, 0.1], "S1_conf": [0.1, 0.05], "ST": [0.9, 0.15], "ST_conf": [0.1, 0.05]})
    sens.to_parquet(copy / "sensitivity.parquet")
    proc = report(str(copy))
    assert proc.returncode == 0, proc.stderr
    assert "sweep report written" in proc.stdout
    assert not (copy / "runs.parquet").exists()  # collected in memory only
    page = (copy / "report.html").read_text(encoding="utf-8")
    assert SWEEP_SECTIONS["sensitivity"] in headings(page)
    assert page.count('class="plotly-graph-div"') == 5  # spread, 2 scatters, Sobol' bars, runs


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["missing", "file", "empty", "unrelated"])
def test_bad_folder_one_line_exit_2_nothing_written(tmp_path, what):
    target = tmp_path / "target"
    if what == "file":
        target.write_text("x")
    elif what == "empty":
        target.mkdir()
    elif what == "unrelated":
        target.mkdir()
        (target / "notes.txt").write_text("hello")
        (target / "summary.json").write_text("{}")  # a summary alone is not a run
    before = sorted(p.name for p in tmp_path.rglob("*"))
    proc = report(str(target), cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("simspam: error: DIR: ")
    assert str(target) in lines[0] and "comparison.parquet" in lines[0]
    assert proc.stdout == ""
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_main_in_process_detects_each_kind(comparison_dir, sweep_dir, capsys):
    assert detect(comparison_dir) == "compare"
    assert detect(sweep_dir) == "sweep"
    assert detect(sweep_dir / "0") == "run"
    with pytest.raises(SystemExit) as exc:
        report_cli.main([str(sweep_dir / "nope")])
    assert exc.value.code == 2 and "is not a folder" in capsys.readouterr().err


def test_report_html_parses_and_loads_nothing_from_the_network(comparison_dir):
    page = (comparison_dir / "report.html").read_text(encoding="utf-8")
    parsed = parse_html(page)
    assert not any(attrs.get("src") for tag, attrs in parsed.tags if tag == "script")
    summary = json.loads((comparison_dir / "summary.json").read_text())
    assert summary["analogues"]["baseline"]
