"""Each lever's mechanism, shown under common random numbers (same seed, one change)."""
import numpy as np
import pandas as pd
import pytest

import simspam
from simspam.api import build

from conftest import TINY, run

LAW_USA_GBR = ("+scenario.levers.laws={type:legislation,start:'2004-01-01',countries:[USA,GBR],"
               "investigation_powers:1.0,investigators:20,cross_border:true,sanction:fine}")
SCRIPTED_CASE = "+scenario.events.probe={type:case,start:'2004-02-01',countries:[GBR],against:USA}"
STEADY = ["params.spammers.attrition=0", "params.spammers.relocation_cost=1e9", "params.spammers.exit_patience=100",
          "params.regulators.grant=1", "params.regulators.success=1", "params.regulators.max_queue_days=3000",
          "params.regulators.arrest=0"]  # the target must stay in business until the scripted case ends


def window(r, start, end):
    d = r.daily
    return d[(d["date"] >= start) & (d["date"] < end)]


def ratio(df, num, den):
    return df[num].sum() / df[den].sum()


# ---------------------------------------------------------------- legislation
def test_no_law_no_prosecution():
    lawless = ["world.countries=[RUS,CHN,UKR,IND,ROW]"]
    r = run(*lawless, years=3.0)
    assert r.daily[["cases_opened", "cases_won", "assistance_requests"]].to_numpy().sum() == 0
    assert not r.events["kind"].isin(["case_opened", "case_won", "fine", "arrest"]).any()
    # the positive control: the same world with a law does prosecute
    with_law = run(*lawless, "+scenario.levers.law={type:legislation,start:'2004-01-01',countries:[ALL]}", years=3.0)
    assert with_law.daily["cases_opened"].sum() > 0
    assert with_law.daily["cases_won"].sum() > 0


def test_prison_law_pushes_operations_to_move_home_abroad():
    base = run("seed=21", years=3.0)
    law = run("seed=21", "+scenario.levers.usa={type:legislation,start:'2004-01-01',countries:[USA],"
              "sanction:prison,investigation_powers:1.0,investigators:200}", years=3.0)

    def fled(r):
        e = r.events
        return int(((e["kind"] == "relocation_home") & (e["partner"] == "USA")).sum())

    assert fled(law) > fled(base)
    assert (law.events["kind"] == "law_adopted").sum() == 1


# ---------------------------------------------------------------- cooperation
def _probe(r):
    """Events of the scripted case: GBR's case opened on day 31 against a US operation
    (case events carry the case number in ``value``)."""
    e = r.events
    opened = e[(e["kind"] == "case_opened") & (e["time"] == 31.0) & (e["country"] == "GBR")]
    assert len(opened) == 1
    number = opened["value"].iloc[0]
    mine = (e["country"] == "GBR") | (e["partner"] == "GBR")
    return e[mine & (e["value"] == number) & e["kind"].str.startswith(("case_", "assistance_"))]


def test_cross_border_case_fails_without_cooperation_and_succeeds_with_it():
    alone = _probe(run(*STEADY, LAW_USA_GBR, SCRIPTED_CASE, years=1.5))
    dropped = alone[alone["kind"] == "case_dropped"]
    assert len(dropped) == 1 and "no cooperation channel" in dropped["detail"].iloc[0]
    assert not alone["kind"].isin(["case_won", "assistance_requested"]).any()

    mou = "+scenario.levers.mou={type:bilateral_mou,start:'2004-01-01',countries:[USA,GBR]}"
    together = _probe(run(*STEADY, LAW_USA_GBR, SCRIPTED_CASE, mou, years=1.5))
    kinds = list(together["kind"])
    assert kinds.index("assistance_requested") < kinds.index("assistance_granted") < kinds.index("case_won")
    assert "case_dropped" not in kinds


def test_cooperation_without_laws_buys_nothing():
    net = "+scenario.levers.net={type:cooperation_network,start:'2004-01-01',countries:[ALL],grant_powers:true}"
    lawless = "world.countries=[RUS,CHN,UKR,IND,ROW]"
    r = run(lawless, net, years=2.0)
    assert r.daily["assistance_requests"].sum() == 0 and r.daily["cases_won"].sum() == 0


