"""Tests for simspam.viz.run_figures on synthetic, seeded run tables.

The engine is not used: ``make_daily`` / ``make_events`` build tables with
the documented schema, so these tests pin down what the figures show (not
how the engine produces it).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from simspam.viz import run_figures as rf
from simspam.viz import units
from simspam.viz.style import PALETTE, TEMPLATE

COUNTRIES = ("USA", "CHN", "DEU", "BRA", "ROW")
EVENT_KINDS = (
    "case_opened",
    "case_won",
    "case_dropped",
    "assistance_requested",
    "assistance_granted",
    "assistance_refused",
    "fine",
    "arrest",
    "takedown",
    "law_adopted",
    "lever_start",
    "payment_cut",
    "relocation_infra",
    "spammer_entry",
    "spammer_exit",
)


def make_daily(start: str = "2024-01-01", end: str = "2026-12-31", countries=COUNTRIES, seed: int = 7) -> pd.DataFrame:
    """A synthetic ``daily`` table: one row per (date, country), seeded."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, end, freq="D")
    n_c = len(countries)
    n = len(dates) * n_c
    scale = np.tile(np.linspace(3.0, 0.5, n_c), len(dates))  # first country biggest
    trend = np.repeat(np.linspace(1.0, 0.6, len(dates)), n_c)  # spam declines
    spam_sent = rng.poisson(2e8 * scale * trend).astype("int64")
    # recipients are spread differently from senders, so the two maps differ
    rscale = np.tile(np.linspace(1.0, 2.0, n_c), len(dates))
    blocked = rng.poisson(5e7 * rscale * trend).astype("int64")
    filtered = rng.poisson(1.2e8 * rscale * trend).astype("int64")
    delivered = rng.poisson(3e7 * rscale * trend).astype("int64")
    small = lambda lam: rng.poisson(lam, n).astype("int64")  # noqa: E731
    df = pd.DataFrame(
        {
            "date": np.repeat(dates.to_numpy(), n_c),
            "country": np.tile(np.array(countries, dtype=object), len(dates)),
            "spam_sent": spam_sent,
            "spam_received": blocked + filtered + delivered,
            "blocked_outbound": blocked,
            "filtered": filtered,
            "delivered": delivered,
            "legit_sent": rng.poisson(2.5e8 * scale).astype("int64"),
            "legit_lost": small(1e4),
            "responses": small(500),
            "sales": small(50),
            "complaints": small(300),
            "cases_opened": small(0.3),
            "cases_won": small(0.1),
            "cases_dropped": small(0.1),
            "assistance_requests": small(0.2),
            "assistance_granted": small(0.1),
            "infected_machines": small(1e5),
            "active_spammers": small(40),
            "spammer_revenue": rng.gamma(2.0, 5e4, n),
            "consumer_hours": rng.gamma(2.0, 1e4, n),
            "social_cost": rng.gamma(2.0, 2e5, n),
        }
    )
    df["country"] = df["country"].astype(str)
    return df


def make_events(n: int = 400, start: str = "2024-01-01", days: int = 1096, seed: int = 11) -> pd.DataFrame:
    """A synthetic ``events`` log with every column of the documented schema."""
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, days, n))
    countries = np.array(COUNTRIES[:-1], dtype=object)
    partner = rng.choice(np.append(countries, ""), n)
    detail = np.where(rng.random(n) < 0.1, "<script>alert(1)</script>", "synthetic detail")
    return pd.DataFrame(
        {
            "time": t,
            "date": pd.Timestamp(start) + pd.to_timedelta(t, unit="D"),
            "kind": rng.choice(np.array(EVENT_KINDS, dtype=object), n),
            "country": rng.choice(countries, n),
            "partner": partner,
            "spammer": rng.integers(-1, 50, n),
            "value": rng.gamma(2.0, 1e4, n),
            "detail": detail,
        }
    ).astype({"kind": str, "country": str, "partner": str, "detail": str})


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    return make_daily()


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return make_events()


def empty_daily() -> pd.DataFrame:
    return make_daily().iloc[0:0]


