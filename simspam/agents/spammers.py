"""Spam operations as arrays (struct of arrays, one slot per operation).

Each operation has a home country (where it can be prosecuted), a business (grey
marketer, illicit merchant, fraudster), sending infrastructure (own servers hosted in
some country, or rented botnet capacity), a filter-evasion level, a payment processor
and a heavy-tailed sending capacity.

Every ``decision_days`` an operation revises its plan from expected margins, as an
economic agent would (``decide``): where to send (logit-like weights on exposed
addresses and margin), whether to invest in evasion when filters bite, whether to
move its home or its servers to a safer jurisdiction (when the expected penalty over
its planning horizon exceeds the switching cost), and whether to exit (after
``exit_patience`` losing decisions).  Decisions are staggered: the operations are
split into ``decision_cohorts`` cohorts, one of which decides every
``decision_days / decision_cohorts`` days, which is both realistic and cheaper than
everyone at once.

Free entry: every decision round potential entrants arrive and enter with a probability
that rises with the profit of a typical (median) incumbent; their number is a steady
trickle plus imitators in proportion to the incumbents (``imitation``: the trade spreads
by example, so the industry grows exponentially while it pays and stops when margins fall).

All arrays have ``max_spammers`` slots; ``alive`` marks the active ones, so nothing is
ever stepped after it was removed.  Random numbers come in fixed amounts per round
(every slot draws whether alive or not) so scenarios keep common random numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

GREY, ILLICIT, FRAUD = 0, 1, 2
OWN, BOT = 0, 1


def truncated_pareto_mean(alpha: float, cap: float) -> float:
    """Mean of min(X, cap) for a Pareto X with minimum 1 and tail index alpha."""
    if abs(alpha - 1.0) < 1e-9:
        return 1.0 + float(np.log(cap))
    return (alpha - cap ** (1.0 - alpha)) / (alpha - 1.0)


@dataclass
class Market:
    """What the active operations' plans add up to, between two changes of plans: the
    volumes by origin and destination, the evasion they carry, who gets paid for the sales
    in each destination, and what a sale is worth there.  Built by :meth:`Spammers.market`."""

    rows: np.ndarray          # slots of the active operations
    alloc: np.ndarray         # their plans: messages/day to each destination (before growth)
    P_own: np.ndarray         # (host, destination) planned volume from own servers
    E_own: np.ndarray         # (host, destination) its mean evasion
    P_bot: np.ndarray         # (destination,) planned volume through botnets
    P_bot_total: float
    E_bot: np.ndarray         # (destination,) its mean evasion
    mean_evasion: np.ndarray  # (destination,) over all spam planned there (what ISPs tune against)
    home_share: np.ndarray    # (destination, home) of the paid sales
    pay_ok: np.ndarray        # (destination,) share of sales whose payments go through
    value_dest: np.ndarray    # (destination,) USD a sale is worth to its spammer
    fraud_coef: np.ndarray    # (destination,) USD consumers lose per sale (fraud)
    active_by_home: np.ndarray  # (home,) operations in business (offline ones included)
    next_wake: float          # first day an offline operation comes back (inf: none)


class Spammers:
    def __init__(self, sim, n0: int, capacity_slots: int):
        self.sim = sim
        p = sim.p.spammers
        w = sim.world
        m = capacity_slots
        self.m = m
        self.alive = np.zeros(m, dtype=bool)
        self.uid = np.full(m, -1, dtype=np.int64)
        self.home = np.zeros(m, dtype=np.int64)
        self.host = np.zeros(m, dtype=np.int64)
        self.infra = np.zeros(m, dtype=np.int64)
        self.business = np.zeros(m, dtype=np.int64)
        self.capacity = np.zeros(m)
        self.evasion = np.zeros(m)
        self.processor = np.zeros(m, dtype=np.int64)
        self.down_until = np.zeros(m)
        self.losses = np.zeros(m, dtype=np.int64)
        self.cohorts = p.decision_cohorts
        self.cohort = np.arange(m) % self.cohorts
        self.round_days = max(1, p.decision_days // self.cohorts)
        self.profit = np.zeros(m)            # expected profit per day at the last decision
        self.alloc = np.zeros((m, w.n))      # planned messages/day to each destination (before growth)
        self._eye = np.eye(w.n)
        self.next_uid = 0
        # where operations live and host: more users and more income, more operations (EST)
        self.home_weight = w.users * np.sqrt(w.relative_income)
        self.home_weight /= self.home_weight.sum()
        # where servers are hosted: data centres concentrate in rich, well-connected countries
        # (I7: the US relayed 42-57% of spam in 2004, mostly from hosted servers and proxies)
        self.host_weight = w.users * np.power(w.relative_income, p.host_income_elasticity)
        self.host_weight /= self.host_weight.sum()
        self.init_rng = sim.streams["spammers.init"]
        self.entry_rng = sim.streams["spammers.entry"]
        self.decide_rng = sim.streams["spammers.decide"]
        # n0 operations at the reference date (2004); fewer if the run starts before it
        n0 = max(1, int(round(n0 * np.exp(p.early_growth * min(sim.t_ref, 0.0) / 365.25))))
        self.rebuild_rng = sim.streams["spammers.rebuild"]
        self.rebuild = np.ones(m)            # factor on the time to rebuild seized servers (lognormal)
        self._spawn(np.arange(n0), self.init_rng.random((n0, 8)), evasion_mean=p.evasion_mean,
                    u_rebuild=self.rebuild_rng.random(n0))
        self.processor_ok = np.ones(len(p.processor_shares), dtype=bool)
        self.processor_refusal = np.zeros(w.n)   # share of processors refusing spam merchants, by destination
        self.refusals: dict[str, np.ndarray] = {}  # by lever: the refusal is the largest of them

    # ---------------------------------------------------------------- population
    def _spawn(self, slots: np.ndarray, u: np.ndarray, evasion_mean: float, u_rebuild: np.ndarray,
               cheaper_bot: np.ndarray | None = None) -> None:
        """Fill ``slots`` with new operations drawn from uniforms ``u`` (one row of 8 per slot) and
        ``u_rebuild`` (one per slot, from the stream ``spammers.rebuild``: how fast the operation
        rebuilds seized servers, a trait of the operation drawn once, so that the same operation
        rebuilds as fast in every scenario).

        ``cheaper_bot`` (per host country, for entrants): whether renting botnets costs less than
        own servers there; a share ``entrant_choice`` of the entrants follows it, the others draw
        their infrastructure by ``botnet_share`` from the same uniform (so the draws per entrant
        are the same whatever the choice)."""
        p = self.sim.p.spammers
        n = len(slots)
        if n == 0:
            return
        cum_home = np.cumsum(self.home_weight)
        cum_host = np.cumsum(self.host_weight)
        self.alive[slots] = True
        self.uid[slots] = self.next_uid + np.arange(n)
        self.next_uid += n
        self.home[slots] = np.minimum(np.searchsorted(cum_home, u[:, 0] * cum_home[-1]), len(cum_home) - 1)
        other = np.minimum(np.searchsorted(cum_host, u[:, 1] * cum_host[-1]), len(cum_host) - 1)
        self.host[slots] = np.where(u[:, 2] < p.host_at_home, self.home[slots], other)
        ec = p.entrant_choice if cheaper_bot is not None else 0.0
        if ec > 0:
            by_share = (u[:, 3] - ec) / (1.0 - ec) < p.botnet_share if ec < 1 else np.zeros(n, dtype=bool)
            self.infra[slots] = np.where(np.where(u[:, 3] < ec, cheaper_bot[self.host[slots]], by_share), BOT, OWN)
        else:
            self.infra[slots] = np.where(u[:, 3] < p.botnet_share, BOT, OWN)
        mix = np.cumsum(p.business_mix)
        self.business[slots] = np.minimum(np.searchsorted(mix, u[:, 4] * mix[-1]), 2)
        # Pareto sizes (minimum 1) truncated at size_cap times the minimum, scaled so that the
        # mean of the truncated distribution is mean_capacity
        alpha = p.size_alpha
        raw = np.minimum((1.0 - u[:, 5]) ** (-1.0 / alpha), p.size_cap)
        self.capacity[slots] = raw / truncated_pareto_mean(alpha, p.size_cap) * p.mean_capacity
        spread = p.evasion_spread
        self.evasion[slots] = evasion_mean * ((1.0 - 0.5 * spread) + u[:, 6] * spread)
        shares = np.asarray(p.processor_shares, dtype=float)
        self.processor[slots] = np.minimum(np.searchsorted(np.cumsum(shares), u[:, 7]), len(shares) - 1)
        self.rebuild[slots] = np.exp(p.rebuild_sigma * ndtri(np.clip(u_rebuild, 1e-12, 1.0 - 1e-12)))
        self.down_until[slots] = 0.0
        self.losses[slots] = 0
        self.alloc[slots] = 0.0

    def remove(self, slot: int, t: float, kind: str, country: int, detail: str = "") -> None:
        if not self.alive[slot]:
            return
        self.alive[slot] = False
        self.alloc[slot] = 0.0
        self.sim.log(kind, country, spammer=int(self.uid[slot]), detail=detail, time=t)
        self.sim.plan_dirty = True

    def remove_many(self, slots: np.ndarray, t: float, detail: str) -> None:
        slots = slots[self.alive[slots]]
        if len(slots) == 0:
            return
        self.alive[slots] = False
        self.alloc[slots] = 0.0
        self.sim.log_many("spammer_exit", t, self.home[slots], self.uid[slots], details=[detail] * len(slots))
        self.sim.plan_dirty = True

    def arrest(self, slot: int, t: float, country: int) -> None:
        self.sim.log("arrest", country, partner=self.sim.world.codes[self.home[slot]], spammer=int(self.uid[slot]), time=t)
        self.remove(slot, t, "spammer_exit", int(self.home[slot]), "operator arrested")

    def fine(self, slot: int, amount: float, t: float, country: int) -> None:
        """A won case without arrest: a fine, and the operation's servers are seized."""
        self.sim.log("fine", country, spammer=int(self.uid[slot]), value=amount, time=t)
        self.shut_down(np.array([slot]), t, self.sim.p.regulators.shutdown_days)
        self.profit[slot] -= amount / 365.25  # until its next revision (operations keep no wealth)

    def shut_down(self, slots: np.ndarray, t: float, median_days: float) -> None:
        """Take operations offline until they rebuild: ``median_days`` times the operation's own
        rebuild factor (lognormal, ``rebuild_sigma``)."""
        slots = slots[self.alive[slots]]
        if len(slots) == 0:
            return
        self.down_until[slots] = np.maximum(self.down_until[slots], t + median_days * self.rebuild[slots])
        self.sim.plan_dirty = True

    # ---------------------------------------------------------------- the market plans make
    def market(self, t: float) -> Market:
        """Aggregate the plans of the operations active on day ``t`` (alive and not offline)."""
        sim = self.sim
        p = sim.p.spammers
        C = sim.world.n
        active = self.alive & (self.down_until <= t)
        later = self.down_until[self.alive & (self.down_until > t)]
        rows = np.flatnonzero(active)
        alloc = self.alloc[rows]
        own = self.infra[rows] == OWN
        ev = self.evasion[rows]
        # origin x destination plans, grouped by host through one-hot matrix products
        a_own = alloc[own]
        by_host = self._eye[self.host[rows[own]]].T @ np.hstack((a_own, a_own * ev[own, None]))   # (C, 2C)
        P_own, ev_own = by_host[:, :C], by_host[:, C:]
        E_own = ev_own / np.maximum(P_own, 1e-9)
        bot_alloc = alloc[~own]
        P_bot = bot_alloc.sum(axis=0)
        E_bot = (bot_alloc * ev[~own, None]).sum(axis=0) / np.maximum(P_bot, 1e-9)
        tot = alloc.sum(axis=0)
        safe = np.maximum(tot, 1e-9)
        business = self.business[rows]
        pay = self.processor_ok[self.processor[rows]].astype(float)
        # one product for the per-destination mixes of volume that can be paid for: by home,
        # by business (refusing processors stop non-grey sales in the refusing countries).
        # The right-hand side is (one-hot home | one-hot business) x pay, written directly
        # (exactly the same matrix; building it from eye rows cost a third of this step).
        n = len(rows)
        home_biz = np.zeros((n, C + 3))
        at = np.arange(n)
        home_biz[at, self.home[rows]] = pay
        home_biz[at, C + business] = pay
        mixes = alloc.T @ home_biz
        paid_biz = mixes[:, C:]
        paid_biz[:, 1:] *= (1.0 - self.processor_refusal)[:, None]
        paid_tot = paid_biz.sum(axis=1)
        pay_ok = np.where(tot > 0, paid_tot / safe, 1.0)                  # share of sales that go through
        paid_safe = np.maximum(paid_tot, 1e-9)
        home_share = mixes[:, :C] / np.maximum(mixes[:, :C].sum(axis=1), 1e-9)[:, None]  # (destination, home)
        home_share[paid_tot <= 0] = 0.0
        biz = paid_biz / paid_safe[:, None]                               # (destination, business) of paid sales
        biz[paid_tot <= 0] = np.array(p.business_mix)
        value = np.array([p.order_value * p.commission] * 2 + [p.fraud_loss])
        w_own = P_own.sum(axis=0)
        return Market(
            rows=rows, alloc=alloc, P_own=P_own, E_own=E_own, P_bot=P_bot, P_bot_total=float(P_bot.sum()),
            E_bot=E_bot,
            mean_evasion=(ev_own.sum(axis=0) + E_bot * P_bot) / np.maximum(w_own + P_bot, 1e-9),
            home_share=home_share, pay_ok=pay_ok, value_dest=biz @ value, fraud_coef=biz[:, FRAUD] * p.fraud_loss,
            active_by_home=np.bincount(self.home[self.alive], minlength=C),
            next_wake=float(later.min()) if len(later) else math.inf)

    # ---------------------------------------------------------------- decisions
    def decide(self, round_no: int, t: float) -> None:
        """Attrition, entry, then one cohort revises its plan.  Called every ``round_days``."""
        sim = self.sim
        p = sim.p.spammers
        years = sim.years_at(t)
        # fixed draws per round, whatever happens (common random numbers)
        u = self.decide_rng.random((self.m, 6))
        n_pot = p.potential_entrants
        u_entry = self.entry_rng.random((n_pot, 9))
        u_rebuild = self.rebuild_rng.random(n_pot)
        dt_days = float(self.round_days)
        decay = p.evasion_decay * dt_days / 365.25
        self.evasion[self.alive] = np.maximum(self.evasion[self.alive] - decay, 0.0)
        # attrition: operators who quit for reasons outside the model
        quit_p = 1.0 - np.exp(-p.attrition * dt_days / 365.25)
        self.remove_many(np.flatnonzero(self.alive & (u[:, 4] < quit_p)), t, "quit")
        # free entry while spamming pays: entrants come when a typical (median) operation earns
        # the entry cost back more than once a year, at the full rate when twice
        alive = self.alive
        if alive.any():
            ratio = float(np.median(self.profit[alive])) * 365.25 / max(p.entry_cost, 1.0)
        else:
            ratio = 2.0
        # expected entrants this round: a steady trickle (entry_rate) plus imitators, in proportion
        # to the incumbents (Bass diffusion: the trade spreads by example), both scaled by margins
        expected = (p.entry_rate * dt_days / 7.0 + p.imitation * int(alive.sum()) * dt_days / 365.25)
        prob = expected / n_pot * min(max(ratio - 1.0, 0.0), 1.0)
        sim.cap("params.spammers.potential_entrants", prob > 1.0, t, (prob - 1.0) * n_pot)
        prob = min(1.0, prob)
        free = np.flatnonzero(~alive)
        entering = np.flatnonzero(u_entry[:, 0] < prob)
        sim.cap("params.spammers.max_spammers", len(entering) > len(free), t, len(entering) - len(free))
        entering = entering[: len(free)]
        cohort = self.alive & ((self.cohort == round_no % self.cohorts) | (round_no == 0))  # everyone plans on day 0
        if len(entering):
            slots = free[: len(entering)]
            ev = float(self.evasion[alive].mean()) if alive.any() else p.evasion_mean
            cheaper_bot = None
            if p.entrant_choice > 0:
                costs = self.unit_costs(years)
                cheaper_bot = costs["bot_eff"] <= costs["own_eff"]
            self._spawn(slots, u_entry[entering, 1:], evasion_mean=ev, u_rebuild=u_rebuild[entering],
                        cheaper_bot=cheaper_bot)
            cohort[slots] = True
            sim.log_many("spammer_entry", t, self.home[slots], self.uid[slots])
        # the round's cohort (and its entrants) revise their plans; on day 0 everyone first
        # makes a plan without adapting, so the market (crowding, complaint shares) is known
        idx = np.flatnonzero(cohort)
        if round_no == 0 and len(idx):
            self._revise(idx, u[idx], t, years, adapt=False)
            sim.prime_market(t)
        if len(idx):
            self._revise(idx, u[idx], t, years)

    def unit_costs(self, years: float) -> dict:
        """What sending costs today, by infrastructure: cost per message sent (``own``, ``bot``),
        the share that gets past outbound blocking (``pass_own`` by host country (C,), ``pass_bot``)
        and the cost per message that gets out (``own_eff`` by host (C,), ``bot_eff``).  The
        revisions and the entrants' choice of infrastructure compare the same figures."""
        p = self.sim.p.spammers
        p_out_own, p_out_bot = self.sim.isps.outbound_block()
        pass_bot = 1.0 - float(self.sim.botnets.origin_share() @ p_out_bot)
        own = p.own_cost_per_m * np.exp(-p.cost_decline * years) / 1e6
        bot = self.sim.botnets.price_per_message(years)
        return {"own": own, "bot": bot, "pass_own": 1.0 - p_out_own, "pass_bot": pass_bot,
                "own_eff": own / np.maximum(1.0 - p_out_own, 1e-6), "bot_eff": bot / max(pass_bot, 1e-6)}

    def _revise(self, idx: np.ndarray, u: np.ndarray, t: float, years: float, adapt: bool = True) -> None:
        sim = self.sim
        p = sim.p.spammers
        w = sim.world
        pol = sim.policy
        isp = sim.isps
        n = len(idx)
        C = w.n
        # ---- what a message to each destination is worth (same market signals for all).
        # The (n, C) arrays below are the cost of a revision (~1,300 operations x C each):
        # they are built in place, with factors that are exactly 1 skipped, but every element
        # gets the same floating-point operations in the same order as the plain formulas in
        # the comments (x * 1.0 == x; a * b == b * a), so plans are bit-identical.
        value = np.array([p.order_value * p.commission, p.order_value * p.commission, p.fraud_loss])
        conv = sim.consumers.expected_conversion()                      # sales per delivered, by destination
        business = self.business[idx]
        pay_ok = self.processor_ok[self.processor[idx]].astype(float)   # (n,)
        # worth = conv * value[business] * pay_ok * (1 - refusal of non-grey sales)
        worth = (conv[None, :] * value[:, None])[business]
        if not pay_ok.all():
            worth *= pay_ok[:, None]
        if self.processor_refusal.any():
            worth *= 1.0 - self.processor_refusal[None, :] * (business != GREY)[:, None]
        m_d = isp.mean_detection(years)                                        # (C,) effective d' + z(fpr)
        pass_in = m_d[None, :] - self.evasion[idx][:, None]             # (n, C): 1 - Phi(m_d - evasion)
        ndtr(pass_in, out=pass_in)
        np.subtract(1.0, pass_in, out=pass_in)
        costs = self.unit_costs(years)
        is_bot = self.infra[idx] == BOT
        pass_out = np.where(is_bot, costs["pass_bot"], costs["pass_own"][self.host[idx]])
        cost = np.where(is_bot, costs["bot"], costs["own"])
        margin = pass_in * pass_out[:, None]                            # USD per message sent, (n, C):
        margin *= worth                                                 # pass_out * pass_in * worth - cost
        margin -= cost[:, None]
        # grey marketers obey enforced laws and marketing codes: their weights are multiplied by
        # grey_comply (one row for all of them; everyone else's factor is 1)
        grey = business == GREY
        enforced = pol.powers > 0
        grey_comply = np.ones(C)
        grey_comply[(pol.law == 2) & enforced] = 0.0
        grey_comply[(pol.law == 1) & enforced] *= 1.0 - p.grey_optout_compliance
        grey_comply *= 1.0 - pol.marketing_code
        addresses = sim.consumers.addresses()
        # weight = (revenue / cost where profitable, else 0) ** adaptivity x compliance x addresses
        pos = np.maximum(margin, 0.0)
        weight = pos / np.maximum(cost, 1e-12)[:, None]
        weight += 1.0
        if p.adaptivity != 1.0:                                         # pow is slow: skip it at 1
            np.power(weight, p.adaptivity, out=weight)
        weight[~(pos > 0)] = 0.0
        if grey.any():
            weight[grey] *= grey_comply
        weight *= addresses
        tot = weight.sum(axis=1, keepdims=True)
        share = np.divide(weight, tot, out=weight, where=tot > 0)
        share[~(tot[:, 0] > 0)] = 0.0
        cap = self.capacity[idx] * np.exp(p.capacity_growth * years)
        gross = cap * (share * margin).sum(axis=1)                       # USD/day
        # ---- expected penalty: complaints share x enforcement rate x reach, per possible home
        K = sim.enforcement_pressure()                                   # (C destination, C home) USD/day per complaint share
        sent = share * cap[:, None]                                      # cap * share * pass_out * pass_in
        sent *= pass_out[:, None]
        sent *= pass_in
        delivered_share = sim.expected_delivered_share(sent)
        pen_by_home = delivered_share @ K                                 # (n, C)
        home = self.home[idx]
        penalty = pen_by_home[np.arange(n), home]
        if not adapt:  # a first plan on day 0, before anyone has seen the market
            self.profit[idx] = gross - penalty - p.fixed_cost_per_day
            self.alloc[idx] = self.capacity[idx][:, None] * share
            self.sim.plan_dirty = True
            return
        # ---- move home where expected penalties are lower.  Each deciding operation looks at
        # one candidate jurisdiction (drawn where operations tend to live) -- search is costly,
        # and comparing with everywhere at once would make all operations herd to one haven.
        cum = np.cumsum(self.home_weight)
        cand = np.minimum(np.searchsorted(cum, u[:, 0] * cum[-1]), C - 1)
        rows = np.arange(n)
        gain = (penalty - pen_by_home[rows, cand]) * 365.25 * p.planning_years
        spread = p.relocation_cost_spread
        move = (cand != home) & (gain > p.relocation_cost * ((1.0 - 0.5 * spread) + u[:, 3] * spread))
        sim.log_many("relocation_home", t, cand[move], self.uid[idx[move]], partners=home[move])
        self.home[idx[move]] = cand[move]
        penalty[move] = pen_by_home[rows, cand][move]
        profit = gross - penalty - p.fixed_cost_per_day
        profit[move] -= p.relocation_cost / (365.25 * p.planning_years)
        # ---- infrastructure: keep it, move own servers to a candidate host, or rent botnets,
        # whichever costs least per message that gets out, net of the switching cost
        cum_host = np.cumsum(self.host_weight)
        host_cand = np.minimum(np.searchsorted(cum_host, u[:, 1] * cum_host[-1]), C - 1)
        own_eff, bot_eff = costs["own_eff"], costs["bot_eff"]            # cost per message passing outbound
        cur_eff = np.where(is_bot, bot_eff, own_eff[self.host[idx]])
        alt_bot = ~is_bot & (bot_eff <= own_eff[host_cand])
        alt_eff = np.where(alt_bot, bot_eff, own_eff[host_cand])
        volume = cap * share.sum(axis=1)
        # judged on capacity, not current volume: an operation whose infrastructure is blocked
        # plans no volume at all, and must still see what moving would buy
        saving = (cur_eff - alt_eff) * cap * 365.25 * p.planning_years
        same = ~alt_bot & ~is_bot & (host_cand == self.host[idx])
        switch = ~same & (saving > p.relocation_cost * ((1.0 - 0.5 * spread) + u[:, 2] * spread))
        moving = idx[switch]
        new_host = np.where(alt_bot[switch], self.host[moving], host_cand[switch])
        details = np.where(alt_bot[switch], "to botnet rental", "servers to " + np.array(w.codes, dtype=object)[new_host])
        sim.log_many("relocation_infra", t, new_host, self.uid[moving], partners=self.host[moving], details=details)
        self.infra[moving] = np.where(alt_bot[switch], BOT, OWN)
        self.host[moving] = new_host
        profit[switch] -= p.relocation_cost / (365.25 * p.planning_years)
        # ---- switch away from a processor that stopped serving spam merchants
        stuck = pay_ok == 0
        if stuck.any():
            ok = np.flatnonzero(self.processor_ok)
            if len(ok):
                self.processor[idx[stuck]] = ok[np.minimum((u[stuck, 5] * len(ok)).astype(int), len(ok) - 1)]
        # ---- invest in evasion when filters bite
        passed = (share * pass_in).sum(axis=1)
        invest_cost = p.evasion_cost * (1.0 + self.evasion[idx]) ** 2
        invest = (passed < p.evasion_trigger) & (volume > 0) & (gross * p.decision_days > invest_cost)
        self.evasion[idx[invest]] += p.evasion_step
        profit[invest] -= invest_cost[invest] / p.decision_days
        # ---- exit after repeated losses
        self.losses[idx] = np.where(profit < 0, self.losses[idx] + 1, 0)
        self.profit[idx] = profit
        self.alloc[idx] = self.capacity[idx][:, None] * share
        self.remove_many(idx[self.losses[idx] >= p.exit_patience], t, "unprofitable")
        self.sim.plan_dirty = True