# ---------------------------------------------------------------- self-regulation
def test_shared_blocklists_raise_outbound_blocking():
    base = run("seed=31")
    bl = run("seed=31", "+scenario.levers.bl={type:isp_code,start:'2004-07-01',aup:0.0,port25:0.0,blocklist:1.0}")
    a, b = window(base, "2004-07-01", "2005-01-01"), window(bl, "2004-07-01", "2005-01-01")
    assert ratio(b, "blocked_outbound", "spam_sent") > 1.2 * ratio(a, "blocked_outbound", "spam_sent")
    pd.testing.assert_frame_equal(window(base, "2004-01-01", "2004-07-01"), window(bl, "2004-01-01", "2004-07-01"))


def test_outbound_use_of_blocklists_can_be_weaker_than_inbound_refusal():
    # blocklists everywhere from July 2004; with blocklist_outbound=0 the origin does not use
    # them (outbound blocking falls to what port-25 and AUP alone stop), while destinations
    # still refuse listed senders at connection
    lever = "+scenario.levers.bl={type:isp_code,start:'2004-07-01',aup:0.0,port25:0.0,blocklist:1.0}"
    both = run("seed=33", lever)
    inbound = run("seed=33", lever, "params.isps.blocklist_outbound=0")
    a, b = window(both, "2004-07-01", "2004-07-20"), window(inbound, "2004-07-01", "2004-07-20")
    assert ratio(b, "blocked_outbound", "spam_sent") < 0.5 * ratio(a, "blocked_outbound", "spam_sent")
    assert ratio(b, "rejected_blocklist", "spam_received") > 0.8 * ratio(a, "rejected_blocklist", "spam_received")
    assert ratio(b, "rejected_blocklist", "spam_received") > 0.05
    # more leaves the origin, so more reaches inboxes
    assert ratio(b, "delivered", "spam_sent") > ratio(a, "delivered", "spam_sent")


def test_port25_blocking_stops_botnet_spam_at_the_origin():
    base = run("seed=32")
    # 3 July 2004 is day 184; operations next revise their plans on day 189 (rounds every 21
    # days), so this window shows the mechanism before they adapt (they then move away from
    # botnets: see the next check)
    p25 = run("seed=32", "+scenario.levers.p25={type:isp_code,start:'2004-07-03',aup:0.0,port25:1.0,blocklist:0.0}")
    a, b = window(base, "2004-07-03", "2004-07-08"), window(p25, "2004-07-03", "2004-07-08")
    assert ratio(b, "blocked_outbound", "spam_sent") > ratio(a, "blocked_outbound", "spam_sent") + 0.2
    moved = lambda r: int(((r.events["kind"] == "relocation_infra") & (r.events["time"] >= 189)
                           & (r.events["time"] < 250) & ~r.events["detail"].str.contains("botnet")).sum())
    assert moved(p25) > moved(base)  # operations leave blocked botnets for hosted servers


def test_payment_refusal_cuts_sales_per_response():
    base = run("seed=33")
    pay = run("seed=33", "+scenario.levers.pay={type:payment_refusal,start:'2004-07-01',coverage:1.0}")
    a, b = window(base, "2004-07-01", "2004-08-01"), window(pay, "2004-07-01", "2004-08-01")
    assert ratio(b, "sales", "responses") < 0.7 * ratio(a, "sales", "responses")


# ---------------------------------------------------------------- technical
def test_better_filters_raise_the_filtered_share():
    base = run("seed=41")
    f = run("seed=41", "+scenario.levers.f={type:filter_improvement,start:'2004-07-01',jump:1.0,research_rate:0.0}")
    a, b = window(base, "2004-07-01", "2004-10-01"), window(f, "2004-07-01", "2004-10-01")
    assert ratio(b, "filtered", "spam_received") > ratio(a, "filtered", "spam_received") + 0.05


