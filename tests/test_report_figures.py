"""The report's geographic and sweep figures, on small hand-made tables, without a browser;
and the per-run tables they are drawn from, on tiny simulations."""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from simspam.viz import sweep_figures as sf
from simspam.viz import world_figures as wf

EVIL = "<script>alert(1)</script> & co"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"


# --------------------------------------------------------------------------
# world map
# --------------------------------------------------------------------------


def country_series(names=("baseline", "laws")) -> pd.DataFrame:
    """3 seeds x 2 years x 3 countries (+ROW); seed s scales everything by s, so the median is seed 2."""
    rows = []
    for k, scen in enumerate(names):
        for seed in (1, 2, 3):
            for year in (2006, 2007):
                for j, c in enumerate(("USA", "CHN", "DEU", "ROW")):
                    sent = (100 * (j + 1) + 10 * (year - 2006) + 1000 * k) * seed
                    rows.append({"scenario": scen, "seed": seed, "year": year, "country": c, "spam_sent": sent,
                                 "spam_received": 7 * sent, "delivered": sent})
    return pd.DataFrame(rows)


def test_country_map_frame_carries_the_median_over_seeds():
    cs = country_series()
    fig = wf.country_map_figure(cs)
    assert fig.layout.meta["scenarios"] == ["baseline", "laws"]
    assert fig.layout.meta["measures"] == ["spam_sent", "spam_received"]
    assert [f.name for f in fig.frames] == ["2006", "2007"]
    frame = next(f for f in fig.frames if f.name == "2007")
    assert len(frame.data) == 4 and list(frame.traces) == [0, 1, 2, 3]
    # trace order: (baseline, sent), (baseline, received), (laws, sent), (laws, received)
    for trace, (scen, col) in zip(frame.data, [("baseline", "spam_sent"), ("baseline", "spam_received"),
                                               ("laws", "spam_sent"), ("laws", "spam_received")]):
        sub = cs[(cs.scenario == scen) & (cs.year == 2007) & (cs.country != "ROW")]
        expected = sub.groupby("country")[col].median()
        assert dict(zip(trace.locations, trace.z)) == expected.to_dict()
    assert "ROW" not in fig.data[0].locations
    # one colour scale over every year, scenario and measure
    assert fig.layout.coloraxis.cmin == 0
    assert fig.layout.coloraxis.cmax == cs[cs.country != "ROW"].groupby(
        ["scenario", "year", "country"])["spam_received"].median().max()


def test_country_map_shows_one_trace_at_a_time_from_a_dropdown():
    fig = wf.country_map_figure(country_series())
    assert [t.visible for t in fig.data] == [True, False, False, False]
    assert all(t.visible is None for f in fig.frames for t in f.data)  # frames never reset the choice
    menu = fig.layout.updatemenus[-1]
    assert [b.label for b in menu.buttons] == ["baseline: spam sent from", "baseline: spam received in",
                                               "laws: spam sent from", "laws: spam received in"]
    assert menu.buttons[3].args[0]["visible"] == [False, False, False, True]
    assert [s.label for s in fig.layout.sliders[0].steps] == ["2006", "2007"]
    assert fig.layout.geo.projection.rotation.lon == 0 and fig.layout.geo.resolution == 110


def test_country_map_subset_and_empty():
    fig = wf.country_map_figure(country_series(), scenarios=["laws"])
    assert fig.layout.meta["scenarios"] == ["laws"] and len(fig.data) == 2
    only_row = country_series().query("country == 'ROW'")
    assert wf.country_map_figure(only_row).layout.annotations
    assert wf.country_map_figure(None).layout.annotations


# --------------------------------------------------------------------------
# cooperation network
# --------------------------------------------------------------------------

CENTROIDS = {"USA": (-100.0, 40.0), "DEU": (10.0, 51.0), "CHN": (104.0, 35.0), "BRA": (-52.0, -10.0)}


def edges() -> pd.DataFrame:
    rows = [("coop", "start", "USA", "DEU", "MoU"),
            ("coop", "end", "USA", "DEU", "LAP+MoU"), ("coop", "end", "USA", "CHN", "LAP"),
            ("coop", "end", "DEU", "CHN", "LAP"), ("coop", "end", "USA", "ROW", "LAP"),
            ("other", "end", "USA", "BRA", "MoU")]
    return pd.DataFrame(rows, columns=["scenario", "when", "a", "b", "channel"]).assign(seed=0)