def empty_events() -> pd.DataFrame:
    return make_events().iloc[0:0]


def annotations_text(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def global_monthly(daily: pd.DataFrame, cols, how: str) -> pd.DataFrame:
    """Independent reference: sum over countries per day, then per month."""
    g = daily.groupby("date")[list(cols)].sum()
    month = g.index.to_period("M")
    return g.groupby(month).mean() if how == "mean" else g.groupby(month).sum()


# --------------------------------------------------------------------------


def test_spam_share_is_percentage_of_monthly_totals(daily):
    fig = rf.spam_share_figure(daily)
    (trace,) = fig.data
    y = np.asarray(trace.y, dtype=float)
    assert len(y) == 36  # three years of months
    assert np.all((y >= 0) & (y <= 100))
    ref = global_monthly(daily, ["spam_received", "legit_sent"], "sum")
    expected = 100 * ref["spam_received"] / (ref["spam_received"] + ref["legit_sent"])
    np.testing.assert_allclose(y, expected.to_numpy(), rtol=1e-9)
    assert fig.layout.yaxis.range == (0, 100)
    assert "%" in fig.layout.yaxis.title.text


def test_spam_share_gap_when_no_mail():
    d = make_daily("2024-01-01", "2024-03-31")
    d.loc[d["date"].dt.month == 2, ["spam_received", "legit_sent"]] = 0
    y = np.asarray(rf.spam_share_figure(d).data[0].y, dtype=float)
    assert np.isnan(y[1]) and np.isfinite(y[[0, 2]]).all()


def test_message_flow_stack_equals_total(daily):
    fig = rf.message_flow_figure(daily)
    assert len(fig.data) == 3
    assert {t.stackgroup for t in fig.data} == {"flows"}
    stacked = sum(np.asarray(t.y, dtype=float) for t in fig.data)
    cols = ["blocked_outbound", "filtered", "delivered"]
    ref = global_monthly(daily, cols, "mean").sum(axis=1) / 1e9
    np.testing.assert_allclose(stacked, ref.to_numpy(), rtol=1e-9)
    assert "billions per day" in fig.layout.yaxis.title.text


def test_monthly_sum_exact_for_full_months_and_extrapolated_for_partial():
    d = make_daily("2024-01-17", "2024-03-31")
    m = rf.monthly_global(d, ["spammer_revenue"], how="sum")["spammer_revenue"]
    ref = global_monthly(d, ["spammer_revenue"], "sum")["spammer_revenue"]
    np.testing.assert_allclose(m.iloc[1:].to_numpy(), ref.iloc[1:].to_numpy(), rtol=1e-9)
    # January has 15 observed days: scaled up to 31 days at the observed rate.
    np.testing.assert_allclose(m.iloc[0], ref.iloc[0] * 31 / 15, rtol=1e-9)
    with pytest.raises(ValueError):
        rf.monthly_global(d, ["spammer_revenue"], how="median")


def test_world_map_frames_per_year_exclude_row(daily):
    fig = rf.world_map_figure(daily, "spam_sent", "Spam <origin>")
    years = sorted(daily["date"].dt.year.unique())
    assert [f.name for f in fig.frames] == [str(y) for y in years]
    assert len(fig.layout.sliders[0].steps) == len(years)
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert "Play" in labels
    expected = daily[daily.country != "ROW"].groupby([daily.date.dt.year, "country"])["spam_sent"].sum()
    cmax = fig.layout.coloraxis.cmax
    for frame in fig.frames:
        (tr,) = frame.data
        assert tr.type == "choropleth" and tr.locationmode == "ISO-3"
        locs = list(tr.locations)
        assert "ROW" not in locs
        assert sorted(locs) == sorted(set(COUNTRIES) - {"ROW"})
        got = dict(zip(locs, np.asarray(tr.z, dtype=float)))
        for c in locs:
            assert got[c] == expected[(int(frame.name), c)]
        assert max(got.values()) <= cmax
    assert cmax == expected.max()
    geo = fig.layout.geo
    assert geo.projection.type == "natural earth"
    assert geo.projection.rotation.lon == 0
    assert fig.layout.title.text == "Spam &lt;origin&gt;"  # caller text escaped


def test_world_map_fills_missing_country_years_with_zero():
    d = make_daily("2024-01-01", "2025-12-31")
    d = d[~((d.country == "BRA") & (d.date.dt.year == 2024))]
    fig = rf.world_map_figure(d, "spam_received", "x")
    f2024 = dict(zip(fig.frames[0].data[0].locations, fig.frames[0].data[0].z))
    assert f2024["BRA"] == 0


def test_world_map_only_row_and_bad_column():
    d = make_daily("2024-01-01", "2024-02-01", countries=("ROW",))
    fig = rf.world_map_figure(d, "spam_sent", "t")
    assert not fig.frames and any("no mapped countries" in t for t in annotations_text(fig))
    with pytest.raises(ValueError, match="not_a_column"):
        rf.world_map_figure(make_daily("2024-01-01", "2024-01-02"), "not_a_column", "t")


def test_origin_and_received_maps(daily):
    origin, received = rf.origin_and_received_maps(daily)
    usa_2025 = daily[(daily.country == "USA") & (daily.date.dt.year == 2025)]
    for fig, col in ((origin, "spam_sent"), (received, "spam_received")):
        fr = next(f for f in fig.frames if f.name == "2025")
        z = dict(zip(fr.data[0].locations, fr.data[0].z))
        assert z["USA"] == usa_2025[col].sum()


def test_enforcement_yearly_bars_and_sanctions(daily, events):
    fig = rf.enforcement_figure(daily, events)
    assert fig.layout.barmode == "group"
    bars = {t.name: t for t in fig.data}
    per_year = daily.groupby(daily.date.dt.year)[["cases_opened", "cases_won", "assistance_granted"]].sum()
    np.testing.assert_array_equal(bars["cases opened"].y, per_year["cases_opened"].to_numpy())
    np.testing.assert_array_equal(bars["cases won"].y, per_year["cases_won"].to_numpy())
    np.testing.assert_array_equal(bars["assistance granted"].y, per_year["assistance_granted"].to_numpy())
    assert list(bars["cases opened"].x) == [str(y) for y in per_year.index]
    fines = events[events.kind == "fine"].groupby(events.date.dt.year).size()
    assert dict(zip(bars["fine"].x, bars["fine"].y)) == {str(k): v for k, v in fines.items()}
    assert bars["fine"].yaxis == "y2"


@pytest.mark.parametrize("ev", [None, "empty"])
def test_enforcement_without_events(daily, ev):
    fig = rf.enforcement_figure(daily, None if ev is None else empty_events())
    assert "no events" in annotations_text(fig)
    assert any(t.name == "cases opened" for t in fig.data)


def test_economy_secondary_axis(daily):
    fig = rf.economy_figure(daily)
    rev, act = fig.data
    assert rev.yaxis == "y" and act.yaxis == "y2"
    ref = global_monthly(daily, ["spammer_revenue", "active_spammers"], "sum")
    np.testing.assert_allclose(rev.y, ref["spammer_revenue"].to_numpy(), rtol=1e-9)
    ref_mean = global_monthly(daily, ["active_spammers"], "mean")
    np.testing.assert_allclose(act.y, ref_mean["active_spammers"].to_numpy(), rtol=1e-9)
    assert "USD per month" in fig.layout.yaxis.title.text
    assert fig.layout.yaxis2.title.text


def test_harm_monthly_totals(daily):
    fig = rf.harm_figure(daily)
    hours, cost = fig.data
    ref = global_monthly(daily, ["consumer_hours", "social_cost"], "sum")
    np.testing.assert_allclose(hours.y, ref["consumer_hours"].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(cost.y, ref["social_cost"].to_numpy(), rtol=1e-9)
    assert "Hours" in fig.layout.yaxis.title.text and "USD" in fig.layout.yaxis2.title.text


def test_country_table(daily):
    fig = rf.country_table_figure(daily, top=3)
    (table,) = fig.data
    names, sent, received, share, complaints, won = table.cells.values
    tot = daily.groupby("country").sum(numeric_only=True).sort_values("spam_sent", ascending=False)
    assert list(names) == list(tot.index[:3])
    assert list(sent) == [units.number(v) for v in tot["spam_sent"].iloc[:3]]
    exp_share = 100 * tot["delivered"] / tot["spam_received"]
    assert list(share) == [f"{v:.1f} %" for v in exp_share.iloc[:3]]
    full = rf.country_table_figure(daily)
    assert "ROW (rest of world)" in list(full.data[0].cells.values[0])
    assert len(full.data[0].cells.values[0]) == len(COUNTRIES)


def test_events_timeline_points_and_escaping(events):
    fig = rf.events_timeline_figure(events)
    kinds_shown = {t.name for t in fig.data}
    assert kinds_shown == set(events.kind) - {"spammer_entry", "spammer_exit"}
    n_points = sum(len(t.x) for t in fig.data)
    assert n_points == int((~events.kind.isin(["spammer_entry", "spammer_exit"])).sum())
    details = [row[4] for t in fig.data for row in t.customdata]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in details
    assert not any("<script>" in d for d in details)
    # numbers stay numbers so the hover format applies
    assert all(isinstance(row[3], float) for t in fig.data for row in t.customdata)


def test_events_timeline_aggregates_large_logs():
    ev = make_events(n=6000)
    fig = rf.events_timeline_figure(ev)
    shown = int((~ev.kind.isin(["spammer_entry", "spammer_exit"])).sum())
    assert shown > rf.MAX_EVENT_POINTS
    total = sum(int(row[0]) for t in fig.data for row in t.customdata)
    assert total == shown
    assert sum(len(t.x) for t in fig.data) <= 36 * len(EVENT_KINDS)
    assert "monthly counts" in fig.layout.title.text


@pytest.mark.parametrize("ev", [None, "empty", "churn_only"])
def test_events_timeline_empty(ev):
    if ev == "churn_only":
        table = make_events()
        table = table[table.kind.isin(["spammer_entry", "spammer_exit"])]
    else:
        table = None if ev is None else empty_events()
    fig = rf.events_timeline_figure(table)
    assert len(fig.data) == 0
    assert any(t.startswith("no events") for t in annotations_text(fig))


def _all_figures(daily, events):
    return [
        rf.spam_share_figure(daily),
        rf.message_flow_figure(daily),
        rf.world_map_figure(daily, "spam_sent", "Origin"),
        *rf.origin_and_received_maps(daily),
        rf.enforcement_figure(daily, events),
        rf.economy_figure(daily),
        rf.harm_figure(daily),
        rf.country_table_figure(daily),
        rf.events_timeline_figure(events),
    ]


def test_empty_inputs_never_raise():
    for fig in _all_figures(empty_daily(), empty_events()):
        assert isinstance(fig, go.Figure)
        assert len(fig.data) == 0
        assert annotations_text(fig), fig.layout.title.text
        json.loads(fig.to_json())


def test_consistent_style_and_axis_units(daily, events):
    for fig in _all_figures(daily, events):
        assert fig.layout.template == pio.templates[TEMPLATE]  # the house template, registered as "simspam"
        assert fig.layout.template.layout.paper_bgcolor == "white"  # on plotly_white
        assert tuple(fig.layout.template.layout.colorway) == PALETTE
        assert fig.layout.title.text
        json.loads(fig.to_json())
        # every cartesian axis that carries data has a title (with its unit)
        used = set()
        for t in fig.data:
            if t.type in ("scatter", "bar"):
                used.add("xaxis" + (t.xaxis or "x")[1:])
                used.add("yaxis" + (t.yaxis or "y")[1:])
        for name in used:
            if name.startswith("xaxis") and fig.layout[name].matches:
                continue  # shared x axis: titled once, on the bottom panel
            assert fig.layout[name].title.text, (fig.layout.title.text, name)


def test_figures_are_pure(daily, events):
    d0, e0 = daily.copy(), events.copy()
    _all_figures(daily, events)
    pd.testing.assert_frame_equal(daily, d0)
    pd.testing.assert_frame_equal(events, e0)
