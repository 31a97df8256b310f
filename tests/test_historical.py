"""The historical scenario (2001-2010): generated from the country table, current, and it
replays the table's dates exactly; the malware wave lever it uses."""
from __future__ import annotations

import csv
import functools

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

import simspam
from simspam.api import validate
from simspam.calibration import historical
from simspam.paths import conf_dir

from conftest import run

RUN_END = "2005-06-30"   # a short run (4.5 years of the period) keeps the tests fast


def _rows():
    with open(conf_dir() / "world" / "world_2004.csv", newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def _in(date: str, last: str = "2010-12-31") -> bool:
    return bool(date) and "2001-01-01" < date <= last


@functools.lru_cache(maxsize=1)
def _short_run():
    cfg = simspam.compose(["scenario=historical", f"scenario.end={RUN_END}", "params.spammers.n_initial=300",
                           "params.spammers.max_spammers=900"])
    return simspam.simulate(cfg, command="pytest")


def test_the_file_is_current():
    assert historical.check(), "run: python -m simspam.calibration.historical --write"
    assert historical.main(["--check"]) == 0
    assert historical.render() == historical.render()


def test_every_entry_is_dated_in_the_period_or_before():
    data = OmegaConf.to_container(OmegaConf.load(historical.path()))
    assert data["name"] == "historical"
    assert (str(data["start"]), str(data["end"])) == ("2001-01-01", "2010-12-31")
    specs = [*data["levers"].values(), *data["events"].values()]
    assert len(specs) == len(historical.entries())
    for spec in specs:
        assert str(spec["start"]) <= "2010-12-31"
        if spec.get("end"):
            assert str(spec["start"]) <= str(spec["end"]) <= "2010-12-31"
    starts = [str(s["start"]) for s in data["levers"].values()]
    assert starts == sorted(starts)  # date order


def test_every_entry_cites_a_source_and_every_date_note_is_used():
    es = historical.entries()
    assert all(e.source for e in es)
    text = historical.path().read_text(encoding="utf-8")
    assert text.count("# Source: ") == len(es)
    for note in historical.DATE_NOTES.values():
        assert any(note in e.note for e in es), note
    for iso, date in historical.LAW_ESTIMATES:
        assert any(e.group == "law" and e.countries == [iso] and e.date == date for e in es), (iso, date)


def test_every_table_law_and_join_in_the_period_is_replayed():
    es = historical.entries()
    laws = {(e.countries[0], e.date) for e in es if e.group == "law"}
    for r in _rows():
        if r["law_2004"] != "none" and _in(r["law_in_force"]):
            assert (r["iso3"], r["law_in_force"]) in laws
        for item in filter(None, r["law_changes"].split(";")):
            date = item.split(":")[0]
            assert ((r["iso3"], date) in laws) == _in(date), (r["iso3"], item)
        for net, col in (("LAP", "lap_join"), ("CNSA", "cnsa_join"), ("SMMOU", "seoul_melbourne_join")):
            if _in(r[col]):
                assert any(e.spec.get("network") == net and e.date == r[col] and r["iso3"] in e.countries
                           for e in es), (r["iso3"], net)
    assert ("USA", "2006-12-22") in laws  # SAFE WEB: the FTC's cross-border powers


def test_it_composes_and_validates():
    cfg = simspam.compose(["scenario=historical"])
    typed, world, levers = validate(cfg)
    assert typed.start == "2001-01-01"
    assert abs(typed.years - 3652 / 365.25) < 1e-9  # to 2010-12-31 inclusive
    assert len(levers) == len(historical.entries())
    # the 2001 world: only the laws in force on 2001-01-01 (MEX, DEU, FRA, SWE)
    assert sorted(np.array(world.codes)[world.law > 0]) == ["DEU", "FRA", "MEX", "SWE"]


def test_laws_come_into_force_exactly_on_the_table_dates():
    res = _short_run()
    assert str(res.daily["date"].max().date()) == RUN_END
    ev = res.events
    adopted = ev[ev["kind"] == "law_adopted"]
    got = {(c, str(d.date())) for c, d in zip(adopted["country"], adopted["date"])}
    want = set()
    first = {}   # the day each country goes from no law to a law
    for r in _rows():
        if r["law_2004"] != "none" and _in(r["law_in_force"], RUN_END):
            want.add((r["iso3"], r["law_in_force"]))
            first[r["iso3"]] = r["law_in_force"]
        for item in filter(None, r["law_changes"].split(";")):
            date = item.split(":")[0]
            if _in(date, RUN_END):
                want.add((r["iso3"], date))
                if r["law_2004"] == "none":
                    first.setdefault(r["iso3"], date)
    assert got == want
    assert ("USA", "2004-01-01") in got and ("AUS", "2004-04-10") in got
    # the number of countries with a law in force rises exactly on those dates
    new = adopted[adopted["detail"].str.endswith("was none")]
    assert {(c, str(d.date())) for c, d in zip(new["country"], new["date"])} == set(first.items())
    law_count = 4 + new.groupby(new["date"].dt.strftime("%Y-%m-%d")).size().cumsum()
    expected = 4 + pd.Series(list(first.values())).value_counts().sort_index().cumsum()
    assert law_count.to_dict() == expected.to_dict()


def test_network_joins_and_mous_appear_on_their_dates():
    ev = _short_run().events
    joined = ev[ev["kind"] == "network_joined"]
    got = {(c, n, str(d.date())) for c, n, d in zip(joined["country"], joined["detail"], joined["date"])}
    want = set()
    for r in _rows():
        for net, col in (("LAP", "lap_join"), ("CNSA", "cnsa_join"), ("SMMOU", "seoul_melbourne_join")):
            if _in(r[col], RUN_END):
                want.add((r["iso3"], net, r[col]))
    assert want and got == want
    assert ("USA", "LAP", "2004-10-11") in got and ("ITA", "CNSA", "2005-02-07") in got
    mous = ev[ev["kind"] == "mou_signed"]
    pairs = {(tuple(sorted((a, b))), str(d.date())) for a, b, d in zip(mous["country"], mous["partner"], mous["date"])}
    assert pairs == {(("AUS", "KOR"), "2003-10-01"), (("AUS", "USA"), "2004-07-01"), (("GBR", "USA"), "2004-07-01"),
                     (("AUS", "GBR"), "2004-07-01"), (("ESP", "USA"), "2005-02-01")}


WAVE = "+scenario.levers.wave={type:malware_wave,start:'2004-06-01',end:'2005-03-01',countries:[USA,CHN],surge:2.0}"


def test_a_malware_wave_raises_infections_while_it_lasts():
    base, wave = run("seed=7"), run("seed=7", WAVE)
    b, w = base.daily, wave.daily
    before = b["date"] < "2004-06-01"
    pd.testing.assert_frame_equal(b[before], w[before], check_exact=True)   # common random numbers
    during = (b["date"] >= "2004-07-01") & (b["date"] < "2005-03-01")
    for c in ("USA", "CHN"):
        sel = during & (b["country"] == c)
        assert (w.loc[sel, "infected_machines"].to_numpy() > b.loc[sel, "infected_machines"].to_numpy()).all(), c
    # after the wave the hazard is back to normal: the extra infections are being cleaned up
    usa = w["country"] == "USA"
    gap = (w.loc[usa, "infected_machines"].to_numpy() - b.loc[usa, "infected_machines"].to_numpy())
    dates = w.loc[usa, "date"].to_numpy()
    at_end = gap[dates == np.datetime64("2005-03-01")][0]
    later = gap[dates == np.datetime64("2005-09-01")][0]
    assert 0 < later < at_end


def test_a_malware_wave_at_zero_strength_is_the_baseline():
    base = run("seed=7")
    zero = run("seed=7", WAVE[:-1] + ",strength:0}")
    pd.testing.assert_frame_equal(base.daily, zero.daily, check_exact=True)
    pd.testing.assert_frame_equal(base.events, zero.events, check_exact=True)


LULL = "+scenario.levers.lull={type:malware_lull,start:'2004-01-01',end:'2004-07-01',countries:[USA],strength:0.8}"


def test_a_malware_lull_cuts_the_infected_stock_and_the_hazard_until_it_ends():
    """Before spam malware (the historical run's 2001-2003): the infected stock starts at a fifth,
    stays low while few machines are recruited, and recovers once the lull ends."""
    base, lull = run("seed=7"), run("seed=7", LULL)
    b, w = base.daily, lull.daily
    usa = (b["country"] == "USA").to_numpy()
    ratio = w.loc[usa, "infected_machines"].to_numpy() / b.loc[usa, "infected_machines"].to_numpy()
    dates = b.loc[usa, "date"].to_numpy()
    assert ratio[0] == pytest.approx(0.2, rel=0.05)                       # the stock is cut on day 0
    on_july_1 = ratio[dates == np.datetime64("2004-07-01")][0]
    assert on_july_1 < 0.5                                                # still far below while it lasted
    assert ratio[dates == np.datetime64("2005-12-01")][0] > on_july_1 + 0.2   # the hazard came back
    other = ~usa
    pd.testing.assert_series_equal(b.loc[other & (b["date"] < "2004-01-22").to_numpy(), "infected_machines"],
                                   w.loc[other & (w["date"] < "2004-01-22").to_numpy(), "infected_machines"])