def test_network_edges_per_panel_coloured_by_channel():
    fig = wf.cooperation_network_figure(edges(), "coop", centroids=CENTROIDS, countries=["BRA"])
    assert fig.layout.meta["edges"] == {"start": 1, "end": 4}
    lines = [t for t in fig.data if t.mode == "lines"]
    by = {(t.geo, t.name): t for t in lines}
    assert set(by) == {("geo", "MoU"), ("geo2", "LAP+MoU"), ("geo2", "LAP")}
    # three LAP pairs at the end: three segments, each two points and a break
    lap = by[("geo2", "LAP")]
    assert len(lap.lon) == 9 and list(lap.lon[:3]) == [-100.0, 104.0, None]
    # ROW, which has no outline, sits at its fixed position
    assert tuple(wf.ROW_POSITION) in set(zip(lap.lon, lap.lat))
    # same channel, same colour; the legend lists each channel once
    colours = {t.name: t.line.color for t in lines}
    assert len(set(colours.values())) == 3
    assert sorted(t.name for t in lines if t.showlegend) == ["LAP", "LAP+MoU", "MoU"]
    nodes = [t for t in fig.data if t.mode == "markers+text"]
    end = dict(zip(nodes[1].text, nodes[1].customdata[:, 1]))
    assert end == {"BRA": 0, "USA": 3, "DEU": 2, "CHN": 2, "ROW": 1}  # BRA: a country with no channel


def test_network_without_channels_or_positions():
    fig = wf.cooperation_network_figure(edges(), "nothing", centroids=CENTROIDS, countries=["USA", "XYZ"])
    assert fig.layout.meta["edges"] == {"start": 0, "end": 0}
    assert fig.layout.meta["unplaced"] == ["XYZ"]
    assert any("no channels" in a.text for a in fig.layout.annotations)


def test_bundled_centroids_cover_the_world_table():
    ct = wf.country_centroids()
    world = pd.read_csv(__import__("simspam.paths", fromlist=["conf_dir"]).conf_dir() / "world" / "world_2004.csv")
    assert set(world["iso3"]) - {"ROW"} <= set(ct)
    lon, lat = ct["USA"]
    assert -130 < lon < -60 and 25 < lat < 50


# --------------------------------------------------------------------------
# relocations
# --------------------------------------------------------------------------


def relocations() -> pd.DataFrame:
    rows = []
    for seed in (1, 2):
        rows += [("baseline", seed, "USA", "CHN", "relocation_home", 3 * seed),
                 ("baseline", seed, "USA", "CHN", "relocation_infra", 1),
                 ("baseline", seed, "DEU", "RUS", "relocation_infra", 2),
                 ("baseline", seed, "CHN", "CHN", "relocation_infra", 50)]  # botnet rental
    rows.append(("laws", 1, "USA", "BRA", "relocation_home", 4))
    return pd.DataFrame(rows, columns=["scenario", "seed", "from_country", "to_country", "kind", "moves"])


def test_relocation_sankey_mean_per_run_without_self_moves():
    fig = wf.relocation_flows_figure(relocations(), runs_per_scenario={"baseline": 2, "laws": 4})
    base, laws = fig.data
    assert fig.layout.meta["scenarios"] == ["baseline", "laws"] and base.visible and not laws.visible
    labels = list(base.node.label)
    links = {(labels[s], labels[t], k): v for s, t, k, v in
             zip(base.link.source, base.link.target, base.link.customdata, base.link.value)}
    assert links == {("DEU", "RUS", "servers moved"): 2.0, ("USA", "CHN", "operators moved home"): 4.5,
                     ("USA", "CHN", "servers moved"): 1.0}
    assert "CHN" not in [labels[s] for s in base.link.source]  # the rental stayed in the country
    assert list(laws.link.value) == [1.0]  # 4 moves over 4 runs, one of which had any
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["baseline", "laws"]


def test_relocation_sankey_top_pairs():
    fig = wf.relocation_flows_figure(relocations(), scenarios=["baseline"], top=1)
    labels = list(fig.data[0].node.label)
    assert {(labels[s], labels[t]) for s, t in zip(fig.data[0].link.source, fig.data[0].link.target)} == {("USA", "CHN")}
    assert wf.relocation_flows_figure(relocations().query("from_country == to_country")).layout.annotations


# --------------------------------------------------------------------------
# sweeps
# --------------------------------------------------------------------------


def sensitivity() -> pd.DataFrame:
    return pd.DataFrame({"outcome": ["spam_delivered"] * 3 + ["social_cost"],
                         "parameter": ["p.a", "p.b", "p.c", "p.a"], "S1": [0.1, 0.6, 0.0, 0.5],
                         "S1_conf": [0.05, 0.1, 0.02, 0.1], "ST": [0.3, 0.7, 0.01, 0.5],
                         "ST_conf": [0.06, 0.1, 0.01, 0.1]})


