"""Calibration targets, the fit and the validation report (issue 5).

``simspam-calibrate`` and ``simspam-validate`` run in-process (``conftest.invoke``); a process is
started only to stop one with SIGTERM.  Their entry points as processes: tests/test_errors.py.
"""
from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import simspam
from conftest import invoke
from simspam import validate_cli
from simspam.calibration import fit, targets as tg
from simspam.calibration.validate import summarise
from simspam.errors import ConfigError
from simspam.core.columns import DAILY


def _target(metric="spam_share", low=10.0, high=20.0, country="", start="2003-01-01", end="2003-12-31", id="X"):
    return tg.Target(id, metric, country, dt.date.fromisoformat(start), dt.date.fromisoformat(end), low, high, "%",
                     "src", "what")


def _daily(days: int = 730, start: str = "2003-01-01") -> pd.DataFrame:
    """Two countries, every column zero unless set: a table whose metrics are known by hand."""
    dates = pd.date_range(start, periods=days, freq="D")
    rows = []
    for i, d in enumerate(dates):
        for c in ("USA", "DEU"):
            row = {name: 0 for name in DAILY}
            row.update(date=d, country=c)
            rows.append(row)
    return pd.DataFrame(rows)


def test_bundled_targets_load_and_cite_a_source():
    ts = tg.load_targets()
    assert len(ts) >= 25
    assert len({t.id for t in ts}) == len(ts)
    for t in ts:
        assert t.source and t.what and t.low <= t.high and t.start <= t.end


def test_a_bad_targets_table_names_the_row_and_column(tmp_path):
    src = tg.targets_path().read_text().splitlines()
    bad = [src[0], src[1].replace(",spam_share,", ",spam_shares,", 1)] + src[2:]
    p = tmp_path / "t.csv"
    p.write_text("\n".join(bad) + "\n")
    with pytest.raises(ConfigError) as e:
        tg.load_targets(p)
    assert "metric" in str(e.value) and "spam_shares" in str(e.value)


def test_distance_is_zero_inside_and_grows_outside_in_band_widths():
    t = _target(low=10, high=20)
    assert t.distance(15) == 0 and t.hit(15) and t.hit(10) and t.hit(20)
    assert t.distance(25) == pytest.approx(0.5) and t.distance(0) == pytest.approx(1.0)
    assert not t.hit(25) and not t.hit(float("nan"))
    # aiming inside: the band narrowed by 10% of its width on each side, distances still in full widths
    assert t.distance(11, inset=0.1) == 0 and t.distance(10.5, inset=0.1) == pytest.approx(0.05)
    assert t.distance(25, inset=0.1) == pytest.approx(0.6)
    wide = _target(low=10, high=1000)   # a factor of 100: log scale, symmetric in ratios
    assert wide.distance(5) == pytest.approx(wide.distance(2000))
    assert wide.distance(0) == tg.CAP and t.distance(1e9) == tg.CAP


def test_metrics_on_a_table_with_known_answers():
    d = _daily()
    p = simspam.compose([]).params
    in_2003 = d["date"].dt.year == 2003
    # spam share 20% in the first half of 2003, 60% from July: crosses 50% in July 2003
    d.loc[:, "legit_sent"] = 100
    d.loc[:, "spam_received"] = np.where(d["date"] < "2003-07-01", 25, 150)
    d.loc[:, "spam_sent"] = 1000
    d.loc[d["country"] == "USA", "spam_sent"] = 3000
    d.loc[:, "delivered"] = 20
    d.loc[:, "sales"] = np.where(in_2003, 1, 0)
    share = tg.METRICS["spam_share"](d, None, _target(start="2003-07-01", end="2003-12-31"), p)
    assert share == pytest.approx(60.0)
    assert tg.METRICS["share_crosses_50"](d, None, _target(), p) == pytest.approx(2003 + 6 / 12)
    assert tg.METRICS["origin_share"](d, None, _target(country="USA"), p) == pytest.approx(75.0)
    assert tg.METRICS["inbox_rate"](d, None, _target(), p) == pytest.approx(100 * 40 / 4000)
    assert tg.METRICS["sent_per_sale_m"](d, None, _target(), p) == pytest.approx(4000 / 2 / 1e6)
    # reaching a server (E1, as a sender sees it): not stopped at the origin nor refused by a blocklist
    d.loc[:, "blocked_outbound"] = 100
    d.loc[:, "rejected_blocklist"] = 300
    assert tg.METRICS["reached_server"](d, None, _target(), p) == pytest.approx(100 * (1 - 800 / 4000))
    # ever bought, on one country's users: 1 sale a day per country over 2003, legit_per_user x 1000 users
    d["legit_sent"] = 1000 * p.consumers.legit_per_user   # a float column: the parameter is not a round number
    share = p.consumers.responder_share
    bought = tg.METRICS["users_bought"](d, None, _target(country="USA"), p)
    assert bought == pytest.approx(100 * share * (1 - np.exp(-365 / (1000 * share))))
    assert tg.METRICS["users_bought"](d, None, _target(), p) == pytest.approx(bought)   # two equal countries
    ev = pd.DataFrame({"kind": ["assistance_requested"] * 3 + ["case_opened"], "partner": ["USA", "USA", "DEU", "USA"],
                       "date": pd.to_datetime(["2003-02-01", "2003-05-01", "2003-05-01", "2003-05-01"])})
    assert tg.METRICS["assistance_received_per_year"](d, ev, _target(country="USA"), p) == pytest.approx(2 / (365 / 365.25))


