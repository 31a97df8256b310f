"""Tests for the comparison figures and report, on small synthetic tables, without a browser.

The tables mimic what a comparison produces: 3 scenarios x 5 seeds under
common random numbers (a large seed effect shared by all scenarios, so the
paired intervals are much narrower than the unpaired ones), 3 years of
series, a 2-lever factorial and a 4-country priority table.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs
from scipy import stats

from simspam.report import compare_report
from simspam.report.compare_report import SECTION_HEADINGS
from simspam.report.compare_report import build_compare_report as build_report
from simspam.report.html import render
from simspam.report.model import Report
from simspam.report.pages import comparison_extras
from simspam.results.comparison import write_comparison
from simspam.viz import compare_figures as cf
from simspam.viz.units import number as human_number
from conftest import parse_html


def build_compare_report(tables, summary) -> str:
    """The comparison's report, rendered as its page."""
    report = build_report(tables, summary)
    assert isinstance(report, Report)
    return render(report)

EVIL = "<script>alert(1)</script>"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
SCENARIOS = ("baseline", "legislation", "cooperation")
SEEDS = (1, 2, 3, 4, 5)
YEARS = (2024, 2025, 2026)
OUTCOMES = ("spam_delivered", "consumer_hours", "social_cost", "spammer_revenue", "spam_share_last_year")
# multiplicative effect of each scenario on every outcome (lower is better)
EFFECT = {"baseline": 1.0, "legislation": 0.8, "cooperation": 0.93}
LEVEL = {
    "spam_delivered": 4e9,
    "consumer_hours": 2e7,
    "social_cost": 3e8,
    "spammer_revenue": 5e7,
    "spam_share_last_year": 60.0,
}


def make_runs(names=SCENARIOS) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    luck = dict(zip(SEEDS, rng.normal(1.0, 0.15, len(SEEDS))))  # shared by all scenarios of a seed
    rows = []
    for scen_key, name in zip(SCENARIOS, names):
        for seed in SEEDS:
            own = rng.normal(1.0, 0.01)  # small scenario-specific noise
            row = {
                "run_id": f"{scen_key[:3]}{seed}",
                "scenario": name,
                "seed": seed,
                "status": "ok",
                "error": "",
                "runtime_s": 1.0 + seed / 10,
                "policy_cost": 0.0 if scen_key == "baseline" else (2e6 if scen_key == "legislation" else 5e5),
                "spam_sent": 1e10 * luck[seed] * EFFECT[scen_key],
            }
            for o, level in LEVEL.items():
                row[o] = level * luck[seed] * EFFECT[scen_key] * own
            rows.append(row)
    runs = pd.DataFrame(rows)
    return runs


def paired_comparison(runs: pd.DataFrame, baseline: str = "baseline", level: float = 0.9) -> pd.DataFrame:
    """Independent reference implementation of the ``comparison`` table."""
    rows = []
    base = runs.loc[runs["scenario"] == baseline].set_index("seed")
    for scen, g in runs.groupby("scenario", sort=False):
        g = g.set_index("seed").loc[list(SEEDS)]
        for o in OUTCOMES:
            v = g[o].to_numpy()
            row = {
                "scenario": scen,
                "outcome": o,
                "median": float(np.median(v)),
                "low": float(np.quantile(v, 0.05)),
                "high": float(np.quantile(v, 0.95)),
                "n": len(v),
            }
            if scen == baseline:
                for k in ("mean_diff", "median_diff", "ci_low", "ci_high", "p_better", "unpaired_low",
                          "unpaired_high", "variance_reduction", "averted"):
                    row[k] = np.nan
            else:
                b = base.loc[list(SEEDS), o].to_numpy()
                d = v - b
                n = len(d)
                t = stats.t.ppf((1 + level) / 2, n - 1)
                hw = t * d.std(ddof=1) / np.sqrt(n)
                se_u = np.sqrt(v.var(ddof=1) / n + b.var(ddof=1) / n)
                hw_u = stats.t.ppf((1 + level) / 2, n - 1) * se_u
                row.update(
                    mean_diff=d.mean(), median_diff=float(np.median(d)), ci_low=d.mean() - hw, ci_high=d.mean() + hw,
                    p_better=float((d < 0).mean()), unpaired_low=d.mean() - hw_u, unpaired_high=d.mean() + hw_u,
                    variance_reduction=(hw_u / hw) ** 2 if hw > 0 else (np.inf if hw_u > 0 else 1.0),
                    averted=-d.mean(),
                )
            rows.append(row)
    return pd.DataFrame(rows)