def test_sensitivity_bars_sorted_by_total_index_with_intervals():
    fig = sf.sensitivity_figure(sensitivity(), "spam_delivered")
    s1, st = fig.data
    assert list(st.y) == ["p.b", "p.a", "p.c"] and list(st.x) == [0.7, 0.3, 0.01]
    assert list(s1.x) == [0.6, 0.1, 0.0] and list(s1.error_x.array) == [0.1, 0.05, 0.02]
    assert fig.layout.yaxis.autorange == "reversed"  # largest at the top
    assert sf.sensitivity_figure(None, "spam_delivered").layout.annotations
    assert sf.sensitivity_figure(sensitivity(), "consumer_hours").layout.annotations


def sweep_table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.uniform(0.001, 0.005, 12)
    return pd.DataFrame({"job": [str(i) for i in range(12)], "run_id": [f"r{i}" for i in range(12)],
                         "seed": [0] * 12, "params.consumers.response_rate": x, "world": "tiny", "years": 2.0,
                         "scenario": ["baseline", "integrated"] * 6, "status": "ok",
                         "spam_delivered": 1e9 * x / 0.001, "social_cost": 5e8 + 0 * x})


def test_swept_parameters_are_the_varying_numbers():
    t = sweep_table()
    assert sf.swept_parameters(t, ["spam_delivered", "social_cost"]) == ["params.consumers.response_rate"]
    assert sf.swept_parameters(t.assign(seed=range(12)).drop(columns="params.consumers.response_rate"),
                               ["spam_delivered", "social_cost"]) == ["seed"]


def test_parameter_scatter_and_outcome_spread():
    t = sweep_table()
    fig = sf.parameter_scatter_figure(t, "spam_delivered", ["params.consumers.response_rate"])
    assert [tr.name for tr in fig.data] == ["baseline", "integrated"]
    scale = fig.layout.meta["scale"]
    base = t[t.scenario == "baseline"]
    assert np.allclose(fig.data[0].x, base["params.consumers.response_rate"])
    assert np.allclose(np.asarray(fig.data[0].y) * scale, base["spam_delivered"])
    dist = sf.outcome_distribution_figure(t, ["spam_delivered", "social_cost", "not_there"])
    assert dist.layout.meta["outcomes"] == ["spam_delivered", "social_cost"]
    assert np.allclose(np.asarray(dist.data[0].x) * dist.layout.meta["scales"]["spam_delivered"], t["spam_delivered"])


# --------------------------------------------------------------------------
# purity and escaping
# --------------------------------------------------------------------------


def test_figures_do_not_touch_their_inputs():
    tables = {"cs": country_series(), "e": edges(), "r": relocations(), "s": sensitivity(), "t": sweep_table()}
    before = copy.deepcopy(tables)
    wf.country_map_figure(tables["cs"])
    wf.cooperation_network_figure(tables["e"], "coop", centroids=CENTROIDS)
    wf.relocation_flows_figure(tables["r"])
    sf.sensitivity_figure(tables["s"], "spam_delivered")
    sf.parameter_scatter_figure(tables["t"], "spam_delivered", ["params.consumers.response_rate"])
    for k in tables:
        pd.testing.assert_frame_equal(tables[k], before[k])


def test_config_text_is_escaped_in_every_new_figure():
    figs = [
        wf.country_map_figure(country_series(("baseline", EVIL))),
        wf.cooperation_network_figure(edges().replace({"coop": EVIL, "LAP": EVIL}), EVIL, centroids=CENTROIDS),
        wf.relocation_flows_figure(relocations().replace({"laws": EVIL})),
        sf.sensitivity_figure(sensitivity().replace({"p.a": EVIL}), "spam_delivered"),
        sf.parameter_scatter_figure(sweep_table().replace({"integrated": EVIL}).rename(
            columns={"params.consumers.response_rate": EVIL}), "spam_delivered", [EVIL]),
    ]
    for fig in figs:
        assert isinstance(fig, go.Figure)
        text = fig.to_json()
        assert "<script>" not in text and EVIL not in text
        for code, char in (("\\u003c", "<"), ("\\u003e", ">"), ("\\u0026", "&"), ("\\u002f", "/")):
            text = text.replace(code, char)
        assert EVIL_ESCAPED in text


# --------------------------------------------------------------------------
# the per-run tables, from real (tiny) runs
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_tables():
    import simspam
    from simspam.experiments.compare import build_specs
    from simspam.experiments.runner import run_tables

    cfg = simspam.compose(["world=tiny", "params.spammers.n_initial=200", "params.spammers.max_spammers=600",
                           "years=2", "compare.scenarios=[baseline,integrated]", "compare.seeds=2"],
                          config_name="compare")
    specs = build_specs(cfg)
    return specs, run_tables(specs, jobs=1)