def test_ever_responded_spreads_responses_over_the_responders_only():
    # 1000 users, 1000 responses: everyone-responds gives 1 - e^-1; a 10% minority caps it at 10%
    assert tg._ever(1000, 1000, 1.0) == pytest.approx(100 * (1 - np.exp(-1)))
    assert tg._ever(1000, 1000, 0.1) == pytest.approx(10 * (1 - np.exp(-10)))
    assert tg._ever(0, 1000, 0.1) == 0


def test_measure_leaves_targets_outside_the_run_unmeasured():
    d = _daily(days=365)
    d.loc[:, "legit_sent"] = 10
    out = tg.measure(d, pd.DataFrame(), simspam.compose([]).params,
                     [_target(id="in"), _target(id="out", start="2005-01-01", end="2005-12-31")])
    assert out["in"] == 0.0 and np.isnan(out["out"])


def test_objective_uses_the_median_of_seeds_and_the_2004_consistency_term():
    ts = [_target(id="A", low=10, high=20)]
    assert fit.objective([{"A": 25.0, "_ops_2004": 1.0}], ts, 1.0, 0.0)[0] == pytest.approx(0.5)   # L1, not squared
    seeds = [{"A": 15.0, "_ops_2004": 100.0}, {"A": 30.0, "_ops_2004": 100.0}, {"A": 16.0, "_ops_2004": 100.0}]
    loss, med = fit.objective(seeds, ts, n_initial=100.0, weight=1.0)
    assert med["A"] == 16.0 and loss == 0.0
    loss, _ = fit.objective(seeds, ts, n_initial=100.0 * np.e, weight=2.0)
    assert loss == pytest.approx(2.0)
    assert fit.objective([{"_error": "boom"}], ts, 1.0, 1.0)[0] >= 1e6


def test_fit_dimensions_map_the_unit_cube_to_ranges():
    d = fit.Dim("x", 1e-4, 1e-2, True, "")
    assert d.value(0) == pytest.approx(1e-4) and d.value(1) == pytest.approx(1e-2) and d.value(0.5) == pytest.approx(1e-3)
    assert d.unit(d.value(0.3)) == pytest.approx(0.3)
    spec = fit.load_fit_spec()
    declared = simspam.compose([]).params
    for dim in spec["dims"]:   # every fitted parameter exists and its range is inside the declared range
        group, name = dim.key.split(".")
        assert name in declared[group], dim.key


def test_a_dimension_per_another_searches_their_product():
    """`per`: the search moves no_law_complaints x complaint_rate (complaints without a law, which
    C4 USA pins), so a move of complaint_rate alone leaves that product where it was."""
    dims = [fit.Dim("consumers.complaint_rate", 1e-6, 1e-4, True, ""),
            fit.Dim("consumers.no_law_complaints", 1e-7, 1e-4, True, "", per="consumers.complaint_rate")]
    a = fit.to_values(dims, np.array([0.2, 0.5]))
    b = fit.to_values(dims, np.array([0.8, 0.5]))
    assert b["consumers.complaint_rate"] > 10 * a["consumers.complaint_rate"]
    prod = [v["consumers.no_law_complaints"] * v["consumers.complaint_rate"] for v in (a, b)]
    assert prod[0] == pytest.approx(prod[1]) == pytest.approx(np.sqrt(1e-7 * 1e-4))
    assert fit.to_units(dims, b) == pytest.approx([0.8, 0.5])
    assert fit.overrides(dims, np.array([0.8, 0.5]))[1] == f"params.consumers.no_law_complaints={b['consumers.no_law_complaints']!r}"


