"""A real command-line run writes its tables, summary and report into Hydra's folder.

``simspam``'s ``main(argv)`` runs in-process (``conftest.invoke``); its entry point as a process is
tested in tests/test_errors.py (``test_console_command_exits_2_with_one_line_and_writes_nothing``)."""
import json

import pandas as pd

from conftest import invoke
from simspam.cli import main
from simspam.core.columns import DAILY, EVENTS


def test_cli_run_writes_tables_summary_and_report(tmp_path):
    args = ["world=tiny", "years=0.5", "seed=7", "scenario=integrated", "hydra.run.dir=out"]
    proc = invoke(main, *args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    assert {"daily.parquet", "events.parquet", "summary.json", "report.html", ".hydra"} <= {p.name for p in out.iterdir()}
    assert not list(out.glob(".*.tmp"))
    daily = pd.read_parquet(out / "daily.parquet")
    events = pd.read_parquet(out / "events.parquet")
    assert list(daily.columns) == ["date", "country", *DAILY]
    assert list(events.columns) == list(EVENTS)
    summary = json.loads((out / "summary.json").read_text())
    prov = summary["provenance"]
    assert prov["seed"] == 7 and prov["version"] and "scenario=integrated" in prov["command"]
    assert prov["config"]["scenario"]["name"] == "integrated"
    assert summary["headline"]["spam_sent"] == int(daily["spam_sent"].sum())
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Plotly" in html and "world_110m" in html
    assert "scenario=integrated" in proc.stdout and "spam sent over the run" in proc.stdout
    # a second identical run gives the same tables, bit for bit
    args[-1] = "hydra.run.dir=out2"
    assert invoke(main, *args, cwd=tmp_path).returncode == 0
    pd.testing.assert_frame_equal(daily, pd.read_parquet(tmp_path / "out2" / "daily.parquet"), check_exact=True)
