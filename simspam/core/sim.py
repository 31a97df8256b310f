"""One simulation run: the world, its actors, the levers, and the day's step plan.

Hybrid engine.  High-volume flows (billions of messages a day) are integer counts per
origin-destination pair, computed with numpy once per day; rare, irregular things
(cases, mutual-assistance requests, takedowns, law adoptions, campaigns) are SimPy
processes in continuous time.  A day is the step plan (``Simulation.STEP_PLAN``): a
sequence of (label, method) pairs that the loop runs in order, and that
``docs/model.md`` prints.  Before the phases of day ``t`` run, every event stamped at
or before ``t`` has happened (see :mod:`simspam.core.engine`).

The rates the flows use (what filters catch, how consumers answer, what enforcement
costs) are computed by each actor in its own module from the plans the spam operations
made; the simulation only decides *when* they are recomputed (``_refresh``): whenever
something they depend on changes (plans, levers, ISP choices, operations coming back
online).  What moves by itself -- the time trends and the feedback of last period's
deliveries -- enters the rates through a :class:`Clock` read on a fixed calendar, so
the rates are a function of the state and the calendar alone: a lever that changes
nothing leaves every table bit for bit as it was, whenever it starts (common random
numbers are exact; a property test checks it).

Accounting is exact by construction: each stage splits an integer count into two
integers (``part = floor(count * p)``, ``rest = count - part``), so every message
sent is blocked at its origin, filtered at its destination, or delivered; the tests
check these invariants on every day with :mod:`simspam.metrics.invariants`.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np

from ..agents.botnets import Botnets
from ..agents.consumers import Consumers
from ..agents.isps import Isps
from ..agents.regulators import Policy, Regulators, SpamModel
from ..agents.spammers import Spammers
from ..agents.world import load_world
from ..config.schema import SimConfig
from .columns import DAILY
from .engine import Engine
from .streams import Streams, cornish_fisher_terms, poisson_from_uniform, rare_poisson_from_uniform

TERMS_DAYS = 256     # days of the Poisson draws' uniform-only terms computed at once (bounded memory)


class Day:
    """The flows of the day being simulated (scratch space the phases hand on to each other)."""

    __slots__ = ("years", "users", "growth", "S", "B", "arrivals", "filtered", "rejected", "delivered",
                 "hours", "responses", "complaints", "sales", "new_cases", "legit", "legit_lost",
                 "fraud", "revenue_home", "isp_cost", "social")


class Clock:
    """The inputs of the rates that move by themselves, read on the rates calendar: the time
    trends (years since the reference date, users) and the feedback of the spam delivered per
    day (crowded inboxes, the complaint flow enforcement plans for)."""

    __slots__ = ("years", "users", "delivered")

    def __init__(self, years: float, users: np.ndarray, delivered: np.ndarray):
        self.years, self.users, self.delivered = years, users, delivered


class Simulation:
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
        self.regulators = Regulators(self)
        C = self.world.n
        self.rec = {name: np.zeros((self.n_days, C), dtype=spec[0]) for name, spec in DAILY.items()}
        self.event_rows: list[tuple] = []
        self._binding: dict[str, bool] = {}   # caps binding now (see cap())
        self.plan_dirty = True
        self.day = 0
        self.today = Day()
        self.last_delivered = np.full(C, 1.0)
        self.market = self.isp_rates = self.cons_rates = self.reg_rates = None   # set by _refresh
        self.clock: Clock | None = None                                          # set by _calendar
        self.campaign_cost = np.zeros(C)   # USD/day of awareness campaigns running (see set_campaign)
        self._campaigns: dict[str, np.ndarray] = {}
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
        self.market = None
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

    def set_campaign(self, name: str, cost: np.ndarray | None) -> None:
        """Start (``cost``: USD/day by country) or end (None) the campaign ``name``.  The cost of
        the campaigns running is their sum, recomputed from those still running: adding and
        subtracting costs as campaigns start and end would leave rounding residue (a cost a
        hair below zero) when they overlap and end in another order than they started."""
        if cost is None:
            self._campaigns.pop(name, None)
        else:
            self._campaigns[name] = cost
        costs = list(self._campaigns.values())
        self.campaign_cost = np.add.reduce(costs) if costs else np.zeros(self.world.n)

    def enforcement_pressure(self) -> np.ndarray:
        """K[d, h]: expected penalty per day (USD) an operation homed in h faces per unit of its
        share of the spam delivered in d (see :meth:`Regulators.pressure`), as of the last refresh
        (none before the first: the first plans are made before anyone has seen the market)."""
        if self.reg_rates is None:
            return np.zeros((self.world.n, self.world.n))
        return self.reg_rates.K

    def prime_market(self, t: float) -> None:
        """Before the first decisions: expected deliveries from the first plans, so that
        operations see realistic crowding and complaint shares on day 0."""
        self._refresh(t)
        m, r = self.market, self.isp_rates
        origin = self.botnets.origin_share()
        self.botnets.set_demand(m.P_bot_total)
        S = np.stack((m.P_own, np.outer(origin, m.P_bot * self.botnets.ration)))
        arrivals = S * (1.0 - r.p_out)
        self.last_delivered = self.clock.delivered = (arrivals * (1.0 - r.catch)).sum(axis=(0, 1)) + 1.0
        self._refresh(t)  # penalties and crowding from those deliveries

    def expected_delivered_share(self, x: np.ndarray) -> np.ndarray:
        """An operation's expected share of the spam delivered in each destination."""
        return x / (self.last_delivered[None, :] + x + 1.0)

    # ------------------------------------------------------------ the run
    def run(self) -> None:
        """Run every day of the step plan, then the events up to the end of the last day."""
        self._draw_ahead()
        plan = self.plan()
        for t in range(self.n_days):
            self.day = t
            for _label, step in plan:
                step(t)
        self.engine.advance_to(float(self.n_days))

    def plan(self) -> list[tuple[str, object]]:
        """The step plan of this simulation: (label, bound method) in the order a day runs them."""
        return [(label, step.__get__(self)) for label, step in self.STEP_PLAN]

    @classmethod
    def describe_plan(cls) -> list[tuple[str, str]]:
        """(label, what the phase does) for every phase, from the methods' docstrings."""
        return [(label, " ".join(step.__doc__.split("\n\n")[0].split())) for label, step in cls.STEP_PLAN]

    def _draw_ahead(self) -> None:
        """Draw every day's numbers of the daily streams before the first day.  Every day draws
        the same number of uniforms from each stream, whatever the policy (common random
        numbers); drawing all days at once gives the same numbers, faster."""
        p = self.p
        C, A, D = self.world.n, len(self.consumers.level), self.n_days
        CA = C * A
        sigma = p.spammers.volume_sigma
        self._shocks = np.exp(sigma * self.streams["volume"].standard_normal((D, C)) - 0.5 * sigma ** 2)
        self._u = np.concatenate((self.streams["responses"].random((D, CA)), self.streams["complaints"].random((D, C)),
                                  self.streams["sales"].random((D, CA))), axis=1)
        self._u_cases = self.streams["cases.intake"].random((D, C))
        self._years = (np.arange(D) + self.t_ref) / 365.25
        self._users = self.consumers.users0[None, :] * np.exp(self.cfg.world.user_growth * np.arange(D) / 365.25)[:, None]
        self._growth = np.exp(p.spammers.capacity_growth * self._years)
        self._legit = np.floor(self._users * p.consumers.legit_per_user)
        self.rec["legit_sent"][:] = self._legit
        self._S = np.empty((2, C, C))

    # ------------------------------------------------------------ the phases of a day
    def _events(self, t: int) -> None:
        """SimPy processes up to the start of the day (levers, cases, requests, takedowns)."""
        self.engine.advance_to(float(t))
        day = self.today
        day.years = float(self._years[t])
        day.users = self.consumers.users = self._users[t]
        day.growth = self._growth[t]
        day.legit = self._legit[t]

    def _calendar(self, t: int) -> None:
        """On the rates calendar (every decision_days / decision_cohorts days, with the decision
        rounds), read the clock: the time trends and last period's deliveries the rates use.
        Between two readings they stand still, so when else the rates are recomputed changes
        nothing."""
        if t % self.spammers.round_days == 0:
            day = self.today
            self.clock = Clock(day.years, day.users, self.last_delivered)
            self.plan_dirty = True

    def _decide(self, t: int) -> None:
        """Every decision_days / decision_cohorts days, one cohort of the spam operations revises
        its plans (all of them on day 0, after a first plan primes the market); attrition and
        free entry."""
        sp = self.spammers
        if t % sp.round_days == 0:
            sp.decide(t // sp.round_days, float(t))

    def _rates(self, t: int) -> None:
        """Aggregate the operations' plans and recompute every actor's rates when plans, levers,
        ISP choices, offline operations or the clock changed."""
        if self.plan_dirty or t >= self.market.next_wake:
            self._refresh(float(t))

    def _send(self, t: int) -> None:
        """Daily volume shocks by origin; botnet capacity rationing.  S[0]: hosted servers (origin =
        host), S[1]: botnets (origin = where the infected machines are)."""
        m, bots, day = self.market, self.botnets, self.today
        growth, shock, S = day.growth, self._shocks[t], self._S
        bots.set_demand(m.P_bot_total * growth)
        np.multiply(m.P_own, (growth * shock)[:, None], out=S[0])
        np.multiply.outer(bots.origin_share() * shock, m.P_bot * (growth * bots.ration), out=S[1])
        np.floor(S, out=S)
        day.S = S

    def _outbound(self, t: int) -> None:
        """Port-25 blocking, acceptable-use terminations and blocklists stop spam at its origin."""
        day = self.today
        day.B = np.floor(day.S * self.isp_rates.p_out)

    def _inbound(self, t: int) -> None:
        """ISP filters at the destination, against the senders' evasion; blocklists refuse part
        of what they catch at connection."""
        add = np.add.reduce
        day, r = self.today, self.isp_rates
        Arr = day.S - day.B
        by_infra = add(Arr, axis=1)                                     # (infra, destination)
        arrivals = add(by_infra, axis=0)
        filtered = np.minimum(np.floor(add(add(Arr * r.catch, axis=0), axis=0)), arrivals)
        # of which refused at connection by blocklists (a refusal is a catch: reject <= catch)
        day.rejected = np.minimum(np.floor(add(by_infra * r.reject, axis=0)), filtered)
        day.arrivals, day.filtered, day.delivered = arrivals, filtered, arrivals - filtered

    def _consumers(self, t: int) -> None:
        """Time lost, responses, sales and complaints (and the day's new cases) in one inverse-CDF
        call; legitimate mail lost to false positives.  Sales are drawn on the expected responses
        (and capped by the realised ones); the case intake follows the expected complaint flow."""
        add = np.add.reduce
        day, c, reg = self.today, self.cons_rates, self.reg_rates
        C = self.world.n
        CA = c.resp_coef.size
        i = t % TERMS_DAYS
        if i == 0:
            self._terms = cornish_fisher_terms(self._u[t:t + TERMS_DAYS])
        z, a, b = self._terms
        delivered = day.delivered
        day.hours = delivered * c.time_coef
        mu_resp = delivered[:, None] * c.resp_coef
        mu_comp = delivered * c.comp_coef
        drawn = poisson_from_uniform(self._u[t], np.concatenate((
            mu_resp.ravel(), mu_comp, (mu_resp * c.sale_coef[:, None]).ravel())), terms=(z[i], a[i], b[i]))
        responses = drawn[:CA].reshape(C, -1)
        day.complaints = drawn[CA:CA + C]
        day.sales = add(np.minimum(drawn[CA + C:2 * CA + C].reshape(C, -1), responses), axis=1)
        day.responses = add(responses, axis=1)
        day.new_cases = rare_poisson_from_uniform(self._u_cases[t], np.minimum(mu_comp * reg.case_coef, reg.case_cap))
        day.legit_lost = np.floor(day.legit * self.isp_rates.fp_rate)

    def _money(self, t: int) -> None:
        """Spammers' revenue by home, consumers' fraud losses, ISP, enforcement and campaign costs,
        and the social cost they add up to."""
        day, m = self.today, self.market
        pc, pi = self.p.consumers, self.p.isps
        day.fraud = day.sales * m.fraud_coef
        day.revenue_home = (day.sales * m.value_dest) @ m.home_share
        day.isp_cost = day.users * self.isp_rates.cost_per_user + self.botnets.cleaned_today_isp() * pi.cleanup_cost
        day.social = (day.hours * pc.value_of_time + day.fraud + day.legit_lost * pc.value_lost_legit + day.isp_cost
                      + self.reg_rates.enf_cost + self.campaign_cost)

    def _enforcement(self, t: int) -> None:
        """Complaints become cases: SimPy processes starting at a random time during the day,
        against an operation drawn in proportion to the spam it sends here."""
        new_cases = self.today.new_cases
        for c in new_cases.nonzero()[0]:
            slots, cum = self._case_targets(int(c))
            for _ in range(int(new_cases[c])):
                self.regulators[c].open_case_from_complaints(float(t), slots, cum)

    def _isps(self, t: int) -> None:
        """Every isps.decision_days, each ISP chooses its filters' operating point."""
        if t % self.p.isps.decision_days == 0:
            day = self.today
            self.isps.choose_operating_points(day.years, day.arrivals, self.market.mean_evasion, day.legit)
            self.plan_dirty = True

    def _botnets(self, t: int) -> None:
        """Infection and clean-up of consumer machines."""
        self.botnets.step(self.today.years)
        self.last_delivered = self.today.delivered + 1.0

    def _record(self, t: int) -> None:
        """Write the day's row of every daily column."""
        add = np.add.reduce
        rec, day = self.rec, self.today
        S = day.S
        rec["spam_sent"][t] = add(add(S, axis=0), axis=1)
        rec["spam_sent_botnet"][t] = add(S[1], axis=1)
        rec["blocked_outbound"][t] = add(add(day.B, axis=0), axis=1)
        rec["spam_received"][t] = day.arrivals
        rec["filtered"][t] = day.filtered
        rec["rejected_blocklist"][t] = day.rejected
        rec["delivered"][t] = day.delivered
        rec["legit_lost"][t] = day.legit_lost
        rec["responses"][t] = day.responses
        rec["sales"][t] = day.sales
        rec["spammer_revenue"][t] = day.revenue_home
        rec["fraud_loss"][t] = day.fraud
        rec["complaints"][t] = day.complaints
        rec["infected_machines"][t] = np.floor(self.botnets.infected)
        rec["consumer_hours"][t] = day.hours
        rec["isp_cost"][t] = day.isp_cost
        rec["enforcement_cost"][t] = self.reg_rates.enf_cost
        rec["campaign_cost"][t] = self.campaign_cost
        rec["social_cost"][t] = day.social
        rec["active_spammers"][t] = self.market.active_by_home

    STEP_PLAN = (
        ("events", _events),
        ("calendar", _calendar),
        ("decide", _decide),
        ("rates", _rates),
        ("send", _send),
        ("outbound", _outbound),
        ("inbound", _inbound),
        ("consumers", _consumers),
        ("money", _money),
        ("enforcement", _enforcement),
        ("isps", _isps),
        ("botnets", _botnets),
        ("record", _record),
    )

    # ------------------------------------------------------------ rates
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
            m = self.market
            cached = self._case_cum[c] = (m.rows, np.cumsum(m.alloc[:, c]))
        return cached

    def _refresh(self, t: float) -> None:
        """Aggregate the operations' plans into the market and recompute each actor's rates
        from it (each in its own module), with the trends and feedback of the clock."""
        clock = self.clock
        m = self.market = self.spammers.market(t)
        self._case_cum = {}
        self.isp_rates = self.isps.rates(clock.years, m)
        self.cons_rates = self.consumers.rates(clock.years, clock.users, clock.delivered, m.pay_ok, self.policy.law)
        self.reg_rates = self.regulators.rates(self.cons_rates.comp_coef, clock.delivered)
        self.botnets.refresh_rates(clock.years)
        self.plan_dirty = False