def test_botnet_cleanup_reduces_infected_machines():
    base = run("seed=42")
    c = run("seed=42", "+scenario.levers.c={type:botnet_cleanup,start:'2004-07-01',rate:0.02}")
    last = base.daily["date"].max()
    inf = lambda r: r.daily.loc[r.daily["date"] == last, "infected_machines"].sum()
    assert inf(c) < 0.7 * inf(base)


# ---------------------------------------------------------------- awareness
def test_awareness_lowers_responses_and_raises_complaints():
    base = run("seed=51")
    aw = run("seed=51", "+scenario.levers.aw={type:awareness_campaign,start:'2004-07-01',reach:0.9}")
    a, b = window(base, "2004-07-01", "2004-10-01"), window(aw, "2004-07-01", "2004-10-01")
    assert ratio(b, "responses", "delivered") < 0.8 * ratio(a, "responses", "delivered")
    assert ratio(b, "complaints", "delivered") > 1.2 * ratio(a, "complaints", "delivered")


def test_awareness_fades_after_the_campaign():
    aw = run("seed=52", "+scenario.levers.aw={type:awareness_campaign,start:'2004-02-01',end:'2004-06-01',"
             "reach:0.9,half_life:60}", years=2.0)
    during = ratio(window(aw, "2004-03-01", "2004-06-01"), "responses", "delivered")
    long_after = ratio(window(aw, "2005-06-01", "2005-12-01"), "responses", "delivered")
    assert long_after > 1.3 * during


# ---------------------------------------------------------------- events
def test_takedown_cuts_spam_at_once_and_operators_rebuild():
    base = run("seed=61")
    td = run("seed=61", "+scenario.events.td={type:takedown,start:'2004-06-01',countries:[USA],target:both,rebuild_days:60}")
    # the two days before the next decision round: hosted servers in the US (and botnets commanded
    # from there) are down, so spam from US-hosted servers stops and the world sends less
    def hosted_us(r):
        w = window(r, "2004-06-01", "2004-06-03")
        w = w[w["country"] == "USA"]
        return int((w["spam_sent"] - w["spam_sent_botnet"]).sum())

    assert hosted_us(base) > 0 and hosted_us(td) < 0.1 * hosted_us(base)
    assert window(td, "2004-06-01", "2004-06-03")["spam_sent"].sum() < window(base, "2004-06-01", "2004-06-03")["spam_sent"].sum()
    e = td.events
    assert (e["kind"] == "takedown").any()
    rebuilt = e[e["kind"] == "botnet_rebuilt"]
    assert len(rebuilt) > 0 and (rebuilt["time"] > 152.0 + 20).all()


def test_arrest_removes_the_largest_operation():
    r = run("seed=62", "+scenario.events.a={type:arrest,start:'2004-03-01',countries:[USA]}")
    e = r.events
    arrest = e[(e["kind"] == "arrest") & (e["time"] == 60.0)]  # 2004-03-01; cases may arrest others
    assert len(arrest) == 1 and arrest["partner"].iloc[0] == "USA"
    uid = int(arrest["spammer"].iloc[0])
    assert ((e["spammer"] == uid) & (e["kind"] == "spammer_exit") & (e["detail"] == "operator arrested")).any()
    assert not ((e["spammer"] == uid) & (e["time"] > arrest["time"].iloc[0]) & (e["kind"] != "spammer_exit")).any()


def test_payment_cut_stops_sales_through_that_processor_until_it_ends():
    base = run("seed=63")
    cut = run("seed=63", "+scenario.events.cut={type:payment_cut,start:'2004-06-01',end:'2004-06-15',processor:0}")
    a, b = window(base, "2004-06-02", "2004-06-14"), window(cut, "2004-06-02", "2004-06-14")
    assert b["sales"].sum() < 0.8 * a["sales"].sum()


def test_legislation_scenario_strengthens_old_laws_and_gives_new_ones_once():
    r = run("scenario=legislation", years=1.5)
    laws = r.events[r.events["kind"] == "law_adopted"]
    per_country = laws["country"].value_counts()
    assert (per_country == 1).all()          # no country is legislated twice on the same day
    assert set(laws.loc[laws["detail"].str.endswith("was none"), "country"]) == {"RUS", "CHN", "ROW"}


