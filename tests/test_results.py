"""The results layer: the on-disk contract of run, comparison and sweep folders.

Writing is atomic (readers never see half a file), ``summary.json`` comes last (a folder
with one is complete), files made by higher layers come in as extras, and none of it
needs the report or Plotly.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pandas as pd
import pytest

from simspam.results import atomic, detect, read_run, write_run
from simspam.results.comparison import TABLES, read_comparison, write_comparison
from simspam.results.tables import write_table


def test_writing_results_never_imports_plotly_or_the_report(tmp_path):
    """Only a fresh interpreter shows what an import pulls in."""
    code = textwrap.dedent(f"""
        import sys
        from types import SimpleNamespace
        import pandas as pd
        from simspam.results import write_run, write_table
        from simspam.results.comparison import write_comparison
        from simspam.results.sweep import collect
        from simspam.experiments import collect as sweep_collect, compare, runner
        df = pd.DataFrame({{"date": pd.to_datetime(["2004-01-01"]), "country": ["USA"], "spam_sent": [1]}})
        write_run(SimpleNamespace(daily=df, events=df, summary={{"headline": {{}}}}), {str(tmp_path)!r} + "/run")
        write_comparison({{"runs": df}}, {{}}, {str(tmp_path)!r} + "/cmp")
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("plotly", "jinja2", "kaleido", "dash")
                        or m.startswith(("simspam.report", "simspam.viz")))
        print(loaded)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert (tmp_path / "run" / "summary.json").is_file() and (tmp_path / "cmp" / "summary.json").is_file()


def _result(n: int = 3) -> SimpleNamespace:
    daily = pd.DataFrame({"date": pd.date_range("2004-01-01", periods=n), "country": ["USA"] * n, "delivered": range(n)})
    events = pd.DataFrame({"time": [0.5], "kind": ["arrest"]})
    return SimpleNamespace(daily=daily, events=events, summary={"headline": {"x": 1}, "provenance": {"seed": 0}})


def test_run_round_trip_and_extras_before_the_summary(tmp_path):
    res = _result()
    order = []

    def page():
        order.append(sorted(p.name for p in tmp_path.iterdir()))
        return "<p>report</p>"

    write_run(res, tmp_path, extras={"report.html": page, "image.png": lambda: b"\x89PNG"})
    assert order == [["daily.parquet", "events.parquet"]]  # the extra came after the tables, before the summary
    assert (tmp_path / "report.html").read_text() == "<p>report</p>" and (tmp_path / "image.png").read_bytes() == b"\x89PNG"
    daily, events, summary = read_run(tmp_path)
    pd.testing.assert_frame_equal(daily, res.daily)
    assert list(events["kind"]) == ["arrest"] and summary == res.summary
    assert detect(tmp_path) == "run"
    (tmp_path / "events.parquet").unlink()
    assert read_run(tmp_path)[1] is None


def test_a_failing_extra_leaves_no_summary(tmp_path):
    def boom():
        raise RuntimeError("no page")

    with pytest.raises(RuntimeError, match="no page"):
        write_run(_result(), tmp_path, extras={"report.html": boom})
    assert sorted(os.listdir(tmp_path)) == ["daily.parquet", "events.parquet"]


def test_comparison_round_trip(tmp_path):
    runs = pd.DataFrame({"scenario": ["baseline", "a"], "seed": [0, 0], "status": ["ok", "ok"]})
    write_comparison({"runs": runs, "comparison": runs}, {"baseline": "baseline"}, tmp_path)
    tables, summary = read_comparison(tmp_path)
    assert set(tables) == set(TABLES) and tables["series"] is None
    pd.testing.assert_frame_equal(tables["runs"], runs)
    assert summary == {"baseline": "baseline"} and detect(tmp_path) == "compare"


def test_dictionary_encoding_only_where_values_repeat(tmp_path):
    import pyarrow.parquet as pq

    write_table(pd.DataFrame({"country": ["USA", "USA"], "value": [1.0, 2.0]}), tmp_path / "t.parquet")
    meta = pq.ParquetFile(tmp_path / "t.parquet").metadata.row_group(0)
    encodings = {meta.column(i).path_in_schema: meta.column(i).encodings for i in range(meta.num_columns)}
    assert any("DICT" in e for e in encodings["country"]) and not any("DICT" in e for e in encodings["value"])


def test_write_text_is_atomic_and_leaves_no_temp(tmp_path):
    target = tmp_path / "r.html"
    atomic.write_text(target, "héllo")
    atomic.write_text(target, "second ✓")
    assert target.read_text(encoding="utf-8") == "second ✓"
    assert os.listdir(tmp_path) == ["r.html"]
    assert (target.stat().st_mode & 0o777) == 0o644


def test_failed_replace_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    target.write_text("old", encoding="utf-8")

    def boom(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError, match="disk gone"):
        atomic.write_text(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["r.html"]
