"""One simulation run: the world, its actors, the levers, and the day loop.

Hybrid engine.  High-volume flows (billions of messages a day) are integer counts per
origin-destination pair, computed with numpy once per day; rare, irregular things
(cases, mutual-assistance requests, takedowns, law adoptions, campaigns) are SimPy
processes in continuous time.  The day loop is one explicit, printable list of
phases (``Simulation.STEP_ORDER``); before the phases of day ``t`` run, every event
stamped at or before ``t`` has happened (see :mod:`simspam.core.engine`).

Accounting is exact by construction: each stage splits an integer count into two
integers (``part = floor(count * p)``, ``rest = count - part``), so every message
sent is blocked at its origin, filtered at its destination, or delivered; the
invariants are checked on every day by :mod:`simspam.metrics.invariants`.
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
from ..agents.spammers import BOT, FRAUD, GREY, OWN, Spammers
from ..agents.world import load_world
from ..config.schema import SimConfig
from ..metrics.columns import DAILY
from .engine import Engine
from .streams import Streams, poisson_from_uniform

VOLUME_SIGMA = 0.15  # day-to-day volatility of spam volume by origin (campaign bursts)


class Simulation:
    STEP_ORDER = (
        "events: SimPy processes up to the start of the day (levers, cases, requests, takedowns)",
        "decide: weekly, a quarter of spam operations revise plans; free entry",
        "plan: aggregate operations' plans into origin x destination volumes",
        "send: daily volume shocks; botnet capacity rationing",
        "outbound: port-25 blocking, acceptable-use terminations, blocklists at the origin",
        "inbound: ISP filters at the destination against the senders' evasion",
        "consumers: time lost, responses, sales, complaints; legitimate mail and false positives",
        "money: spammer revenue by home, fraud losses, ISP and enforcement costs",
        "enforcement: complaints become cases (SimPy processes starting during the day)",
        "isps: quarterly choice of filter operating points",
        "botnets: infection and clean-up of consumer machines",
        "record",
    )

    def __init__(self, cfg: SimConfig, levers: list):
        self.cfg = cfg
        self.p = cfg.params
        self.start = dt.date.fromisoformat(str(cfg.start))
        self.n_days = max(1, int(round(cfg.years * 365.25)))
        self.streams = Streams(cfg.seed)
        self.world = load_world(cfg.world.table, list(cfg.world.countries), self.start, cfg.world.email_share)
        self.engine = Engine()
        self.model = SpamModel(rng=self.streams.fresh("mesa"))
        self.policy = Policy(self.world)
        self.consumers = Consumers(self)
        self.isps = Isps(self)
        self.spammers = Spammers(self, self.p.spammers.n_initial, self.p.spammers.max_spammers)
        self.botnets = Botnets(self)
        self.regulators = [Regulator(self.model, self, c, int(self.world.investigators[c] if self.world.law[c] > 0 else 0))
                           for c in range(self.world.n)]
        C = self.world.n
        self.rec = {name: np.zeros((self.n_days, C), dtype=spec[0]) for name, spec in DAILY.items()}
        self.event_rows: list[tuple] = []
        self.plan_dirty = True
        self._next_wake = math.inf
        self.day = 0
        self.last_delivered = np.full(C, 1.0)
        self.levers = list(levers)
        self._pressure_key = None
        for lever in self.levers:
            lever.schedule(self)

    # ------------------------------------------------------------ services for agents and levers
    def day_of(self, date: dt.date) -> float:
        return float((date - self.start).days)

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
        code = self.world.codes[country] if isinstance(country, (int, np.integer)) and country >= 0 else str(country)
        self.event_rows.append((float(t), kind, code, partner, int(spammer), float(value), detail))

    def enforcement_pressure(self) -> np.ndarray:
        """K[d, h]: expected penalty per day (USD) an operation homed in h faces per unit of its
        share of complaints in d, given who can investigate and who can reach whom."""
        pol, p = self.policy, self.p.regulators
        staff = np.array([r.staff for r in self.regulators])
        key = (pol.version, staff.tobytes())
        if key == self._pressure_key:
            return self._pressure
        rate = (pol.law > 0) * pol.powers * staff * p.cases_per_investigator / 365.25     # cases/day by d
        _, grant = pol.channels(p.network_days, p.mou_days)
        reach = p.grant * pol.powers[None, :] * grant
        np.fill_diagonal(reach, 1.0)
        win = p.success * pol.powers                                                   # by enforcer h
        severity = np.where(pol.sanction == 2, p.arrest * p.prison_penalty + (1 - p.arrest) * p.fine, p.fine)
        sev = np.where(pol.law > 0, severity, 0.0)
        K = rate[:, None] * reach * (win * sev)[None, :]
        # a foreign case is enforced under the home's law; a domestic one under ours (the diagonal)
        self._pressure_key, self._pressure = key, K
        return K

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
        p = self.p
        pc, pi = p.consumers, p.isps
        rec = self.rec
        value = np.array([p.spammers.order_value * p.spammers.commission] * 2 + [p.spammers.fraud_loss])
        for t in range(self.n_days):
            self.day = t
            years = t / 365.25
            # fixed consumption per day and stream: common random numbers across scenarios
            z_vol = vol_rng.standard_normal(C)
            u_resp = resp_rng.random((C, A))
            u_sale = sale_rng.random((C, A))
            u_comp = comp_rng.random(C)
            u_case = case_rng.random(C)
            # events
            self.engine.advance_to(float(t))
            self.consumers.grow(years)
            # decide
            if t % 7 == 0:
                self.spammers.decide(t // 7, float(t))
            # plan
            if self.plan_dirty or t >= self._next_wake:
                self._refresh_plan(float(t))
            growth = math.exp(p.spammers.capacity_growth * years)
            # send
            shock = np.exp(VOLUME_SIGMA * z_vol - 0.5 * VOLUME_SIGMA ** 2)
            bot_demand = self.P_bot.sum() * growth
            self.botnets.set_demand(bot_demand)
            origin = self.botnets.origin_share()
            S_own = np.floor(self.P_own * (growth * shock)[:, None])
            S_bot = np.floor(np.outer(origin * shock, self.P_bot * (growth * self.botnets.ration)))
            # outbound
            p_own, p_bot = self.isps.outbound_block()
            B_own = np.floor(S_own * p_own[:, None])
            B_bot = np.floor(S_bot * p_bot[:, None])
            A_own = S_own - B_own
            A_bot = S_bot - B_bot
            Arr = A_own + A_bot
            # inbound
            safe = np.maximum(Arr, 1.0)
            s_own = A_own / safe
            evasion = s_own * self.E_own + (1.0 - s_own) * self.E_bot[None, :]
            det = self.isps.detection(years)                                       # (C_d, K)
            catch = ndtr(det[None, :, :] - evasion[:, :, None])                    # (o, d, k)
            listed = self.isps.blocklist[None, :, :] * (s_own * pi.blocklist_own + (1 - s_own) * pi.blocklist_bot)[:, :, None]
            catch = 1.0 - (1.0 - catch) * (1.0 - listed)
            arrivals = Arr.sum(axis=0)
            caught = np.einsum("od,dk,odk->d", Arr, self.isps.share, catch)
            filtered = np.minimum(np.floor(caught), arrivals)
            delivered = arrivals - filtered
            # consumers
            cons = self.consumers
            cons.refresh_if_changed()
            d_ca = delivered[:, None] * cons.split
            hours = (d_ca * cons.time_mult[None, :]).sum(axis=1) * (pc.seconds_per_spam / 3600.0)
            responses = poisson_from_uniform(u_resp, d_ca * (pc.response_rate * cons.resp_mult)[None, :])
            mu_sale = responses * (pc.purchase_rate * cons.income * self.pay_ok)[:, None]
            sales = poisson_from_uniform(u_sale, mu_sale).sum(axis=1)
            responses = responses.sum(axis=1)
            lawfactor = np.where(self.policy.law > 0, 1.0, pc.no_law_complaints)
            mu_comp = (d_ca * cons.complain_mult[None, :]).sum(axis=1) * pc.complaint_rate * lawfactor
            complaints = poisson_from_uniform(u_comp, mu_comp)
            legit = np.floor(cons.users * pc.legit_per_user)
            legit_lost = np.floor(legit * (self.isps.share * self.isps.fpr).sum(axis=1))
            # money
            rev_dest = sales * (self.biz @ value)
            fraud = sales * self.biz[:, FRAUD] * p.spammers.fraud_loss
            revenue_home = rev_dest @ self.home_share
            isp_cost = self.isps.daily_cost() + self.botnets.cleaned_today_isp() * pi.cleanup_cost
            staff = np.fromiter((r.staff for r in self.regulators), dtype=float, count=C)
            enf_cost = staff * p.regulators.cost_per_investigator / 365.25
            social = hours * pc.value_of_time + fraud + legit_lost * pc.value_lost_legit + isp_cost + enf_cost
            # enforcement: complaints become cases, starting during the day
            pol = self.policy
            cap = staff * p.regulators.cases_per_investigator / 365.25
            mu_case = np.minimum(complaints * p.regulators.case_conversion * pol.powers, cap) * (pol.law > 0)
            new_cases = poisson_from_uniform(u_case, mu_case)
            for c in np.flatnonzero(new_cases):
                for _ in range(int(new_cases[c])):
                    self.regulators[c].open_case_from_complaints(float(t), self.spammers.alloc[:, c] * self._active)
            # isps
            if t % pi.decision_days == 0:
                mean_ev = (evasion * Arr).sum(axis=0) / np.maximum(arrivals, 1.0)
                self.isps.choose_operating_points(years, arrivals, mean_ev, legit)
            # botnets
            self.botnets.step(years)
            self.last_delivered = delivered + 1.0
            # record
            rec["spam_sent"][t] = (S_own + S_bot).sum(axis=1)
            rec["blocked_outbound"][t] = (B_own + B_bot).sum(axis=1)
            rec["spam_received"][t] = arrivals
            rec["filtered"][t] = filtered
            rec["delivered"][t] = delivered
            rec["legit_sent"][t] = legit
            rec["legit_lost"][t] = legit_lost
            rec["responses"][t] = responses
            rec["sales"][t] = sales
            rec["spammer_revenue"][t] = revenue_home
            rec["fraud_loss"][t] = fraud
            rec["complaints"][t] = complaints
            rec["infected_machines"][t] = np.floor(self.botnets.infected)
            rec["consumer_hours"][t] = hours
            rec["isp_cost"][t] = isp_cost
            rec["enforcement_cost"][t] = enf_cost
            rec["social_cost"][t] = social
            rec["active_spammers"][t] = self._active_by_home
        self.engine.advance_to(float(self.n_days))

    def _refresh_plan(self, t: float) -> None:
        """Aggregate operations' plans into origin x destination volumes and mixes."""
        sp = self.spammers
        C = self.world.n
        self._active = (sp.alive & (sp.down_until <= t)).astype(float)
        later = sp.down_until[sp.alive & (sp.down_until > t)]
        self._next_wake = float(later.min()) if len(later) else math.inf
        rows = np.flatnonzero(self._active)
        alloc = sp.alloc[rows]
        own = sp.infra[rows] == OWN
        ev = sp.evasion[rows]
        self.P_own = np.zeros((C, C))
        E = np.zeros((C, C))
        np.add.at(self.P_own, sp.host[rows[own]], alloc[own])
        np.add.at(E, sp.host[rows[own]], alloc[own] * ev[own, None])
        self.E_own = E / np.maximum(self.P_own, 1e-9)
        bot_alloc = alloc[~own]
        self.P_bot = bot_alloc.sum(axis=0)
        self.E_bot = (bot_alloc * ev[~own, None]).sum(axis=0) / np.maximum(self.P_bot, 1e-9)
        tot = alloc.sum(axis=0)
        safe = np.maximum(tot, 1e-9)
        biz = np.zeros((C, 3))
        for b in (GREY, 1, FRAUD):
            biz[:, b] = alloc[sp.business[rows] == b].sum(axis=0) / safe
        biz[tot <= 0] = np.array(self.p.spammers.business_mix)
        self.biz = biz
        H = np.zeros((C, C))
        np.add.at(H, sp.home[rows], alloc)
        self.home_share = (H / safe[None, :]).T          # (destination, home)
        self.home_share[tot <= 0] = 0.0
        pay = sp.processor_ok[sp.processor[rows]].astype(float)
        refusal = sp.processor_refusal[None, :] * (sp.business[rows] != GREY)[:, None]
        self.pay_ok = np.where(tot > 0, (alloc * pay[:, None] * (1 - refusal)).sum(axis=0) / safe, 1.0)
        self._active_by_home = np.bincount(sp.home[sp.alive], minlength=C)
        self.plan_dirty = False