# ---------------------------------------------------------------- the spam industry itself
def _entrants(r, days):
    e = r.events
    return int(((e["kind"] == "spammer_entry") & (e["time"] < days)).sum())


def test_imitation_makes_entry_grow_with_the_incumbents_and_nothing_enters_without_it():
    """Entry by imitation (a Bass diffusion): while spamming pays, entrants come in proportion
    to the operations already in business, so three times the incumbents bring about three
    times the entrants; with no imitation and no steady trickle, nobody enters."""
    pays = ["params.spammers.entry_cost=1", "params.spammers.entry_rate=0", "params.spammers.attrition=0"]
    small = run(*pays, "params.spammers.imitation=2", "params.spammers.n_initial=100", years=0.25)
    large = run(*pays, "params.spammers.imitation=2", "params.spammers.n_initial=300", years=0.25)
    none = run(*pays, "params.spammers.imitation=0", "params.spammers.n_initial=300", years=0.25)
    assert _entrants(none, 90) == 0
    a, b = _entrants(small, 90), _entrants(large, 90)
    assert a >= 10                              # enough entrants for the ratio to mean something
    assert 2.0 < b / a < 5.0, (a, b)


def test_blocklists_refuse_spam_at_connection_and_without_them_nothing_is_refused():
    """A blocklist member refuses listed senders before accepting any message (what a sender
    sees as 'not reaching the server'); the refusals are part of what the ISPs catch."""
    off = run("params.isps.blocklist=0", years=0.5)
    on = run("params.isps.blocklist=1", years=0.5)
    assert off.daily["rejected_blocklist"].sum() == 0
    assert on.daily["rejected_blocklist"].sum() > 0.2 * on.daily["filtered"].sum()
    assert (on.daily["rejected_blocklist"] <= on.daily["filtered"]).all()


def _entrant_infra(*overrides):
    """Infrastructure of the operations that entered during a short run (1 = botnets); nobody
    switches afterwards (prohibitive switching cost), so this is what they chose on entry."""
    from threadpoolctl import threadpool_limits

    cfg = simspam.compose(TINY + ["years=0.5", "params.spammers.entry_cost=1", "params.spammers.imitation=2",
                                  "params.spammers.n_initial=100", "params.spammers.relocation_cost=1e9", *overrides])
    sim = build(cfg)
    with threadpool_limits(1):
        sim.run()
    sp = sim.spammers
    entered = sp.alive & (sp.uid >= 100)
    return sp.infra[entered]


def test_entrants_pick_the_cheaper_infrastructure_when_they_choose():
    """spammers.entrant_choice: entrants who choose take whatever costs less per message that
    gets out; the others (and everyone when it is 0) draw by botnet_share."""
    own_cheap = ["params.spammers.own_cost_per_m=0.01", "params.spammers.botnet_price_per_m=1000"]
    bot_cheap = ["params.spammers.own_cost_per_m=1000", "params.spammers.botnet_price_per_m=0.01"]
    # margins must stay positive for entry: the expensive side is never used by anyone choosing
    a = _entrant_infra("params.spammers.entrant_choice=1", *own_cheap)
    b = _entrant_infra("params.spammers.entrant_choice=1", *bot_cheap)
    drawn = _entrant_infra("params.spammers.entrant_choice=0", "params.spammers.botnet_share=0.5", *own_cheap)
    assert len(a) >= 20 and len(b) >= 20 and len(drawn) >= 20
    assert (a == 0).all() and (b == 1).all()
    assert 0.25 < drawn.mean() < 0.75


