"""One simulation run: the world, its actors, the levers, and the day loop.

Hybrid engine.  High-volume flows (billions of messages a day) are integer counts per
origin-destination pair, computed with numpy once per day; rare, irregular things
(cases, mutual-assistance requests, takedowns, law adoptions, campaigns) are SimPy
processes in continuous time.  The day loop is one explicit, printable list of
phases (``Simulation.STEP_ORDER``); before the phases of day ``t`` run, every event
stamped at or before ``t`` has happened (see :mod:`simspam.core.engine`).

Accounting is exact by construction: each stage splits an integer count into two
integers (``part = floor(count * p)``, ``rest = count - part``), so every message
sent is blocked at its origin, filtered at its destination, or delivered; the tests
check these invariants on every day with :mod:`simspam.metrics.invariants`.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
from scipy.special import ndtr

from ..agents.botnets import Botnets
from ..agents.consumers import Consumers
from ..agents.isps import Isps
from ..agents.regulators import Policy, Regulator, SpamModel
from ..agents.spammers import FRAUD, OWN, Spammers
from ..agents.world import load_world
from ..config.schema import SimConfig
from ..metrics.columns import DAILY
from .engine import Engine
from .streams import Streams, cornish_fisher_terms, poisson_from_uniform, rare_poisson_from_uniform

TERMS_DAYS = 256     # days of the Poisson draws' uniform-only terms computed at once (bounded memory)


class Simulation:
    STEP_ORDER = (
        "events: SimPy processes up to the start of the day (levers, cases, requests, takedowns)",
        "decide: every decision_days / 2, half of the spam operations revise plans (all of them on day 0, "
        "after a first plan primes the market); attrition and free entry",
        "plan: aggregate operations' plans into origin x destination volumes (whenever plans, levers or ISP choices changed)",
        "send: daily volume shocks; botnet capacity rationing",
        "outbound: port-25 blocking, acceptable-use terminations, blocklists at the origin",
        "inbound: ISP filters at the destination against the senders' evasion",
        "consumers: time lost, responses, sales, complaints; legitimate mail and false positives",
        "money: spammer revenue by home, fraud losses, ISP, enforcement and campaign costs",
        "enforcement: complaints become cases (SimPy processes starting during the day)",
        "isps: quarterly choice of filter operating points",
        "botnets: infection and clean-up of consumer machines",
        "record",
    )

    def __init__(self, cfg: SimConfig, levers: list, world=None):
        self.cfg = cfg
        self.p = cfg.params
        self.start = dt.date.fromisoformat(str(cfg.start))
        self.n_days = max(1, int(round(cfg.years * 365.25)))
        # Time trends (capacity growth, falling costs, filter research) are anchored at the
        # reference date of the world table and the parameters (world.users_date, 2004), not at
        # the run's start: a run starting in 2001 starts with 2001's costs and filters.
        self.t_ref = float((self.start - dt.date.fromisoformat(str(cfg.world.users_date))).days)
        self.streams = Streams(cfg.seed)
        self.world = world if world is not None else load_world(cfg.world.table, list(cfg.world.countries),
                                                               self.start, cfg.world.email_share)
        self.engine = Engine()
        self.model = SpamModel(rng=self.streams.fresh("mesa"))
        self.policy = Policy(self.world, self.p.regulators)
        self.consumers = Consumers(self)
        self.isps = Isps(self)
        self.spammers = Spammers(self, self.p.spammers.n_initial, self.p.spammers.max_spammers)
        self.botnets = Botnets(self)
        self.regulators = [Regulator(self.model, self, c, int(self.world.investigators[c] if self.world.law[c] > 0 else 0))
                           for c in range(self.world.n)]
        C = self.world.n
        self.rec = {name: np.zeros((self.n_days, C), dtype=spec[0]) for name, spec in DAILY.items()}
        self.event_rows: list[tuple] = []
        self._binding: dict[str, bool] = {}   # caps binding now (see cap())
        self.plan_dirty = True
        self._next_wake = math.inf
        self.day = 0
        self.last_delivered = np.full(C, 1.0)
        self.K = np.zeros((C, C))
        self._eye = np.eye(C)
        self.campaign_cost = np.zeros(C)   # USD/day of awareness campaigns running (levers add to it)
        self.levers = list(levers)
        for lever in self.levers:
            lever.schedule(self)

    def release(self) -> None:
        """Drop the large arrays once the tables are built.  The simulation's objects refer to
        each other (agents <-> simulation, SimPy processes), so without this a sweep of many
        runs in one process keeps every finished run's arrays until the cyclic collector
        gets round to them (measured: ~30 MB per run)."""
        self.rec = {}
        self.event_rows = []
        self.spammers.alloc = None
        self.engine = None
        # Mesa 3.3 keeps every model it has seen in a class-level id counter (a strong
        # reference).  Removing the agents through Mesa's public API cuts the model loose
        # from the agents and so from this simulation; what Mesa still holds is the empty
        # model (~10 KB a run, measured in tests/test_determinism.py).
        self.model.remove_all_agents()
        self.model = None

    # ------------------------------------------------------------ services for agents and levers
    def day_of(self, date: dt.date) -> float:
        return float((date - self.start).days)

    def years_at(self, t: float) -> float:
        """Years since the parameters' reference date at day ``t`` of the run (negative before it)."""
        return (t + self.t_ref) / 365.25

    def date_of(self, t: float) -> dt.date:
        return self.start + dt.timedelta(days=int(math.floor(t)))

    def count(self, column: str, country: int, n: int = 1) -> None:
        """Add to today's counter (events during day t count on day t)."""
        d = int(self.engine.now)
        if 0 <= d < self.n_days:
            self.rec[column][d, country] += n

    def log(self, kind: str, country: int, partner: str = "", spammer: int = -1, value: float = float("nan"),
            detail: str = "", time: float | None = None) -> None:
        t = self.engine.now if time is None else time
        code = self.world.codes[country] if isinstance(country, (int, np.integer)) else str(country)
        self.event_rows.append((float(t), kind, code, partner, int(spammer), float(value), detail))

    def cap(self, name: str, binding: bool, t: float, excess: float, country: int | str = "") -> None:
        """Record a cap that binds: an event ``cap_binding`` (detail: the parameter, value: by how
        much the model wanted to exceed it) each time it starts to bind; nothing while it keeps
        binding or does not bind.  A cap that binds shapes the result, so the user should see it."""
        if binding and not self._binding.get(name, False):
            self.log("cap_binding", country, value=float(excess), detail=name, time=t)
        self._binding[name] = bool(binding)

    def log_many(self, kind: str, t: float, countries, spammers, partners=None, details=None) -> None:
        """Log one event per element (vectorised callers: relocations, entries, exits)."""
        codes = self.world.codes
        n = len(countries)
        partners = [codes[p] for p in partners] if partners is not None else [""] * n
        details = list(details) if details is not None else [""] * n
        nan = float("nan")
        self.event_rows.extend((float(t), kind, codes[c], pa, int(s), nan, d)
                               for c, s, pa, d in zip(countries, spammers, partners, details))

    def enforcement_pressure(self) -> np.ndarray:
        """K[d, h]: expected penalty per day (USD) an operation homed in h faces per unit of its
        share of the spam delivered in d (its share of d's complaints, hence of d's cases).
        Computed at each plan refresh from the case intake the regulators can expect."""
        return self.K

    def _pressure(self, cases_per_day: np.ndarray) -> np.ndarray:
        pol, p = self.policy, self.p.regulators
        _, grant = pol.channels()
        reach = p.grant * pol.powers[None, :] * grant                     # d's request granted by h
        np.fill_diagonal(reach, 1.0)                                       # a domestic case needs no request
        win = p.success * pol.powers                                       # won under the enforcer's powers...
        severity = np.where(pol.sanction == 2, p.arrest * p.prison_penalty + (1 - p.arrest) * p.fine, p.fine)
        sev = np.where(pol.law > 0, severity, 0.0)                         # ...and sanctions (the home's, abroad)
        return cases_per_day[:, None] * reach * (win * sev)[None, :]

    def prime_market(self, t: float, years: float) -> None:
        """Before the first decisions: expected deliveries from the first plans, so that
        operations see realistic crowding and complaint shares on day 0."""
        self._refresh(t, years)
        origin = self.botnets.origin_share()
        self.botnets.set_demand(self.P_bot_total)
        S = np.stack((self.P_own, np.outer(origin, self.P_bot * self.botnets.ration)))
        arrivals = S * (1.0 - self.p_out)
        self.last_delivered = (arrivals * (1.0 - self.catch)).sum(axis=(0, 1)) + 1.0
        self._refresh(t, years)  # penalties and crowding from those deliveries

    def expected_delivered_share(self, x: np.ndarray) -> np.ndarray:
        """An operation's expected share of the spam delivered in each destination."""
        return x / (self.last_delivered[None, :] + x + 1.0)

    # ------------------------------------------------------------ the day loop
    def run(self) -> None:
        vol_rng = self.streams["volume"]
        resp_rng = self.streams["responses"]
        sale_rng = self.streams["sales"]
        comp_rng = self.streams["complaints"]
        case_rng = self.streams["cases.intake"]
        C, A = self.world.n, len(self.consumers.level)
        CA = C * A
        p = self.p
        pc, pi = p.consumers, p.isps
        rec = self.rec
        growth_rate = p.spammers.capacity_growth
        user_growth = self.cfg.world.user_growth
        users0 = self.consumers.users0
        round_days = self.spammers.round_days
        add = np.add.reduce
        S = np.empty((2, C, C))
        D = self.n_days
        # Every day draws the same number of uniforms from each stream, whatever the policy
        # (common random numbers); drawing all days at once gives the same numbers, faster.
        sigma = p.spammers.volume_sigma
        shocks = np.exp(sigma * vol_rng.standard_normal((D, C)) - 0.5 * sigma ** 2)
        u_all = np.concatenate((resp_rng.random((D, CA)), comp_rng.random((D, C)), sale_rng.random((D, CA))), axis=1)
        u_cases = case_rng.random((D, C))
        years_all = (np.arange(D) + self.t_ref) / 365.25
        users_all = users0[None, :] * np.exp(user_growth * np.arange(D) / 365.25)[:, None]   # users0: at the start
        growth_all = np.exp(growth_rate * years_all)
        legit_all = np.floor(users_all * pc.legit_per_user)
        rec["legit_sent"][:] = legit_all
        for t in range(D):
            self.day = t
            years = float(years_all[t])
            u_day = u_all[t]
            if t % TERMS_DAYS == 0:
                z_b, a_b, b_b = cornish_fisher_terms(u_all[t:t + TERMS_DAYS])
            # events
            self.engine.advance_to(float(t))
            users = users_all[t]
            self.consumers.users = users
            # decide
            if t % round_days == 0:
                self.spammers.decide(t // round_days, float(t))
            # plan (and every rate that only changes with plans, levers or ISP decisions)
            if self.plan_dirty or t >= self._next_wake:
                self._refresh(float(t), years)
            growth = growth_all[t]
            # send
            shock = shocks[t]
            bots = self.botnets
            bots.set_demand(self.P_bot_total * growth)
            # S[0]: hosted servers (origin = host), S[1]: botnets (origin = where the bots are)
            np.multiply(self.P_own, (growth * shock)[:, None], out=S[0])
            np.multiply.outer(bots.origin_share() * shock, self.P_bot * (growth * bots.ration), out=S[1])
            np.floor(S, out=S)
            # outbound
            B = np.floor(S * self.p_out)
            Arr = S - B
            # inbound
            by_infra = add(Arr, axis=1)                                     # (infra, destination)
            arrivals = add(by_infra, axis=0)
            filtered = np.minimum(np.floor(add(add(Arr * self.catch, axis=0), axis=0)), arrivals)
            # of which refused at connection by blocklists (a refusal is a catch: reject <= catch)
            rejected = np.minimum(np.floor(add(by_infra * self.reject, axis=0)), filtered)
            delivered = arrivals - filtered
            # consumers: responses, complaints, sales and new cases in one inverse-CDF call.
            # Sales are drawn on the expected responses (and capped by the realised ones);
            # the case intake follows the expected complaint flow.
            hours = delivered * self.time_coef
            mu_resp = delivered[:, None] * self.resp_coef
            mu_comp = delivered * self.comp_coef
            i = t % TERMS_DAYS
            drawn = poisson_from_uniform(u_day, np.concatenate((
                mu_resp.ravel(), mu_comp, (mu_resp * self.sale_coef[:, None]).ravel())), terms=(z_b[i], a_b[i], b_b[i]))
            responses = drawn[:CA].reshape(C, A)
            complaints = drawn[CA:CA + C]
            sales = add(np.minimum(drawn[CA + C:2 * CA + C].reshape(C, A), responses), axis=1)
            responses = add(responses, axis=1)
            new_cases = rare_poisson_from_uniform(u_cases[t], np.minimum(mu_comp * self.case_coef, self.case_cap))
            legit = legit_all[t]
            legit_lost = np.floor(legit * self.fp_rate)
            # money
            fraud = sales * self.fraud_coef
            revenue_home = (sales * self.value_dest) @ self.home_share
            isp_cost = users * self.isp_cost_per_user + bots.cleaned_today_isp() * pi.cleanup_cost
            social = (hours * pc.value_of_time + fraud + legit_lost * pc.value_lost_legit + isp_cost + self.enf_cost
                      + self.campaign_cost)
            # enforcement: complaints become cases, starting at a random time during the day
            for c in new_cases.nonzero()[0]:
                slots, cum = self._case_targets(int(c))
                for _ in range(int(new_cases[c])):
                    self.regulators[c].open_case_from_complaints(float(t), slots, cum)
            # isps
            if t % pi.decision_days == 0:
                self.isps.choose_operating_points(years, arrivals, self.mean_evasion, legit)
                self.plan_dirty = True
            # botnets
            bots.step(years)
            self.last_delivered = delivered + 1.0
            # record
            rec["spam_sent"][t] = add(add(S, axis=0), axis=1)
            rec["spam_sent_botnet"][t] = add(S[1], axis=1)
            rec["blocked_outbound"][t] = add(add(B, axis=0), axis=1)
            rec["spam_received"][t] = arrivals
            rec["filtered"][t] = filtered
            rec["rejected_blocklist"][t] = rejected
            rec["delivered"][t] = delivered
            rec["legit_lost"][t] = legit_lost
            rec["responses"][t] = responses
            rec["sales"][t] = sales
            rec["spammer_revenue"][t] = revenue_home
            rec["fraud_loss"][t] = fraud
            rec["complaints"][t] = complaints
            rec["infected_machines"][t] = np.floor(bots.infected)
            rec["consumer_hours"][t] = hours
            rec["isp_cost"][t] = isp_cost
            rec["enforcement_cost"][t] = self.enf_cost
            rec["campaign_cost"][t] = self.campaign_cost
            rec["social_cost"][t] = social
            rec["active_spammers"][t] = self._active_by_home
        self.engine.advance_to(float(self.n_days))

    def _case_targets(self, c: int) -> tuple[np.ndarray, np.ndarray]:
        """(slots, cumulative weights) from which a complaint-driven case in ``c`` draws its
        target: the active operations, weighted by the spam they plan to send to ``c``.

        Plans and the active set change only at a refresh (every change to them marks the
        plan dirty, and the day loop refreshes before it opens cases), so the cumulative sum
        is built once per destination and refresh instead of once per case, and over the
        active operations only: the inactive slots weigh exactly zero, so the partial sums
        at the active slots are the same numbers as over all slots."""
        cached = self._case_cum.get(c)
        if cached is None:
            cached = self._case_cum[c] = (self._rows, np.cumsum(self._alloc[:, c]))
        return cached

    def _refresh(self, t: float, years: float) -> None:
        """Aggregate operations' plans into origin x destination volumes, and recompute every
        rate that changes only with plans, levers or ISP decisions.  Plans change at every
        decision round (``decision_days / 2``), so filter research accrues round by round."""
        sp = self.spammers
        p = self.p
        pc, pi = p.consumers, p.isps
        C = self.world.n
        self._active = (sp.alive & (sp.down_until <= t)).astype(float)
        later = sp.down_until[sp.alive & (sp.down_until > t)]
        self._next_wake = float(later.min()) if len(later) else math.inf
        rows = np.flatnonzero(self._active)
        alloc = sp.alloc[rows]
        self._rows, self._alloc, self._case_cum = rows, alloc, {}   # for _case_targets
        own = sp.infra[rows] == OWN
        ev = sp.evasion[rows]
        # origin x destination plans, grouped by host through one-hot matrix products
        eye = self._eye
        a_own = alloc[own]
        by_host = eye[sp.host[rows[own]]].T @ np.hstack((a_own, a_own * ev[own, None]))   # (C, 2C)
        self.P_own, ev_own = by_host[:, :C], by_host[:, C:]
        self.E_own = ev_own / np.maximum(self.P_own, 1e-9)
        bot_alloc = alloc[~own]
        self.P_bot = bot_alloc.sum(axis=0)
        self.P_bot_total = float(self.P_bot.sum())
        self.E_bot = (bot_alloc * ev[~own, None]).sum(axis=0) / np.maximum(self.P_bot, 1e-9)
        tot = alloc.sum(axis=0)
        safe = np.maximum(tot, 1e-9)
        business = sp.business[rows]
        pay = sp.processor_ok[sp.processor[rows]].astype(float)
        # one product for the per-destination mixes of volume that can be paid for: by home,
        # by business (refusing processors stop non-grey sales in the refusing countries).
        # The right-hand side is (one-hot home | one-hot business) x pay, written directly
        # (exactly the same matrix; building it from eye rows cost a third of this step).
        n = len(rows)
        home_biz = np.zeros((n, C + 3))
        at = np.arange(n)
        home_biz[at, sp.home[rows]] = pay
        home_biz[at, C + business] = pay
        mixes = alloc.T @ home_biz
        paid_biz = mixes[:, C:]
        paid_biz[:, 1:] *= (1.0 - sp.processor_refusal)[:, None]
        paid_tot = paid_biz.sum(axis=1)
        pay_ok = np.where(tot > 0, paid_tot / safe, 1.0)                  # share of sales that go through
        paid_safe = np.maximum(paid_tot, 1e-9)
        self.home_share = mixes[:, :C] / np.maximum(mixes[:, :C].sum(axis=1), 1e-9)[:, None]  # (destination, home)
        self.home_share[paid_tot <= 0] = 0.0
        biz = paid_biz / paid_safe[:, None]                               # (destination, business) of paid sales
        biz[paid_tot <= 0] = np.array(p.spammers.business_mix)
        self._active_by_home = np.bincount(sp.home[sp.alive], minlength=C)
        # ISPs: outbound controls, inbound catch against the senders' evasion, false positives
        isp = self.isps
        p_own, p_bot = isp.outbound_block()
        self.p_out = np.empty((2, C, 1))                                    # (infra, origin, 1)
        self.p_out[0, :, 0], self.p_out[1, :, 0] = p_own, p_bot
        det = isp.detection(years)                                          # (d, k)
        bl = isp.blocklist
        # a blocklist member refuses listed senders at connection; the content filter sees the rest
        miss_own = (1.0 - ndtr(det[None, :, :] - self.E_own[:, :, None])) * (1.0 - bl * pi.blocklist_own)[None]
        self.catch_own = 1.0 - (miss_own * isp.share[None]).sum(axis=2)      # (o, d)
        miss_bot = (1.0 - ndtr(det - self.E_bot[:, None])) * (1.0 - bl * pi.blocklist_bot)
        catch_bot = 1.0 - (miss_bot * isp.share).sum(axis=1)                # (d,)
        self.catch = np.empty((2, C, C))                                    # (infra, o, d)
        self.catch[0], self.catch[1] = self.catch_own, catch_bot
        refused = (bl * isp.share).sum(axis=1)                              # (d,) share of mail meeting a blocklist
        self.reject = np.stack((refused * pi.blocklist_own, refused * pi.blocklist_bot))   # (infra, d), <= catch
        w_own = self.P_own.sum(axis=0)
        self.mean_evasion = (ev_own.sum(axis=0) + self.E_bot * self.P_bot) / np.maximum(w_own + self.P_bot, 1e-9)
        self.fp_rate = (isp.share * isp.fpr).sum(axis=1)
        self.isp_cost_per_user = isp.daily_cost_per_user()
        # consumers
        cons = self.consumers
        cons.refresh_if_changed()
        cons.set_year(years)
        self.time_coef = (cons.split * cons.time_mult).sum(axis=1) * (pc.seconds_per_spam / 3600.0)
        cons.set_inbox_load(self.last_delivered)
        self.resp_coef = cons.split * (pc.response_rate * cons.learning * cons.resp_mult)[None, :] * cons.attention[:, None]
        self.sale_coef = pc.purchase_rate * cons.income * pay_ok
        pol = self.policy
        lawfactor = np.where(pol.law > 0, 1.0, pc.no_law_complaints)
        self.comp_coef = (cons.split * cons.complain_mult).sum(axis=1) * pc.complaint_rate * lawfactor
        value = np.array([p.spammers.order_value * p.spammers.commission] * 2 + [p.spammers.fraud_loss])
        self.value_dest = biz @ value
        self.fraud_coef = biz[:, FRAUD] * p.spammers.fraud_loss
        # regulators
        staff = np.fromiter((r.staff for r in self.regulators), dtype=float, count=C)
        self.enf_cost = staff * p.regulators.cost_per_investigator / 365.25
        self.case_cap = staff * p.regulators.cases_per_investigator / 365.25 * (pol.law > 0)
        self.case_coef = p.regulators.case_conversion * pol.powers * (pol.law > 0)
        self.K = self._pressure(np.minimum(self.last_delivered * self.comp_coef * self.case_coef, self.case_cap))
        self.botnets.refresh_rates(years)
        self.plan_dirty = False


