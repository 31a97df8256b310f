"""The package installs as a wheel with its configs, scenarios, world table, map outlines and
report templates, and works from there without the checkout."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow   # builds and installs a wheel: processes by nature (pip, a fresh interpreter)
def test_wheel_carries_its_data_and_runs_without_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (whl,) = dist.glob("simspam-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    for scenario in (ROOT / "scenarios").glob("*.yaml"):
        assert f"simspam/_bundled/scenarios/{scenario.name}" in names
    for needed in ["simspam/_bundled/conf/config.yaml", "simspam/_bundled/conf/world/world_2004.csv",
                   "simspam/_bundled/conf/world/tiny.yaml", "simspam/viz/assets/world_110m.json",
                   "simspam/_bundled/conf/calibration/targets.csv", "simspam/_bundled/conf/calibration/fit.json",
                   "simspam/report/templates/report.html.j2", "simspam/report/templates/table.html.j2",
                   "simspam/report/templates/report.css"]:
        assert needed in names
    # what a user needs, not the fit's research records (they stay in the repository)
    assert not [n for n in names if "fit_trials" in n or "__pycache__" in n]
    assert whl.stat().st_size < 5_000_000, f"wheel is {whl.stat().st_size / 1e6:.1f} MB"
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(whl)],
                   check=True, capture_output=True, timeout=600)
    code = (
        "import simspam, simspam.paths as p\n"
        f"assert str(p.conf_dir()).startswith({str(site)!r}), p.conf_dir()\n"
        f"assert str(p.scenarios_dir()).startswith({str(site)!r})\n"
        "r = simspam.simulate(simspam.compose(['world=tiny', 'years=0.1', 'scenario=integrated']))\n"
        "from simspam.report.pages import run_page\n"
        "page = run_page(r.daily, r.events, r.summary)\n"
        "assert page.startswith('<!DOCTYPE html>') and '<h2>Provenance</h2>' in page, page[:200]\n"
        "print(simspam.__file__, len(r.daily))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(str(site))