def test_botnet_prices_fall_faster_than_hosting_by_the_extra_decline():
    cfg = simspam.compose(TINY + ["years=0.1", "params.spammers.cost_decline=0.2",
                                  "params.spammers.botnet_extra_decline=0.5"])
    sim = build(cfg)
    sim.botnets.load = 0.5
    p0, p3 = sim.botnets.price_per_message(0.0), sim.botnets.price_per_message(3.0)
    assert p3 / p0 == pytest.approx(np.exp(-0.7 * 3.0))
    # it pivots on 2009 (5 years after the reference date): that year's price is the plain trend's
    plain = build(simspam.compose(TINY + ["years=0.1", "params.spammers.cost_decline=0.2",
                                          "params.spammers.botnet_extra_decline=0"]))
    plain.botnets.load = 0.5
    assert sim.botnets.price_per_message(5.0) == pytest.approx(plain.botnets.price_per_message(5.0))
    assert sim.botnets.price_per_message(0.0) == pytest.approx(plain.botnets.price_per_message(0.0) * np.exp(0.5 * 5))
    own0 = sim.spammers.unit_costs(0.0)["own_eff"]
    own3 = sim.spammers.unit_costs(3.0)["own_eff"]
    assert own3[0] / own0[0] == pytest.approx(np.exp(-0.2 * 3.0))


def test_consumers_respond_less_as_they_get_used_to_spam():
    """consumers.response_decline: responses per delivered spam fall by exp(-decline x years)."""
    same = run("params.consumers.response_decline=0", years=2.0)
    used = run("params.consumers.response_decline=0.5", years=2.0)

    def per_delivered(r, start, end):
        d = window(r, start, end)
        return d["responses"].sum() / d["delivered"].sum()

    early = per_delivered(used, "2004-01-01", "2004-03-31") / per_delivered(same, "2004-01-01", "2004-03-31")
    late = per_delivered(used, "2005-10-01", "2005-12-30") / per_delivered(same, "2005-10-01", "2005-12-30")
    assert 0.8 < early < 1.0                     # a few weeks in: barely any learning yet
    assert late / early == pytest.approx(np.exp(-0.5 * 1.75), rel=0.25)


def test_broadband_exposure_recruits_rich_countries_machines_first_and_fades():
    """botnets.broadband_income: exposure to infection rises with income (user-weighted mean 1, so
    the world's hazard is unchanged) and the gradient fades by broadband_fade a year."""
    sim = build(simspam.compose(TINY + ["years=0.1", "params.botnets.broadband_income=1.5",
                                        "params.botnets.broadband_fade=0.4"]))
    w = sim.world
    x0, x5 = sim.botnets.exposure(0.0), sim.botnets.exposure(5.0)
    assert float(w.users @ x0) == pytest.approx(w.users.sum())          # a shift, not more infection
    rich, poor = w.codes.index("USA"), w.codes.index("CHN")
    assert x0[rich] / x0[poor] == pytest.approx((w.gdp[rich] / w.gdp[poor]) ** 1.5)
    assert x5[rich] / x5[poor] == pytest.approx((w.gdp[rich] / w.gdp[poor]) ** (1.5 * np.exp(-0.4 * 5.0)))
    # in a run: the US holds a larger share of the infected machines than without the gradient
    last = pd.Timestamp("2005-12-30")

    def us_share(r):
        d = r.daily[r.daily["date"] == last].set_index("country")["infected_machines"]
        return d["USA"] / d.sum()

    flat = run("params.botnets.broadband_income=0")
    steep = run("params.botnets.broadband_income=1.5")
    assert us_share(steep) > 1.2 * us_share(flat)


def test_overlapping_campaigns_leave_no_cost_behind_when_they_end_in_another_order():
    """Found by the late-lever property (tests/test_crn.py): costs added and subtracted as
    campaigns start and end left a cost a hair below zero; the running campaigns' costs are
    now summed afresh, so the cost is exactly zero once all have ended."""
    res = run("+scenario.levers.a={type:awareness_campaign,start:'2004-01-01',end:'2004-07-02',countries:[USA],"
              "reach:1.0,cost_per_person:0.0625}",
              "+scenario.levers.b={type:awareness_campaign,start:'2004-02-01',end:'2004-03-01',countries:[USA],"
              "reach:0.3,cost_per_person:0.7}", years=1.0)
    cost = res.daily[res.daily["country"] == "USA"].set_index("date")["campaign_cost"]
    assert (cost >= 0).all()
    assert (cost["2004-02-01":"2004-02-29"] > cost["2004-01-15"]).all()
    assert (cost["2004-07-02":] == 0.0).all()