def make_series(runs: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for _, r in runs.iterrows():
        for i, year in enumerate(YEARS):
            f = 1.0 - 0.1 * i
            rows.append(
                {
                    "scenario": r["scenario"],
                    "seed": r["seed"],
                    "year": year,
                    "spam_sent": r["spam_sent"] / 3 * f,
                    "delivered": r["spam_delivered"] / 3 * f,
                    "spam_share": r["spam_share_last_year"] * f,
                    "consumer_hours": r["consumer_hours"] / 3 * f,
                    "social_cost": r["social_cost"] / 3 * f,
                }
            )
    return pd.DataFrame(rows)


def make_factorial() -> pd.DataFrame:
    rows = []
    for outcome, scale in (("spam_delivered", 1e8), ("social_cost", 1e6)):
        for term, order, eff in (
            ("legislation", 1, -8.0),
            ("cooperation", 1, -3.0),
            ("legislation:cooperation", 2, -2.0),
        ):
            rows.append(
                {"outcome": outcome, "term": term, "order": order, "effect": eff * scale, "se": 0.5 * scale,
                 "ci_low": (eff - 1.0) * scale, "ci_high": (eff + 1.0) * scale}
            )
    return pd.DataFrame(rows)


def make_priority(country4: str = "BRA") -> pd.DataFrame:
    md = {"USA": -5e8, "CHN": -9e8, "DEU": -1e8, country4: 2e7}
    rows = []
    for rank, (c, v) in enumerate(sorted(md.items(), key=lambda kv: kv[1]), start=1):
        rows.append({"lever": "legislation", "country": c, "outcome": "spam_delivered", "mean_diff": v,
                     "ci_low": v - 1.5e8, "ci_high": v + 1.5e8, "rank": rank})
    return pd.DataFrame(rows)


def make_cost_effectiveness(names=("legislation", "cooperation", "legislation+cooperation")) -> pd.DataFrame:
    # averted (M), delta cost: cooperation cheap, legislation more effective, the pair dominated
    data = [(800.0, 2e6, True), (280.0, 5e5, True), (700.0, 3e6, False)]
    rows = []
    for name, (a, c, front) in zip(names, data):
        rows.append(
            {"scenario": name, "averted_m": a, "averted_low": a * 0.8, "averted_high": a * 1.2,
             "hours_saved": a * 1e3, "delta_cost": c, "cost_per_m_averted": c / a,
             "cost_per_m_low": c / a * 0.8, "cost_per_m_high": c / a * 1.25,
             "cost_per_hour_saved": c / (a * 1e3), "on_frontier": front}
        )
    return pd.DataFrame(rows)


COUNTRIES = {"USA": 3e9, "CHN": 2e9, "DEU": 1e9, "ROW": 5e9}  # yearly spam sent in the baseline


def make_country_series(runs: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, seed, year and country; received is sent shifted between countries."""
    rows = []
    ok = runs.loc[runs["status"] == "ok"] if "status" in runs else runs
    for scen, seed in zip(ok["scenario"], ok["seed"]):
        key = SCENARIOS[list(dict.fromkeys(ok["scenario"])).index(scen)]
        for i, year in enumerate(YEARS):
            for j, (c, level) in enumerate(COUNTRIES.items()):
                sent = level * EFFECT[key] * (1 + seed / 10) * (1 - 0.1 * i)
                rows.append({"scenario": scen, "seed": seed, "year": year, "country": c, "spam_sent": sent,
                             "spam_received": sent * (0.5 + j / 2), "delivered": sent * 0.3})
    return pd.DataFrame(rows)


def make_relocations(names=SCENARIOS) -> pd.DataFrame:
    rows = []
    for k, scen in enumerate(names):
        for seed in SEEDS:
            rows += [
                {"scenario": scen, "seed": seed, "from_country": "USA", "to_country": "CHN",
                 "kind": "relocation_home", "moves": 2 + k},
                {"scenario": scen, "seed": seed, "from_country": "DEU", "to_country": "CHN",
                 "kind": "relocation_infra", "moves": 1},
                {"scenario": scen, "seed": seed, "from_country": "CHN", "to_country": "CHN",
                 "kind": "relocation_infra", "moves": 7},  # botnet rental: stays in the country
            ]
    return pd.DataFrame(rows)


def make_edges(names=SCENARIOS) -> pd.DataFrame:
    """Every scenario starts with one MoU; the second one ends with a network of three."""
    rows = []
    for k, scen in enumerate(names):
        rows.append({"scenario": scen, "seed": 1, "when": "start", "a": "USA", "b": "DEU", "channel": "MoU"})
        if k == 1:
            rows += [{"scenario": scen, "seed": 1, "when": "end", "a": a, "b": b, "channel": ch}
                     for a, b, ch in (("USA", "DEU", "LAP+MoU"), ("USA", "CHN", "LAP"), ("DEU", "CHN", "LAP"))]
        else:
            rows.append({"scenario": scen, "seed": 1, "when": "end", "a": "USA", "b": "DEU", "channel": "MoU"})
    return pd.DataFrame(rows)


def make_tables(names=SCENARIOS, failed: bool = True) -> dict[str, pd.DataFrame]:
    runs = make_runs(names)
    comparison = paired_comparison(runs, baseline=names[0])
    series = make_series(runs)
    country_series = make_country_series(runs)
    if failed:
        extra = runs.iloc[[0]].copy()
        extra[["run_id", "scenario", "seed", "status", "error"]] = ["x9", names[2], 9, "failed", "ValueError: " + EVIL]
        for o in OUTCOMES:
            extra[o] = np.nan
        runs = pd.concat([runs, extra], ignore_index=True)
    return {
        "runs": runs,
        "series": series,
        "comparison": comparison,
        "cost_effectiveness": make_cost_effectiveness(),
        "factorial": make_factorial(),
        "priority": make_priority(),
        "country_series": country_series,
        "relocations": make_relocations(names),
        "cooperation_edges": make_edges(names),
    }


def make_summary(names=SCENARIOS) -> dict:
    """Shaped like ``simspam.experiments.compare.comparison_summary``, plus two generic cards."""
    return {
        "headline": {
            "runs": 16,
            "failed_runs": 1,
            "best_scenario": names[1],
            "spam_averted_by_best": 7.9e8,
            "p_best_beats_baseline": 1.0,
            "spam_averted_m": 812.5,
            "policy_cost_usd": 2.5e6,
        },
        "design": "scenarios",
        "baseline": names[0],
        "provenance": {
            "version": "0.1.0",
            "seeds": list(SEEDS),
            "command": "simspam-compare experiment=levers seeds=5",
            "created": "2025-01-02T03:04:05Z",
            "config": {"compare": {"seeds": 5, "design": "scenarios"}},
            "config_yaml": "experiment: levers\n",
        },
        "scenarios": {
            names[0]: "Today's policies, nothing new.",
            names[1]: "Every country adopts anti-spam law.",
            names[2]: "Regulators share cases across borders.",
        },
    }


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return make_tables()


@pytest.fixture(scope="module")
def page(tables) -> str:
    return build_compare_report(tables, make_summary())


def legend_traces(fig: go.Figure) -> list:
    return [t for t in fig.data if t.showlegend is not False]


# --------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------


def test_outcome_bands_one_trace_per_scenario_baseline_first(tables):
    comp = tables["comparison"]
    fig = cf.outcome_bands_figure(comp, "spam_delivered")
    assert [t.name for t in fig.data] == list(SCENARIOS)
    scale = fig.layout.meta["scale"]
    assert scale == 1e9 and "billions of messages" in fig.layout.xaxis.title.text
    rows = comp[comp["outcome"] == "spam_delivered"].set_index("scenario")
    for t in fig.data:
        r = rows.loc[t.name]
        assert t.x[0] * scale == pytest.approx(r["median"])
        assert (t.x[0] + t.error_x.array[0]) * scale == pytest.approx(r["high"])
        assert (t.x[0] - t.error_x.arrayminus[0]) * scale == pytest.approx(r["low"])
    # the baseline stands out: black diamond and a reference line at its median
    assert fig.data[0].marker.color == cf.BASELINE_COLOR and fig.data[0].marker.symbol == "diamond"
    assert fig.data[1].marker.color != cf.BASELINE_COLOR
    assert any(s.x0 * scale == pytest.approx(rows.loc["baseline", "median"]) for s in fig.layout.shapes)


def test_paired_difference_forest(tables):
    comp = tables["comparison"]
    fig = cf.paired_difference_figure(comp, "spam_delivered")
    paired, unpaired = fig.data
    scale = fig.layout.meta["scale"]
    names = list(fig.layout.yaxis.ticktext)
    assert names == ["legislation", "cooperation"]  # every non-baseline scenario, baseline left out
    assert len(paired.x) == len(unpaired.x) == 2
    rows = comp[comp["outcome"] == "spam_delivered"].set_index("scenario")
    x0, x1 = fig.layout.xaxis.range
    for i, name in enumerate(names):
        r = rows.loc[name]
        lo = (paired.x[i] - paired.error_x.arrayminus[i]) * scale
        hi = (paired.x[i] + paired.error_x.array[i]) * scale
        ulo = (unpaired.x[i] - unpaired.error_x.arrayminus[i]) * scale
        uhi = (unpaired.x[i] + unpaired.error_x.array[i]) * scale
        assert (lo, hi) == (pytest.approx(r["ci_low"]), pytest.approx(r["ci_high"]))
        assert (ulo, uhi) == (pytest.approx(r["unpaired_low"]), pytest.approx(r["unpaired_high"]))
        # common random numbers: the paired interval is much narrower and inside the plotted range
        assert hi - lo < 0.5 * (uhi - ulo)
        assert x0 * scale <= lo <= hi <= x1 * scale
        assert x0 * scale <= ulo <= uhi <= x1 * scale
        # the paired point sits just above the unpaired one on the scenario's row
        assert paired.y[i] < i < unpaired.y[i]
        assert paired.customdata[i][4] == f"{100 * r['p_better']:.0f} %"
        assert "better than the baseline" in paired.hovertemplate
    assert x0 < 0 < x1
    assert any(s.x0 == 0 and s.x1 == 0 for s in fig.layout.shapes)  # zero line
    assert fig.layout.meta["lower_is_better"] is True


def test_series_bands_one_line_per_scenario(tables):
    series = tables["series"]
    fig = cf.series_bands_figure(series, "delivered")
    lines = legend_traces(fig)
    assert sorted(t.name for t in lines) == sorted(SCENARIOS)
    assert len(fig.data) == 2 * len(SCENARIOS)  # each line has one band, same legend group
    scale = fig.layout.meta["scale"]
    for line in lines:
        band = next(t for t in fig.data if t.showlegend is False and t.legendgroup == line.legendgroup)
        assert band.fill == "toself" and band.hoverinfo == "skip"
        sub = series[series["scenario"] == line.name].groupby("year")["delivered"]
        assert list(line.x) == list(YEARS)
        np.testing.assert_allclose(np.asarray(line.y) * scale, sub.median().to_numpy())
        upper = np.asarray(band.y[: len(YEARS)]) * scale
        lower = np.asarray(band.y[len(YEARS) :])[::-1] * scale
        np.testing.assert_allclose(upper, sub.quantile(0.9).to_numpy())
        np.testing.assert_allclose(lower, sub.quantile(0.1).to_numpy())
        assert np.all(lower <= np.asarray(line.y) * scale) and np.all(np.asarray(line.y) * scale <= upper)
    base = next(t for t in lines if t.name == "baseline")
    assert base.line.color == cf.BASELINE_COLOR and base.legendrank == 1
    share = cf.series_bands_figure(series, "spam_share")
    assert share.layout.meta["scale"] == 1.0 and "(% of email)" in share.layout.yaxis.title.text


def test_scenario_colours_consistent_across_figures(tables):
    bands = cf.outcome_bands_figure(tables["comparison"], "social_cost")
    series = cf.series_bands_figure(tables["series"], "social_cost")
    c1 = {t.name: t.marker.color for t in bands.data}
    c2 = {t.name: t.line.color for t in legend_traces(series)}
    assert c1 == c2 and len(set(c1.values())) == len(SCENARIOS)


def test_interaction_heatmap_symmetric_with_main_effects_on_diagonal(tables):
    fac = tables["factorial"]
    fig = cf.interaction_heatmap(fac, "spam_delivered", ["legislation", "cooperation"])
    (hm,) = fig.data
    z = np.asarray(hm.z, dtype=float) * fig.layout.meta["scale"]
    np.testing.assert_allclose(z, z.T)
    eff = fac[fac["outcome"] == "spam_delivered"].set_index("term")["effect"]
    np.testing.assert_allclose(np.diag(z), [eff["legislation"], eff["cooperation"]])
    assert z[0, 1] == pytest.approx(eff["legislation:cooperation"])
    assert hm.zmid == 0 and hm.zmin == -hm.zmax
    assert list(hm.x) == list(hm.y) == ["legislation", "cooperation"]
    assert hm.texttemplate == "%{text}" and all(v for row in hm.text for v in row)  # every cell annotated
    assert fig.layout.yaxis.autorange == "reversed"  # diagonal runs top-left to bottom-right
    # default factors: the main effects, in table order
    assert list(cf.interaction_heatmap(fac, "spam_delivered").data[0].x) == ["legislation", "cooperation"]


def test_priority_bars_sorted_with_whiskers():
    pr = make_priority(country4=EVIL)
    fig = cf.priority_figure(pr, "spam_delivered", top=3)
    (bars,) = fig.data
    scale = fig.layout.meta["scale"]
    x = np.asarray(bars.x) * scale
    assert list(bars.y) == ["CHN", "USA", "DEU"]  # largest fall first, capped at top=3
    assert list(fig.layout.yaxis.categoryarray) == list(bars.y) and fig.layout.yaxis.autorange == "reversed"
    assert np.all(np.diff(x) <= 0)
    np.testing.assert_allclose(x, [9e8, 5e8, 1e8])  # fall = -mean_diff
    np.testing.assert_allclose((np.asarray(bars.x) + np.asarray(bars.error_x.array)) * scale, x + 1.5e8)
    full = cf.priority_figure(pr, "spam_delivered")
    assert full.data[0].y[-1] == EVIL_ESCAPED  # country text escaped; a rise ranks last
    assert full.data[0].marker.color[-1].startswith("rgba")  # interval includes zero: pale


def test_cost_effectiveness_frontier_only_through_frontier_points():
    ce = make_cost_effectiveness()
    fig = cf.cost_effectiveness_figure(ce)
    line = fig.data[0]
    assert line.mode == "lines" and line.name == "efficient frontier"
    scale = fig.layout.meta["scale"]
    front = ce[ce["on_frontier"]]
    pts = set(zip(np.asarray(line.x), np.round(np.asarray(line.y) * scale, 6)))
    assert pts == set(zip(front["averted_m"], np.round(front["delta_cost"], 6)))
    assert list(line.x) == sorted(line.x)
    labelled = {t: tr.name for tr in fig.data[1:] for t in (() if tr.text is None else tr.text)}
    assert set(labelled) == set(ce["scenario"])
    assert "dominated" in labelled["legislation+cooperation"]
    # without on_frontier the figure finds the non-dominated points itself
    fig2 = cf.cost_effectiveness_figure(ce.drop(columns="on_frontier"))
    assert set(fig2.data[0].x) == set(front["averted_m"])


def test_runs_table_counts_and_escaped_failures(tables):
    fig = cf.runs_table_figure(tables["runs"])
    counts, failures = fig.data
    cells = counts.cells.values
    assert list(cells[0]) == list(SCENARIOS)
    assert list(cells[1]) == [5, 5, 6] and list(cells[2]) == [5, 5, 5] and list(cells[3]) == [0, 0, 1]
    assert "15 of 16 runs succeeded, 1 failed" in fig.layout.title.text
    fcells = failures.cells.values
    assert list(fcells[0]) == ["cooperation"] and list(fcells[1]) == ["9"]
    assert fcells[3][0] == "ValueError: " + EVIL_ESCAPED
    ok_only = cf.runs_table_figure(tables["runs"][tables["runs"]["status"] == "ok"])
    assert len(ok_only.data) == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda t: cf.outcome_bands_figure(t, "spam_delivered"),
        lambda t: cf.paired_difference_figure(t, "spam_delivered"),
        lambda t: cf.series_bands_figure(t, "delivered"),
        lambda t: cf.interaction_heatmap(t, "spam_delivered", ["legislation"]),
        lambda t: cf.priority_figure(t, "spam_delivered"),
        lambda t: cf.cost_effectiveness_figure(t),
        lambda t: cf.runs_table_figure(t),
    ],
)
@pytest.mark.parametrize("table", [None, pd.DataFrame()])
def test_missing_or_empty_input_gives_annotated_figure(make, table):
    fig = make(table)
    assert isinstance(fig, go.Figure) and not fig.data
    assert fig.layout.annotations and fig.layout.annotations[0].text


def test_unknown_outcome_gives_annotated_figure(tables):
    for fig in (
        cf.outcome_bands_figure(tables["comparison"], "nope"),
        cf.paired_difference_figure(tables["comparison"], "nope"),
        cf.interaction_heatmap(tables["factorial"], "nope"),
        cf.priority_figure(tables["priority"], "nope"),
    ):
        assert not fig.data and "nope" in fig.layout.annotations[0].text


def test_figures_are_pure(tables):
    copies = {k: v.copy(deep=True) for k, v in tables.items()}
    figs = [
        cf.outcome_bands_figure(tables["comparison"], "spam_delivered"),
        cf.paired_difference_figure(tables["comparison"], "social_cost"),
        cf.series_bands_figure(tables["series"], "delivered"),
        cf.interaction_heatmap(tables["factorial"], "spam_delivered"),
        cf.priority_figure(tables["priority"], "spam_delivered"),
        cf.cost_effectiveness_figure(tables["cost_effectiveness"]),
        cf.runs_table_figure(tables["runs"]),
    ]
    for k, v in tables.items():
        pd.testing.assert_frame_equal(v, copies[k])
    again = cf.paired_difference_figure(tables["comparison"], "social_cost")
    assert again.to_json() == figs[1].to_json()


def test_scenario_names_escaped_in_figures():
    names = ("baseline", EVIL, "cooperation")
    t = make_tables(names)
    for fig in (
        cf.outcome_bands_figure(t["comparison"], "spam_delivered"),
        cf.paired_difference_figure(t["comparison"], "spam_delivered"),
        cf.series_bands_figure(t["series"], "delivered"),
        cf.runs_table_figure(t["runs"]),
        cf.cost_effectiveness_figure(make_cost_effectiveness((EVIL, "b", "c"))),
    ):
        text = json.dumps(json.loads(fig.to_json()))  # plotly's JSON writes "/" as \u002f
        assert EVIL not in text and "<script" not in text
        assert EVIL_ESCAPED in text


# --------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------


parse = parse_html  # the shared HTML collector (conftest)


def headings(page: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", page)


def test_report_sections_in_order(page):
    assert headings(page) == [
        SECTION_HEADINGS["scenarios"],
        "What each policy buys",
        "Against the baseline, seed by seed",
        "Over time",
        "Where spam comes from, and where it lands",
        "Who can ask whom for assistance",
        "Where spammers moved",
        "Does cooperation only pay where there is legislation?",
        "Where to act next",
        "Cost-effectiveness",
        "Runs",
        "Provenance",
    ]
    # bands x2, paired x4, series x2, map x1, network x1 (only "legislation" changes), flows x1,
    # heat maps x2, priority x1, cost x1, runs x1
    assert page.count('class="plotly-graph-div"') == 16


def test_report_text_headline_and_provenance(page):
    found = re.findall(r'<div class="card-value">(.*?)</div>(?:<div class="card-interval">(.*?)</div>)?'
                       r'<div class="card-label">(.*?)</div>', page)
    cards = {label: value for value, _, label in found}
    intervals = {label: interval for _, interval, label in found}
    assert cards["Simulation runs"] == "16" and cards["Failed runs"] == "1"
    assert cards["Largest cut in spam delivered"] == "legislation"
    # the best scenario's cards come from the tables, each with its interval
    comp = make_tables()["comparison"].set_index(["scenario", "outcome"])
    spam, hours = comp.loc[("legislation", "spam_delivered")], comp.loc[("legislation", "consumer_hours")]
    label = "Spam delivered averted by &#x201c;legislation&#x201d; (mean)".replace("&#x201c;", "\u201c").replace(
        "&#x201d;", "\u201d")
    assert cards[label] == human_number(-spam["mean_diff"])
    assert intervals[label] == f"90 % CI: {human_number(-spam['ci_high'])} to {human_number(-spam['ci_low'])}"
    hours_label = "Consumer hours saved by \u201clegislation\u201d (mean)"
    assert cards[hours_label] == f"{human_number(-hours['mean_diff'])} h"
    assert intervals[hours_label].startswith(f"90 % CI: {human_number(-hours['ci_high'])} h to ")
    cpm_label = "Cost per million messages averted by \u201clegislation\u201d (median)"
    assert cards[cpm_label] == "$2,500" and intervals[cpm_label] == "90 % of seeds: $2,000 to $3,125"
    assert "Spam delivered averted by it (mean)" not in cards  # the summary's interval-less card is replaced
    assert cards["Seeds on which it beats the baseline"] == "100.0 %"
    assert cards["Spam averted"] == "812.5 M"  # "_m": millions
    assert cards["Policy cost"] == "$2.5 M"
    assert "<dt>Seed</dt><dd>1 to 5 (5 seeds)</dd>" in page
    assert "<dt>config</dt>" not in page  # the nested copy of the configuration is not dumped
    assert "simspam-compare experiment=levers seeds=5" in page
    assert '<p class="subtitle">2 policies compared with the baseline, on 5 common seeds</p>' in page
    assert "Every country adopts anti-spam law." in page
    assert "unrelated samples" in page  # paired vs unpaired explained
    assert re.search(r"\u201clegislation\u201d cuts it by [\d.]+ M messages on average \(90 % interval: a cut of", page)
    assert (
        "Switching on cooperation cuts spam delivered to inboxes by 500.0 M messages where legislation is in place, "
        "and cuts it by 100.0 M messages where it is not."
    ) in page
    assert "On the frontier, from least to most spam averted: \u201ccooperation\u201d, \u201clegislation\u201d." in page
    assert "1 failed" in page


def test_scenario_name_script_is_escaped_in_page():
    names = ("baseline", EVIL, "cooperation")
    t = make_tables(names)
    t["cost_effectiveness"] = make_cost_effectiveness((EVIL, "cooperation", "both"))
    summary = make_summary(names)
    summary["scenarios"][EVIL] = EVIL
    summary["scenarios"]["cooperation"] = "Regulators share cases & evidence."
    summary["analogues"] = {EVIL: EVIL + " & more", "cooperation": "LAP & MoUs"}
    summary["headline"][EVIL] = EVIL
    page = build_compare_report(t, summary)
    assert EVIL not in page
    assert "<script>alert" not in page
    assert f"<td>{EVIL_ESCAPED}</td>" in page
    assert f'<td style="text-align:left">{EVIL_ESCAPED} &amp; more</td>' in page  # the analogue
    assert "Regulators share cases &amp; evidence." in page and "LAP &amp; MoUs" in page
    assert page.count(EVIL_ESCAPED) > 5  # in tables, text, cards and (escaped) figure data
    # the new figures carry the name escaped too: map and flow menus, the network's title
    for heading in (SECTION_HEADINGS["map"], SECTION_HEADINGS["network"], SECTION_HEADINGS["relocations"]):
        section = page.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]
        decoded = section.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&").replace(
            "\\u002f", "/")
        assert EVIL_ESCAPED in decoded, heading


def test_missing_optional_tables_drop_their_sections(tables):
    core = {k: tables[k] for k in ("runs", "series", "comparison", "cost_effectiveness")}
    page = build_compare_report(core, make_summary())
    hs = headings(page)
    assert SECTION_HEADINGS["factorial"] not in hs and SECTION_HEADINGS["priority"] not in hs
    assert "Over time" in hs and "Cost-effectiveness" in hs
    page2 = build_compare_report({**core, "factorial": None, "priority": tables["priority"].iloc[0:0]}, make_summary())
    assert headings(page2) == hs
    only = build_compare_report({"comparison": tables["comparison"]}, {})
    assert headings(only) == ["What each policy buys", "Against the baseline, seed by seed", "Provenance"]
    empty = build_compare_report({}, None)
    assert headings(empty) == ["Provenance"]


def test_baseline_with_another_name():
    """e.g. cooperation_beyond_legislation: the baseline is the "legislation" scenario."""
    names = ("legislation", "legislation_cooperation", "legislation_mou")
    t = make_tables(names)
    summary = make_summary(names)
    fig = cf.paired_difference_figure(t["comparison"], "spam_delivered", baseline="legislation")
    assert list(fig.layout.yaxis.ticktext) == ["legislation_cooperation", "legislation_mou"]
    # without being told, the figures recognise it as the scenario with no paired differences
    fig2 = cf.outcome_bands_figure(t["comparison"], "spam_delivered")
    assert fig2.data[0].name == "legislation" and fig2.data[0].marker.color == cf.BASELINE_COLOR
    page = build_compare_report(t, summary)
    assert "2 policies compared with the baseline (\u201clegislation\u201d), on 5 common seeds" in page
    assert "same random seeds as the baseline, \u201clegislation\u201d" in page
    assert "today's policies" not in page.split("<h2>")[1]  # no claim about what the baseline is


def test_where_to_act_scenarios_named_after_countries(tables):
    names = ("baseline", "USA", "CHN")
    t = make_tables(names)
    summary = make_summary(names)
    summary.update(design="where_to_act", scenarios={"baseline": "Today's policies.", "USA": "", "CHN": ""})
    page = build_compare_report({**t, "priority": make_priority()}, summary)
    assert "Where to act: 2 countries, each acting alone, against the baseline" in page
    assert "named after the one country that adopts \u201clegislation\u201d on its own" in page
    assert "<td>USA</td>" not in page  # no empty description rows
    assert "Top of the list: CHN with legislation (a fall in spam delivered to inboxes of 900.0 M messages)" in page


def test_many_scenarios_series_shows_baseline_and_best(tables):
    series, comp = tables["series"], tables["comparison"]
    extra_s, extra_c = [], []
    for i in range(8):
        name = f"bundle{i}"
        extra_s.append(series[series["scenario"] == "cooperation"].assign(scenario=name))
        rows = comp[comp["scenario"] == "cooperation"]
        extra_c.append(rows.assign(scenario=name, averted=rows["averted"] * (1 + i)))
    many_s = pd.concat([series, *extra_s], ignore_index=True)
    many_c = pd.concat([comp, *extra_c], ignore_index=True)
    shown, note = compare_report._series_subset(many_s, many_c, "baseline")
    assert shown == ["baseline", "bundle7", "bundle6", "bundle5", "bundle4", "bundle3", "bundle2"]
    assert "10 scenarios" in note
    fig = cf.series_bands_figure(many_s, "delivered", scenarios=shown)
    lines = legend_traces(fig)
    assert sorted(t.name for t in lines) == sorted(shown)
    full = {t.name: t.line.color for t in legend_traces(cf.series_bands_figure(many_s, "delivered"))}
    assert all(t.line.color == full[t.name] for t in lines)  # colours as in the full chart


def test_policies_without_effect_are_described_as_such():
    """Identical runs (e.g. levers that start after the simulated period): no "cuts it by 0"."""
    runs = make_runs()
    for o in OUTCOMES:
        runs[o] = runs.groupby("seed")[o].transform("first")  # every scenario equals the baseline
    comp = paired_comparison(runs)
    ce = make_cost_effectiveness().assign(averted_m=0.0, cost_per_m_averted=np.nan, on_frontier=False)
    page = build_compare_report({"comparison": comp, "cost_effectiveness": ce}, {})
    assert "No policy changes spam delivered to inboxes on any seed" in page
    assert "by 0 messages" not in page
    assert "No policy averts any spam here, so none is on the frontier." in page
    fig = cf.paired_difference_figure(comp, "spam_delivered")
    x0, x1 = fig.layout.xaxis.range
    assert x0 < 0 < x1  # unpaired intervals still drawn around the zero line


def test_factorial_without_legislation_gets_generic_heading(tables):
    renamed = {"legislation": "technical", "legislation:cooperation": "cooperation:technical"}
    fac = tables["factorial"].replace({"term": renamed})
    page = build_compare_report({"factorial": fac}, {})
    assert headings(page)[0] == "How the levers combine"


def test_page_is_offline_with_plotlyjs_once(page):
    js = get_plotlyjs()
    assert page.count(js) == 1
    parsed = parse(page)
    assert sum(1 for s in parsed.scripts if len(s) > 1_000_000) == 1
    for tag, attrs in parsed.tags:
        for attr in ("src", "href", "data", "action", "poster", "srcset"):
            value = (attrs.get(attr) or "").strip().lower()
            assert not value.startswith(("http://", "https://", "//")), (tag, attr, value)
        assert not (tag == "script" and attrs.get("src"))
    assert not any(tag in ("link", "iframe", "img", "object", "embed") for tag, _ in parsed.tags)
    rest = page.replace(js, "")
    assert not re.search(r"https?://", rest)


def test_report_deterministic_and_written_before_the_summary(tmp_path, tables, page):
    assert build_compare_report(tables, make_summary()) == page
    out = tmp_path / "out"
    write_comparison(tables, make_summary(), out, extras=comparison_extras(tables, make_summary()))
    assert (out / "report.html").read_text(encoding="utf-8") == page
    assert sorted(p.name for p in out.iterdir()) == sorted([*(f"{n}.parquet" for n in tables), "report.html",
                                                           "summary.json"])


def test_render_failure_writes_no_report_and_no_summary(tmp_path, tables, monkeypatch):
    """The report is made in memory before anything is replaced: a failure keeps the previous page,
    and the comparison gets no summary.json, so the folder does not count as complete."""
    def boom(*args, **kwargs):
        raise RuntimeError("render failed")

    monkeypatch.setattr(compare_report, "cost_effectiveness_figure", boom)
    existing = tmp_path / "report.html"
    existing.write_text("previous", encoding="utf-8")
    with pytest.raises(RuntimeError, match="render failed"):
        write_comparison(tables, make_summary(), tmp_path, extras=comparison_extras(tables, make_summary()))
    assert existing.read_text(encoding="utf-8") == "previous"
    assert not (tmp_path / "summary.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