@pytest.mark.parametrize("edit, key, words", [
    ({"spammers.entry_rate": {"lo": 1.0, "hi": 500.0, "scale": "log"}}, "spammers.entry_rate.hi",
     "500.0 is out of range (allowed: a number in [0.0, 50.0])"),
    ({"regulators.case_conversion": {"lo": 1e-9, "hi": 1e-8, "scale": "log", "per": "consumers.nowhere"}},
     "regulators.case_conversion.per", "'consumers.nowhere'"),
    ({"spammers.no_such_thing": {"lo": 1.0, "hi": 2.0, "scale": "lin"}}, "spammers.no_such_thing", "unknown key"),
])
def test_a_fit_spec_outside_the_schema_is_refused_naming_the_key(tmp_path, edit, key, words):
    spec = yaml.safe_load(Path(fit.conf_dir() / "calibration" / "fit.yaml").read_text())
    spec["parameters"].update(edit)
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    with pytest.raises(ConfigError) as err:
        fit.load_fit_spec(tmp_path / "spec.yaml")
    assert f"fit.parameters.{key}" in str(err.value) and words in str(err.value)


def small_fit_spec(tmp_path: Path) -> Path:
    """The bundled fit specification on a short run (to mid-2002, 200 operations) and two seeds,
    written to tmp_path/spec.yaml: what the command-line tests fit, in seconds."""
    spec = yaml.safe_load(Path(fit.conf_dir() / "calibration" / "fit.yaml").read_text())
    spec["overrides"] = ["scenario.end=2002-06-30", "params.spammers.n_initial=200"]
    spec["seeds"] = [5, 6]
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def calibrate(*args: str):
    return invoke(fit.main, *args)