def test_country_series_and_relocations_are_reductions_of_the_run(tiny_tables):
    from simspam.experiments.runner import compose_spec
    import simspam

    specs, t = tiny_tables
    spec = specs[1]
    res = simspam.simulate(compose_spec(spec))
    cs = t["country_series"].query("scenario == @spec.label and seed == @spec.seed")
    assert cs["spam_sent"].sum() == res.daily["spam_sent"].sum()
    by_country = res.daily.groupby("country")["spam_received"].sum()
    assert cs.groupby("country")["spam_received"].sum().to_dict() == by_country.to_dict()
    assert set(cs["year"]) == set(res.daily["date"].dt.year)
    rel = t["relocations"].query("scenario == @spec.label and seed == @spec.seed")
    moves = res.events[res.events["kind"].isin(["relocation_home", "relocation_infra"])]
    assert rel["moves"].sum() == len(moves) > 0
    home = moves[moves["kind"] == "relocation_home"]
    if len(home):
        a, b = home.iloc[0][["partner", "country"]]
        got = rel.query("from_country == @a and to_country == @b and kind == 'relocation_home'")["moves"]
        assert int(got.iloc[0]) == int(((home["partner"] == a) & (home["country"] == b)).sum())


def test_cooperation_edges_follow_the_channel_rule(tiny_tables):
    from simspam.api import build
    from simspam.experiments.runner import compose_spec, cooperation_edges

    specs, t = tiny_tables
    e = t["cooperation_edges"]
    assert set(e["when"]) <= {"start", "end"} and list(e.columns) == ["scenario", "seed", "when", "a", "b", "channel"]
    assert e.groupby("scenario")["seed"].nunique().eq(1).all()  # one run per scenario
    coop_end = e.query("scenario == 'integrated' and when == 'end'")
    assert len(coop_end) > len(e.query("scenario == 'integrated' and when == 'start'"))
    # the same pairs as Policy.channels, for a policy edited by hand
    sim = build(compose_spec(specs[0]))
    pol = sim.policy
    pol.law[:] = 1
    pol.cross_border[:] = True
    pol.mou[:] = 0
    pol.mou[0, 1] = pol.mou[1, 0] = 1.0
    for net in pol.networks.values():
        net.member[:] = False
    pol.changed()
    got = cooperation_edges(pol, sim.world.codes)
    assert list(zip(got["a"], got["b"], got["channel"])) == [(sim.world.codes[0], sim.world.codes[1], "MoU")]
    pol.cross_border[1] = False  # one side without cross-border powers: no channel
    pol.changed()
    assert cooperation_edges(pol, sim.world.codes).empty


def test_serial_and_parallel_give_identical_report_tables(tiny_tables):
    from simspam.experiments.runner import run_tables

    specs, serial = tiny_tables
    parallel = run_tables(specs, jobs=2)
    for name in ("series", "country_series", "relocations", "cooperation_edges"):
        pd.testing.assert_frame_equal(serial[name], parallel[name], check_exact=True)


def test_new_tables_are_documented():
    from simspam.docgen import docs_dir

    path = docs_dir() / "outputs.md"
    if not path.is_file():
        pytest.skip("docs not shipped")
    text = path.read_text(encoding="utf-8")
    for table, cols in {"country_series.parquet": ["scenario", "seed", "year", "country", "spam_sent",
                                                   "spam_received", "delivered"],
                        "relocations.parquet": ["from_country", "to_country", "kind", "moves"],
                        "cooperation_edges.parquet": ["when", "a", "b", "channel"]}.items():
        section = text.split(f"### `{table}`", 1)
        assert len(section) == 2, table
        body = section[1].split("###", 1)[0]
        for c in cols:
            assert f"| `{c}` |" in body, (table, c)


def test_sweep_table_takes_swept_values_from_the_design_rows():
    from simspam.report.sweep_report import sweep_table

    design = pd.DataFrame({"scenario": ["baseline"] * 3, "params.x": [0.1, 0.2, 0.3], "seed": [0, 0, 0],
                           "design_id": ["a", "b", "c"]})
    runs = pd.DataFrame({"job": ["0", "1", "2"], "design.row": [2, 0, 1], "design.file": "d.parquet",
                         "run_id": ["r2", "r0", "r1"], "scenario": "baseline", "seed": 0,
                         "status": ["ok", "ok", "failed"], "error": ["", "", "boom"]})
    outcomes = pd.DataFrame({"run_id": ["r0", "r2"], "spam_delivered": [10.0, 30.0]})
    t = sweep_table(runs, outcomes, design)
    assert list(t["job"]) == ["0", "1"]  # the failed run is not in the table
    assert dict(zip(t["run_id"], t["params.x"])) == {"r2": 0.3, "r0": 0.1}
    assert sf.swept_parameters(t, ["spam_delivered"]) == ["params.x"]
