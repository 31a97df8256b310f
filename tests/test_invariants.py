"""Accounting invariants, checked on every day of several scenarios."""
import numpy as np
import pytest

from simspam.metrics.invariants import check_daily

from conftest import run

SCENARIOS = ["baseline", "legislation", "cooperation", "self_regulation", "technical", "awareness", "integrated", "takedowns"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_message_is_accounted_for_every_day(scenario):
    r = run(f"scenario={scenario}", "seed=11", years=3.0)
    d = r.daily
    assert check_daily(d) == []
    g = d.groupby("date")[["spam_sent", "blocked_outbound", "filtered", "delivered"]].sum()
    assert (g["spam_sent"] == g["blocked_outbound"] + g["filtered"] + g["delivered"]).all()
    assert (d["spam_received"] == d["filtered"] + d["delivered"]).all()
    assert (d["rejected_blocklist"] <= d["filtered"]).all()
    assert d["spam_sent"].sum() > 0


@pytest.mark.parametrize("scenario", ["baseline", "integrated"])
def test_cases_are_accounted_for(scenario):
    r = run(f"scenario={scenario}", "seed=12", years=3.0)
    opened = int(r.daily["cases_opened"].sum())
    closed = int(r.daily["cases_won"].sum() + r.daily["cases_dropped"].sum())
    ev = r.events["kind"].value_counts()
    assert ev.get("case_opened", 0) == opened
    assert ev.get("case_won", 0) + ev.get("case_dropped", 0) == closed
    assert closed <= opened  # the rest are still open at the end


def test_shares_in_range_and_counters_never_fall():
    r = run("scenario=integrated", "seed=13", years=3.0)
    d = r.daily
    assert ((d["legit_lost"] <= d["legit_sent"]) & (d["sales"] <= d["responses"])).all()
    cum = d.groupby("country")[["spam_sent", "cases_won", "complaints"]].cumsum()
    assert (cum.groupby(d["country"]).diff().fillna(0) >= 0).all().all()


def test_daily_table_shape_and_dtypes():
    r = run(years=1.0)
    d = r.daily
    n_days = d["date"].nunique()
    assert n_days == 365 and len(d) == n_days * d["country"].nunique()
    for col in ["spam_sent", "delivered", "cases_opened", "active_spammers"]:
        assert d[col].dtype == np.int64
    assert list(r.events.columns) == ["time", "date", "kind", "country", "partner", "spammer", "value", "detail"]
    assert r.events["time"].is_monotonic_increasing