def small_fit(tmp_path: Path) -> tuple[Path, Path, dict, pd.DataFrame]:
    """A fit with every stage (3 screened points, Nelder-Mead 2, Powell 2) of the small spec, checked;
    returns (spec, out, fit.json, trials)."""
    spec = small_fit_spec(tmp_path)
    out = tmp_path / "out"
    proc = calibrate("--spec", str(spec), "--screen", "3", "--polish", "2", "--powell", "2", "--jobs", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    prov = json.loads((out / "calibration" / "fit.json").read_text())
    assert prov["seeds"] == [5, 6] and prov["targets_hash"] == fit.file_hash(tg.targets_path())
    assert np.isfinite(prov["objective"]) and prov["evaluations"] >= 5
    params = yaml.safe_load((out / "params" / "calibrated.yaml").read_text())
    def value(key):
        group, name = key.split(".")
        return params[group][name]

    assert any("per" in p for p in prov["parameters"].values())   # the bundled spec searches products too
    for key, p in prov["parameters"].items():
        assert value(key) == p["value"]   # the fitted point itself, not a rounding of it (runs are chaotic)
        searched = value(key) * (value(p["per"]) if "per" in p else 1.0)   # a `per` range is the product's
        assert p["lo"] <= searched * (1 + 2e-3) and searched <= p["hi"] * (1 + 2e-3)
    trials = pd.read_csv(out / "calibration" / "fit_trials.csv")
    assert set(trials["stage"]) <= {"screen", "polish", "powell"} and len(trials) == prov["evaluations"]
    assert prov["stages"]["screen"] == 3 and prov["stages"]["polish"] >= 2
    # the Powell budget is a hard one (scipy alone checks it only after a whole pass, ~10 x 36 runs)
    assert prov["stages"]["powell"] == 2
    assert f"wrote {out / 'params' / 'calibrated.yaml'}" in proc.stdout
    return spec, out, prov, trials


def test_calibrate_command_writes_parameters_with_provenance(tmp_path):
    small_fit(tmp_path)


@pytest.mark.slow
def test_calibrate_resumes_and_warm_starts_from_earlier_trials(tmp_path):
    spec, out, prov, trials = small_fit(tmp_path)
    # resuming keeps every earlier trial, runs only the Powell stage, and says so
    saved = tmp_path / "earlier.csv"
    # plus a perfect-looking trial on one seed: it must not lend its hits to the resumed fit's point
    lucky = trials.iloc[[0]].copy()
    lucky["stage"], lucky["seeds"], lucky["hits"], lucky["t._ops_2004"] = "powell", 1, 30, np.nan
    for t in tg.load_targets():
        lucky[f"t.{t.id}"] = (t.low + t.high) / 2
    pd.concat([trials, lucky]).to_csv(saved, index=False)
    proc = calibrate("--spec", str(spec), "--resume", str(saved), "--powell", "3", "--jobs", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    again = json.loads((out / "calibration" / "fit.json").read_text())
    assert again["resumed_from"]["trials"] == len(trials) + 1 and again["evaluations"] > len(trials) + 1
    assert again["objective"] <= prov["objective"] + 1e-9   # never worse than where it resumed
    assert again["stages"]["polish"] == prov["stages"]["polish"]   # no Nelder-Mead unless asked for
    assert again["stages"]["powell"] == prov["stages"]["powell"] + 1 + 3   # the lucky row, then --powell 3
    rows = pd.read_csv(out / "calibration" / "fit_trials.csv")
    full = rows[(rows["seeds"] == 2) & rows["stage"].isin(["polish", "powell"])]
    assert again["hits"] == int(full.loc[full["loss"].idxmin(), "hits"]) != 30
    # asked for (--polish N with --resume): Nelder-Mead from the resumed best, then Powell
    saved.write_bytes((out / "calibration" / "fit_trials.csv").read_bytes())
    proc = calibrate("--spec", str(spec), "--resume", str(saved), "--polish", "2", "--powell", "0", "--jobs", "2",
                     "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    third = json.loads((out / "calibration" / "fit.json").read_text())
    assert third["stages"]["polish"] >= again["stages"]["polish"] + 2
    assert third["objective"] <= again["objective"] + 1e-9
    # a warm-started full fit: the earlier best point competes in the screen and is recorded
    proc = calibrate("--spec", str(spec), "--warm-start", str(saved), "--screen", "2", "--polish", "1", "--powell", "0",
                     "--jobs", "2", "--out", str(tmp_path / "warm"))
    assert proc.returncode == 0, proc.stderr
    warm = json.loads((tmp_path / "warm" / "calibration" / "fit.json").read_text())
    assert warm["stages"]["screen"] == 3 and warm["warm_start"]["file"] == str(saved)
    earlier = pd.read_csv(saved)
    best = earlier.loc[earlier[earlier["seeds"] == 2]["loss"].idxmin()]
    for key, value in warm["warm_start"]["point"].items():
        assert value == pytest.approx(best[key], rel=1e-9)
    # it competed in the screen (on the first seed, where a random point may beat it)
    screened = pd.read_csv(tmp_path / "warm" / "calibration" / "fit_trials.csv").query("stage == 'screen'")
    keys = list(warm["warm_start"]["point"])
    assert np.isclose(screened[keys].to_numpy(float), best[keys].to_numpy(float), rtol=1e-9).all(axis=1).sum() == 1


def test_calibrate_rejects_a_bad_spec_with_exit_code_2(tmp_path):
    spec = yaml.safe_load(Path(fit.conf_dir() / "calibration" / "fit.yaml").read_text())
    spec["parameters"]["spammers.entry_rate"]["lo"] = 100.0   # lo > hi
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    proc = calibrate("--spec", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "spammers.entry_rate" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_calibrate_rejects_search_options_that_cannot_give_a_result(tmp_path):
    spec = small_fit_spec(tmp_path)
    # screened on one seed and no search after it: nothing is scored on all the seeds, nothing written
    none = calibrate("--spec", str(spec), "--screen", "2", "--polish", "0", "--powell", "0", "--jobs", "2",
                     "--out", str(tmp_path / "none"))
    assert none.returncode == 2 and len(none.stderr.strip().splitlines()) == 1 and "--powell" in none.stderr
    assert not (tmp_path / "none").exists()
    bad = calibrate("--spec", str(spec), "--screen-seeds", "3", "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "--screen-seeds" in bad.stderr and "1 to the fit's 2 seeds" in bad.stderr
    # a key that is not fitted: one line naming --only and the key, exit 2, nothing written
    bad = calibrate("--spec", str(spec), "--only", "isps.blocklist,isps.nonsense", "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "--only" in bad.stderr and "isps.nonsense" in bad.stderr
    assert not (tmp_path / "bad").exists()


@pytest.mark.slow
def test_only_confines_the_screen_nelder_mead_and_powell_to_the_named_parameters(tmp_path):
    spec = small_fit_spec(tmp_path)
    out = tmp_path / "out"
    only = ["spammers.evasion_cost", "isps.blocklist"]
    proc = calibrate("--spec", str(spec), "--screen", "2", "--polish", "5", "--powell", "8", "--only", ",".join(only),
                     "--jobs", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    prov = json.loads((out / "calibration" / "fit.json").read_text())
    assert prov["search_only"] == only and prov["stages"]["powell"] == 8
    trials = pd.read_csv(out / "calibration" / "fit_trials.csv")
    searched = trials[trials["stage"].isin(["polish", "powell"])]
    assert set(searched["stage"]) == {"polish", "powell"}
    others = [k for k in prov["parameters"] if k not in only]
    assert (searched[others].nunique() == 1).all()          # held where the search started
    for stage in ("polish", "powell"):                      # and the named ones searched
        assert searched.loc[searched["stage"] == stage, only].nunique().max() > 1
    start = trials[trials["stage"] == "screen"].sort_values("loss").iloc[0]
    assert np.allclose(searched[others].iloc[0].to_numpy(float), start[others].to_numpy(float), rtol=1e-9)
    # a screen of the named parameters around a warm start, on all the seeds: the others sit at
    # the warm start's point
    warm_file = tmp_path / "trials.csv"
    trials.to_csv(warm_file, index=False)
    proc = calibrate("--spec", str(spec), "--warm-start", str(warm_file), "--screen", "3", "--screen-seeds", "2",
                     "--polish", "0", "--powell", "0", "--only", ",".join(only), "--jobs", "2",
                     "--out", str(tmp_path / "screen"))
    assert proc.returncode == 0, proc.stderr
    warm = json.loads((tmp_path / "screen" / "calibration" / "fit.json").read_text())
    screened = pd.read_csv(tmp_path / "screen" / "calibration" / "fit_trials.csv")
    assert len(screened) == 4 and (screened["seeds"] == 2).all()    # three points and the warm start
    point = pd.Series(warm["warm_start"]["point"])
    assert np.allclose(screened[others].to_numpy(float), point[others].to_numpy(float)[None, :], rtol=1e-9)
    assert screened[only].nunique().min() >= 3
    # screened on all the seeds, with no search after it: the best screened point is the result
    top = screened.loc[screened["loss"].idxmin()]
    assert warm["objective"] == pytest.approx(top["loss"], rel=1e-12) and warm["hits"] == top["hits"]


def test_conflicts_finds_targets_never_hit_together_and_counts_distinct_points_only(tmp_path):
    # A and B trade against each other (one parameter moves both in opposite directions),
    # C is hit half the time whatever happens; D is never hit
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 400)
    ts = [_target(id=k, low=10, high=20) for k in "ABCD"]
    trials = pd.DataFrame({"stage": "powell", "loss": 1.0, "seeds": 20, "p.x": x, "p.y": rng.uniform(0, 1, 400),
                           "t.A": np.where(x < 0.5, 15.0, 25.0), "t.B": np.where(x > 0.45, 15.0, 5.0),
                           "t.C": rng.choice([15.0, 30.0], 400), "t.D": 50.0, "t._ops_2004": 500 + x})
    trials["hits"] = sum(((trials[f"t.{k}"] >= 10) & (trials[f"t.{k}"] <= 20)).astype(int) for k in "ABCD")
    # a resumed file repeats its points (known by their outcomes), and points on fewer seeds do not count
    noise = trials.assign(seeds=1, **{"t.A": 15.0, "t.B": 15.0})
    pairs, singles, n = fit.target_conflicts(pd.concat([trials, trials.iloc[:50], noise]), ts, min_seeds=10)
    assert n == 400
    first = pairs.iloc[0]
    assert {first["a"], first["b"]} == {"A", "B"}
    both = int(((x < 0.5) & (x > 0.45)).sum())
    assert first["both"] == both and first["hit_a"] == int((x < 0.5).sum())
    assert first["expected"] > 5 * max(both, 1)               # far rarer than chance
    assert first["best_hits"] <= 3
    d = singles.set_index("target").loc["D"]
    assert d["points_hitting"] == 0 and d["best_hits"] == 0
    # the command prints the same pair first, and a missing file is a one-line error, exit 2
    path = tmp_path / "trials.csv"
    trials.to_csv(path, index=False)
    targets = tmp_path / "targets.csv"
    pd.DataFrame([{"id": t.id, "metric": "spam_share", "country": "", "from": "2003-01-01", "to": "2003-12-31",
                   "low": 10, "high": 20, "unit": "%", "source": "src", "what": "what"} for t in ts]).to_csv(targets, index=False)
    out = calibrate("--conflicts", str(path), "--targets", str(targets))
    assert out.returncode == 0, out.stderr
    assert "400 distinct points" in out.stdout
    line = out.stdout.split("expected: if they were independent)")[1].splitlines()[2].split()
    assert set(line[:2]) == {"A", "B"}
    bad = calibrate("--conflicts", str(tmp_path / "none.csv"))
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "none.csv" in bad.stderr


def test_summarise_marks_hits_by_the_median_and_explains_misses():
    ts = [_target(id="A", low=10, high=20), _target(id="B", low=0, high=1)]
    per_seed = pd.DataFrame({"seed": [1, 2, 3, 1, 2, 3], "target": ["A"] * 3 + ["B"] * 3,
                             "value": [12, 14, 40, 5, 6, 7]})
    v = summarise(ts, per_seed, {"B": "a known reason"})
    a, b = v.set_index("target").loc["A"], v.set_index("target").loc["B"]
    assert a["hit"] and a["median"] == 14 and a["why_missed"] == ""
    assert not b["hit"] and "above" in b["why_missed"] and "a known reason" in b["why_missed"]
    assert {"target", "low", "high", "median", "q05", "q95", "hit", "source"} <= set(v.columns)


def test_validation_report_is_data_with_the_misses_and_their_reasons():
    """The validation's page is built from its tables (no run): every target in the table, each miss
    with its reason, the hit count in the subtitle; all of it plain text for the escaping renderer."""
    from simspam.report.html import render
    from simspam.report.validation_report import build_validation_report

    ts = [_target(id="A", low=10, high=20), _target(id="B", low=0, high=1)]
    per_seed = pd.DataFrame({"seed": [1, 2, 1, 2], "target": ["A", "A", "B", "B"], "value": [12, 14, 5, 6]})
    v = summarise(ts, per_seed, {"B": "a <known> reason"})
    months = pd.date_range("2001-01-01", periods=3, freq="MS")
    trajectory = pd.DataFrame({"month": months, "median": [40.0, 50, 60], "q05": [35.0, 45, 55], "q95": [45.0, 55, 65]})
    published = pd.DataFrame({"year_from": [pd.Timestamp("2001-01-01")], "year_to": [pd.Timestamp("2001-12-31")],
                              "low": [30.0], "high": [50.0], "label": ["S1 (source)"]})
    report = build_validation_report(v, trajectory, published, {"command": "simspam-validate", "seeds": 2})
    assert report.subtitle.startswith("1 of 2 targets hit (50 %)")
    targets, misses = report.sections[1].tables[0], report.sections[2].tables[0]
    assert [r[0] for r in targets.rows] == ["A", "B"] and [r[0] for r in misses.rows] == ["B"]
    assert "a <known> reason" in misses.rows[0][2]
    page = render(report)
    assert "a &lt;known&gt; reason" in page and "a <known>" not in page
    assert page.count('class="plotly-graph-div"') == 2


def test_validate_command_writes_the_table_and_an_offline_page(tmp_path):
    out = tmp_path / "v"
    proc = invoke(validate_cli.main, "--seeds", "2", "--jobs", "2", "--out", str(out), "scenario.end=2002-06-30",
                  "params.spammers.n_initial=200")
    assert proc.returncode == 0, proc.stderr
    v = pd.read_parquet(out / "validation.parquet")
    assert list(v.columns[:8]) == ["target", "what", "metric", "country", "from", "to", "low", "high"]
    assert {"median", "q05", "q95", "hit", "source", "why_missed"} <= set(v.columns)
    assert len(v) == len(tg.load_targets())
    assert (v["q05"] <= v["median"] + 1e-9).all() or v["median"].isna().any()
    page = (out / "validation.html").read_text()
    assert "Spam share of all e-mail" in page and "<script src=" not in page
    assert f"{int(v['hit'].sum())} of {len(v)} targets hit" in page


def test_validate_rejects_bad_input_with_one_line_and_exit_code_2(tmp_path):
    for args, key in ((["--seeds", "0"], "--seeds"), (["params.consumers.response_rate=2"], "response_rate")):
        proc = invoke(validate_cli.main, "--out", str(tmp_path / "x"), *args, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert key in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "x").exists()


def test_the_default_world_runs_with_the_calibrated_parameters_and_declared_ones_on_request():
    calibrated = yaml.safe_load((fit.conf_dir() / "params" / "calibrated.yaml").read_text())
    prov = json.loads((fit.conf_dir() / "calibration" / "fit.json").read_text())
    assert set(f"{g}.{k}" for g, d in calibrated.items() for k in d) == set(prov["parameters"])
    default = simspam.compose([]).params
    declared = simspam.compose(["params=declared"]).params
    from simspam.config.schema import Params

    schema = Params()
    for group, values in calibrated.items():
        for name, value in values.items():
            assert default[group][name] == pytest.approx(value), f"{group}.{name}"
            assert declared[group][name] == getattr(getattr(schema, group), name)
    # the fit's provenance names the targets it was fitted to: a changed targets file is visible
    assert prov["targets_hash"] == fit.file_hash(tg.targets_path())


def test_a_run_starting_in_2001_scales_users_and_operations_back_from_2004():
    """The table's users and n_initial describe 2004: a 2001 start has fewer of both, by
    world.user_growth and spammers.early_growth over the three years."""
    over = ["scenario.start=2001-01-01", "scenario.end=2001-01-10", "params.spammers.n_initial=1000",
            "params.spammers.early_growth=0.5", "world.user_growth=0.1"]
    r01 = simspam.simulate(simspam.compose(over))
    r04 = simspam.simulate(simspam.compose([*over[2:], "start=2004-01-01", "years=0.03"]))
    p = r01.config.params
    day0 = lambda r: r.daily[r.daily["date"] == r.daily["date"].min()]
    users01 = day0(r01)["legit_sent"].sum() / p.consumers.legit_per_user
    users04 = day0(r04)["legit_sent"].sum() / p.consumers.legit_per_user
    years = (dt.date(2004, 1, 1) - dt.date(2001, 1, 1)).days / 365.25
    assert users01 / users04 == pytest.approx(np.exp(-0.1 * years), rel=1e-3)
    day0_changes = r01.events[(r01.events["time"] < 1) & r01.events["kind"].isin(["spammer_entry", "spammer_exit"])]
    assert len(day0_changes) == 0   # so day 0 shows the initial population exactly
    assert day0(r01)["active_spammers"].sum() == round(1000 * np.exp(-0.5 * years))
    assert day0(r04)["active_spammers"].sum() >= 900


@pytest.mark.slow
def test_killed_fit_leaves_no_worker_behind_and_writes_nothing(tmp_path):
    """`kill` (SIGTERM) on simspam-calibrate used to leave its pool workers running as orphans
    until their queued runs finished; now it ends like Ctrl-C: queued runs are cancelled,
    running ones awaited, exit code 128 + 15, and no output file is written."""
    spec = small_fit_spec(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "simspam.calibration.fit", "--spec", str(spec),
                             "--screen", "400", "--jobs", "2", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    children: list[int] = []
    deadline = time.time() + 120
    while len(children) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.5)
        kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        children = [int(c) for c in kids.read_text().split()] if kids.exists() else []
    assert len(children) >= 2, "the fit's two workers never started"
    time.sleep(1.0)   # the workers are busy with screen runs now
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "stopped (SIGTERM): no parameters written" in err and "Traceback" not in err
    time.sleep(0.5)
    alive = [c for c in children if Path(f"/proc/{c}").exists()
             and Path(f"/proc/{c}/stat").read_text().split()[2] != "Z"]
    assert not alive, f"workers {alive} outlived the fit"
    assert not (out / "params" / "calibrated.yaml").exists() and not (out / "calibration" / "fit.json").exists()
